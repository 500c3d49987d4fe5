"""Typed messages passed between pipeline stages.

Like pipecat's frames: data messages carry audio and text in order;
system messages (stop, barge-in) overtake queued data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from voicecoach.asr.base import Word
from voicecoach.audio.io import pcm16_to_float


@dataclass(frozen=True)
class Message:
    """Base of every message. `t_s` is seconds since the call started, when known."""

    t_s: float | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class SystemMessage(Message):
    """Control messages that must overtake queued data (handled first)."""


@dataclass(frozen=True)
class DataMessage(Message):
    """Ordinary in-order data."""


# --- system -----------------------------------------------------------------


@dataclass(frozen=True)
class Stop(SystemMessage):
    """End the call now; `reason` is recorded with the session."""

    reason: str = "stopped"


@dataclass(frozen=True)
class BargeIn(SystemMessage):
    """The trainee started speaking while the caller was talking."""


# --- audio ------------------------------------------------------------------


@dataclass(frozen=True)
class AudioChunk(DataMessage):
    """Raw 16-bit little-endian PCM from a microphone or a synthesiser."""

    pcm: bytes
    sample_rate: int
    num_channels: int = 1
    source: str = "trainee"

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / (2 * self.num_channels * self.sample_rate)

    def samples(self) -> np.ndarray:
        """The chunk as float32 samples in [-1, 1]."""
        return pcm16_to_float(self.pcm)


# --- recognition and turns --------------------------------------------------


@dataclass(frozen=True)
class PartialText(DataMessage):
    """Recogniser's current guess while the trainee is still speaking."""

    text: str


@dataclass(frozen=True)
class FinalText(DataMessage):
    """Recogniser's final result for one utterance, with timed words; `utterance` numbers
    the recogniser's results (a `RevisedText` names it)."""

    text: str
    words: tuple[Word, ...] = ()
    utterance: int = -1


@dataclass(frozen=True)
class RevisedText(DataMessage):
    """A better text for an utterance already ended (the recogniser decoded it again)."""

    utterance: int
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class SpeechStarted(DataMessage):
    """Voice activity began (used for barge-in and turn timing)."""


@dataclass(frozen=True)
class TurnEnded(DataMessage):
    """The trainee finished a turn: the text, its words and its audio."""

    text: str
    words: tuple[Word, ...]
    start_s: float
    end_s: float
    audio: np.ndarray | None = None
    sample_rate: int = 16000
    parts: tuple[FinalText, ...] = ()  # the utterances the text joins
