"""A scripted trainee on a virtual microphone: the live call with no sound card and no person.

Each script line is spoken by festival (`text2wave`, cached). The virtual
microphone (`voicecoach.audio.virtual`) reads a FIFO that `VirtualTrainee`
feeds in real time: silence, and the next line only once the caller has
finished speaking (after a human-like gap), just as a trainee would wait.
The FIFO is held open read-write, so PortAudio can open and close the
microphone freely while probing devices, and reads block until audio is due.
The caller's audio goes to a null speaker, paced in real time.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voicecoach.audio.io import float_to_pcm16, load_audio, write_wav
from voicecoach.errors import AudioError, VoiceCoachError
from voicecoach.live.call import CallResult, LiveCall
from voicecoach.live.speaker import SpokenLine
from voicecoach.live.view import CallView
from voicecoach.paths import cache_dir

SAMPLE_RATE_HZ = 16000
CHUNK_SAMPLES = 320
CHUNK_S = CHUNK_SAMPLES / SAMPLE_RATE_HZ
MAX_LATE_S = 0.1
PIPE_BYTES = 4096  # how far the feeder may run ahead of the microphone: 128 ms
F_SETPIPE_SZ = 1031
REPLY_GAP_S = 0.4
VOICED_LEVEL = 0.01
EDGE_S = 0.05
MAX_PAUSE_S = 0.3
PAUSE_FRAME_S = 0.01
RENDER_VERSION = 2


def shorten_pauses(y: np.ndarray, *, max_pause_s: float = MAX_PAUSE_S) -> np.ndarray:
    """`y` trimmed to its voice, with every silence inside it cut down to `max_pause_s`."""
    frame = int(PAUSE_FRAME_S * SAMPLE_RATE_HZ)
    frames = len(y) // frame
    if frames == 0:
        return y
    peaks = np.abs(y[: frames * frame]).reshape(frames, frame).max(axis=1)
    voiced = np.flatnonzero(peaks > VOICED_LEVEL)
    if voiced.size == 0:
        return y
    edge = round(EDGE_S / PAUSE_FRAME_S)
    keep = np.zeros(frames, bool)
    keep[max(0, voiced[0] - edge) : voiced[-1] + edge + 1] = True
    max_frames = round(max_pause_s / PAUSE_FRAME_S)
    for before, after in zip(voiced, voiced[1:], strict=False):
        if after - before - 1 > max_frames:
            keep[before + 1 + max_frames // 2 : after - (max_frames - max_frames // 2)] = False
    return y[: frames * frame].reshape(frames, frame)[keep].reshape(-1)


def festival_speech(text: str) -> np.ndarray:
    """`text` spoken fluently by festival: 16 kHz float samples, trimmed, pauses of at most
    MAX_PAUSE_S (festival's pauses between sentences would often end the turn). Cached."""
    key = hashlib.sha256(f"{RENDER_VERSION}|{text}".encode()).hexdigest()[:24]
    path = cache_dir() / "trainee-speech" / f"{key}.wav"
    if not path.is_file():
        if shutil.which("text2wave") is None:
            raise VoiceCoachError(
                "festival's text2wave is not installed (the scripted trainee's voice): "
                "sudo apt-get install festival festvox-us-slt-hts"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{key}.{os.getpid()}.wav")
        done = subprocess.run(
            ["text2wave", "-o", str(tmp)], input=text.encode(), capture_output=True, check=False
        )
        if done.returncode != 0 or not tmp.is_file():
            tmp.unlink(missing_ok=True)
            raise AudioError(
                f"festival could not speak {text[:40]!r}: {done.stderr.decode()[-200:]}"
            )
        y, _ = load_audio(tmp, sr=SAMPLE_RATE_HZ)
        write_wav(tmp, shorten_pauses(y), SAMPLE_RATE_HZ)
        os.replace(tmp, path)
    y, _ = load_audio(path, sr=SAMPLE_RATE_HZ)
    return y


@dataclass
class SpokenScriptLine:
    """When the virtual trainee's voice started and ended a line (time.monotonic seconds)."""

    text: str
    started: float
    ended: float


@dataclass
class VirtualTrainee:
    """Feeds the virtual microphone FIFO in real time with silence and the script's lines."""

    fifo: Path
    lines: Sequence[np.ndarray]
    texts: Sequence[str]
    reply_gap_s: float = REPLY_GAP_S
    spoken: list[SpokenScriptLine] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._fd = os.open(self.fifo, os.O_RDWR)
        with contextlib.suppress(OSError):  # a bigger pipe only lets the feeder run ahead
            fcntl.fcntl(self._fd, F_SETPIPE_SZ, PIPE_BYTES)
        self._next_line = 0
        self._due: float | None = None
        self._current: bytes = b""
        self._line_started = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.script_done = threading.Event()
        self._thread = threading.Thread(target=self._feed, name="virtual-trainee", daemon=True)
        self._thread.start()

    def caller_finished(self, line: SpokenLine, final: bool) -> None:
        """The caller finished a reply: say the next line after a short gap.

        A reply cut off because the trainee is (or was) still talking does not
        count: the caller answers again once the trainee's turn is over.
        """
        with self._lock:
            if final or self._next_line >= len(self.lines):
                self.script_done.set()
            elif not (line.stopped or self._current):
                self._due = time.monotonic() + self.reply_gap_s

    def _next_chunk(self, now: float) -> tuple[bytes, float | None]:
        """The next 20 ms to say, and when a line ends in it: the silence after its voice."""
        size = 2 * CHUNK_SAMPLES
        with self._lock:
            due = self._due is not None and now >= self._due
            if not self._current and due and self._next_line < len(self.lines):
                self._due = None
                self._current = float_to_pcm16(self.lines[self._next_line])
                self._line_started = now
            if not self._current:
                return bytes(size), None
            chunk, self._current = self._current[:size], self._current[size:]
            if self._current:
                return chunk, None
            return chunk.ljust(size, b"\0"), EDGE_S + (size - len(chunk)) / (2 * SAMPLE_RATE_HZ)

    def _feed(self) -> None:
        """Hand the microphone one chunk every 20 ms of wall clock, as a real one would."""
        due = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            if now < due:
                time.sleep(due - now)
                continue
            try:
                chunk, silence_after_s = self._next_chunk(now)
            except Exception:  # noqa: BLE001 - a microphone never stops: say nothing
                chunk, silence_after_s = bytes(2 * CHUNK_SAMPLES), None
            try:
                os.write(self._fd, chunk)
            except OSError:
                return
            written = time.monotonic()
            if silence_after_s is not None:
                self._line_said(ended=written - silence_after_s)
            due += CHUNK_S
            if written - due > MAX_LATE_S:  # starved of CPU (or blocked): skip, do not burst
                due = written

    def _line_said(self, *, ended: float) -> None:
        with self._lock:
            text = self.texts[self._next_line]
            self.spoken.append(SpokenScriptLine(text, self._line_started, ended))
            self._next_line += 1

    def close(self) -> None:
        self._stop.set()
        os.close(self._fd)
        self._thread.join(2.0)


def run_scripted_call(
    scenario_id: str,
    *,
    script: Sequence[str] | None = None,
    trainee: str = "demo",
    engine: str = "auto",
    silence_ms: int = 500,
    data_dir: str | Path | None = None,
    view: CallView | None = None,
) -> tuple[CallResult, list[SpokenScriptLine]]:
    """A whole spoken call through the virtual microphone, the trainee's side from `script`
    (default: the scenario's model call). Returns the call and when each line was said."""
    from voicecoach.audio.virtual import use_virtual_audio, virtual_alsa_config
    from voicecoach.dialogue import get_scenario
    from voicecoach.live.run import run_live_call

    scenario = get_scenario(scenario_id)
    texts = list(script or scenario.model_call)
    if not texts:
        raise VoiceCoachError(f"scenario {scenario_id!r} has no model call to play in the demo")
    lines = [festival_speech(text) for text in texts]
    with tempfile.TemporaryDirectory(prefix="voicecoach-demo-") as tmp:
        fifo = Path(tmp) / "microphone.fifo"
        os.mkfifo(fifo)
        config = virtual_alsa_config(fifo, tmp, speaker_path=os.devnull)
        trainee_voice = VirtualTrainee(fifo, lines, texts)
        calls: list[LiveCall] = []

        def watch_script() -> None:
            trainee_voice.script_done.wait()
            if calls and not calls[0].caller.outcome:
                calls[0].stop("the demo script ran out before the caller ended the call")

        threading.Thread(target=watch_script, daemon=True).start()
        try:
            with use_virtual_audio(config):
                result = run_live_call(
                    scenario_id,
                    trainee=trainee,
                    engine=engine,
                    silence_ms=silence_ms,
                    data_dir=data_dir,
                    view=view,
                    pace_capture=False,  # the feeder is the microphone's clock
                    on_start=calls.append,
                    on_caller_done=trainee_voice.caller_finished,
                )
        finally:
            trainee_voice.close()
    return result, trainee_voice.spoken
