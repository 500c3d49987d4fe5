"""Audio devices through sounddevice (PortAudio): listing, capture and playback.

`Capture` delivers 16-bit mono PCM chunks from a microphone; `Player` plays a
float array and can be stopped half-way (barge-in). Both turn PortAudio
failures (no device, busy device, unsupported rate) into `DeviceError` with a
pointer to `voicecoach devices`.

Virtual devices (`voicecoach.audio.virtual`) run as fast as the CPU allows,
because ALSA's null PCM has no clock. When `pace_realtime` is on (the default
whenever `VOICECOACH_VIRTUAL_AUDIO` is set, as `virtual.use_virtual_audio` does)
the stream callbacks wait for the wall clock, so a virtual call runs in real time.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from types import ModuleType

import numpy as np

from voicecoach.errors import DeviceError

VIRTUAL_AUDIO_ENV = "VOICECOACH_VIRTUAL_AUDIO"
SEE_DEVICES = "run `voicecoach devices` to see the available devices"
DeviceSpec = int | str | None


def sounddevice() -> ModuleType:
    """The sounddevice module, imported on first use (it initialises PortAudio)."""
    try:
        import sounddevice as sd
    except OSError as exc:
        raise DeviceError(
            f"the PortAudio library is missing ({exc}): sudo apt-get install libportaudio2"
        ) from None
    return sd


@dataclass(frozen=True)
class AudioDevice:
    """One PortAudio device as `voicecoach devices` shows it."""

    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate_hz: float
    is_default_input: bool
    is_default_output: bool

    def to_json(self) -> dict:
        return asdict(self)


def list_devices() -> list[AudioDevice]:
    """Every input and output device PortAudio can see (empty when there are none)."""
    sd = sounddevice()
    default_in, default_out = sd.default.device
    host_apis = sd.query_hostapis()
    return [
        AudioDevice(
            index=info["index"],
            name=info["name"],
            host_api=host_apis[info["hostapi"]]["name"],
            max_input_channels=info["max_input_channels"],
            max_output_channels=info["max_output_channels"],
            default_samplerate_hz=info["default_samplerate"],
            is_default_input=info["index"] == default_in,
            is_default_output=info["index"] == default_out,
        )
        for info in sd.query_devices()
    ]


def parse_device(value: str | None) -> DeviceSpec:
    """A `--device` value: the device's number in `voicecoach devices`, or (part of) its name."""
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


def check_device(device: DeviceSpec, kind: str) -> None:
    """Raise DeviceError when there is no `kind` ('input'/'output') device to open."""
    sd = sounddevice()
    try:
        sd.query_devices(device, kind=kind)
    except (ValueError, sd.PortAudioError):
        if device is None:
            raise DeviceError(f"no audio {kind} device found: {SEE_DEVICES}") from None
        raise DeviceError(f"no audio {kind} device '{device}': {SEE_DEVICES}") from None


def _open_error(kind: str, device: DeviceSpec, sample_rate: int, exc: Exception) -> DeviceError:
    name = "the default device" if device is None else f"device '{device}'"
    return DeviceError(
        f"cannot open {name} for audio {kind} at {sample_rate} Hz "
        f"(busy, unplugged or unsupported: {exc}): {SEE_DEVICES}"
    )


def _pace_default(pace_realtime: bool | None) -> bool:
    return bool(os.environ.get(VIRTUAL_AUDIO_ENV)) if pace_realtime is None else pace_realtime


class RealtimePacer:
    """Holds a stream callback back until the wall clock has caught up with its samples."""

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self._start_s: float | None = None
        self._frames = 0

    def wait(self, frames: int) -> None:
        now = time.monotonic()
        if self._start_s is None:
            self._start_s = now
        self._frames += frames
        delay_s = self._start_s + self._frames / self.sample_rate - now
        if delay_s > 0:
            time.sleep(delay_s)


_CLOSED = object()


