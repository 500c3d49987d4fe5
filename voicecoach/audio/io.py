"""Reading, converting and writing audio files.

Plain functions over arrays: float32 mono samples in [-1, 1] plus a rate in Hz.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voicecoach.errors import AudioError

MIN_RATE_HZ = 8000
MAX_RATE_HZ = 48000
MIN_DURATION_S = 0.1


def load_audio(path: str | Path, *, sr: int | None = 16000) -> tuple[np.ndarray, int]:
    """Read any wav/flac/ogg file as mono float32, resampled to `sr` Hz (None keeps it).

    Raises AudioError naming the file when it is missing, not audio, empty,
    shorter than 0.1 s, or recorded outside 8-48 kHz.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    try:
        y, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(f"{path}: not a readable audio file (wav, flac or ogg): {exc}") from None
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise AudioError(f"{path}: sample rate {rate} Hz is outside the supported 8-48 kHz")
    if y.size == 0:
        raise AudioError(f"{path}: the file holds no audio")
    y = y.mean(axis=1)
    if len(y) / rate < MIN_DURATION_S:
        raise AudioError(
            f"{path}: only {len(y) / rate:.2f} s of audio; at least {MIN_DURATION_S} s is needed"
        )
    if sr is not None and sr != rate:
        y = resample(y, orig_sr=rate, target_sr=sr)
        rate = sr
    return y.astype(np.float32), rate


def resample(y: np.ndarray, *, orig_sr: int, target_sr: int) -> np.ndarray:
    """Resample mono float samples from `orig_sr` to `target_sr` Hz."""
    if orig_sr == target_sr:
        return y
    return soxr.resample(y, orig_sr, target_sr).astype(np.float32)


def float_to_pcm16(y: np.ndarray) -> bytes:
    """Float samples in [-1, 1] to 16-bit little-endian PCM bytes (clipped)."""
    return (np.clip(y, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    """16-bit little-endian PCM bytes to float32 samples in [-1, 1]."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def write_wav(path: str | Path, y: np.ndarray, sr: int) -> Path:
    """Write mono float samples as a 16-bit wav file; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), y, sr, subtype="PCM_16")
    return path
