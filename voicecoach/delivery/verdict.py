"""Is the delivery calm? A speaker-relative judgement with its reasons and tips.

With a baseline, the learned calm model (`calm_model.py`, coefficients in
`calm_model.json`) weighs the voice's shifts from the trainee's own calm
voice: pitch, pitch swings, brightness and high-band energy (vocal effort),
loudness and its peaks, and pace. Its log-odds are read as a tension: 0 for
the calm voice itself, tense from 1. Without a baseline, hand-set population
values stand in, only shifts above them count, and the pitch level is left out.

Reasons and tips come only with a tense verdict and only from the cues that
were judged: each names the cue's value and its calm band (the value at which
the cue alone gives half the tension needed for "tense"), the same band the
verdict used. A calm verdict carries no tips.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from voicecoach.delivery.baseline import Baseline
from voicecoach.delivery.calm_model import FEATURES, CalmModel, load_model, relative_features
from voicecoach.delivery.measure import DeliveryFeatures
from voicecoach.delivery.vocabulary import measure_title, measures

TENSE_AT = 1.0
REASON_SHARE = 0.5  # a cue is named as a reason beyond half the tension it takes to be tense
POPULATION_PACE_WPM = (130.0, 170.0)
POPULATION_PACE_TOLERANCE = 0.35  # 35 % above the band alone makes the pace tense
REFERENCE_TITLES = {"baseline": "your calm voice", "population": "typical voices"}


@dataclass(frozen=True)
class Reason:
    """One cue that made the voice tense: its value, the calm band, and what to do."""

    feature: str
    value: float
    band: tuple[float | None, float | None]
    unit: str
    tip: str

    @property
    def title(self) -> str:
        return measure_title(self.feature)

    def to_json(self) -> dict:
        return {
            "feature": self.feature,
            "title": self.title,
            "value": round(self.value, 2),
            "band": [None if b is None else round(b, 2) for b in self.band],
            "unit": self.unit,
            "tip": self.tip,
        }


@dataclass(frozen=True)
class Verdict:
    calm: bool
    tension: float
    reference: str  # "baseline" or "population"
    reasons: tuple[Reason, ...]


# What to do when a cue rose too far: tip(value, calm upper edge), per model feature
# (pace: `_pace_reason`, in words per minute). Units come from measures.yaml.
BASELINE_TIPS: dict[str, Callable[[float, float], str]] = {
    "pitch_shift_st": lambda v, hi: (
        f"lower your pitch: {v:+.1f} semitones above your calm voice, calm is up to {hi:+.1f}"
    ),
    "pitch_spread_shift_st": lambda v, hi: (
        f"keep your pitch steady: it swings {v:+.1f} semitones more than your"
        f" calm voice, calm is up to {hi:+.1f}"
    ),
    "pitch_range_shift_st": lambda v, hi: (
        f"keep your pitch steady: its range is {v:+.1f} semitones wider than your"
        f" calm voice, calm is up to {hi:+.1f}"
    ),
    "brightness_shift_st": lambda v, hi: (
        f"relax your voice: it is {v:+.1f} semitones sharper (brighter) than your"
        f" calm voice, calm is up to {hi:+.1f}"
    ),
    "high_band_shift_db": lambda v, hi: (
        f"relax your voice: it sounds pressed ({v:+.1f} dB more high-frequency"
        f" energy than your calm voice, calm is up to {hi:+.1f})"
    ),
    "loudness_shift_db": lambda v, hi: (
        f"lower your volume: {v:+.1f} dB louder than your calm voice, calm is up to {hi:+.1f}"
    ),
    "loudness_crest_shift_db": lambda v, hi: (
        f"keep your volume even: loud peaks {v:+.1f} dB stronger than in your"
        f" calm voice, calm is up to {hi:+.1f}"
    ),
    "loudness_spread_shift_db": lambda v, hi: (
        f"keep your volume even: it varies {v:+.1f} dB more than your calm voice,"
        f" calm is up to {hi:+.1f}"
    ),
    "cepstral_peak_shift_db": lambda v, hi: (
        f"relax your voice: it sounds more pressed than your calm voice (clarity {v:+.1f} dB,"
        f" calm is up to {hi:+.1f})"
    ),
}


# What to do when a cue fell too far below the calm voice (others: "speak as in your calm ...").
FALL_ADVICE = {
    "cepstral_peak_shift_db": "relax your voice: it sounds rougher and harsher than when calm",
}


def _pace_reason(
    feats: DeliveryFeatures, baseline: Baseline, shift_pct: float, edge_pct: float
) -> Reason:
    """The pace cue in words per minute: the band is the trainee's calm pace plus the edge."""
    ratio = 1.0 + shift_pct / 100.0
    calm_wpm = feats.speaking_rate_wpm / ratio if ratio > 0 else baseline.speaking_rate_wpm
    high = calm_wpm * (1.0 + edge_pct / 100.0)
    wpm = feats.speaking_rate_wpm
    tip = f"slow down: {wpm:.0f} wpm, {shift_pct:+.0f}% on your calm pace; calm is up to {high:.0f}"
    return Reason("speaking_rate_wpm", wpm, (None, high), "wpm", tip)


