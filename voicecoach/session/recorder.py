"""Crash-safe recording of a practice call into its session folder.

Everything is written to disk as it happens so that a crash, a `kill -9` or a
Ctrl-C loses at most the last fraction of a second:

- `trainee.wav` and `caller.wav`: 16 kHz mono 16-bit, both aligned on call
  time 0 (the caller side padded with silence). The RIFF and data sizes in the
  headers are rewritten after every flush, so the files stay playable.
- `events.jsonl`: one JSON object per line, flushed per event.
- `session.json`: written `complete: false` at the start, finished at the end.

At the end `call.wav` (stereo: left trainee, right caller) is mixed and
`transcript.json`, `score.json` and `delivery.json` are written atomically.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach import jsonsafe
from voicecoach.audio.io import pcm16_wav_bytes, stereo_pcm16, wav_header
from voicecoach.fileio import open_private, write_atomic, write_json_atomic
from voicecoach.session.store import SessionInfo, SessionStore

SAMPLE_RATE_HZ = 16000
BYTES_PER_SAMPLE = 2
WAV_HEADER_BYTES = 44
FLUSH_EVERY_S = 0.25


class GrowingWav:
    """A mono 16-bit wav file appended to as audio arrives, playable at every flush."""

    def __init__(self, path: Path, *, sample_rate: int = SAMPLE_RATE_HZ):
        self.path = path
        self.sample_rate = sample_rate
        self._file = open_private(path, "wb")  # kept open for the whole call
        self._file.write(wav_header(data_bytes=0, sample_rate=sample_rate, channels=1))
        self.data_bytes = 0
        self._unflushed_bytes = 0

    @property
    def duration_s(self) -> float:
        return self.data_bytes / (BYTES_PER_SAMPLE * self.sample_rate)

    @property
    def num_samples(self) -> int:
        return self.data_bytes // BYTES_PER_SAMPLE

    def append(self, pcm: bytes) -> None:
        """Append 16-bit PCM; flushes to disk every FLUSH_EVERY_S of audio."""
        self._file.write(pcm)
        self.data_bytes += len(pcm)
        self._unflushed_bytes += len(pcm)
        if self._unflushed_bytes >= FLUSH_EVERY_S * self.sample_rate * BYTES_PER_SAMPLE:
            self.flush()

    def pad_to(self, num_samples: int) -> None:
        """Append silence until the file holds `num_samples` samples."""
        missing = num_samples - self.num_samples
        if missing > 0:
            self.append(bytes(missing * BYTES_PER_SAMPLE))

    def flush(self) -> None:
        """Rewrite the header sizes and hand everything to the operating system."""
        header = wav_header(data_bytes=self.data_bytes, sample_rate=self.sample_rate, channels=1)
        self._file.seek(0)
        self._file.write(header)
        self._file.seek(0, os.SEEK_END)
        self._file.flush()
        self._unflushed_bytes = 0

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            os.fsync(self._file.fileno())
            self._file.close()


def read_pcm16(path: Path) -> np.ndarray:
    """The int16 samples of a wav written by GrowingWav (header sizes trusted as written)."""
    raw = path.read_bytes()[WAV_HEADER_BYTES:]
    return np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2")


class SessionRecorder:
    """Records one call into its session folder (created through the store); thread-safe.

    Call time is the trainee's sample clock: sample n of `trainee.wav` is at
    n / 16000 s. Caller audio is placed at the call time it started playing.
    Raises SessionError (from the store) when the data dir is unwritable or full.
    """

    def __init__(self, store: SessionStore, *, trainee: str, scenario_id: str, protocol: str):
        self.store = store
        self.info: SessionInfo = store.create_session(trainee, scenario_id, protocol)
        self.folder = self.info.folder
        self._lock = threading.Lock()
        self.trainee_wav = GrowingWav(self.folder / "trainee.wav")
        self.caller_wav = GrowingWav(self.folder / "caller.wav")
        self._events = open_private(self.folder / "events.jsonl", "a")
        self.closed = False

    # --- while the call runs ------------------------------------------------

    @property
    def call_time_s(self) -> float:
        """Seconds of trainee audio recorded so far: the call clock."""
        return self.trainee_wav.duration_s

    def add_trainee_audio(self, pcm: bytes) -> None:
        """Append microphone PCM (16 kHz mono 16-bit) as it is captured."""
        with self._lock:
            if not self.closed:
                self.trainee_wav.append(pcm)

    def add_caller_audio(self, pcm: bytes, *, at_s: float | None = None) -> None:
        """Append caller PCM; with `at_s`, pad with silence so it starts at that call time."""
        with self._lock:
            if self.closed:
                return
            if at_s is not None:
                self.caller_wav.pad_to(round(at_s * SAMPLE_RATE_HZ))
            self.caller_wav.append(pcm)

    def event(self, event_type: str, /, *, t_s: float | None = None, **fields: Any) -> None:
        """Append one event line to `events.jsonl` and flush it to the OS."""
        with self._lock:
            if self.closed:
                return
            t = self.call_time_s if t_s is None else t_s
            record = {"t_s": round(t, 3), "type": event_type, **fields}
            self._events.write(jsonsafe.dumps(record, ensure_ascii=False, default=_json_default))
            self._events.write("\n")
            self._events.flush()

    def flush(self) -> None:
        """Make both wavs playable up to now (called about once a second by the glue)."""
        with self._lock:
            if not self.closed:
                self.trainee_wav.flush()
                self.caller_wav.flush()

    # --- at the end ---------------------------------------------------------

    def finish(
        self,
        *,
        outcome: str,
        complete: bool,
        reason: str | None = None,
        transcript: dict | None = None,
        score: dict | None = None,
        delivery: dict | None = None,
    ) -> SessionInfo:
        """Close the audio, write the mix and result files, and finish the session's record."""
        with self._lock:
            if self.closed:
                return self.info
            self.closed = True
            duration_s = max(self.trainee_wav.duration_s, self.caller_wav.duration_s)
            self.trainee_wav.close()
            self.caller_wav.close()
            end = {"t_s": round(duration_s, 3), "type": "end", "outcome": outcome, "reason": reason}
            self._events.write(jsonsafe.dumps(end) + "\n")
            self._events.close()
        self._write_mix()
        for name, obj in (
            ("transcript.json", transcript),
            ("score.json", score),
            ("delivery.json", delivery),
        ):
            if obj is not None:
                write_json_atomic(self.folder / name, obj)
        self.info = self.store.finish_session(
            self.info.id,
            duration_s=round(duration_s, 3),
            outcome=outcome,
            score=(score or {}).get("score"),
            verdict=(score or {}).get("verdict"),
            complete=complete,
            reason=reason,
        )
        return self.info

    def _write_mix(self) -> None:
        stereo = stereo_pcm16(read_pcm16(self.trainee_wav.path), read_pcm16(self.caller_wav.path))
        write_atomic(self.folder / "call.wav", pcm16_wav_bytes(stereo, SAMPLE_RATE_HZ))


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
