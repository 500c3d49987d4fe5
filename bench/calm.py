"""Calm-voice accuracy, speed and start-up time of the delivery analysis.

For each speaker of ../shared/data/emotion, each neutral clip in turn is the
baseline and every other clip of that speaker is judged (calm vs angry).
Prints per corpus: balanced accuracy, false "tense" alarms on calm clips, hit
rate; the same without a baseline (population values); a leave-one-speaker-out
check of the tension threshold; the value of each cue (ablation); warm
real-time factor; cold start-up; YIN vs pYIN F0 agreement and speed.

    .venv/bin/python bench/calm.py [--data ../shared/data/emotion] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from voicecoach.audio.io import load_audio
from voicecoach.delivery import Baseline, analyze_speech, warm_up
from voicecoach.delivery.verdict import BASELINE_CHECKS, TENSE_AT, judge, pace_tension

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "emotion"


def balanced(tense: np.ndarray, angry: np.ndarray) -> tuple[float, float, float]:
    """(balanced accuracy, false-alarm rate on calm clips, hit rate on angry clips)."""
    hit = float(tense[angry].mean()) if angry.any() else 0.0
    false_alarm = float(tense[~angry].mean()) if (~angry).any() else 0.0
    return (hit + 1.0 - false_alarm) / 2.0, false_alarm, hit


def perturb(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another recording chain: a random gain of +-10 dB and white noise 35 dB below the peak."""
    gain = 10 ** (rng.uniform(-10, 10) / 20)
    noise = rng.normal(0, 10 ** (-35 / 20) * np.max(np.abs(y)), len(y))
    return np.clip((y + noise) * gain, -1, 1).astype(np.float32)


def measure_all(
    data: Path, rows: list[dict], *, perturbed: bool = False
) -> tuple[dict, float, float]:
    """Analyse every clip once; returns results by file, analysis seconds, audio seconds."""
    results, analysis_s, audio_s = {}, 0.0, 0.0
    rng = np.random.default_rng(0)
    for row in rows:
        y, sr = load_audio(data / row["file"], sr=None)
        if perturbed:
            y = perturb(y, rng)
        started = time.perf_counter()
        results[row["file"]] = analyze_speech(y, sr)
        analysis_s += time.perf_counter() - started
        audio_s += len(y) / sr
    return results, analysis_s, audio_s


def pairs(rows: list[dict], results: dict) -> list[dict]:
    """Every (baseline neutral clip, other clip of the same speaker) judgement."""
    by_speaker = defaultdict(list)
    for row in rows:
        by_speaker[row["speaker"]].append(row)
    out = []
    for speaker, clips in by_speaker.items():
        for base in (c for c in clips if c["label"] == "neutral"):
            baseline = Baseline.from_features(results[base["file"]].features)
            for clip in clips:
                if clip is base:
                    continue
                feats = results[clip["file"]].features
                usable = results[clip["file"]].calm is not None
                shares = {c.feature: c.weight * c.share(feats, baseline) for c in BASELINE_CHECKS}
                shares["pace"] = pace_tension(feats, baseline)[0]
                out.append(
                    {
                        "speaker": speaker,
                        "corpus": clip["corpus"],
                        "angry": clip["label"] == "angry",
                        "usable": usable,
                        "shares": shares,
                        "population_tense": usable and not judge(feats).calm,
                    }
                )
    return out


def report(title: str, judged: list[dict], tense_of) -> None:
    for corpus in sorted({p["corpus"] for p in judged}):
        sel = [p for p in judged if p["corpus"] == corpus]
        tense = np.array([bool(tense_of(p)) for p in sel])
        angry = np.array([p["angry"] for p in sel])
        bacc, fa, hit = balanced(tense, angry)
        print(
            f"  {title:34s} {corpus:6s} balanced acc {bacc:.3f}  false alarms {fa:6.1%}"
            f"  hits {hit:6.1%}  (n={len(sel)})"
        )


def tension(p: dict, drop: str | None = None) -> float:
    return sum(v for k, v in p["shares"].items() if k != drop)


def loso_threshold(judged: list[dict]) -> None:
    """Pick the threshold on all other speakers, apply it to the held-out one."""
    grid = np.arange(0.5, 2.01, 0.05)
    held = []
    for speaker in sorted({p["speaker"] for p in judged}):
        train = [p for p in judged if p["speaker"] != speaker]
        scores = []
        for t in grid:
            per_corpus = [
                balanced(
                    np.array([tension(p) >= t for p in train if p["corpus"] == c]),
                    np.array([p["angry"] for p in train if p["corpus"] == c]),
                )[0]
                for c in sorted({p["corpus"] for p in train})
            ]
            scores.append(np.mean(per_corpus))
        best = float(grid[int(np.argmax(scores))])
        for p in judged:
            if p["speaker"] == speaker:
                held.append({**p, "loso_tense": p["usable"] and tension(p) >= best})
        print(f"    held out {speaker:12s}: threshold chosen on the others {best:.2f}")
    report("leave-one-speaker-out threshold", held, lambda p: p["loso_tense"])