def _model_reason(
    model: CalmModel, feature: str, value: float, feats: DeliveryFeatures, baseline: Baseline
) -> Reason:
    """The reason for one cue; a fall below the calm voice gets a plain 'as when calm' tip."""
    if value < 0:
        low = model.edge(feature, REASON_SHARE, rising=False)
        unit = measures()[feature].unit
        advice = FALL_ADVICE.get(feature, "speak as in your calm recording")
        tip = (
            f"{advice}: {measure_title(feature).lower()} is {value:+.1f} {unit}"
            f" (calm from {low:+.1f})"
        )
        return Reason(feature, value, (low, None), unit, tip)
    edge = model.edge(feature, REASON_SHARE)
    if feature == "pace_shift_pct":
        return _pace_reason(feats, baseline, value, edge)
    tip = BASELINE_TIPS[feature](value, edge)
    return Reason(feature, value, (None, edge), measures()[feature].unit, tip)


def judge_against_baseline(
    feats: DeliveryFeatures, baseline: Baseline, model: CalmModel | None = None
) -> Verdict:
    """The learned model's verdict on `feats` relative to the trainee's calm `baseline`."""
    model = model or load_model()
    x = relative_features(feats, baseline)
    shares = model.contributions(x)
    tension = float(shares.sum())
    reasons: list[Reason] = []
    if tension >= TENSE_AT:
        order = np.argsort(-shares)
        named = [i for i in order if shares[i] >= REASON_SHARE] or [int(order[0])]
        reasons = [_model_reason(model, FEATURES[i], float(x[i]), feats, baseline) for i in named]
    return Verdict(tension < TENSE_AT, round(tension, 3), "baseline", tuple(reasons))


@dataclass(frozen=True)
class PopulationCheck:
    """One cue against typical voices: value, typical level, tolerance above it, tip."""

    feature: str
    unit: str
    typical: float
    tolerance: float
    tip: Callable[[float, float], str]  # (value, calm upper edge) -> advice

    def share(self, value: float) -> float:
        return max(0.0, value - self.typical) / self.tolerance

    def edge(self) -> float:
        return self.typical + REASON_SHARE * self.tolerance


POPULATION_CHECKS = (
    PopulationCheck(
        "high_band_ratio_db",
        "dB",
        -12.0,
        9.0,
        lambda v, hi: (
            f"relax your voice: it sounds pressed ({v:.1f} dB high-frequency energy,"
            f" typical voices stay under {hi:.1f}); record a baseline with voicecoach calibrate"
            " for a fairer check"
        ),
    ),
    PopulationCheck(
        "f0_spread_st",
        "semitones",
        2.5,
        3.5,
        lambda v, hi: (
            f"keep your pitch steady: it swings ±{v:.1f} semitones, typical voices"
            f" stay within ±{hi:.1f}"
        ),
    ),
    PopulationCheck(
        "loudness_crest_db",
        "dB",
        9.0,
        8.0,
        lambda v, hi: (
            f"keep your volume even: loud peaks {v:.1f} dB above your usual level,"
            f" typical voices stay under {hi:.1f}"
        ),
    ),
)


def _population_pace(feats: DeliveryFeatures) -> tuple[float, Reason | None]:
    """Word-timed pace above the typical band (the syllable estimate is too rough alone)."""
    if feats.pace_source != "words" or feats.speaking_rate_wpm <= 0:
        return 0.0, None
    wpm, (low, high) = feats.speaking_rate_wpm, POPULATION_PACE_WPM
    share = max(0.0, wpm / high - 1.0) / POPULATION_PACE_TOLERANCE
    tip = f"slow down: {wpm:.0f} wpm, typical calm voices speak {low:.0f}-{high:.0f}"
    return share, Reason("speaking_rate_wpm", wpm, (low, high), "wpm", tip) if share else None


def judge_against_population(feats: DeliveryFeatures) -> Verdict:
    """Hand-set typical values, for a trainee with no baseline yet."""
    values = [getattr(feats, check.feature) for check in POPULATION_CHECKS]
    shares = [check.share(v) for check, v in zip(POPULATION_CHECKS, values, strict=True)]
    pace_share, pace_reason = _population_pace(feats)
    tension = sum(shares) + pace_share
    reasons: list[Reason] = []
    if tension >= TENSE_AT:
        ranked = sorted(zip(POPULATION_CHECKS, values, shares, strict=True), key=lambda c: -c[2])
        shown = [(c, v) for c, v, s in ranked if s >= REASON_SHARE]
        if not shown and pace_reason is None:
            shown = [ranked[0][:2]]
        reasons = [
            Reason(c.feature, v, (None, c.edge()), c.unit, c.tip(v, c.edge())) for c, v in shown
        ]
        reasons += [pace_reason] if pace_reason else []
    return Verdict(tension < TENSE_AT, round(float(tension), 3), "population", tuple(reasons))


def judge(
    feats: DeliveryFeatures, baseline: Baseline | None = None, *, model: CalmModel | None = None
) -> Verdict:
    """The calm verdict of measured speech, against `baseline` or typical voices."""
    if baseline is not None:
        return judge_against_baseline(feats, baseline, model)
    return judge_against_population(feats)
