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

A write that fails (a full disk, a file size limit, a removed drive) stops the
recording, never the thread that was writing: the recorder keeps what reached
the disk, remembers the failure as a `RecordingError` ("disk full: ..."), tells
`on_failure` (the live call stops), and `finish` saves the session incomplete
with that reason.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach import jsonsafe
from voicecoach.audio.io import pcm16_wav_bytes, stereo_pcm16, wav_header
from voicecoach.errors import RecordingError
from voicecoach.fileio import open_private, write_atomic, write_json_atomic
from voicecoach.session.store import SessionInfo, SessionStore

SAMPLE_RATE_HZ = 16000
BYTES_PER_SAMPLE = 2
WAV_HEADER_BYTES = 44
FLUSH_EVERY_S = 0.25
NO_ROOM_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # full disk, quota, size limit


def write_failure(exc: OSError, name: str) -> str:
    """The reason a session is saved incomplete after writing `name` failed with `exc`."""
    if exc.errno in NO_ROOM_ERRNOS:
        return f"disk full: could not write {name} ({exc.strerror})"
    return f"could not write {name}: {exc.strerror or exc}"


class GrowingWav:
    """A mono 16-bit wav file appended to as audio arrives, playable at every flush.

    Unbuffered, so `data_bytes` is what the operating system accepted: after a
    failed write, `close` still leaves a playable file of the audio before it.
    """

    def __init__(self, path: Path, *, sample_rate: int = SAMPLE_RATE_HZ):
        self.path = path
        self.sample_rate = sample_rate
        self._file = open_private(path, "wb", buffering=0)  # kept open for the whole call
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
        """Append 16-bit PCM; updates the header every FLUSH_EVERY_S of audio. Raises OSError."""
        rest = memoryview(pcm)
        while rest:
            written = self._file.write(rest) or 0  # a full disk may take part of it
            self.data_bytes += written
            self._unflushed_bytes += written
            rest = rest[written:]
        if self._unflushed_bytes >= FLUSH_EVERY_S * self.sample_rate * BYTES_PER_SAMPLE:
            self.flush()

    def pad_to(self, num_samples: int) -> None:
        """Append silence until the file holds `num_samples` samples."""
        missing = num_samples - self.num_samples
        if missing > 0:
            self.append(bytes(missing * BYTES_PER_SAMPLE))

    def flush(self) -> None:
        """Rewrite the header sizes and hand everything to the operating system."""
        whole_samples = self.data_bytes - self.data_bytes % BYTES_PER_SAMPLE
        header = wav_header(data_bytes=whole_samples, sample_rate=self.sample_rate, channels=1)
        self._file.seek(0)
        self._file.write(header)  # over the old header: needs no new disk space
        self._file.seek(0, os.SEEK_END)
        self._unflushed_bytes = 0

    def close(self) -> None:
        """Final header, then to disk. Raises OSError (the file is closed all the same)."""
        if self._file.closed:
            return
        try:
            self.flush()
            os.fsync(self._file.fileno())
        finally:
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
    A write failing later sets `failure` and calls `on_failure(failure)` once
    (from the writing thread); nothing more is written until `finish`.
    """

    def __init__(
        self,
        store: SessionStore,
        *,
        trainee: str,
        scenario_id: str,
        protocol: str,
        on_failure: Callable[[RecordingError], None] | None = None,
    ):
        self.store = store
        self.info: SessionInfo = store.create_session(trainee, scenario_id, protocol)
        self.folder = self.info.folder
        self._lock = threading.Lock()
        self.trainee_wav = GrowingWav(self.folder / "trainee.wav")
        self.caller_wav = GrowingWav(self.folder / "caller.wav")
        self._events = open_private(self.folder / "events.jsonl", "a")
        self.closed = False
        self.failure: RecordingError | None = None
        self.on_failure = on_failure

    def _failed(self, exc: OSError, name: str) -> None:
        """Stop recording after a failed write; the first failure is the session's reason."""
        if self.failure is not None:
            return
        reason = write_failure(exc, name)
        self.failure = RecordingError(
            f"{reason}; the call until then is saved in {self.folder}", reason=reason
        )
        if self.on_failure is not None:
            self.on_failure(self.failure)

    @property
    def recording(self) -> bool:
        """Whether writes still go to disk (not finished, no failure)."""
        return not self.closed and self.failure is None

    # --- while the call runs ------------------------------------------------

    @property
    def call_time_s(self) -> float:
        """Seconds of trainee audio recorded so far: the call clock."""
        return self.trainee_wav.duration_s

    def add_trainee_audio(self, pcm: bytes) -> None:
        """Append microphone PCM (16 kHz mono 16-bit) as it is captured."""
        with self._lock:
            if self.recording:
                try:
                    self.trainee_wav.append(pcm)
                except OSError as exc:
                    self._failed(exc, self.trainee_wav.path.name)

    def add_caller_audio(self, pcm: bytes, *, at_s: float | None = None) -> None:
        """Append caller PCM; with `at_s`, pad with silence so it starts at that call time."""
        with self._lock:
            if not self.recording:
                return
            try:
                if at_s is not None:
                    self.caller_wav.pad_to(round(at_s * SAMPLE_RATE_HZ))
                self.caller_wav.append(pcm)
            except OSError as exc:
                self._failed(exc, self.caller_wav.path.name)

    def event(self, event_type: str, /, *, t_s: float | None = None, **fields: Any) -> None:
        """Append one event line to `events.jsonl` and flush it to the OS."""
        with self._lock:
            if not self.recording:
                return
            t = self.call_time_s if t_s is None else t_s
            record = {"t_s": round(t, 3), "type": event_type, **fields}
            line = jsonsafe.dumps(record, ensure_ascii=False, default=_json_default)
            try:
                self._events.write(line + "\n")
                self._events.flush()
            except OSError as exc:
                self._failed(exc, "events.jsonl")

    def flush(self) -> None:
        """Make both wavs playable up to now (called about once a second by the glue)."""
        with self._lock:
            for wav in (self.trainee_wav, self.caller_wav):
                if self.recording:
                    try:
                        wav.flush()
                    except OSError as exc:
                        self._failed(exc, wav.path.name)

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
        """Close the audio, write the mix and result files, and finish the session's record.

        After a write failure the session is saved incomplete with that failure as reason;
        files that cannot be written are left out (the sides' audio stays playable).
        """
        with self._lock:
            if self.closed:
                return self.info
            self.closed = True
            duration_s = max(self.trainee_wav.duration_s, self.caller_wav.duration_s)
            for wav in (self.trainee_wav, self.caller_wav):
                try:
                    wav.close()
                except OSError as exc:
                    self._failed(exc, wav.path.name)
            end = {"t_s": round(duration_s, 3), "type": "end", "outcome": outcome, "reason": reason}
            try:
                with self._events:
                    if self.failure is None:
                        self._events.write(jsonsafe.dumps(end) + "\n")
            except OSError as exc:
                self._failed(exc, "events.jsonl")
        results = {"transcript.json": transcript, "score.json": score, "delivery.json": delivery}
        for name, obj in (("call.wav", None), *results.items()):
            try:
                if name == "call.wav":
                    self._write_mix()
                elif obj is not None:
                    write_json_atomic(self.folder / name, obj)
            except OSError as exc:
                self._failed(exc, name)
        if self.failure is not None:
            complete, reason = False, self.failure.reason
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
