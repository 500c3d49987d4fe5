"""Is the delivery calm? A speaker-relative judgement with its reasons and tips.

Each voice check turns one measurement into a share of "tension": its shift
from the calm reference divided by its tolerance (the shift that alone would
make the voice read as tense). Shifts are signed, so chance ups and downs of
different cues cancel and only a voice that moves together (higher pitch,
brighter, with stronger peaks: vocal effort) adds up. The delivery is calm
while the tension stays below 1.

With a baseline every reference is the trainee's own calm voice (a fixed
pitch band would be unfair across sexes); without one, population values
stand in, only shifts above them count, and the pitch check is left out.
A tense verdict names every cue beyond half its tolerance (its calm band).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voicecoach.delivery.baseline import Baseline
from voicecoach.delivery.features import semitones
from voicecoach.delivery.measure import DeliveryFeatures

TENSE_AT = 1.0
REASON_SHARE = 0.5  # a cue is named as a reason from half its tolerance on
PACE_BAND_RATIO = (0.75, 1.25)
PACE_TOLERANCE_RATIO = 0.35
POPULATION_PACE_WPM = (130.0, 170.0)
FILLERS_PER_MIN_MAX = 4.0
MIN_PACE_SPEECH_S = 4.0


@dataclass(frozen=True)
class Reason:
    """One out-of-band feature: its value, the calm band, and what to do about it."""

    feature: str
    value: float
    band: tuple[float | None, float | None]
    unit: str
    tip: str

    def to_json(self) -> dict:
        return {
            "feature": self.feature,
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


@dataclass(frozen=True)
class VoiceCheck:
    """One voice cue: value (shift from calm, or absolute), calm reference, tolerance."""

    feature: str
    unit: str
    tolerance: float
    value: Callable[[DeliveryFeatures, Baseline | None], float]
    reference: Callable[[Baseline | None], float]
    tip: Callable[[float, float], str]  # (value, band upper edge) -> advice
    weight: float = 1.0  # 0: advice only, never adds to the tension

    def share(self, feats: DeliveryFeatures, baseline: Baseline | None) -> float:
        return (self.value(feats, baseline) - self.reference(baseline)) / self.tolerance

    def reason(self, feats: DeliveryFeatures, baseline: Baseline | None) -> Reason:
        value = self.value(feats, baseline)
        upper = self.reference(baseline) + REASON_SHARE * self.tolerance
        return Reason(self.feature, value, (None, upper), self.unit, self.tip(value, upper))


def _shift(name: str) -> Callable[[DeliveryFeatures, Baseline | None], float]:
    return lambda f, b: getattr(f, name) - getattr(b, name)


def _st_shift(name: str) -> Callable[[DeliveryFeatures, Baseline | None], float]:
    def shift(f: DeliveryFeatures, b: Baseline | None) -> float:
        mine, calm = getattr(f, name), getattr(b, name)
        return float(semitones(mine, calm)) if mine > 0 and calm > 0 else 0.0

    return shift


def _zero(_: Baseline | None) -> float:
    return 0.0


BASELINE_CHECKS = (
    VoiceCheck(
        "pitch_shift_st",
        "semitones",
        5.0,
        _st_shift("f0_median_hz"),
        _zero,
        lambda v, hi: (
            f"lower your pitch: {v:+.1f} semitones above your calm voice, aim for at most {hi:+.1f}"
        ),
    ),
    VoiceCheck(
        "pitch_spread_shift_st",
        "semitones",
        6.0,
        _shift("f0_spread_st"),
        _zero,
        lambda v, hi: (
            f"keep your pitch steady: it swings {v:+.1f} semitones more than your calm voice, "
            f"aim for at most {hi:+.1f}"
        ),
    ),
    VoiceCheck(
        "brightness_shift_st",
        "semitones",
        12.0,
        _st_shift("centroid_hz"),
        _zero,
        lambda v, hi: (
            f"relax your voice: it is {v:+.1f} semitones sharper (brighter) than "
            f"your calm voice, aim for at most {hi:+.1f}"
        ),
    ),
    VoiceCheck(
        "loudness_crest_shift_db",
        "dB",
        10.0,
        _shift("loudness_crest_db"),
        _zero,
        lambda v, hi: (
            f"keep your volume even: loud peaks {v:+.1f} dB stronger than in your "
            f"calm voice, aim for at most {hi:+.1f}"
        ),
    ),
    VoiceCheck(  # recording levels differ (gain, normalisation): advice only
        "loudness_shift_db",
        "dB",
        12.0,
        _shift("loudness_median_db"),
        _zero,
        lambda v, hi: (
            f"lower your volume: {v:+.1f} dB louder than your calm voice, aim for at most {hi:+.1f}"
        ),
        weight=0.0,
    ),
)

POPULATION_CHECKS = (
    VoiceCheck(
        "high_band_ratio_db",
        "dB",
        9.0,
        lambda f, b: f.high_band_ratio_db,
        lambda b: -12.0,
        lambda v, hi: (
            f"relax your voice: it sounds pressed ({v:.1f} dB high-frequency energy,"
            f" aim under {hi:.1f}); record a baseline with voicecoach calibrate for a fairer check"
        ),
    ),
    VoiceCheck(
        "f0_spread_st",
        "semitones",
        3.5,
        lambda f, b: f.f0_spread_st,
        lambda b: 2.5,
        lambda v, hi: (
            f"keep your pitch steady: it swings ±{v:.1f} semitones, aim for at most ±{hi:.1f}"
        ),
    ),
    VoiceCheck(
        "loudness_crest_db",
        "dB",
        8.0,
        lambda f, b: f.loudness_crest_db,
        lambda b: 9.0,
        lambda v, hi: (
            f"keep your volume even: loud peaks {v:.1f} dB above your usual level, "
            f"aim for at most {hi:.1f}"
        ),
    ),
)


def _pace_measured(feats: DeliveryFeatures) -> bool:
    """Word-timed pace, or enough speech for the syllable estimate to settle."""
    if feats.pace_source == "words":
        return feats.speaking_rate_wpm > 0
    return feats.speech_s >= MIN_PACE_SPEECH_S and feats.syllable_rate_per_s > 0


def pace_tension(feats: DeliveryFeatures, baseline: Baseline | None) -> tuple[float, Reason | None]:
    """Tension share of a pace above the calm band, and a reason when outside it.

    Only word-timed pace adds to the tension; the syllable estimate of the audio
    still gives advice. The band is the trainee's calm pace when the baseline
    held enough speech for it, else the population's.
    """
    if not _pace_measured(feats):
        return 0.0, None
    wpm = feats.speaking_rate_wpm
    if baseline and baseline.speech_s >= MIN_PACE_SPEECH_S and baseline.syllable_rate_per_s > 0:
        ratio = feats.syllable_rate_per_s / baseline.syllable_rate_per_s
        calm_wpm = wpm / ratio if ratio > 0 else baseline.speaking_rate_wpm
        low, high = (calm_wpm * r for r in PACE_BAND_RATIO)
    else:
        low, high = POPULATION_PACE_WPM
    reliable = feats.pace_source == "words"
    share = max(0.0, wpm / high - 1.0) / PACE_TOLERANCE_RATIO if reliable else 0.0
    if low <= wpm <= high:
        return share, None
    advice = "slow down" if wpm > high else "you may speed up a little"
    tip = f"{advice}: {wpm:.0f} wpm, aim for {low:.0f}-{high:.0f}"
    return share, Reason("speaking_rate_wpm", wpm, (low, high), "wpm", tip)


def _fillers(feats: DeliveryFeatures) -> Reason | None:
    count = feats.filled_pause_count
    minutes = feats.duration_s / 60.0
    if not count or minutes <= 0:
        return None
    allowed = max(1.0, FILLERS_PER_MIN_MAX * minutes)
    if count <= allowed:
        return None
    tip = f"fewer fillers: {count} 'um'/'uh', aim for at most {allowed:.0f}; pause silently instead"
    return Reason("filled_pause_count", float(count), (None, allowed), "count", tip)


def judge(feats: DeliveryFeatures, baseline: Baseline | None = None) -> Verdict:
    """The calm verdict of measured speech, against `baseline` or population values."""
    checks = BASELINE_CHECKS if baseline else POPULATION_CHECKS
    shares = [(check, check.share(feats, baseline)) for check in checks]
    if baseline is None:  # below a generic reference says nothing about this speaker
        shares = [(check, max(0.0, share)) for check, share in shares]
    pace_share, pace_reason = pace_tension(feats, baseline)
    tension = sum(check.weight * share for check, share in shares) + pace_share
    calm = tension < TENSE_AT
    shown = []
    if not calm:  # name the cues that moved most, at least the strongest one
        ranked = sorted(shares, key=lambda cs: cs[0].weight * cs[1], reverse=True)
        shown = [check for check, share in ranked if share >= REASON_SHARE]
        if not shown and pace_reason is None:
            shown = [ranked[0][0]]
    reasons = [check.reason(feats, baseline) for check in shown]
    reasons += [r for r in (pace_reason, _fillers(feats)) if r is not None]
    return Verdict(
        calm=calm,
        tension=round(float(tension), 3),
        reference="baseline" if baseline else "population",
        reasons=tuple(reasons),
    )
