"""`analyze_speech`: measure a turn (or a whole call) and judge whether it stayed calm."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from voicecoach.asr.base import Word
from voicecoach.delivery.baseline import Baseline
from voicecoach.delivery.features import ANALYSIS_SR_HZ, FrameTracks, frame_tracks
from voicecoach.delivery.measure import DeliveryFeatures, measure_delivery
from voicecoach.delivery.verdict import REFERENCE_TITLES, Reason, judge
from voicecoach.errors import AudioError

MIN_VOICED_S = 0.3
MIN_SAMPLES_S = 0.1
MAX_CLIPPED_FRACTION = 0.01
NOT_ENOUGH_SPEECH = "not enough speech"


@dataclass(frozen=True)
class DeliveryResult:
    """Measurements, the calm verdict (None: not enough speech) and frame tracks for plots."""

    features: DeliveryFeatures
    calm: bool | None
    status: str  # "ok" or "not enough speech"
    tension: float | None
    reference: str  # "baseline" or "population"
    reasons: tuple[Reason, ...]
    problems: tuple[str, ...]
    times_s: np.ndarray
    f0_hz: np.ndarray  # NaN where unvoiced
    loudness_db: np.ndarray

    def to_json(self, *, tracks: bool = False) -> dict:
        """A JSON-ready dict; `tracks=True` adds the frame tracks (F0 null when unvoiced)."""
        out = {
            "status": self.status,
            "calm": self.calm,
            "tension": self.tension,
            "reference": self.reference,
            "reference_title": REFERENCE_TITLES[self.reference],
            "reasons": [r.to_json() for r in self.reasons],
            "problems": list(self.problems),
            "features": self.features.to_json(),
        }
        if tracks:
            out["tracks"] = {
                "times_s": np.round(self.times_s, 3).tolist(),
                "f0_hz": [None if np.isnan(f) else round(float(f), 1) for f in self.f0_hz],
                "loudness_db": np.round(self.loudness_db, 1).tolist(),
            }
        return out


def _as_mono(y: np.ndarray, sr: int) -> np.ndarray:
    """Validated float32 mono samples at the analysis rate (non-finite samples zeroed)."""
    from voicecoach.audio.io import resample

    if y is None:
        raise AudioError("no audio was given to analyse")
    y = np.asarray(y)
    if np.issubdtype(y.dtype, np.integer):  # PCM samples: scale to [-1, 1]
        y = y / float(np.iinfo(y.dtype).max + 1)
    y = y.astype(np.float32)
    if y.ndim == 2:
        y = y.mean(axis=1) if y.shape[1] <= 8 else y.mean(axis=0)
    if y.ndim != 1:
        raise AudioError(f"audio must be mono samples, got an array of shape {y.shape}")
    if not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise AudioError(f"sample rate must be a positive whole number of Hz, got {sr!r}")
    y = np.nan_to_num(y, nan=0.0, posinf=1.0, neginf=-1.0)
    y = resample(y, orig_sr=int(sr), target_sr=ANALYSIS_SR_HZ)
    minimum = int(MIN_SAMPLES_S * ANALYSIS_SR_HZ)
    return np.pad(y, (0, max(0, minimum - len(y)))).astype(np.float32)


def _words_in_clip(words: Sequence[Word] | None, t0_s: float, duration_s: float) -> list[Word]:
    """Words shifted onto the clip's clock, keeping those inside it."""
    shifted = [replace(w, start_s=w.start_s - t0_s, end_s=w.end_s - t0_s) for w in words or ()]
    return [w for w in shifted if w.end_s > 0 and w.start_s < duration_s and w.end_s > w.start_s]


def clipping_problem(feats: DeliveryFeatures) -> str | None:
    """What to do about a clipped recording (None when it is not clipped)."""
    if feats.clipped_fraction <= MAX_CLIPPED_FRACTION:
        return None
    return (
        f"the recording is clipped ({100 * feats.clipped_fraction:.1f}% of samples flat at"
        " full scale): lower the microphone gain or sit further away and record again"
    )


def _problems(feats: DeliveryFeatures) -> list[str]:
    problems = [p for p in [clipping_problem(feats)] if p]
    if feats.voiced_s < MIN_VOICED_S:
        problems.append(
            f"only {feats.voiced_s:.2f} s of voiced speech; at least {MIN_VOICED_S} s is needed"
        )
    return problems


def analyze_speech(
    y: np.ndarray,
    sr: int,
    *,
    words: Sequence[Word] | None = None,
    baseline: Baseline | None = None,
    t0_s: float = 0.0,
) -> DeliveryResult:
    """Measure `y` and judge it against `baseline` (population values when None).

    `words` are recogniser words; `t0_s` is the time of `y[0]` on their clock
    (0 when they are timed from the start of `y`). Silence, noise, clipped or
    very short audio give `calm=None` and status "not enough speech".
    """
    y = _as_mono(y, sr)
    tracks: FrameTracks = frame_tracks(y, ANALYSIS_SR_HZ)
    clip_words = _words_in_clip(words, t0_s, len(y) / ANALYSIS_SR_HZ)
    feats = measure_delivery(y, ANALYSIS_SR_HZ, words=clip_words or None, tracks=tracks)
    problems = _problems(feats)
    reference = "baseline" if baseline else "population"
    common = dict(
        features=feats,
        problems=tuple(problems),
        reference=reference,
        times_s=tracks.times_s + t0_s,
        f0_hz=tracks.f0_hz,
        loudness_db=tracks.loudness_db,
    )
    if problems:
        return DeliveryResult(
            calm=None, status=NOT_ENOUGH_SPEECH, tension=None, reasons=(), **common
        )
    verdict = judge(feats, baseline)
    return DeliveryResult(
        calm=verdict.calm, status="ok", tension=verdict.tension, reasons=verdict.reasons, **common
    )


@dataclass(frozen=True)
class CallDelivery:
    """Delivery of a whole call (trends over the call) and of each trainee turn."""

    whole: DeliveryResult
    turns: tuple[DeliveryResult, ...]

    def to_json(self) -> dict:
        return {
            "whole": self.whole.to_json(tracks=True),
            "turns": [t.to_json() for t in self.turns],
        }


def analyze_call(
    y: np.ndarray,
    sr: int,
    *,
    turns_s: Sequence[tuple[float, float]],
    words: Sequence[Word] | None = None,
    baseline: Baseline | None = None,
) -> CallDelivery:
    """Analyse the trainee track of a call as a whole and turn by turn (`turns_s`: start, end)."""
    whole = analyze_speech(y, sr, words=words, baseline=baseline)
    turns = []
    for start_s, end_s in turns_s:
        segment = y[int(max(0.0, start_s) * sr) : int(max(0.0, end_s) * sr)]
        turns.append(analyze_speech(segment, sr, words=words, baseline=baseline, t0_s=start_s))
    return CallDelivery(whole=whole, turns=tuple(turns))
