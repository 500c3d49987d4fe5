"""A trainee's calm voice, measured once and kept as the reference for every call.

Stored as JSON under `data_dir()/baselines/<trainee>.json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import MISSING, asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from voicecoach.asr.base import Word
from voicecoach.delivery.measure import DeliveryFeatures
from voicecoach.errors import AudioError, BaselineError
from voicecoach.fileio import private_dir, write_json_atomic
from voicecoach.paths import data_dir

MIN_BASELINE_VOICED_S = 0.5
FORMAT_VERSION = 1
_TRAINEE_NAME = re.compile(r"^[\w][\w .@-]{0,63}$")


@dataclass(frozen=True)
class Baseline:
    """Reference values of one speaker's calm delivery."""

    f0_median_hz: float
    f0_spread_st: float
    loudness_median_db: float
    loudness_crest_db: float
    centroid_hz: float
    high_band_ratio_db: float
    speaking_rate_wpm: float
    syllable_rate_per_s: float
    speech_s: float
    voiced_s: float
    source: str = ""
    created_at: str = ""
    f0_range_st: float = 0.0  # 0: not measured (a baseline from an older version)
    loudness_spread_db: float = 0.0
    cepstral_peak_db: float = 0.0

    @classmethod
    def from_audio(
        cls, y: np.ndarray, sr: int, *, words: Sequence[Word] | None = None, source: str = ""
    ) -> Baseline:
        """Measure a calm recording. Raises AudioError when it is not usable speech."""
        from voicecoach.delivery.analysis import analyze_speech

        result = analyze_speech(y, sr, words=words)
        if result.calm is None:
            raise AudioError(
                f"{source or 'baseline recording'}: not usable as a baseline: "
                + "; ".join(result.problems)
            )
        return cls.from_features(result.features, source=source)

    @classmethod
    def from_features(cls, feats: DeliveryFeatures, *, source: str = "") -> Baseline:
        """A baseline from measured calm speech. Raises AudioError when too little voice."""
        if feats.voiced_s < MIN_BASELINE_VOICED_S:
            raise AudioError(
                f"{source or 'baseline recording'}: only {feats.voiced_s:.1f} s of voiced speech;"
                f" a baseline needs at least {MIN_BASELINE_VOICED_S} s (read the passage aloud)"
            )
        return cls(
            f0_median_hz=feats.f0_median_hz,
            f0_spread_st=feats.f0_spread_st,
            loudness_median_db=feats.loudness_median_db,
            loudness_crest_db=feats.loudness_crest_db,
            centroid_hz=feats.centroid_hz,
            high_band_ratio_db=feats.high_band_ratio_db,
            speaking_rate_wpm=feats.speaking_rate_wpm,
            syllable_rate_per_s=feats.syllable_rate_per_s,
            speech_s=feats.speech_s,
            voiced_s=feats.voiced_s,
            f0_range_st=feats.f0_range_st,
            loudness_spread_db=feats.loudness_spread_db,
            cepstral_peak_db=feats.cepstral_peak_db,
            source=source,
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )

    def to_json(self) -> dict:
        return {"version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict) -> Baseline:
        """Rebuild from `to_json()` output; raises BaselineError on a wrong shape."""
        values = {}
        for field in fields(cls):
            if field.name not in data and field.default is MISSING:
                raise BaselineError(f"baseline field {field.name!r} is missing")
            value = data.get(field.name, field.default)
            if field.type == "float" and not (
                isinstance(value, (int, float)) and np.isfinite(value)
            ):
                raise BaselineError(f"baseline field {field.name!r} is not a number: {value!r}")
            if field.type == "str" and not isinstance(value, str):
                raise BaselineError(f"baseline field {field.name!r} is not text: {value!r}")
            values[field.name] = value
        return cls(**values)


def baseline_path(trainee: str) -> Path:
    """Where the baseline of `trainee` lives. Raises BaselineError on an unsafe name."""
    if not _TRAINEE_NAME.match(trainee) or ".." in trainee:
        raise BaselineError(
            f"trainee name {trainee!r} is not usable: use letters, digits, spaces, '.', '-', "
            "'_' or '@' (at most 64 characters)"
        )
    return data_dir() / "baselines" / f"{trainee}.json"


def save_baseline(trainee: str, baseline: Baseline) -> Path:
    """Store `baseline` for `trainee` (atomically: a crash never leaves half a file)."""
    path = baseline_path(trainee)
    try:
        private_dir(path.parent)  # voice measurements are private
        write_json_atomic(path, baseline.to_json())
    except OSError as exc:
        raise BaselineError(f"cannot save the baseline to {path}: {exc.strerror}") from None
    return path


def load_baseline(trainee: str) -> Baseline:
    """The stored baseline of `trainee`; BaselineError when none or unreadable."""
    path = baseline_path(trainee)
    if not path.is_file():
        raise BaselineError(
            f"no baseline for trainee {trainee!r} (looked for {path}); "
            f"record one with: voicecoach calibrate --trainee {trainee!r}"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(
            f"{path}: unreadable baseline ({exc}); record it again with voicecoach calibrate"
        ) from None
    if not isinstance(data, dict):
        raise BaselineError(f"{path}: not a baseline object; record it again")
    try:
        return Baseline.from_json(data)
    except BaselineError as exc:
        raise BaselineError(f"{path}: {exc}; record it again with voicecoach calibrate") from None
