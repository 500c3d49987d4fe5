"""What every detector sees: the trainee turn in canonical form and the call so far.

A detector is a plain function `(turn: TurnView, call: CallState) -> Hit | None`.
It matches an intent frame (not a keyword) on canonical text (see
`voicecoach.scoring.text`) and returns the span it relied on, so the verdict
is explained by a quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from voicecoach.scoring.text import NormText, Span, fold

_NUMBER_WORDS_TEXT = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred half quarter"
)
NUMBER_WORDS = tuple(_NUMBER_WORDS_TEXT.split())
NUM = r"(?:\d+|" + "|".join(NUMBER_WORDS) + r")"
WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
DAY_OR_TIME = (
    r"(?:" + WEEKDAYS + r"|today|tomorrow|tonight|this (?:morning|afternoon|evening|week)"
    r"|next (?:week|month)|(?:at|by|before|around) " + NUM + r"|noon|o clock|\d+ ?(?:am|pm)"
    r"|" + NUM + r" (?:am|pm|o clock|thirty|fifteen|forty five)|end of (?:the )?day)"
)


def rx(pattern: str) -> re.Pattern:
    """Compile a canonical-text pattern with word boundaries around it."""
    return re.compile(r"\b(?:" + pattern + r")\b")


@dataclass(frozen=True)
class Hit:
    """The span of a trainee turn that shows a step, check or fault."""

    span: Span


@dataclass
class TurnView:
    """A trainee turn as the detectors see it."""

    index: int  # position in the whole transcript
    trainee_index: int  # 0-based count of trainee turns before this one
    norm: NormText

    def first(
        self, pattern: re.Pattern, accept: Callable[[re.Match], bool] | None = None
    ) -> Hit | None:
        """The first match that `accept` agrees with, as a Hit."""
        for m in pattern.finditer(self.norm.text):
            if accept is None or accept(m):
                return Hit(self.norm.match_span(m))
        return None

    def after(self, m: re.Match, n_words: int) -> str:
        """Up to n canonical words after a match."""
        return " ".join(self.norm.text[m.end() :].split()[:n_words])

    def before(self, m: re.Match, n_words: int) -> str:
        """Up to n canonical words before a match."""
        words = self.norm.text[: m.start()].split()
        return " ".join(words[-n_words:]) if n_words else ""

    def sentence_after(self, m: re.Match, n_words: int = 14) -> str:
        """The rest of the match's sentence (at most n words; ASR text has no sentences)."""
        token = self.norm.token_at(m.end() - 1)
        _, end = self.norm.sentence_of(token)
        return " ".join(self.norm.tokens[token + 1 : min(end, token + 1 + n_words)])


@dataclass
class CallState:
    """What is known about the call before the current trainee turn."""

    protocol: str
    caller_name: str
    record_sensitive: bool
    jargon: dict[str, str] = field(default_factory=dict)
    caller_turns: list[NormText] = field(default_factory=list)
    trainee_turns: list[NormText] = field(default_factory=list)
    identity_checked: bool = False  # a second identifier was asked for or confirmed
    disclosed_unverified: bool = False  # record details given before any identity check
    third_party: bool = False  # the other party is not the patient (a relative, ...)
    patient_names: set[str] = field(default_factory=set)  # the relative's name, when given
    other_patients: set[str] = field(default_factory=set)  # other patients the caller named
    entitlement_checked: bool = False  # the trainee checked a release / permission list
    news_given: bool = False  # SPIKES: the news has been delivered (plainly or not)

    @property
    def name_parts(self) -> list[str]:
        return re.findall(r"[^\W\d_]+", re.sub(r"['’]", "", fold(self.caller_name)))

    def caller_said(self, pattern: re.Pattern) -> bool:
        """Whether any caller turn so far matches a pattern."""
        return any(pattern.search(n.text) for n in self.caller_turns)


Detector = Callable[[TurnView, CallState], "Hit | None"]
