"""Voice-activity detection: an energy detector with an adaptive noise floor.

`EnergyVad` is a pure analyser (frame in, speech yes/no out); `VadStage`
wraps it for the pipeline: it passes audio through and announces when the
trainee starts speaking (`SpeechStarted`), speaks again after a pause within
the turn (`SpeechResumed`) and has been silent for the configured time
(`SpeechEnded`, timed at the end of speech).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from voicecoach.pipeline.messages import AudioChunk, DataMessage, Message, SpeechStarted
from voicecoach.pipeline.stage import Stage

DEFAULT_SILENCE_MS = 500
DEFAULT_PAUSE_MS = 200


@dataclass(frozen=True)
class SpeechResumed(SpeechStarted):
    """Voice again after a pause of at least `pause_ms`, within the same turn."""


@dataclass(frozen=True)
class SpeechEnded(DataMessage):
    """The trainee stopped speaking: `end_s` is the last voiced instant, `t_s` when we knew."""

    start_s: float
    end_s: float


@dataclass
class EnergyVad:
    """Speech when a frame is `margin_db` above the running noise floor (and above `min_db`).

    The floor follows quiet frames quickly and rises slowly through speech,
    so a steady fan or hum is learned as background within a second or two.
    """

    margin_db: float = 12.0
    min_db: float = -50.0
    floor_db: float = -60.0
    rise_db_per_s: float = 3.0
    fall_weight: float = 0.3

    def is_speech(self, samples: np.ndarray, duration_s: float) -> bool:
        """Classify one frame of float samples and update the noise floor."""
        level_db = level_dbfs(samples)
        speech = level_db > max(self.floor_db + self.margin_db, self.min_db)
        if level_db < self.floor_db:
            self.floor_db += self.fall_weight * (level_db - self.floor_db)
        else:
            self.floor_db += self.rise_db_per_s * duration_s
        self.floor_db = max(self.floor_db, -90.0)
        return speech


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level of float samples in dB relative to full scale (-100 for silence)."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
    return 20.0 * np.log10(rms) if rms > 1e-5 else -100.0


class VadStage(Stage):
    """Passes trainee audio through; adds SpeechStarted / SpeechEnded around each utterance.

    Speech starts after `onset_ms` of voiced frames (timed at the first of
    them); voice after a pause of `pause_ms` is `SpeechResumed`; speech ends
    after `silence_ms` without voice (timed at the last voiced frame).
    """

    def __init__(
        self,
        *,
        silence_ms: int = DEFAULT_SILENCE_MS,
        pause_ms: int = DEFAULT_PAUSE_MS,
        onset_ms: int = 60,
        vad: EnergyVad | None = None,
    ):
        self.silence_s = silence_ms / 1000.0
        self.pause_s = min(pause_ms, silence_ms) / 1000.0
        self.onset_s = onset_ms / 1000.0
        self.vad = vad or EnergyVad()
        self.clock_s = 0.0
        self.speaking = False
        self.paused = False
        self._voiced_run_start_s: float | None = None
        self._utterance_start_s = 0.0
        self._last_voiced_end_s = 0.0

    def process(self, message: Message) -> Iterable[Message]:
        if not isinstance(message, AudioChunk) or message.source != "trainee":
            return (message,)
        start_s = message.t_s if message.t_s is not None else self.clock_s
        end_s = start_s + message.duration_s
        self.clock_s = end_s
        out: list[Message] = []
        if self.vad.is_speech(message.samples(), message.duration_s):
            if self._voiced_run_start_s is None:
                self._voiced_run_start_s = start_s
            onset = end_s - self._voiced_run_start_s >= self.onset_s - 1e-9
            if onset and not self.speaking:
                self.speaking = True
                self._utterance_start_s = self._voiced_run_start_s
                out.append(SpeechStarted(t_s=self._utterance_start_s))
            elif onset and self.paused:
                self.paused = False
                out.append(SpeechResumed(t_s=self._voiced_run_start_s))
            if not self.paused:
                self._last_voiced_end_s = end_s
        else:
            self._voiced_run_start_s = None
        out.append(message)
        silent_s = end_s - self._last_voiced_end_s + 1e-9
        if self.speaking and silent_s >= self.silence_s:
            out.append(self._end(t_s=end_s))
        elif self.speaking and silent_s >= self.pause_s:
            self.paused = True
        return out

    def close(self) -> Iterable[Message]:
        return (self._end(t_s=self.clock_s),) if self.speaking else ()

    def _end(self, *, t_s: float) -> SpeechEnded:
        self.speaking = self.paused = False
        return SpeechEnded(start_s=self._utterance_start_s, end_s=self._last_voiced_end_s, t_s=t_s)
