"""Turn detection: the trainee's turn ends when voice activity has been silent long enough.

Recogniser endpoints inside a turn (a short pause) only split the text; the
turn closes on `SpeechEnded` (silence of the configured length) and carries
the whole text, its timed words and its audio for delivery analysis.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from voicecoach.asr.base import Word
from voicecoach.live.vad import SpeechEnded
from voicecoach.pipeline.messages import (
    AudioChunk,
    FinalText,
    Message,
    PartialText,
    SpeechStarted,
    TurnEnded,
)
from voicecoach.pipeline.stage import Stage

MAX_KEPT_AUDIO_S = 120.0


class TurnDetector(Stage):
    """Gathers final texts between SpeechStarted and SpeechEnded into one `TurnEnded`.

    The turn's audio runs from its first to its last voiced instant. Partial
    captions are passed on prefixed with the turn's text so far.
    Utterances with no recognised words (a cough, a door) end no turn.
    """

    def __init__(self, *, sample_rate: int = 16000):
        self.sample_rate = sample_rate
        self._parts: list[FinalText] = []
        self._turn_start_s: float | None = None
        self._audio: list[np.ndarray] = []
        self._audio_start_s = 0.0
        self._audio_len = 0

    def process(self, message: Message) -> Iterable[Message]:
        if isinstance(message, AudioChunk) and message.source == "trainee":
            self._keep(message)
            return (message,)
        if isinstance(message, SpeechStarted):
            if self._turn_start_s is None:
                self._turn_start_s = message.t_s or 0.0
            return (message,)
        if isinstance(message, PartialText):
            texts = [part.text for part in self._parts]
            return (PartialText(" ".join([*texts, message.text]), t_s=message.t_s),)
        if isinstance(message, FinalText):
            self._parts.append(message)
            return (message,)
        if isinstance(message, SpeechEnded):
            return [message, *self._end_turn(message)]
        return (message,)

    def _keep(self, chunk: AudioChunk) -> None:
        if not self._audio:
            self._audio_start_s = chunk.t_s or 0.0
        samples = chunk.samples()
        self._audio.append(samples)
        self._audio_len += len(samples)
        if self._turn_start_s is None and self._audio_len > MAX_KEPT_AUDIO_S * self.sample_rate:
            dropped = self._audio.pop(0)
            self._audio_len -= len(dropped)
            self._audio_start_s += len(dropped) / self.sample_rate

    def _slice(self, start_s: float, end_s: float) -> np.ndarray:
        audio = np.concatenate(self._audio) if self._audio else np.zeros(0, np.float32)
        first = max(0, round((start_s - self._audio_start_s) * self.sample_rate))
        last = max(first, round((end_s - self._audio_start_s) * self.sample_rate))
        return audio[first:last]

    def _end_turn(self, ended: SpeechEnded) -> list[Message]:
        start_s = self._turn_start_s if self._turn_start_s is not None else ended.start_s
        text, words = joined(self._parts)
        out: list[Message] = []
        if text:
            out.append(
                TurnEnded(
                    text,
                    words,
                    start_s,
                    ended.end_s,
                    audio=self._slice(start_s, ended.end_s),
                    sample_rate=self.sample_rate,
                    parts=tuple(self._parts),
                    t_s=ended.t_s,
                )
            )
        self._parts, self._turn_start_s = [], None
        self._audio, self._audio_len = [], 0
        return out


def joined(parts: Iterable[FinalText]) -> tuple[str, tuple[Word, ...]]:
    """A turn's text and timed words from its utterances' final texts."""
    parts = list(parts)
    text = " ".join(part.text for part in parts).strip()
    return text, tuple(word for part in parts for word in part.words)
