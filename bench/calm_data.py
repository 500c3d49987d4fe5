"""The emotion development set as calm-check judgements, shared by bench/calm.py and fit_calm.py.

Every clip of ../shared/data/emotion is measured once (cached by file and
analysis version under the cache folder). A judgement pairs one neutral clip
of a speaker (the baseline, as a trainee's calibration) with another clip of
the same speaker: calm (neutral or calm label) or tense (angry).
"""

from __future__ import annotations

import csv
import hashlib
import pickle
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from shared_data import shared_data_dir

from voicecoach.audio.io import load_audio
from voicecoach.delivery import Baseline, DeliveryResult, analyze_speech
from voicecoach.delivery.calm_model import relative_features
from voicecoach.paths import PROJECT_DIR, cache_dir

DEFAULT_DATA = shared_data_dir() / "emotion"
CACHE_VERSION = 1


@dataclass(frozen=True)
class Clip:
    file: str
    speaker: str
    sex: str
    corpus: str
    label: str  # neutral, calm or angry
    intensity: str = ""  # RAVDESS: "normal" or "strong"

    @property
    def tense(self) -> bool:
        return self.label == "angry"


@dataclass(frozen=True)
class Judgement:
    """One clip judged against one baseline clip of the same speaker."""

    clip: Clip
    baseline_file: str
    usable: bool  # the analysis found enough speech to judge
    x: np.ndarray  # baseline-relative features in `calm_model.FEATURES` order
    result: DeliveryResult
    baseline: Baseline


def read_manifest(data: Path) -> list[Clip]:
    with open(data / "MANIFEST.tsv", encoding="utf-8") as fh:
        return [
            Clip(r["file"], r["speaker"], r["sex"], r["corpus"], r["label"], _intensity(r["notes"]))
            for r in csv.DictReader(fh, delimiter="\t")
        ]


def _intensity(notes: str) -> str:
    """'normal' or 'strong' from RAVDESS notes ('emotion=05; intensity=strong; ...'), else ''."""
    fields = dict(part.strip().split("=", 1) for part in notes.split(";") if "=" in part)
    return fields.get("intensity", "")


def _source_hash() -> str:
    """Changes whenever the measuring code changes, so a stale cache is never used."""
    folder = PROJECT_DIR / "voicecoach" / "delivery"
    digest = hashlib.sha256(str(CACHE_VERSION).encode())
    for name in ("features.py", "measure.py", "analysis.py"):
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()[:16]


def measure_clips(data: Path, clips: list[Clip], *, progress=None) -> dict[str, DeliveryResult]:
    """`analyze_speech` of every clip (no baseline), cached between runs."""
    cache = cache_dir() / "bench" / f"calm-{_source_hash()}.pickle"
    if cache.is_file():
        with cache.open("rb") as fh:
            cached = pickle.load(fh)
        if all(c.file in cached for c in clips):
            return cached
    results = {}
    for clip in clips:
        y, sr = load_audio(data / clip.file, sr=None)
        results[clip.file] = analyze_speech(y, sr)
        if progress:
            progress()
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as fh:
        pickle.dump(results, fh)
    return results


def judgements(clips: list[Clip], results: dict[str, DeliveryResult]) -> Iterator[Judgement]:
    """Every (neutral baseline clip, other clip of the same speaker) pair."""
    by_speaker: dict[str, list[Clip]] = defaultdict(list)
    for clip in clips:
        by_speaker[clip.speaker].append(clip)
    for speaker_clips in by_speaker.values():
        for base in (c for c in speaker_clips if c.label == "neutral"):
            if results[base.file].calm is None:
                continue
            baseline = Baseline.from_features(results[base.file].features)
            for clip in speaker_clips:
                if clip is base:
                    continue
                result = results[clip.file]
                yield Judgement(
                    clip=clip,
                    baseline_file=base.file,
                    usable=result.calm is not None,
                    x=relative_features(result.features, baseline),
                    result=result,
                    baseline=baseline,
                )


def joined_baseline_judgements(
    data: Path, clips: list[Clip], results: dict[str, DeliveryResult], *, max_s: float = 30.0
) -> list[Judgement]:
    """Each speaker's baseline from up to `max_s` of their neutral clips joined (as long as a
    calibration recording); every clip not in it is judged against it."""
    by_speaker: dict[str, list[Clip]] = defaultdict(list)
    for clip in clips:
        by_speaker[clip.speaker].append(clip)
    out = []
    gap = np.zeros(int(0.3 * 16000), np.float32)
    for speaker_clips in by_speaker.values():
        parts, used = [], set()
        for clip in speaker_clips[::2]:
            if clip.label != "neutral" or sum(map(len, parts)) >= max_s * 16000:
                continue
            parts += [load_audio(data / clip.file)[0], gap]
            used.add(clip.file)
        baseline = Baseline.from_features(analyze_speech(np.concatenate(parts), 16000).features)
        for clip in speaker_clips:
            if clip.file in used:
                continue
            result = results[clip.file]
            x = relative_features(result.features, baseline)
            out.append(Judgement(clip, "joined", result.calm is not None, x, result, baseline))
    return out


def pair_weights(pairs: list[Judgement]) -> np.ndarray:
    """Weights giving every speaker, and both classes within it, the same total weight."""
    counts: dict[tuple[str, bool], int] = defaultdict(int)
    for p in pairs:
        counts[p.clip.speaker, p.clip.tense] += 1
    return np.array([1.0 / counts[p.clip.speaker, p.clip.tense] for p in pairs])
