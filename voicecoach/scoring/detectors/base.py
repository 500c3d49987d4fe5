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
from functools import cached_property
from typing import TYPE_CHECKING

from voicecoach.scoring.text import NormText, Span, fold

if TYPE_CHECKING:
    from voicecoach.scoring.intents import IntentModel

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


WINDOW_WORDS = 12  # an unpunctuated (recognised) sentence is judged in windows this long
MIN_WORDS = 4  # shorter fragments ("thanks", "I'm sorry") carry too little meaning to judge


def rx(pattern: str, flags: int = 0) -> re.Pattern:
    """Compile a canonical-text pattern with word boundaries around it."""
    return re.compile(r"\b(?:" + pattern + r")\b", flags)


# words that speak to or of the caller (a meaning-layer veto asks whether a sentence has any)
SECOND_PERSON = rx(r"you|your|yours|yourself|ya")


@dataclass(frozen=True)
class Hit:
    """The span of a trainee turn that shows a step, check or fault, and what found it:
    a "pattern" (a detector's frame) or the "meaning" layer (nearest intent example)."""

    span: Span
    found_by: str = "pattern"
    example: str = ""  # the intent example the sentence was closest to (meaning only)


@dataclass
class TurnView:
    """A trainee turn as the detectors see it."""

    index: int  # position in the whole transcript
    trainee_index: int  # 0-based count of trainee turns before this one
    norm: NormText
    intents: IntentModel | None = None  # the meaning layer (default: the current files)
    wanted: frozenset[str] | None = None  # intents still worth judging (None: all)
    unmet: frozenset[str] | None = None  # steps and checks not yet found, and the faults:
    # only these may cost a contextual encoder pass (None: all)

    def first(
        self,
        pattern: re.Pattern,
        accept: Callable[[re.Match], bool] | None = None,
        *,
        by_sentence: bool = False,
    ) -> Hit | None:
        """The first match that `accept` agrees with, as a Hit. `by_sentence`: matches stay
        inside one sentence, and a re.MULTILINE pattern's `^` is any sentence's start."""
        text = self.norm.lined_text if by_sentence else self.norm.text
        for m in pattern.finditer(text):
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

    @cached_property
    def _units(self) -> list[tuple[int, int]]:
        """The turn's sentences (long unpunctuated ones as overlapping windows)."""
        ranges = []
        for a, b in self.norm.sentences:
            if b - a <= WINDOW_WORDS + WINDOW_WORDS // 2:
                ranges.append((a, b))
            else:
                step = WINDOW_WORDS // 2
                ranges += [(i, min(b, i + WINDOW_WORDS)) for i in range(a, b - step, step)]
        return ranges

    @cached_property
    def _judged(self) -> dict[str, list]:
        """Every intent's verdict on every unit (one embedding pass per turn)."""
        from voicecoach.scoring.intents import intent_model

        model = self.intents or intent_model()
        texts = [" ".join(self.norm.tokens[a:b]) for a, b in self._units]
        written = [self.norm.written(a, b) for a, b in self._units]
        if not texts:
            return {}
        return model.judge(texts, self.wanted, MIN_WORDS, written, self.unmet, self._units)

    @cached_property
    def _reported(self) -> list[tuple[int, int]]:
        from voicecoach.scoring.framing import reported_ranges

        return reported_ranges(self.norm)

    @cached_property
    def _not_asked(self) -> list[tuple[int, int]]:
        from voicecoach.scoring.framing import denied_asking_ranges

        return denied_asking_ranges(self.norm)

    def meaning(self, intent_id: str) -> Hit | None:
        """The sentence closest to an intent's examples, when it shows that intent; skipping
        short fragments, sentences that deny the act (negatable intents), words quoted
        from others (quotable intents), questions after "I'm not going to ask" (asking
        intents) and, for a quotable fault, a sentence that denies saying it ("I'm not
        saying it's your fault")."""
        from voicecoach.scoring.framing import denies_saying, is_negated
        from voicecoach.scoring.intents import intent_model
        from voicecoach.scoring.protocols import FAULT_IDS

        intent = (self.intents or intent_model()).intents.get(intent_id)
        if intent is None:
            return None
        best = None
        for (a, b), found in zip(self._units, self._judged.get(intent_id, ()), strict=False):
            if found is None or (best is not None and found.margin <= best[0].margin):
                continue
            if b - a < MIN_WORDS:
                continue
            if intent.quotable and any(a < rb and ra < b for ra, rb in self._reported):
                continue
            if intent.asks and any(a < rb and ra < b for ra, rb in self._not_asked):
                continue
            sentence = " ".join(self.norm.tokens[a:b])
            if intent.negatable and is_negated(sentence):
                continue
            # a window of a long sentence: the denial may open the sentence before it
            opening = " ".join(self.norm.tokens[self.norm.sentence_of(a)[0] : b])
            if intent.quotable and intent_id in FAULT_IDS and denies_saying(opening):
                continue
            best = (found, a, b)
        if best is None:
            return None
        found, a, b = best
        return Hit(self.norm.span(a, b - 1), "meaning", found.example)

    def words_of(self, hit: Hit) -> str:
        """A hit's canonical words (its window, in a long recognised sentence)."""
        return " ".join(self.norm.tokens[hit.span.first_token : hit.span.last_token + 1])

    def stated(self, hit: Hit) -> bool:
        """Whether a hit's sentence is a statement in a punctuated turn (a recogniser writes
        no "?", so there any sentence may ask)."""
        sentence = self.norm.sentence_of(hit.span.first_token)
        return bool(self.norm.boundaries) and sentence not in self.norm.questions

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
    third_party_by: str = "pattern"  # what found the third party: "pattern" | "meaning"
    unplaced_callers: list[str] = field(default_factory=list)  # caller turns the patterns
    # did not place, as written: the caller-role model reads them when a breach may hinge on it
    patient_names: set[str] = field(default_factory=set)  # the relative's name, when given
    spoken_about: set[str] = field(default_factory=set)  # people the caller named and spoke of
    other_patients: set[str] = field(default_factory=set)  # other patients the caller named
    entitlement_checked: bool = False  # the trainee checked a release / permission list
    news_given: bool = False  # SPIKES: the news has been delivered (plainly or not)

    @cached_property
    def name_parts(self) -> tuple[str, ...]:
        """The caller's name as folded words (several detectors read it every turn)."""
        return tuple(re.findall(r"[^\W\d_]+", re.sub(r"['’]", "", fold(self.caller_name))))

    def caller_said(self, pattern: re.Pattern) -> bool:
        """Whether any caller turn so far matches a pattern."""
        return any(pattern.search(n.text) for n in self.caller_turns)


Detector = Callable[[TurnView, CallState], "Hit | None"]
