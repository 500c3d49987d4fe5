"""The streaming recogniser interface every engine implements.

Feed 16-bit mono PCM chunks with `accept`; read `partial` while the trainee
speaks; `final` returns the utterance's text and timed words and resets the
recogniser for the next utterance. Word times are seconds from the first
sample fed after the previous `final()` (or since creation): each utterance
has its own clock, which callers shift onto theirs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span in seconds and confidence 0-1."""

    word: str
    start_s: float
    end_s: float
    conf: float = 1.0

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Recognition:
    """A final recognition result for one utterance."""

    text: str
    words: tuple[Word, ...]
    unsure: bool = False  # the engine doubts its text (Whisper: a low mean log-probability)


@dataclass(frozen=True)
class Revision:
    """A better result for an earlier utterance, the `utterance`-th `final()` (from 0)."""

    utterance: int
    result: Recognition


class Recognizer(ABC):
    """A streaming speech recogniser for 16-bit mono PCM at `sample_rate` Hz."""

    name: str = "base"
    sample_rate: int = 16000
    endpoint_is_state: bool = False  # accept() says whether the endpoint holds now, not once

    @abstractmethod
    def accept(self, pcm: bytes) -> bool:
        """Feed PCM; return True when the engine detected an utterance endpoint.

        Engines with `endpoint_is_state` answer for every call (speech after a pause
        takes the endpoint back); the others signal it once.
        """

    @abstractmethod
    def partial(self) -> str:
        """The best guess of the current utterance so far."""

    @abstractmethod
    def final(self) -> Recognition:
        """Finish the current utterance, return it and reset for the next one."""

    def prime(self, pcm: bytes) -> None:  # noqa: B027 - optional hook, not every engine needs it
        """Adapt to the speaker and channel in `pcm` before decoding (no text comes out).

        Call it between utterances: with the file about to be transcribed, or
        with the trainee's first seconds. Engines without such state ignore it.
        """

    def set_context(self, text: str) -> None:  # noqa: B027 - optional hook
        """What was said just before the next utterances (the caller's last line), which
        they likely answer. Engines that cannot condition on earlier text ignore it."""

    def revisions(self) -> list[Revision]:
        """Better results for earlier utterances finished since the last call, each given
        once (an engine may decode an unsure utterance again in the background while the
        call goes on). Engines that never revise return none."""
        return []

    def wait_revisions(self, timeout_s: float) -> None:  # noqa: B027 - optional hook
        """Wait up to `timeout_s` for the revisions in progress (the call is ending)."""

    def warm_up(self) -> None:  # noqa: B027 - optional hook, not every engine needs it
        """Run the engine once on silence so the first utterance is not the slow one."""

    def close(self) -> None:  # noqa: B027 - optional hook, not every engine needs it
        """Release the engine (a no-op unless the engine pools resources)."""

    def __enter__(self) -> Recognizer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def join_words(words: tuple[Word, ...] | list[Word]) -> str:
    """The text of a word sequence."""
    return " ".join(w.word for w in words)
