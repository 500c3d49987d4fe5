"""Reliable text-to-speech through pyttsx3 and espeak-ng, with a cache.

`synthesize(text, voice)` returns float32 mono samples and their rate. Each
line is synthesised by a long-lived worker process (`voicecoach.tts.worker`)
into a file with a fresh name, then checked here (the file exists, its length
matches what the worker reported, it is not silent) before it is used; a
failed, hung or dead worker is restarted and the line tried again. Results are
cached by text and voice settings, so repeated caller lines cost a file read.
"""

from __future__ import annotations

import atexit
import itertools
import json
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from voicecoach.audio.io import write_wav
from voicecoach.errors import SynthesisError
from voicecoach.tts.cache import SpeechCache
from voicecoach.tts.voice import CALM_VOICE, VoiceSettings

ATTEMPTS = 3
MIN_PEAK = 1e-3
LIST_VOICES_HINT = "run `voicecoach speak --list-voices` to see the valid voice ids"


@dataclass(frozen=True)
class Voice:
    """One installed espeak-ng voice."""

    id: str
    name: str
    languages: tuple[str, ...]


class WorkerFailed(Exception):
    """The worker did not answer properly (crashed, hung, or its file was bad)."""


class SpeechWorker:
    """The client end of one `voicecoach.tts.worker` process, started on first use."""

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir
        self._process: subprocess.Popen | None = None
        self._log_path = work_dir / "worker.log"

    def request(self, payload: dict, *, timeout_s: float) -> dict:
        """Send one request and wait up to `timeout_s` for its reply."""
        process = self._start()
        try:
            process.stdin.write(json.dumps(payload) + "\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerFailed(f"the speech worker died: {self._log_tail()}") from None
        ready, _, _ = select.select([process.stdout], [], [], timeout_s)
        if not ready:
            raise WorkerFailed(f"the speech worker gave no answer within {timeout_s:.0f} s")
        line = process.stdout.readline()
        if not line:
            raise WorkerFailed(f"the speech worker exited: {self._log_tail()}")
        try:
            reply = json.loads(line)
        except json.JSONDecodeError:
            raise WorkerFailed(f"the speech worker answered nonsense: {line[:80]!r}") from None
        if not reply["ok"]:
            raise WorkerFailed(reply["error"])
        return reply

    def close(self) -> None:
        """Stop the worker process (if running)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.stdin.close()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()

    def _start(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self.close()
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "voicecoach.tts.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                bufsize=1,
            )
        return self._process

    def _log_tail(self) -> str:
        try:
            lines = self._log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            lines = []
        return lines[-1] if lines else "no error output (is espeak-ng installed?)"


class Synthesizer:
    """Speech synthesis with a verified, restartable worker and a disk cache.

    `use_cache=False` always synthesises afresh (benchmarks, reliability tests).
    Thread-safe: one line is synthesised at a time.
    """

    def __init__(self, *, cache: SpeechCache | None = None, use_cache: bool = True):
        self._cache = cache
        self.use_cache = use_cache
        self._work_dir = Path(tempfile.mkdtemp(prefix="voicecoach-tts-"))
        self._worker = SpeechWorker(self._work_dir)
        self._lock = threading.Lock()
        self._names = itertools.count()
        self._voices: list[Voice] | None = None
        self._default_voice_id: str | None = None

    @property
    def cache(self) -> SpeechCache:
        return self._cache or SpeechCache()

    def warm_up(self) -> None:
        """Start the worker and load espeak-ng's data now, so the first line is not delayed."""
        self.voices()
        self._synthesize_verified("Hello.", CALM_VOICE)

    def voices(self) -> list[Voice]:
        """The installed voices, as espeak-ng reports them."""
        if self._voices is None:
            reply = self._call({"op": "voices"}, timeout_s=30.0)
            self._voices = [
                Voice(v["id"], v["name"], tuple(v["languages"])) for v in reply["voices"]
            ]
            self._default_voice_id = reply["default"]
        return self._voices

    def resolve_voice_id(self, voice_id: str | None) -> str | None:
        """The installed voice id for `voice_id`: an id (`gmw/en-us`), its last part
        (`en-us`) or a name (`English (America)`), any case. SynthesisError if unknown."""
        if voice_id is None:
            return None
        wanted = voice_id.strip().lower()
        for voice in self.voices():
            if wanted in (voice.id.lower(), voice.id.lower().rsplit("/", 1)[-1]):
                return voice.id
            if wanted == voice.name.lower():
                return voice.id
        raise SynthesisError(f"unknown voice '{voice_id}': {LIST_VOICES_HINT}")

    def synthesize(self, text: str, voice: VoiceSettings = CALM_VOICE) -> tuple[np.ndarray, int]:
        """Speak `text` with `voice`: float32 mono samples in [-1, 1] and the rate in Hz."""
        text = " ".join(text.split())
        if not text:
            raise SynthesisError("nothing to say: the text is empty")
        if self.use_cache and (hit := self.cache.get(text, voice)) is not None:
            return hit
        resolved = VoiceSettings(
            self.resolve_voice_id(voice.voice_id), voice.rate_wpm, voice.pitch, voice.volume
        )
        y, sr = self._synthesize_verified(text, resolved)
        if self.use_cache:
            self.cache.put(text, voice, y, sr)
        return y, sr

    def synthesize_to_file(self, text: str, voice: VoiceSettings, path: str | Path) -> Path:
        """Speak `text` into a 16-bit wav file at `path`; returns the path."""
        y, sr = self.synthesize(text, voice)
        return write_wav(path, y, sr)

    def close(self) -> None:
        """Stop the worker and remove its scratch folder."""
        with self._lock:
            self._worker.close()
        shutil.rmtree(self._work_dir, ignore_errors=True)

    def _synthesize_verified(self, text: str, voice: VoiceSettings) -> tuple[np.ndarray, int]:
        problems = []
        for _ in range(ATTEMPTS):
            path = self._work_dir / f"{next(self._names):06d}-{uuid.uuid4().hex[:8]}.wav"
            request = {"op": "synth", "text": text, "path": str(path), **voice.to_json()}
            try:
                reply = self._call(request, timeout_s=10.0 + 0.05 * len(text))
                return _read_checked(path, reply, expect_sound=voice.volume > 0)
            except WorkerFailed as exc:
                problems.append(str(exc))
                with self._lock:
                    self._worker.close()
            finally:
                path.unlink(missing_ok=True)
        raise SynthesisError(
            f"speech synthesis failed {ATTEMPTS} times for {text[:40]!r}: {problems[-1]}"
        )

    def _call(self, payload: dict, *, timeout_s: float) -> dict:
        with self._lock:
            try:
                return self._worker.request(payload, timeout_s=timeout_s)
            except WorkerFailed as exc:
                if payload["op"] == "voices":
                    raise SynthesisError(
                        f"the text-to-speech engine (pyttsx3 + espeak-ng) did not start: {exc}"
                    ) from None
                raise


def _read_checked(path: Path, reply: dict, *, expect_sound: bool) -> tuple[np.ndarray, int]:
    """Read the worker's file and check it is complete and holds speech."""
    try:
        y, sr = sf.read(str(path), dtype="float32")
    except (OSError, sf.LibsndfileError, RuntimeError) as exc:
        raise WorkerFailed(f"unreadable speech file {path.name}: {exc}") from None
    if len(y) != reply["frames"] or sr != reply["sample_rate"]:
        raise WorkerFailed(f"speech file {path.name} is incomplete ({len(y)} frames)")
    if len(y) == 0 or (expect_sound and float(np.max(np.abs(y))) < MIN_PEAK):
        raise WorkerFailed(f"speech file {path.name} holds no sound")
    return y, sr


_default: Synthesizer | None = None
_default_lock = threading.Lock()


def default_synthesizer() -> Synthesizer:
    """The process-wide synthesizer (its worker is stopped at exit)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Synthesizer()
            atexit.register(_default.close)
        return _default


def synthesize(text: str, voice: VoiceSettings = CALM_VOICE) -> tuple[np.ndarray, int]:
    """Speak `text` with `voice` (cached): float32 mono samples and the rate in Hz."""
    return default_synthesizer().synthesize(text, voice)


def synthesize_to_file(text: str, voice: VoiceSettings, path: str | Path) -> Path:
    """Speak `text` with `voice` into a 16-bit wav file (cached); returns the path."""
    return default_synthesizer().synthesize_to_file(text, voice, path)


def list_voices() -> list[Voice]:
    """The installed espeak-ng voices."""
    return default_synthesizer().voices()
