"""A session's call audio for the browser: the stereo mix, waveform peaks, byte ranges.

`call.wav` is served as it is; for a call killed before it was mixed, both
sides are read (trusting the file size over a stale header) and mixed on the fly.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from voicecoach.audio.io import pcm16_wav_bytes, stereo_pcm16
from voicecoach.errors import SessionError

PEAKS_PER_S = 20
RANGE_PATTERN = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class Pcm:
    """16-bit samples (frames x channels) and their rate."""

    samples: np.ndarray
    sr: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sr


def read_wav_pcm16(path: Path) -> Pcm:
    """A 16-bit PCM wav, tolerating the stale data size a killed recording leaves."""
    raw = path.read_bytes()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise SessionError(f"{path.name} is not a wav file")
    offset, channels, sr = 12, 1, 16000
    while offset + 8 <= len(raw):
        chunk_id, size = struct.unpack_from("<4sI", raw, offset)
        body = offset + 8
        if chunk_id == b"fmt ":
            fmt, channels, sr = struct.unpack_from("<HHI", raw, body)
            bits = struct.unpack_from("<H", raw, body + 14)[0]
            if fmt != 1 or bits != 16:
                raise SessionError(f"{path.name} is not 16-bit PCM")
        elif chunk_id == b"data":
            end = len(raw) if size == 0 or body + size > len(raw) else body + size
            usable = (end - body) // (2 * channels) * (2 * channels)
            samples = np.frombuffer(raw, dtype="<i2", count=usable // 2, offset=body)
            return Pcm(samples.reshape(-1, channels), sr)
        offset = body + size + (size & 1)
    raise SessionError(f"{path.name} has no audio data")


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=4)
def _mix_cached(trainee: tuple, caller: tuple) -> bytes:
    left = read_wav_pcm16(Path(trainee[0]))
    right = read_wav_pcm16(Path(caller[0]))
    return pcm16_wav_bytes(stereo_pcm16(left.samples[:, 0], right.samples[:, 0]), left.sr)


def mix_sides(folder: Path) -> bytes:
    """`trainee.wav` (left) and `caller.wav` (right) as one stereo wav file's bytes."""
    return _mix_cached(_stamp(folder / "trainee.wav"), _stamp(folder / "caller.wav"))


@lru_cache(maxsize=16)
def _peaks_cached(stamp: tuple, peaks_per_s: int) -> tuple[tuple[tuple[float, ...], ...], float]:
    pcm = read_wav_pcm16(Path(stamp[0]))
    return _peaks_of(pcm, peaks_per_s)


def _peaks_of(pcm: Pcm, peaks_per_s: int) -> tuple[tuple[tuple[float, ...], ...], float]:
    """Per channel: max |sample| per 1/peaks_per_s s; and the duration."""
    hop = max(1, pcm.sr // peaks_per_s)
    n = len(pcm.samples) // hop
    channels = pcm.samples.shape[1]
    if not n:
        return tuple(() for _ in range(channels)), round(pcm.duration_s, 3)
    blocks = pcm.samples[: n * hop].reshape(n, hop, channels)
    high = blocks.max(axis=1).astype(np.int32)
    low = blocks.min(axis=1).astype(np.int32)
    peaks = np.round(np.maximum(high, -low) / 32768.0, 3)
    return tuple(tuple(peaks[:, c].tolist()) for c in range(channels)), round(pcm.duration_s, 3)


SPEAKERS_BY_SOURCE = {"trainee.wav": ("trainee",), "caller.wav": ("caller",)}


def peaks(folder: Path, source: str, *, peaks_per_s: int = PEAKS_PER_S) -> dict:
    """Waveform peaks per speaker lane (`lanes`: trainee, caller), both together (`peaks`),
    and the duration. `call.wav` and the mix hold the trainee left and the caller right."""
    if source == "mix":
        channels, duration_s = _peaks_of(read_wav_pcm16_bytes(mix_sides(folder)), peaks_per_s)
    else:
        channels, duration_s = _peaks_cached(_stamp(folder / source), peaks_per_s)
    speakers = SPEAKERS_BY_SOURCE.get(source, ("trainee", "caller"))
    lanes = {speaker: list(values) for speaker, values in zip(speakers, channels, strict=False)}
    both = np.max(np.array(channels), axis=0) if channels and channels[0] else np.zeros(0)
    return {
        "peaks": both.tolist(),
        "lanes": lanes,
        "duration_s": duration_s,
        "peaks_per_s": peaks_per_s,
    }


def read_wav_pcm16_bytes(data: bytes) -> Pcm:
    """`read_wav_pcm16` for a wav already in memory (the on-the-fly mix)."""
    channels, sr = struct.unpack_from("<HI", data, 22)
    samples = np.frombuffer(data, dtype="<i2", offset=44)
    return Pcm(samples.reshape(-1, channels), sr)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte span of a single `Range: bytes=...` header, None for the whole file.

    Raises ValueError when the range cannot be satisfied (-> 416).
    """
    if not header:
        return None
    match = RANGE_PATTERN.match(header.strip())
    if not match:
        return None  # multiple or malformed ranges: answer with the whole file
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise ValueError(f"range {header} outside {size} bytes")
    return start, end