def turn_latency(data: Path, rows: list[dict]) -> None:
    """Milliseconds from the end of a turn to its verdict, for turns of several lengths."""
    clips = [load_audio(data / row["file"])[0] for row in rows[:: max(1, len(rows) // 20)]]
    speech = np.concatenate(clips)
    baseline = Baseline.from_audio(clips[0], 16000)
    for turn_s in (3, 10, 30):
        turn = speech[: turn_s * 16000]
        times_ms = []
        for _ in range(5):
            started = time.perf_counter()
            analyze_speech(turn, 16000, baseline=baseline)
            times_ms.append(1000 * (time.perf_counter() - started))
        print(f"  per-turn verdict, {turn_s:2d} s turn: median {np.median(times_ms):.0f} ms (warm)")


def cold_start(data: Path, rows: list[dict]) -> None:
    clip = data / rows[0]["file"]
    command = [str(ROOT / ".venv" / "bin" / "voicecoach"), "analyze", str(clip), "--json"]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    elapsed_s = time.perf_counter() - started
    print(f"  cold CLI run (voicecoach analyze one clip --json): {elapsed_s:.2f} s")
    code = (
        "import time; t = time.perf_counter(); from voicecoach.delivery import warm_up; "
        "warm_up(); print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    print(
        f"  cold warm_up() in a fresh process (import + first analysis): {float(out.stdout):.2f} s"
    )


def yin_vs_pyin(data: Path, rows: list[dict], results: dict, n: int) -> None:
    """Median-F0 agreement of the YIN path with librosa.pyin, and their speeds."""
    import librosa

    from voicecoach.delivery.features import FMAX_HZ, FMIN_HZ

    diffs, pyin_s, audio_s = [], 0.0, 0.0
    librosa.pyin(np.zeros(4000), fmin=FMIN_HZ, fmax=FMAX_HZ, sr=16000)  # compile first
    for row in rows[:: max(1, len(rows) // n)][:n]:
        y, sr = load_audio(data / row["file"])
        started = time.perf_counter()
        f0, voiced, _ = librosa.pyin(
            y, fmin=FMIN_HZ, fmax=FMAX_HZ, sr=sr, frame_length=1024, hop_length=160
        )
        pyin_s += time.perf_counter() - started
        audio_s += len(y) / sr
        ours = results[row["file"]].features.f0_median_hz
        if voiced.any() and ours > 0:
            diffs.append(abs(12 * np.log2(ours / np.nanmedian(f0[voiced]))))
    diffs = np.array(diffs)
    print(
        f"  YIN+periodicity vs pYIN median F0 on {len(diffs)} clips: median |diff| "
        f"{np.median(diffs):.2f} st, within 1 st on {np.mean(diffs < 1):.0%}; "
        f"pYIN RTF {pyin_s / audio_s:.3f} (warm)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="emotion data folder")
    parser.add_argument("--quick", action="store_true", help="skip start-up and pYIN timings")
    parser.add_argument(
        "--perturb", action="store_true", help="random gain +-10 dB and noise per clip"
    )
    args = parser.parse_args()
    with open(args.data / "MANIFEST.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))

    print(f"warm_up (this process, first analysis): {warm_up():.2f} s")
    results, analysis_s, audio_s = measure_all(args.data, rows, perturbed=args.perturb)
    unusable = sum(r.calm is None for r in results.values())
    print(
        f"analysed {len(rows)} clips, {audio_s:.0f} s of audio in {analysis_s:.1f} s:"
        f" RTF {analysis_s / audio_s:.4f} (warm, 2 shared cores: noisy); "
        f"'not enough speech': {unusable}"
    )
    judged = pairs(rows, results)
    print(f"\ncalm vs angry, every neutral clip as baseline in turn ({len(judged)} judgements):")
    report(
        f"with baseline, threshold {TENSE_AT}",
        judged,
        lambda p: p["usable"] and tension(p) >= TENSE_AT,
    )
    report("no baseline (population values)", judged, lambda p: p["population_tense"])
    print("\n  cue ablation (tension without one cue):")
    for cue in judged[0]["shares"]:
        report(
            f"without {cue}", judged, lambda p, cue=cue: p["usable"] and tension(p, cue) >= TENSE_AT
        )
    print("\n  threshold check:")
    loso_threshold(judged)
    if not args.quick:
        print("\nlive latency, start-up and F0 tracker:")
        turn_latency(args.data, rows)
        cold_start(args.data, rows)
        yin_vs_pyin(args.data, rows, results, n=24)


if __name__ == "__main__":
    main()
