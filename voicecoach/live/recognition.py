"""The recognition stage: trainee audio in, partial and final text out.

The recogniser hears each turn whole, from a short pre-roll before the
voice-activity onset to the end of the turn, so it keeps the sentence's
context across pauses (splitting at pauses costs words). Silence between
turns is not fed. Word times are shifted onto the call clock.

The end of a turn needs both signals: voice activity silent for the
threshold (`SpeechEnded`) and the recogniser's own endpoint since the trainee
last spoke. When the recogniser has not reached its endpoint yet, the
`SpeechEnded` is held back (the audio keeps flowing to the recogniser) until
it does, or until `max_wait_s` more has passed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import replace

from voicecoach.asr.base import Recognizer, Word
from voicecoach.live.vad import SpeechEnded
from voicecoach.pipeline.messages import (
    AudioChunk,
    FinalText,
    Message,
    PartialText,
    SpeechStarted,
)
from voicecoach.pipeline.stage import Stage

PREROLL_S = 0.3
MAX_ENDPOINT_WAIT_S = 0.3


class RecognitionStage(Stage):
    """Feeds each turn's speech to a `Recognizer`; PartialText while speaking, FinalText at the end.

    The FinalText is emitted just before the `SpeechEnded` that closes the turn.
    """

    def __init__(
        self,
        recognizer: Recognizer,
        *,
        preroll_s: float = PREROLL_S,
        max_wait_s: float = MAX_ENDPOINT_WAIT_S,
    ):
        self.recognizer = recognizer
        self.preroll_s = preroll_s
        self.max_wait_s = max_wait_s
        self._preroll: deque[AudioChunk] = deque()
        self._active = False
        self._segment_start_s = 0.0
        self._fed_s = 0.0
        self._endpoint = False
        self._held: SpeechEnded | None = None
        self._held_wait_s = 0.0
        self._last_partial = ""

    def process(self, message: Message) -> Iterable[Message]:
        if isinstance(message, SpeechStarted):
            self._endpoint = False
            self._held = None  # speech again before the recogniser heard the end: same turn
            return [message, *([] if self._active else self._start())]
        if isinstance(message, SpeechEnded):
            if not self._active:
                return (message,)
            if self._endpoint:
                return [*self._finish(), message]
            self._held, self._held_wait_s = message, 0.0
            return ()
        if isinstance(message, AudioChunk) and message.source == "trainee":
            if not self._active:
                self._remember(message)
                return (message,)
            out: list[Message] = [message, *self._feed(message)]
            if self._held is not None:
                self._held_wait_s += message.duration_s
                if self._endpoint or self._held_wait_s >= self.max_wait_s - 1e-9:
                    held, self._held = self._held, None
                    released = replace(held, t_s=(message.t_s or 0.0) + message.duration_s)
                    out += [*self._finish(), released]
            return out
        return (message,)

    def close(self) -> Iterable[Message]:
        if not self._active:
            return ()
        held, self._held = self._held, None
        return [*self._finish(), *([held] if held else [])]

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
        self._endpoint = self.recognizer.accept(chunk.pcm) or self._endpoint
        self._fed_s += chunk.duration_s
        partial = self.recognizer.partial()
        if partial and partial != self._last_partial:
            self._last_partial = partial
            return [PartialText(partial, t_s=self._segment_start_s + self._fed_s)]
        return []

    def _finish(self) -> list[Message]:
        """Take the recogniser's final result for the turn; feeding stops until speech."""
        result = self.recognizer.final()
        offset_s = self._segment_start_s
        end_s = offset_s + self._fed_s
        self._active = False
        self._fed_s = 0.0
        self._last_partial = ""
        if not result.text.strip():
            return []
        words = tuple(
            Word(w.word, round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3), w.conf)
            for w in result.words
        )
        return [FinalText(result.text.strip(), words, t_s=end_s)]
