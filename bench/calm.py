"""Calm-voice accuracy on speakers the check never saw, per-turn speed and start-up time.

Every neutral clip of a speaker in turn is that speaker's baseline; every
other clip of the speaker is judged (calm or neutral: calm; angry: tense).
Rates weigh every speaker equally (TESS has 100x more pairs per speaker than
EmoDB). Printed, for all speakers, men, women and each corpus:

- hand-set tolerances (the previous check, `HAND_SET_TOLERANCES`);
- the shipped model (fitted on all of these speakers: an in-sample figure);
- leave-one-speaker-out: refitted without the judged speaker (the estimate);
- leave-one-corpus-out: refitted without the judged corpus (harder);
- leave-one-speaker-out with a baseline of up to 30 s of neutral clips joined;
- leave-one-speaker-out with the recording level off by up to 3 or 6 dB;
- no baseline (population values).

Then per-turn verdict time for a 3 s and a 30 s turn and the cold start of
`voicecoach analyze`. Timings on 2 shared cores are noisy.

    .venv/bin/python bench/calm.py [--data ../shared/data/emotion] [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from calm_data import (
    DEFAULT_DATA,
    Judgement,
    joined_baseline_judgements,
    judgements,
    measure_clips,
    pair_weights,
    read_manifest,
)
from fit_calm import fit
from rich.progress import Progress

from voicecoach.audio.io import load_audio
from voicecoach.delivery import Baseline, DeliveryFeatures, analyze_speech, warm_up
from voicecoach.delivery.calm_model import FEATURES, load_model
from voicecoach.delivery.verdict import TENSE_AT, judge

ROOT = Path(__file__).resolve().parent.parent
TARGET_BALANCED, TARGET_FALSE_ALARMS = 0.95, 0.05
# The previous check's hand-set tolerances: the shift that alone made a voice tense.
HAND_SET_TOLERANCES = {
    "pitch_shift_st": 5.0,
    "pitch_spread_shift_st": 6.0,
    "brightness_shift_st": 12.0,
    "loudness_crest_shift_db": 10.0,
}


def hand_set_tense(p: Judgement) -> bool:
    shares = [p.x[FEATURES.index(f)] / tol for f, tol in HAND_SET_TOLERANCES.items()]
    return sum(shares) >= TENSE_AT


def rates(pairs: list[Judgement], tense: np.ndarray) -> tuple[float, float, float]:
    """(balanced accuracy, false alarms on calm clips, hits on angry clips), speakers equal."""
    w = pair_weights(pairs)
    truth = np.array([p.clip.tense for p in pairs])
    hit = float(np.sum(w * tense * truth) / np.sum(w * truth)) if truth.any() else 0.0
    calm = ~truth
    false_alarm = float(np.sum(w * tense * calm) / np.sum(w * calm)) if calm.any() else 0.0
    return (hit + 1.0 - false_alarm) / 2.0, false_alarm, hit


def report(title: str, pairs: list[Judgement], tense: np.ndarray) -> None:
    groups = [("all", lambda p: True), ("men", lambda p: p.clip.sex == "M")]
    groups += [("women", lambda p: p.clip.sex == "F")]
    groups += [
        (c, lambda p, c=c: p.clip.corpus == c) for c in sorted({p.clip.corpus for p in pairs})
    ]
    print(f"\n{title}")
    for name, keep in groups:
        idx = [i for i, p in enumerate(pairs) if keep(p)]
        bacc, fa, hit = rates([pairs[i] for i in idx], tense[idx])
        flag = "" if bacc >= TARGET_BALANCED and fa <= TARGET_FALSE_ALARMS else "  (below target)"
        speakers = len({pairs[i].clip.speaker for i in idx})
        print(
            f"  {name:8s} balanced acc {bacc:.3f}  false alarms {fa:6.1%}  hits {hit:6.1%}"
            f"  ({speakers} speakers, {len(idx)} pairs){flag}"
        )


def louder(feats: DeliveryFeatures, gain_db: float) -> DeliveryFeatures:
    """The same speech recorded `gain_db` louder (only the level measures move)."""
    return replace(
        feats,
        loudness_median_db=feats.loudness_median_db + gain_db,
        loudness_peak_db=feats.loudness_peak_db + gain_db,
    )


def drifted_verdicts(pairs: list[Judgement], models: dict, gains_db: np.ndarray) -> np.ndarray:
    """Leave-one-speaker-out verdicts with each judged clip recorded `gains_db` louder."""
    return np.array(
        [
            p.usable
            and not judge(
                louder(p.result.features, g), p.baseline, model=models[p.clip.speaker]
            ).calm
            for p, g in zip(pairs, gains_db, strict=True)
        ]
    )


def verdicts(pairs: list[Judgement], decide: Callable[[Judgement], bool]) -> np.ndarray:
    return np.array([p.usable and decide(p) for p in pairs])


def held_out(pairs: list[Judgement], group: Callable[[Judgement], str]) -> np.ndarray:
    """Tense verdicts with the model refitted without each judged group (speaker or corpus)."""
    tense = np.zeros(len(pairs), bool)
    for name in sorted({group(p) for p in pairs}):
        model = fit([p for p in pairs if group(p) != name])
        for i, p in enumerate(pairs):
            if group(p) == name:
                tense[i] = p.usable and not judge(p.result.features, p.baseline, model=model).calm
    return tense


def turn_latency(data: Path, pairs: list[Judgement]) -> None:
    """Milliseconds from the end of a turn to its verdict (measuring included)."""
    files = sorted({p.clip.file for p in pairs if p.clip.corpus == "RAVDESS"})[::8]
    speech = np.concatenate([load_audio(data / f)[0] for f in files])
    baseline = Baseline.from_features(analyze_speech(speech[: 10 * 16000], 16000).features)
    for turn_s in (3, 30):
        turn = speech[: turn_s * 16000]
        times_ms = []
        for _ in range(7):
            started = time.perf_counter()
            analyze_speech(turn, 16000, baseline=baseline)
            times_ms.append(1000 * (time.perf_counter() - started))
        print(f"  per-turn verdict, {turn_s:2d} s turn: median {np.median(times_ms):.0f} ms (warm)")


def cold_start(data: Path, pairs: list[Judgement]) -> None:
    clip = data / pairs[0].clip.file
    command = [str(Path(sys.executable).with_name("voicecoach")), "analyze", str(clip), "--json"]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    print(
        f"  cold start: voicecoach analyze one clip --json: {time.perf_counter() - started:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="emotion data folder")
    parser.add_argument("--quick", action="store_true", help="skip the timings")
    args = parser.parse_args()
    clips = read_manifest(args.data)
    warm_up()
    with Progress(transient=True) as progress:
        task = progress.add_task("measuring clips", total=len(clips))
        results = measure_clips(args.data, clips, progress=lambda: progress.advance(task))
    pairs = list(judgements(clips, results))
    print(
        f"{len(clips)} clips, {len(pairs)} judgements (baseline, clip);"
        " rates weigh speakers equally"
    )

    report(
        "hand-set tolerances (previous check; tuned on TESS + EmoDB)",
        pairs,
        verdicts(pairs, hand_set_tense),
    )
    shipped = load_model()
    report(
        "shipped model, fitted on all these speakers (in-sample, NOT an estimate)",
        pairs,
        verdicts(pairs, lambda p: not judge(p.result.features, p.baseline, model=shipped).calm),
    )
    loso = held_out(pairs, lambda p: p.clip.speaker)
    report("leave-one-speaker-out: refitted without the judged speaker (THE ESTIMATE)", pairs, loso)
    for intensity in ("normal", "strong"):
        for label in ("angry", "calm"):
            idx = [
                i
                for i, p in enumerate(pairs)
                if (p.clip.intensity, p.clip.label) == (intensity, label)
            ]
            print(
                f"  RAVDESS {label} at {intensity} intensity judged tense: {loso[idx].mean():.1%}"
                f" (n={len(idx)})"
            )
    report(
        "leave-one-corpus-out: refitted without the judged corpus (harder held-out estimate)",
        pairs,
        held_out(pairs, lambda p: p.clip.corpus),
    )
    joined = joined_baseline_judgements(args.data, clips, results)
    models = {
        s: fit([p for p in pairs if p.clip.speaker != s]) for s in {p.clip.speaker for p in pairs}
    }
    report(
        "leave-one-speaker-out, baseline = up to 30 s of the speaker's neutral clips joined"
        " (like a calibration recording)",
        joined,
        verdicts(
            joined,
            lambda p: not judge(p.result.features, p.baseline, model=models[p.clip.speaker]).calm,
        ),
    )
    rng = np.random.default_rng(0)
    for drift_db in (3.0, 6.0):
        report(
            f"leave-one-speaker-out, recording level off by up to +-{drift_db:.0f} dB from the"
            " calibration (another microphone or gain)",
            pairs,
            drifted_verdicts(pairs, models, rng.uniform(-drift_db, drift_db, len(pairs))),
        )
    report(
        "no baseline (population values, hand-set)",
        pairs,
        verdicts(pairs, lambda p: not judge(p.result.features).calm),
    )
    if not args.quick:
        print("\nspeed (2 shared cores: noisy):")
        turn_latency(args.data, pairs)
        cold_start(args.data, pairs)


if __name__ == "__main__":
    main()
