"""One stretch of speech measured: pace, pauses, pitch, loudness and brightness."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from voicecoach.asr.base import Word
from voicecoach.delivery import features as F

SYLLABLES_PER_WORD = 1.35  # conversational English; turns a syllable rate into words/min


@dataclass(frozen=True)
class DeliveryFeatures:
    """Delivery measurements of one turn or a whole call. Unavailable values are None."""

    duration_s: float
    speech_s: float
    voiced_s: float
    pace_source: str  # "words" (recogniser word times) or "syllables" (audio estimate)
    speaking_rate_wpm: float
    articulation_rate_wpm: float
    syllable_rate_per_s: float
    pause_count: int
    pause_mean_s: float
    pause_longest_s: float
    filled_pause_count: int | None
    f0_median_hz: float
    f0_spread_st: float
    f0_range_st: float
    f0_slope_st_per_s: float
    loudness_median_db: float
    loudness_spread_db: float
    loudness_peak_db: float
    centroid_hz: float
    high_band_ratio_db: float
    clipped_fraction: float
    cepstral_peak_db: float = 0.0

    @property
    def loudness_crest_db(self) -> float:
        """How far loud peaks rise above the typical level (level-independent)."""
        return self.loudness_peak_db - self.loudness_median_db

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _span_s(mask: np.ndarray) -> float:
    idx = np.flatnonzero(mask)
    return float(idx[-1] - idx[0] + 1) * F.HOP_S if len(idx) else 0.0


def _pace(
    words: Sequence[Word] | None, tracks: F.FrameTracks, syllables: int, pauses: np.ndarray
) -> tuple[str, float, float]:
    """(source, speaking rate, articulation rate) in words per minute."""
    if words:
        return "words", F.speaking_rate_wpm(words), F.articulation_rate_wpm(words)
    span_s = _span_s(tracks.speech)
    talking_s = span_s - float(pauses.sum())
    per_min = 60.0 / SYLLABLES_PER_WORD
    return (
        "syllables",
        syllables / span_s * per_min if span_s > 0 else 0.0,
        syllables / talking_s * per_min if talking_s > 0 else 0.0,
    )


def measure_delivery(
    y: np.ndarray, sr: int, *, words: Sequence[Word] | None = None, tracks: F.FrameTracks
) -> DeliveryFeatures:
    """Every delivery feature of `y`, given its frame tracks (from `features.frame_tracks`).

    Word times are seconds from the start of `y`. Pauses come from the words
    when there are any, otherwise from silent stretches of the audio.
    """
    pitch = F.pitch_stats(tracks.times_s, tracks.f0_hz)
    loudness = F.loudness_stats(tracks.loudness_db, tracks.speech)
    spectrum = F.spectral_stats(y, sr, tracks.voiced)
    syllables = F.syllable_count(tracks.loudness_db, tracks.voiced)
    pauses = F.word_pauses_s(words) if words else F.pauses_s(tracks.speech)
    source, rate_wpm, articulation_wpm = _pace(words, tracks, syllables, pauses)
    span_s = _span_s(tracks.speech)
    return DeliveryFeatures(
        duration_s=len(y) / sr,
        speech_s=float(tracks.speech.sum()) * F.HOP_S,
        voiced_s=float(tracks.voiced.sum()) * F.HOP_S,
        pace_source=source,
        speaking_rate_wpm=rate_wpm,
        articulation_rate_wpm=articulation_wpm,
        syllable_rate_per_s=syllables / span_s if span_s > 0 else 0.0,
        pause_count=len(pauses),
        pause_mean_s=float(pauses.mean()) if len(pauses) else 0.0,
        pause_longest_s=float(pauses.max()) if len(pauses) else 0.0,
        filled_pause_count=F.filled_pause_count(words) if words else None,
        f0_median_hz=pitch.median_hz,
        f0_spread_st=pitch.spread_st,
        f0_range_st=pitch.range_st,
        f0_slope_st_per_s=pitch.slope_st_per_s,
        loudness_median_db=loudness.median_db,
        loudness_spread_db=loudness.spread_db,
        loudness_peak_db=loudness.peak_db,
        centroid_hz=spectrum.centroid_hz,
        high_band_ratio_db=spectrum.high_band_ratio_db,
        clipped_fraction=F.clipped_fraction(y),
        cepstral_peak_db=spectrum.cepstral_peak_db,
    )
