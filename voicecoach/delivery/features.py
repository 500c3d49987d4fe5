"""Prosody measurements as plain functions over arrays.

Frame tracks (loudness, F0, voicing) use a 10 ms hop on 16 kHz audio. F0 comes
from `librosa.yin` (fast, no first-use JIT stall worth speaking of) with a
voicing decision from the normalised cross-correlation at the YIN period, so
noise and silence give no F0 at all. Every summary is a finite number: empty
inputs give 0.0, never NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from voicecoach.asr.base import Word

ANALYSIS_SR_HZ = 16000
HOP_S = 0.01
F0_FRAME_S = 0.032
LOUDNESS_FRAME_S = 0.032
FMIN_HZ = 65.0
FMAX_HZ = 600.0
SILENCE_FLOOR_DB = -60.0
SPEECH_BELOW_PEAK_DB = 35.0
SPEECH_ABOVE_FLOOR_DB = 6.0
VOICED_PERIODICITY = 0.6
MIN_ACF_DIP = 0.3
MIN_VOICED_RUN_S = 0.04
MAX_VOICED_JUMP_ST = 2.0
MIN_PAUSE_S = 0.25
FILLED_PAUSES = frozenset({"um", "uh", "uhm", "umm", "er", "erm", "hmm", "mm", "ah"})
LOW_BAND_HZ = (50.0, 1000.0)
HIGH_BAND_HZ = (1000.0, 5000.0)


@dataclass(frozen=True)
class FrameTracks:
    """Per-frame tracks on one time axis (frame centres in seconds)."""

    times_s: np.ndarray
    f0_hz: np.ndarray  # NaN where unvoiced
    loudness_db: np.ndarray
    speech: np.ndarray  # bool: loud enough to be speech
    voiced: np.ndarray  # bool: periodic speech with a trusted F0


def _hop_length(sr: int) -> int:
    return int(round(HOP_S * sr))


def _frame_length(sr: int, frame_s: float) -> int:
    return int(2 ** np.ceil(np.log2(frame_s * sr)))


def loudness_db_track(y: np.ndarray, sr: int) -> np.ndarray:
    """Frame loudness in dBFS (a full-scale sine reads 0 dB), floored at -100 dB."""
    import librosa

    rms = librosa.feature.rms(
        y=y, frame_length=_frame_length(sr, LOUDNESS_FRAME_S), hop_length=_hop_length(sr)
    )[0]
    return 20.0 * np.log10(np.maximum(rms * np.sqrt(2.0), 1e-5))


def periodicity_at(
    y: np.ndarray, frame_length: int, hop_length: int, period: np.ndarray
) -> np.ndarray:
    """Normalised cross-correlation of each frame with itself shifted by `period` samples.

    1.0 for a perfectly periodic frame, about 0 for noise. Low-frequency noise
    (rumble) correlates with itself at every short lag, so a frame only counts
    as periodic when its autocorrelation dips before rising again at the
    period; otherwise it gets 0. Frames are centred like librosa's.
    """
    import librosa
    import scipy.fft

    padded = np.pad(y, frame_length // 2)
    frames = librosa.util.frame(padded, frame_length=frame_length, hop_length=hop_length)
    n_frames = min(frames.shape[1], len(period))
    frames = frames[:, :n_frames]
    lags = np.clip(np.round(period[:n_frames]).astype(int), 1, frame_length // 2)
    n_fft = 2 * frame_length
    spectrum = scipy.fft.rfft(frames, n=n_fft, axis=0)
    acf = scipy.fft.irfft(np.abs(spectrum) ** 2, n=n_fft, axis=0)
    columns = np.arange(n_frames)
    cross = acf[lags, columns]
    energy = np.concatenate([np.zeros((1, n_frames)), np.cumsum(frames**2, axis=0)])
    head = energy[frame_length - lags, columns]  # x[0 : W-P]
    tail = energy[frame_length, columns] - energy[lags, columns]  # x[P : W]
    nccf = cross / np.sqrt(np.maximum(head * tail, 1e-12))
    short = acf[: lags.max() + 1] / np.maximum(acf[0], 1e-12)
    before_period = np.arange(len(short))[:, None] <= lags[None, :]
    dip = np.where(before_period, short, np.inf).min(axis=0)
    return np.where(short[lags, columns] - dip >= MIN_ACF_DIP, nccf, 0.0)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the True runs in a boolean array."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _steady_voiced(candidate: np.ndarray, f0_hz: np.ndarray, min_run: int) -> np.ndarray:
    """Keep voiced runs at least `min_run` frames long whose F0 moves smoothly."""
    steady = candidate.copy()
    jumps = np.abs(np.diff(12.0 * np.log2(np.maximum(f0_hz, 1.0))))
    steady[1:] &= ~(jumps > MAX_VOICED_JUMP_ST) | ~candidate[:-1]
    for start, stop in _runs(steady):
        if stop - start < min_run:
            steady[start:stop] = False
    return steady


def _speech_threshold_db(loudness_db: np.ndarray) -> float:
    """Speech is above silence, within 35 dB of the peaks and 6 dB over the noise floor
    (the quietest frames), unless that floor is itself within 10 dB of the peaks."""
    if len(loudness_db) == 0:
        return SILENCE_FLOOR_DB
    floor_db, peak_db = np.percentile(loudness_db, [5, 99])
    above_floor_db = min(floor_db + SPEECH_ABOVE_FLOOR_DB, peak_db - 10.0)
    return max(SILENCE_FLOOR_DB, peak_db - SPEECH_BELOW_PEAK_DB, above_floor_db)


def frame_tracks(y: np.ndarray, sr: int) -> FrameTracks:
    """Loudness, speech and voicing masks and F0 for every 10 ms frame."""
    import librosa

    hop = _hop_length(sr)
    f0_frame = _frame_length(sr, F0_FRAME_S)
    loudness_db = loudness_db_track(y, sr)
    f0_hz = librosa.yin(y, fmin=FMIN_HZ, fmax=FMAX_HZ, sr=sr, frame_length=f0_frame, hop_length=hop)
    n = min(len(loudness_db), len(f0_hz))
    loudness_db, f0_hz = loudness_db[:n], f0_hz[:n]
    periodicity = periodicity_at(y, f0_frame, hop, sr / f0_hz)[:n]
    speech = loudness_db > _speech_threshold_db(loudness_db)
    in_range = f0_hz < 0.98 * FMAX_HZ  # YIN answers fmax when it finds no period
    candidate = speech & in_range & (periodicity >= VOICED_PERIODICITY)
    voiced = _steady_voiced(candidate, f0_hz, int(round(MIN_VOICED_RUN_S / HOP_S)))
    times_s = librosa.frames_to_time(np.arange(n), sr=sr, hop_length=hop)
    return FrameTracks(
        times_s=times_s,
        f0_hz=np.where(voiced, f0_hz, np.nan),
        loudness_db=loudness_db,
        speech=speech,
        voiced=voiced,
    )


def semitones(f_hz: np.ndarray | float, ref_hz: float) -> np.ndarray | float:
    """Frequency in semitones relative to `ref_hz`."""
    return 12.0 * np.log2(np.asarray(f_hz) / ref_hz)


def _finite(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


def _spread(values: np.ndarray) -> float:
    """Robust spread: half the 10-90 percentile range (0.0 when too few values)."""
    values = _finite(values)
    if len(values) < 3:
        return 0.0
    low, high = np.percentile(values, [10, 90])
    return float((high - low) / 2.0)


@dataclass(frozen=True)
class PitchStats:
    median_hz: float
    spread_st: float
    range_st: float
    slope_st_per_s: float


def pitch_stats(times_s: np.ndarray, f0_hz: np.ndarray) -> PitchStats:
    """Median F0, its spread and 5-95 % range in semitones, and its linear trend."""
    mask = np.isfinite(f0_hz)
    if mask.sum() < 3:
        return PitchStats(0.0, 0.0, 0.0, 0.0)
    median_hz = float(np.median(f0_hz[mask]))
    st = semitones(f0_hz[mask], median_hz)
    low, high = np.percentile(st, [5, 95])
    t = times_s[mask]
    slope = float(np.polyfit(t, st, 1)[0]) if np.ptp(t) > 0.2 else 0.0
    return PitchStats(median_hz, _spread(st), float(high - low), slope)


@dataclass(frozen=True)
class LoudnessStats:
    median_db: float
    spread_db: float
    peak_db: float


def loudness_stats(loudness_db: np.ndarray, speech: np.ndarray) -> LoudnessStats:
    """Median, spread and peak (95th percentile) of speech-frame loudness in dBFS."""
    values = loudness_db[speech]
    if len(values) == 0:
        return LoudnessStats(SILENCE_FLOOR_DB, 0.0, SILENCE_FLOOR_DB)
    return LoudnessStats(
        float(np.median(values)), _spread(values), float(np.percentile(values, 95))
    )


@dataclass(frozen=True)
class SpectralStats:
    centroid_hz: float
    high_band_ratio_db: float
    cepstral_peak_db: float


def cepstral_peak_prominence_db(magnitude: np.ndarray, sr: int, n_fft: int) -> float:
    """Median cepstral peak prominence of the frames (columns) of an STFT magnitude.

    The height of the cepstrum's peak in the F0 range above its regression
    line: high for a clear, firm (pressed) voice, low for a breathy or soft one.
    """
    log_db = 20.0 * np.log10(np.maximum(magnitude, 1e-10))
    cepstrum = np.fft.irfft(log_db, n=n_fft, axis=0)
    low, high = int(sr / FMAX_HZ), min(int(sr / FMIN_HZ), n_fft // 2 - 1)
    quefrency = np.arange(low, high)
    part = cepstrum[low:high]
    slope, intercept = np.polyfit(quefrency, part, 1)
    peak = part.argmax(axis=0)
    trend = slope[None, :] * quefrency[:, None] + intercept[None, :]
    prominence = part[peak, np.arange(part.shape[1])] - trend[peak, np.arange(part.shape[1])]
    return float(np.median(prominence))


def spectral_stats(y: np.ndarray, sr: int, voiced: np.ndarray) -> SpectralStats:
    """Brightness of the voiced frames: median spectral centroid and the alpha ratio.

    The alpha ratio is the energy of 1-5 kHz over 50-1000 Hz in dB. Both rise
    with vocal effort (a flatter spectral tilt) and neither depends on the
    recording level. Zeros when there are no voiced frames.
    """
    import librosa

    if not voiced.any():
        return SpectralStats(0.0, 0.0, 0.0)
    n_fft = _frame_length(sr, LOUDNESS_FRAME_S)
    magnitude = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=_hop_length(sr)))
    n = min(magnitude.shape[1], len(voiced))
    magnitude = magnitude[:, :n][:, voiced[:n]]
    freqs_hz = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    centroid_hz = librosa.feature.spectral_centroid(S=magnitude, sr=sr, n_fft=n_fft)[0]
    power = (magnitude**2).sum(axis=1)

    def band(limits: tuple[float, float]) -> float:
        return max(float(power[(freqs_hz >= limits[0]) & (freqs_hz < limits[1])].sum()), 1e-12)

    return SpectralStats(
        centroid_hz=float(np.median(centroid_hz)),
        high_band_ratio_db=float(10.0 * np.log10(band(HIGH_BAND_HZ) / band(LOW_BAND_HZ))),
        cepstral_peak_db=cepstral_peak_prominence_db(magnitude, sr, n_fft),
    )


def pauses_s(speech: np.ndarray, *, min_pause_s: float = MIN_PAUSE_S) -> np.ndarray:
    """Durations of silent gaps of at least `min_pause_s` between speech frames."""
    idx = np.flatnonzero(speech)
    if len(idx) < 2:
        return np.zeros(0)
    inner = ~speech[idx[0] : idx[-1] + 1]
    gaps = np.array([stop - start for start, stop in _runs(inner)], dtype=float) * HOP_S
    return gaps[gaps >= min_pause_s]


def syllable_count(loudness_db: np.ndarray, voiced: np.ndarray) -> int:
    """Syllable nuclei: peaks of the smoothed loudness envelope inside voiced stretches.

    A peak counts when it stands at least 1.5 dB above the dips around it and
    the peaks are at least 80 ms apart (syllables rarely come faster than 12/s).
    """
    import scipy.signal

    if not voiced.any():
        return 0
    envelope = np.convolve(loudness_db, np.hanning(7) / np.hanning(7).sum(), mode="same")
    peaks, _ = scipy.signal.find_peaks(envelope, prominence=1.5, distance=int(round(0.08 / HOP_S)))
    near_voiced = np.convolve(voiced.astype(float), np.ones(5), mode="same") > 0
    return int(near_voiced[peaks].sum())


def speaking_rate_wpm(words: Sequence[Word]) -> float:
    """Words per minute from the first word's start to the last word's end."""
    spoken = [w for w in words if w.word.lower() not in FILLED_PAUSES]
    if not spoken:
        return 0.0
    span_s = max(w.end_s for w in words) - min(w.start_s for w in words)
    return 60.0 * len(spoken) / span_s if span_s > 0 else 0.0


def articulation_rate_wpm(words: Sequence[Word], *, min_pause_s: float = MIN_PAUSE_S) -> float:
    """Words per minute of speaking time: the span minus gaps of `min_pause_s` or more."""
    spoken = [w for w in words if w.word.lower() not in FILLED_PAUSES]
    if not spoken:
        return 0.0
    ordered = sorted(words, key=lambda w: w.start_s)
    span_s = ordered[-1].end_s - ordered[0].start_s
    gaps = [b.start_s - a.end_s for a, b in zip(ordered, ordered[1:], strict=False)]
    talking_s = span_s - sum(g for g in gaps if g >= min_pause_s)
    return 60.0 * len(spoken) / talking_s if talking_s > 0 else 0.0


def word_pauses_s(words: Sequence[Word], *, min_pause_s: float = MIN_PAUSE_S) -> np.ndarray:
    """Gaps of at least `min_pause_s` between consecutive recognised words."""
    ordered = sorted(words, key=lambda w: w.start_s)
    gaps = np.array([b.start_s - a.end_s for a, b in zip(ordered, ordered[1:], strict=False)])
    return gaps[gaps >= min_pause_s] if len(gaps) else np.zeros(0)


def filled_pause_count(words: Sequence[Word]) -> int:
    """How many recognised words are hesitation sounds ("um", "uh", ...)."""
    return sum(1 for w in words if w.word.lower().strip(".,") in FILLED_PAUSES)


def clipped_fraction(y: np.ndarray) -> float:
    """Share of samples stuck flat at the signal's peak (clipping, even after rescaling)."""
    if len(y) < 2:
        return 0.0
    peak = float(np.max(np.abs(y)))
    if peak == 0.0:
        return 0.0
    flat = (np.abs(y[1:]) >= 0.99 * peak) & (np.diff(y) == 0)
    return float(np.mean(flat))
