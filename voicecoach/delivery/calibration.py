"""Is a calibration recording fit to become the trainee's baseline?

A baseline judges every later call, so a poor one is refused before it can
replace a good one: at least 10 s of voiced speech, speech rather than a
steady tone or noise, not clipped, and a pace plausible for reading aloud.
"""

from __future__ import annotations

import numpy as np

from voicecoach.delivery.baseline import Baseline
from voicecoach.delivery.measure import DeliveryFeatures
from voicecoach.errors import BaselineError

MIN_VOICED_S = 10.0
MIN_PITCH_RANGE_ST = 1.0  # a steady tone (or hum) barely moves; read speech spans several
PLAUSIBLE_PACE_WPM = (60.0, 300.0)


def calibration_problems(feats: DeliveryFeatures) -> list[str]:
    """What makes a recording unfit as a baseline, each with what to do; empty when fit."""
    from voicecoach.delivery.analysis import clipping_problem

    problems = [p for p in [clipping_problem(feats)] if p]
    if feats.voiced_s >= 1.0 and (
        feats.f0_range_st < MIN_PITCH_RANGE_ST or feats.syllable_rate_per_s == 0
    ):
        problems.append(
            "it sounds like a steady tone, not speech: read the passage aloud in your own voice"
        )
    elif feats.speech_s == 0:
        problems.append(
            "no sound was heard: check the microphone (voicecoach devices) and its volume,"
            " then record again"
        )
    elif feats.voiced_s < MIN_VOICED_S:
        heard = f"{feats.speech_s:.1f} s of sound"
        problems.append(
            f"only {feats.voiced_s:.1f} s of voiced speech ({heard}); a baseline needs at least"
            f" {MIN_VOICED_S:.0f} s: read the whole passage aloud, close to the microphone,"
            " in a quiet room"
        )
    low, high = PLAUSIBLE_PACE_WPM
    if not problems and not low <= feats.speaking_rate_wpm <= high:
        problems.append(
            f"the pace ({feats.speaking_rate_wpm:.0f} words/min, estimated) is not that of"
            f" reading aloud ({low:.0f}-{high:.0f}): read the passage at your usual pace"
        )
    return problems


def baseline_from_recording(y: np.ndarray, sr: int, *, source: str) -> Baseline:
    """The baseline of a calibration recording; BaselineError (one line) when it is unfit."""
    from voicecoach.delivery.analysis import analyze_speech

    feats = analyze_speech(y, sr).features
    problems = calibration_problems(feats)
    if problems:
        raise BaselineError(f"{source}: not usable as a baseline: {problems[0]}")
    return Baseline.from_features(feats, source=source)
