"""The recognition stage: trainee audio in, partial and final text out.

The recogniser is fed only while the trainee speaks (from a short pre-roll
before the voice-activity onset), so silence costs nothing and every
utterance is a fresh recogniser stream whose word times are shifted onto the
call clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from voicecoach.asr.base import Recognizer, Word
from voicecoach.live.vad import SpeechEnded, SpeechPaused
from voicecoach.pipeline.messages import (
    AudioChunk,
    FinalText,
    Message,
    PartialText,
    SpeechStarted,
)
from voicecoach.pipeline.stage import Stage

PREROLL_S = 0.3


class RecognitionStage(Stage):
    """Feeds speech to a `Recognizer`; emits PartialText while speaking, FinalText per utterance.

    A final result is taken when the engine reports an endpoint or when voice
    activity reports a pause (`SpeechPaused`) or the end of speech
    (`SpeechEnded`, passed on after the result). Finishing at the pause means
    the result is ready when the silence threshold ends the turn.
    """

    def __init__(self, recognizer: Recognizer, *, preroll_s: float = PREROLL_S):
        self.recognizer = recognizer
        self.preroll_s = preroll_s
        self._preroll: deque[AudioChunk] = deque()
        self._active = False
        self._segment_start_s = 0.0
        self._fed_s = 0.0
        self._last_partial = ""

    def process(self, message: Message) -> Iterable[Message]:
        if isinstance(message, SpeechStarted):
            return [message, *([] if self._active else self._start())]
        if isinstance(message, (SpeechPaused, SpeechEnded)):
            out = self._finish() if self._active else []
            self._active = False
            return [*out, message]
        if isinstance(message, AudioChunk) and message.source == "trainee":
            if self._active:
                return [message, *self._feed(message)]
            self._remember(message)
        return (message,)

    def close(self) -> Iterable[Message]:
        out = self._finish() if self._active else []
        self._active = False
        return out

    def _remember(self, chunk: AudioChunk) -> None:
        self._preroll.append(chunk)
        while sum(c.duration_s for c in self._preroll) > self.preroll_s + 1e-9:
            self._preroll.popleft()

    def _start(self) -> list[Message]:
        self._active = True
        chunks = list(self._preroll)
        self._preroll.clear()
        self._fed_s = 0.0
        out: list[Message] = []
        for chunk in chunks:
            out.extend(self._feed(chunk))
        return out

    def _feed(self, chunk: AudioChunk) -> list[Message]:
        if self._fed_s == 0.0:
            self._segment_start_s = chunk.t_s or 0.0
        endpoint = self.recognizer.accept(chunk.pcm)
        self._fed_s += chunk.duration_s
        if endpoint:
            return self._finish()
        partial = self.recognizer.partial()
        if partial and partial != self._last_partial:
            self._last_partial = partial
            return [PartialText(partial, t_s=self._segment_start_s + self._fed_s)]
        return []

    def _finish(self) -> list[Message]:
        """Take the engine's final result and start a new segment after it."""
        result = self.recognizer.final()
        offset_s = self._segment_start_s
        end_s = offset_s + self._fed_s
        self._segment_start_s = end_s
        self._fed_s = 0.0
        self._last_partial = ""
        if not result.text.strip():
            return []
        words = tuple(
            Word(w.word, round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3), w.conf)
            for w in result.words
        )
        return [FinalText(result.text.strip(), words, t_s=end_s)]
