"""The recognition stage: trainee audio in, partial and final text out.

The recogniser hears each turn whole, from a short pre-roll before the
voice-activity onset to the end of the turn, so it keeps the sentence's
context across pauses (splitting at pauses costs words). Silence between
turns is not fed. Word times are shifted onto the call clock.

The end of a turn needs both signals: voice activity silent for the
threshold (`SpeechEnded`) and the recogniser's own endpoint since the trainee
last spoke. The `SpeechEnded` is held back (the audio keeps flowing to the
recogniser) until the recogniser has reached its endpoint and the silence is
as long as the `EndpointPolicy` asks after the text so far (shorter after a
complete sentence, longer after "and", "um"), or until the policy's silence
plus `max_wait_s` has passed.

A recogniser may hear an utterance again after its turn ended (Whisper, when
unsure of it); such a better text comes out as a `RevisedText` naming the
utterance, with the first trainee audio after it is ready or from
`revisions_left()` when the call ends. The stage is the recogniser's only
caller of `final()`, so both count utterances alike.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import replace

from voicecoach.asr.base import Recognizer, Word
from voicecoach.live.endpointing import EndpointPolicy
from voicecoach.live.vad import SpeechEnded
from voicecoach.pipeline.messages import (
    AudioChunk,
    FinalText,
    Message,
    PartialText,
    RevisedText,
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
        policy: EndpointPolicy | None = None,
    ):
        self.recognizer = recognizer
        self.preroll_s = preroll_s
        self.max_wait_s = max_wait_s
        self.policy = policy or EndpointPolicy()
        self._preroll: deque[AudioChunk] = deque()
        self._active = False
        self._segment_start_s = 0.0
        self._fed_s = 0.0
        self._endpoint = False
        self._held: SpeechEnded | None = None
        self._last_partial = ""
        self._utterances = 0  # final() calls so far
        self._offsets: dict[int, float] = {}  # call time of each emitted utterance's start

    def process(self, message: Message) -> Iterable[Message]:
        if isinstance(message, SpeechStarted):
            self._endpoint = False
            self._held = None  # speech again before the recogniser heard the end: same turn
            return [message, *([] if self._active else self._start())]
        if isinstance(message, SpeechEnded):
            if not self._active:
                return (message,)
            if self._may_end(message, message.t_s or message.end_s):
                return [*self._finish(), message]
            self._held = message
            return ()
        if isinstance(message, AudioChunk) and message.source == "trainee":
            revised = self._revised()
            if not self._active:
                self._remember(message)
                return (message, *revised)
            out: list[Message] = [message, *revised, *self._feed(message)]
            now_s = (message.t_s or 0.0) + message.duration_s
            if self._held is not None and self._may_end(self._held, now_s):
                held, self._held = self._held, None
                out += [*self._finish(), replace(held, t_s=now_s)]
            return out
        return (message,)

    def close(self) -> Iterable[Message]:
        if not self._active:
            return ()
        held, self._held = self._held, None
        return [*self._finish(), *([held] if held else [])]

    def revisions_left(self, timeout_s: float) -> list[RevisedText]:
        """The revisions still being decoded, waiting up to `timeout_s` (the call ends)."""
        self.recognizer.wait_revisions(timeout_s)
        return self._revised()

    def _revised(self) -> list[RevisedText]:
        out = []
        for revision in self.recognizer.revisions():
            offset_s = self._offsets.get(revision.utterance)
            if offset_s is not None:
                text, words = revision.result.text.strip(), revision.result.words
                out.append(RevisedText(revision.utterance, text, _shifted(words, offset_s)))
        return out

    def _may_end(self, ended: SpeechEnded, now_s: float) -> bool:
        """Whether the turn may end at `now_s`, given the silence since `ended.end_s`."""
        silent_s = now_s - ended.end_s + 1e-9
        needed_s = self.policy.silence_needed_s(self.recognizer.partial() or self._last_partial)
        if self._endpoint and silent_s >= needed_s:
            return True
        wait_s = max(needed_s, self.policy.base_s) + self.max_wait_s
        if self.recognizer.endpoint_is_state:  # its text is behind the speech: wait until it
            wait_s = max(wait_s, self.policy.long_s + self.max_wait_s)  # catches up (or long)
        return silent_s >= wait_s

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
        # An engine that says it once is taken at its word until the trainee speaks again;
        # one that answers every time ("and" after a pause takes it back) is taken as it is.
        self._endpoint = endpoint or (self._endpoint and not self.recognizer.endpoint_is_state)
        self._fed_s += chunk.duration_s
        partial = self.recognizer.partial()
        if partial and partial != self._last_partial:
            self._last_partial = partial
            return [PartialText(partial, t_s=(chunk.t_s or 0.0) + chunk.duration_s)]
        return []

    def _finish(self) -> list[Message]:
        """Take the recogniser's final result for the turn; feeding stops until speech."""
        result = self.recognizer.final()
        utterance, self._utterances = self._utterances, self._utterances + 1
        offset_s = self._segment_start_s
        end_s = offset_s + self._fed_s
        self._active = False
        self._fed_s = 0.0
        self._last_partial = ""
        if not result.text.strip():
            return []
        self._offsets[utterance] = offset_s
        words = _shifted(result.words, offset_s)
        return [FinalText(result.text.strip(), words, utterance, t_s=end_s)]


def _shifted(words: tuple[Word, ...], offset_s: float) -> tuple[Word, ...]:
    """Words timed from an utterance's start, timed on the call clock."""
    return tuple(
        Word(w.word, round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3), w.conf)
        for w in words
    )
