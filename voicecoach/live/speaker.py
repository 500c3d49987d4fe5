"""The caller's side of the line: plays a reply, records what was really heard.

Playback runs on the output device without blocking; a watcher thread writes
the samples played so far into the session's `caller.wav` (placed at the call
time playback began), so a barge-in that cuts the caller off leaves exactly
what the trainee heard, and a crash loses at most a tenth of a second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from voicecoach.audio.devices import Player
from voicecoach.audio.io import float_to_pcm16, resample
from voicecoach.session.recorder import SAMPLE_RATE_HZ, SessionRecorder

WATCH_EVERY_S = 0.1


@dataclass(frozen=True)
class SpokenLine:
    """A caller line as played: call-time span, whether the trainee cut it off, first sample."""

    text: str
    mood: float
    start_s: float
    end_s: float
    stopped: bool
    first_sample_wall_s: float | None


class CallerSpeaker:
    """Plays one caller line at a time on `player` and records it; thread-safe."""

    def __init__(self, player: Player, recorder: SessionRecorder):
        self.player = player
        self.recorder = recorder
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    @property
    def is_playing(self) -> bool:
        return self.player.is_playing

    def say(
        self,
        text: str,
        y: np.ndarray,
        sr: int,
        *,
        mood: float,
        on_done: Callable[[SpokenLine], None],
    ) -> None:
        """Start playing the line now; `on_done` gets the SpokenLine when it ends or is cut."""
        with self._lock:
            self.wait()
            start_s = self.recorder.call_time_s
            playback = self.player.play(y, sr, blocking=False)
            pcm16k = float_to_pcm16(resample(y, orig_sr=sr, target_sr=SAMPLE_RATE_HZ))
            self._watcher = threading.Thread(
                target=self._record,
                args=(text, mood, start_s, playback, pcm16k, on_done),
                name="caller-speaker",
                daemon=True,
            )
            self._watcher.start()

    def _record(self, text, mood, start_s, playback, pcm16k: bytes, on_done) -> None:
        written = 0
        while True:
            finished = playback.wait(WATCH_EVERY_S)
            if finished and not playback.stopped:
                upto = len(pcm16k)
            else:
                played = round(playback.frames_played / playback.sample_rate * SAMPLE_RATE_HZ)
                upto = min(len(pcm16k), 2 * played)
            if upto > written:
                self.recorder.add_caller_audio(
                    pcm16k[written:upto], at_s=start_s + written / (2 * SAMPLE_RATE_HZ)
                )
                written = upto
            if finished:
                break
        on_done(
            SpokenLine(
                text=text,
                mood=mood,
                start_s=round(start_s, 3),
                end_s=round(start_s + written / (2 * SAMPLE_RATE_HZ), 3),
                stopped=playback.stopped,
                first_sample_wall_s=playback.first_sample_s,
            )
        )

    def stop(self) -> None:
        """Cut the caller off (barge-in)."""
        self.player.stop()

    def wait(self, timeout_s: float | None = None) -> None:
        """Block until the current line has ended and been recorded."""
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout_s)