class Capture:
    """Microphone capture as an iterator of 16-bit little-endian mono PCM chunks.

    Each chunk holds `block_s` seconds. Use as a context manager (or call
    `start()`/`close()`); iterating blocks until the next chunk and ends once
    the capture is closed. `dropped_chunks` counts chunks lost because nobody
    read them for `max_backlog_s`.
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        block_s: float = 0.02,
        device: DeviceSpec = None,
        *,
        pace_realtime: bool | None = None,
        max_backlog_s: float = 30.0,
    ):
        self.sample_rate = sample_rate
        self.block_frames = max(1, round(sample_rate * block_s))
        self.device = device
        self.dropped_chunks = 0
        self._pace = _pace_default(pace_realtime)
        self._chunks: queue.Queue = queue.Queue(
            maxsize=max(1, round(max_backlog_s * sample_rate / self.block_frames))
        )
        self._stream = None

    def start(self) -> Capture:
        """Open the input stream and start capturing."""
        sd = sounddevice()
        check_device(self.device, "input")
        pacer = RealtimePacer(self.sample_rate) if self._pace else None

        def on_audio(indata, frames, _time, _status) -> None:
            try:
                self._chunks.put_nowait(bytes(indata))
            except queue.Full:
                self.dropped_chunks += 1
            if pacer is not None:
                pacer.wait(frames)

        try:
            self._stream = sd.RawInputStream(
                samplerate=self.sample_rate,
                blocksize=self.block_frames,
                device=self.device,
                channels=1,
                dtype="int16",
                callback=on_audio,
                finished_callback=self._end_chunks,
            )
            self._stream.start()
        except sd.PortAudioError as exc:
            self._stream = None
            raise _open_error("input", self.device, self.sample_rate, exc) from None
        return self

    def read(self, timeout_s: float | None = None) -> bytes | None:
        """The next chunk, or None once closed (or after `timeout_s` with nothing)."""
        try:
            chunk = self._chunks.get(timeout=timeout_s)
        except queue.Empty:
            return None
        if chunk is _CLOSED:
            self._chunks.put(_CLOSED)
            return None
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self.read()) is not None:
            yield chunk

    def close(self) -> None:
        """Stop the stream; chunks already captured can still be read."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()
            stream.close()
        self._end_chunks()

    def _end_chunks(self) -> None:
        """Mark the end of the chunks (on close, or when the device stops by itself)."""
        while True:
            try:
                self._chunks.put_nowait(_CLOSED)
                return
            except queue.Full:
                self._chunks.get_nowait()
                self.dropped_chunks += 1

    def __enter__(self) -> Capture:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()


@dataclass
class Playback:
    """One `Player.play` call: progress, and when its first sample reached the device.

    `first_sample_s` is `time.monotonic()` when PortAudio took the first block
    (add `output_latency_s` for when it leaves the speaker).
    """

    sample_rate: int
    total_frames: int
    frames_played: int = 0
    first_sample_s: float | None = None
    output_latency_s: float = 0.0
    stopped: bool = False
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    _all_handed: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def duration_s(self) -> float:
        return self.total_frames / self.sample_rate

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until playback ended (finished or stopped); False on timeout."""
        return self.done.wait(timeout_s)


class Player:
    """Plays float32 mono audio on an output device; `stop()` cuts it off (barge-in).

    The stream is always ended with an abort, by `stop()` or, once the device
    has taken every sample and its output latency has passed, by a helper
    thread: PortAudio 19.6's ALSA backend can hang aborting a stream whose
    callback already ended it (`CallbackStop`), so the callback never does.
    """

    def __init__(self, device: DeviceSpec = None, *, pace_realtime: bool | None = None):
        self.device = device
        self._pace = _pace_default(pace_realtime)
        self._lock = threading.Lock()
        self._stream = None
        self._current: Playback | None = None

    def play(self, y: np.ndarray, sr: int, *, blocking: bool = True) -> Playback:
        """Play `y` at `sr` Hz, stopping anything already playing.

        With `blocking=False` it returns at once; wait on the result or `stop()`.
        """
        sd = sounddevice()
        check_device(self.device, "output")
        self.stop()
        samples = np.ascontiguousarray(np.clip(y, -1.0, 1.0), dtype=np.float32)
        playback = Playback(sample_rate=sr, total_frames=len(samples))
        pacer = RealtimePacer(sr) if self._pace else None

        def on_output(outdata, frames, _time, _status) -> None:
            if playback.first_sample_s is None:
                playback.first_sample_s = time.monotonic()
            start = playback.frames_played
            block = samples[start : start + frames]
            outdata[: len(block), 0] = block
            outdata[len(block) :, 0] = 0.0
            playback.frames_played = start + len(block)
            if playback.frames_played >= len(samples):
                playback._all_handed.set()
            if pacer is not None:
                pacer.wait(frames)

        try:
            stream = sd.OutputStream(
                samplerate=sr, device=self.device, channels=1, dtype="float32", callback=on_output
            )
            playback.output_latency_s = float(stream.latency)
            stream.start()
        except sd.PortAudioError as exc:
            raise _open_error("output", self.device, sr, exc) from None
        with self._lock:
            self._stream, self._current = stream, playback
        threading.Thread(
            target=self._finish, args=(stream, playback), name="player-finish", daemon=True
        ).start()
        if blocking:
            playback.wait()
        return playback

    @property
    def is_playing(self) -> bool:
        return self._current is not None and not self._current.done.is_set()

    def stop(self) -> Playback | None:
        """Cut the current playback off now; returns it (None when nothing played)."""
        with self._lock:
            stream, playback = self._stream, self._current
        if playback is None or stream is None:
            return playback
        if not playback.done.is_set():
            playback.stopped = True
        self._close(stream, playback)
        playback._all_handed.set()
        return playback

    def _finish(self, stream, playback: Playback) -> None:
        """End the stream once every sample has been handed over and played out."""
        playback._all_handed.wait()
        if not playback.stopped:
            time.sleep(playback.output_latency_s)
        self._close(stream, playback)

    def _close(self, stream, playback: Playback) -> None:
        with self._lock:
            if not stream.closed:
                stream.abort()
                stream.close()
            if self._stream is stream:
                self._stream = None
            playback.done.set()

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
