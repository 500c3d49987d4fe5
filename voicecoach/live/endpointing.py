"""Adaptive endpointing: how long a pause ends the turn, judged from what was said so far.

A pause after a complete thought ("Could you tell me what happened?") ends
the turn sooner; a short sentence ("Thank you.", "Okay.") often opens a
longer turn, so it counts as complete only from `MIN_COMPLETE_WORDS` words.
A pause after a word that promises more ("and", "um", "so", "because") waits
longer, so a trainee who stops to think is not cut off. Whisper marks
the end of a sentence with its punctuation, which is the completeness signal
used here; engines without punctuation (pocketsphinx, vosk) get the plain
silence threshold unless the last word promises more. The words are data in
`continuations.txt`. A complete thought still waits `SHORT_S` (0.4 s): speakers
pause 0.3-0.4 s between sentences of one turn (festival 0.36 s), and once
Whisper's text is ready that soon, 0.3 s cut such turns in two (docs/asr.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONTINUATIONS_FILE = Path(__file__).with_name("continuations.txt")
COMPLETE_MARKS = (".", "?", "!")
SHORT_S = 0.4
LONG_S = 1.2
MIN_COMPLETE_WORDS = 4


@lru_cache(maxsize=1)
def continuation_words() -> frozenset[str]:
    """Words after which a speaker usually goes on (one per line, # comments)."""
    lines = CONTINUATIONS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if (w := line.split("#")[0].strip().lower()))


@dataclass(frozen=True)
class EndpointPolicy:
    """Silence (seconds) that ends a turn: `short_s` after a complete thought,
    `long_s` after a continuation word, `base_s` otherwise."""

    base_s: float = 0.5
    short_s: float = SHORT_S
    long_s: float = LONG_S

    @classmethod
    def for_silence(cls, silence_ms: int) -> EndpointPolicy:
        """The policy around a user's chosen silence threshold."""
        base_s = silence_ms / 1000.0
        return cls(base_s=base_s, short_s=min(SHORT_S, base_s), long_s=max(LONG_S, base_s))

    def silence_needed_s(self, text: str) -> float:
        """How long a pause after `text` must last to end the turn."""
        stripped = text.strip()
        words = re.findall(r"[a-z']+", stripped.lower())
        if words and words[-1] in continuation_words() and not stripped.endswith(("?", "!")):
            return self.long_s
        last_sentence = re.split(r"[.?!]\s", stripped)[-1]
        complete = stripped.endswith(COMPLETE_MARKS) and not stripped.endswith("..")
        if complete and len(re.findall(r"[A-Za-z0-9']+", last_sentence)) >= MIN_COMPLETE_WORDS:
            return self.short_s
        return self.base_s
