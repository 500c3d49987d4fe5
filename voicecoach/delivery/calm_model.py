"""The learned calm check: logistic regression on shifts from the trainee's calm voice.

`relative_features` turns a turn's measurements and the baseline into shifts
(higher pitch, wider swings, brighter and more pressed spectrum, louder,
stronger peaks, faster). `calm_model.json` (fitted by `bench/fit_calm.py`)
holds, per shift in its own unit, a coefficient for the shift and a "rise"
coefficient for its upward part only (a piecewise-linear cue: rising above
the calm voice may count more than falling below it), an intercept and the
decision threshold; it is validated on load. The model's log-odds are
rescaled to a tension: 0 for the calm voice itself, 1 at the threshold.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from voicecoach.delivery.baseline import Baseline
from voicecoach.delivery.features import semitones
from voicecoach.delivery.measure import DeliveryFeatures
from voicecoach.errors import VoiceCoachError

MODEL_FILE = Path(__file__).with_name("calm_model.json")
FORMAT_VERSION = 1

FEATURES = (
    "pitch_shift_st",
    "pitch_spread_shift_st",
    "pitch_range_shift_st",
    "brightness_shift_st",
    "high_band_shift_db",
    "loudness_shift_db",
    "loudness_crest_shift_db",
    "loudness_spread_shift_db",
    "pace_shift_pct",
    "cepstral_peak_shift_db",
)


def _st(mine: float, calm: float) -> float:
    return float(semitones(mine, calm)) if mine > 0 and calm > 0 else 0.0


def relative_features(feats: DeliveryFeatures, baseline: Baseline) -> np.ndarray:
    """Shifts of `feats` from the calm `baseline`, in `FEATURES` order (0 when unmeasured)."""
    voiced = feats.voiced_s > 0 and baseline.voiced_s > 0
    pace = (
        100.0 * (feats.syllable_rate_per_s / baseline.syllable_rate_per_s - 1.0)
        if feats.syllable_rate_per_s > 0 and baseline.syllable_rate_per_s > 0
        else 0.0
    )
    return np.array(
        [
            _st(feats.f0_median_hz, baseline.f0_median_hz),
            feats.f0_spread_st - baseline.f0_spread_st if voiced else 0.0,
            feats.f0_range_st - baseline.f0_range_st if voiced and baseline.f0_range_st else 0.0,
            _st(feats.centroid_hz, baseline.centroid_hz),
            feats.high_band_ratio_db - baseline.high_band_ratio_db if voiced else 0.0,
            feats.loudness_median_db - baseline.loudness_median_db,
            feats.loudness_crest_db - baseline.loudness_crest_db,
            feats.loudness_spread_db - baseline.loudness_spread_db
            if baseline.loudness_spread_db
            else 0.0,
            pace,
            feats.cepstral_peak_db - baseline.cepstral_peak_db
            if voiced and baseline.cepstral_peak_db
            else 0.0,
        ]
    )


@dataclass(frozen=True)
class CalmModel:
    """Coefficients per shift (log-odds per unit), intercept, and the tense probability."""

    coefficients: np.ndarray  # in FEATURES order
    rise_coefficients: np.ndarray  # on max(shift, 0), in FEATURES order
    intercept: float
    threshold: float
    source: str = ""

    @property
    def margin(self) -> float:
        """Log-odds from the calm voice itself (all shifts 0) to the decision threshold."""
        return math.log(self.threshold / (1.0 - self.threshold)) - self.intercept

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Each shift's share of the tension (1.0 in total makes the voice tense)."""
        return (self.coefficients * x + self.rise_coefficients * np.maximum(x, 0.0)) / self.margin

    def edge(self, feature: str, share: float, *, rising: bool = True) -> float:
        """The shift of `feature` (up, or down when not `rising`) that alone gives `share`
        of the tension; inf (or -inf) when moving that way never adds tension."""
        i = FEATURES.index(feature)
        slope = self.coefficients[i] + (self.rise_coefficients[i] if rising else 0.0)
        if rising:
            return share * self.margin / slope if slope > 0 else math.inf
        return share * self.margin / slope if slope < 0 else -math.inf

    def to_json(self, **extra) -> dict:
        return {
            "version": FORMAT_VERSION,
            "features": list(FEATURES),
            "coefficients": _by_feature(self.coefficients),
            "rise_coefficients": _by_feature(self.rise_coefficients),
            "intercept": round(self.intercept, 6),
            "threshold": self.threshold,
            **extra,
        }

    @classmethod
    def from_json(cls, data: object, *, source: str) -> CalmModel:
        """Validate a model object; ModelFileError names `source` and the bad field."""

        def bad(what: str) -> ModelFileError:
            return ModelFileError(f"{source}: {what}; refit it with bench/fit_calm.py")

        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise bad(f"not a version {FORMAT_VERSION} calm model object")
        tables = []
        for key in ("coefficients", "rise_coefficients"):
            table = data.get(key)
            if not isinstance(table, dict) or set(table) != set(FEATURES):
                raise bad(f"{key!r} must give exactly {', '.join(FEATURES)}")
            tables.append([table[f] for f in FEATURES])
        intercept = data.get("intercept")
        if not all(_finite(v) for v in [*tables[0], *tables[1], intercept]):
            raise bad("coefficients and 'intercept' must be finite numbers")
        threshold = data.get("threshold")
        if not _finite(threshold) or not 0.0 < threshold < 1.0:
            raise bad(f"'threshold' must be a probability between 0 and 1, got {threshold!r}")
        linear, rise = (np.array(t, float) for t in tables)
        model = cls(linear, rise, float(intercept), float(threshold), source)
        if model.margin <= 0:
            raise bad("the calm voice itself would be judged tense (intercept above threshold)")
        return model


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _by_feature(values: np.ndarray) -> dict[str, float]:
    return {f: round(float(v), 6) for f, v in zip(FEATURES, values, strict=True)}


class ModelFileError(VoiceCoachError):
    """A calm model file that is missing or not of the expected shape."""


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> CalmModel:
    """The calm model in `path` (the shipped one by default), validated."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{path}: unreadable calm model ({exc})") from None
    return CalmModel.from_json(data, source=str(path))


if __name__ == "__main__":
    model = load_model()
    for name in FEATURES:
        print(
            f"{name:26} calm up to {model.edge(name, 0.5):+8.2f}, alone tense at"
            f" {model.edge(name, 1.0):+.2f}"
        )
