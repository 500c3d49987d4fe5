"""Recognition hints: names and words a recogniser should expect (the caller's name).

Hints are phrases such as "Priya Raman". They are normalised to the
recogniser's spelling (lower case, accents dropped: "Tomás" -> "tomas"),
given a pronunciation when the dictionary has none (`letter_to_sound`, simple
English spelling rules that are good enough for names), and used as the
front-desk language model's name fillers: a hint's first word fills the
`{NAME}` slots, its last word the `{SURNAME}` slots.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

VOWELS = "aeiouy"
# Letter groups first (longest match wins), then single letters.
_GROUPS = {
    "tch": "CH",
    "sch": "SH",
    "ph": "F",
    "sh": "SH",
    "ch": "CH",
    "th": "TH",
    "ck": "K",
    "ng": "NG",
    "qu": "K W",
    "wh": "W",
    "kn": "N",
    "ee": "IY",
    "ea": "IY",
    "oo": "UW",
    "ou": "AW",
    "ow": "OW",
    "ai": "EY",
    "ay": "EY",
    "ei": "EY",
    "ey": "EY",
    "ie": "IY",
    "oa": "OW",
    "au": "AO",
    "aw": "AO",
    "oi": "OY",
    "oy": "OY",
    "er": "ER",
    "ir": "ER",
    "ur": "ER",
    "ar": "AA R",
    "or": "AO R",
}
_CONSONANTS = {
    "b": "B",
    "d": "D",
    "f": "F",
    "g": "G",
    "h": "HH",
    "j": "JH",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "p": "P",
    "q": "K",
    "r": "R",
    "s": "S",
    "t": "T",
    "v": "V",
    "w": "W",
    "x": "K S",
    "z": "Z",
}
# Vowel letters in an open syllable (one consonant then a vowel, or a vowel next), closed.
_OPEN = {"a": "AA", "e": "EY", "i": "IY", "o": "OW", "u": "UW", "y": "IY"}
_CLOSED = {"a": "AE", "e": "EH", "i": "IH", "o": "AA", "u": "AH", "y": "IH"}
_FINAL = {"a": "AH", "e": "IY", "i": "IY", "o": "OW", "u": "UW", "y": "IY"}


def normalize_word(text: str) -> str:
    """Lower case letters and apostrophes only, accents dropped ("Tomás" -> "tomas")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z']", "", plain.lower())


def normalize_hints(hints: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """Each hint as a tuple of normalised words; empty hints and repeats dropped."""
    phrases: list[tuple[str, ...]] = []
    for hint in hints:
        words = tuple(w for w in (normalize_word(part) for part in hint.split()) if w)
        if words and words not in phrases:
            phrases.append(words)
    return tuple(phrases)


def hint_words(phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    """Every distinct word of the hint phrases, in order."""
    return list(dict.fromkeys(word for phrase in phrases for word in phrase))


def name_fillers(phrases: tuple[tuple[str, ...], ...]) -> dict[str, list[str]]:
    """Language-model slot fillers: first words as `NAME`, last words as `SURNAME`."""
    return {
        "NAME": list(dict.fromkeys(phrase[0] for phrase in phrases)),
        "SURNAME": list(dict.fromkeys(phrase[-1] for phrase in phrases)),
    }


def letter_to_sound(word: str) -> str:
    """A CMUdict-style pronunciation of `word` from spelling rules ("priya" -> P R IY Y AH)."""
    letters = normalize_word(word).replace("'", "")
    if len(letters) > 3 and letters.endswith("e") and letters[-2] not in VOWELS:
        letters = letters[:-1]  # silent final e ("denise")
    phones: list[str] = []
    i = 0
    while i < len(letters):
        group = next((g for g in (letters[i : i + 3], letters[i : i + 2]) if g in _GROUPS), None)
        if group and not (group.endswith("r") and letters[i + 2 : i + 3] == "r"):
            phones.append(_GROUPS[group])
            i += len(group)
            continue
        letter = letters[i]
        if i > 0 and letter == letters[i - 1] and letter not in VOWELS:
            i += 1  # doubled consonant: one sound
            continue
        phones.append(_letter_sound(letters, i))
        i += 1
    return " ".join(p for p in phones if p)


def _letter_sound(letters: str, i: int) -> str:
    """The sound of the single letter at `i` from its neighbours."""
    letter, rest = letters[i], letters[i + 1 :]
    if letter == "c":
        return "S" if rest[:1] in ("e", "i", "y") else "K"
    if letter == "y" and rest[:1] and rest[0] in VOWELS and rest[0] != "y":
        return "Y"
    if letter in _CONSONANTS:
        return _CONSONANTS[letter]
    if not rest:
        return _FINAL[letter]
    if rest[0] in VOWELS or (len(rest) > 1 and rest[1] in VOWELS and rest[0] not in "xr"):
        return _OPEN[letter]
    return _CLOSED[letter]
