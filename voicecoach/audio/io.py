"""Reading, converting and writing audio files.

Plain functions over arrays: float32 mono samples in [-1, 1] plus a rate in Hz.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voicecoach.errors import AudioError

MIN_RATE_HZ = 8000
MAX_RATE_HZ = 48000
MIN_DURATION_S = 0.1
PCM16_BYTES = 2


def load_audio(path: str | Path, *, sr: int | None = 16000) -> tuple[np.ndarray, int]:
    """Read any wav/flac/ogg file as mono float32, resampled to `sr` Hz (None keeps it).

    Raises AudioError naming the file when it is missing, not audio, empty,
    shorter than 0.1 s, or recorded outside 8-48 kHz.
    """
    path = Path(path)
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file; give a wav, flac or ogg file")
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes); record or export it again")
    try:
        y, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(f"{path}: not a readable audio file (wav, flac or ogg): {exc}") from None
    if y.size == 0:
        raise AudioError(
            f"{path}: the file is empty (a header but no audio); record or export it again"
        )
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise AudioError(f"{path}: sample rate {rate} Hz is outside the supported 8-48 kHz")
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


def wav_header(*, data_bytes: int, sample_rate: int, channels: int) -> bytes:
    """A 44-byte PCM 16-bit RIFF/WAVE header for `data_bytes` of sample data."""
    block_align = channels * PCM16_BYTES
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,
        channels,
        sample_rate,
        sample_rate * block_align,
        block_align,
        8 * PCM16_BYTES,
        b"data",
        data_bytes,
    )


def pcm16_wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """int16 samples (frames, or frames x channels) as the bytes of a 16-bit wav file."""
    frames = np.ascontiguousarray(samples, dtype="<i2")
    channels = 1 if frames.ndim == 1 else frames.shape[1]
    data = frames.tobytes()
    return wav_header(data_bytes=len(data), sample_rate=sample_rate, channels=channels) + data


def stereo_pcm16(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Two mono int16 tracks as one (frames x 2) array, the shorter padded with silence."""
    stereo = np.zeros((max(len(left), len(right)), 2), dtype="<i2")
    stereo[: len(left), 0] = left
    stereo[: len(right), 1] = right
    return stereo
