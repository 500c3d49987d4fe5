"""Numbers in one canonical spoken form at the recogniser's boundary.

Recognisers disagree on how they write numbers: Whisper writes "3:45 p.m.",
"$180", "July 9th, 1986", pocketsphinx and vosk write "three forty five p m",
"one hundred and eighty dollars", "july ninth nineteen eighty six". Everything
after recognition (scoring, the caller's reaction, the replay) sees one form,
the words a person says, because digits read aloud are unambiguous while
number words ("one", "a hundred") are not always numbers:

    "3 p.m." / "3pm" / "3 PM" / "three p m"    -> "three pm"
    "$210" / "two hundred and ten dollars"     -> "two hundred ten dollars"
    "the 14th", "March 4" (after a month)      -> "the fourteenth", "March fourth"
    "1986" (4 digits, 1100-2099)               -> "nineteen eighty six"
    "9:05", "7.30", "3:00"                     -> "nine oh five", "seven thirty", "three o'clock"
    "at 930", "1145am" (3-4 digits as a time)  -> "at nine thirty", "eleven forty five am"
    "555-0142", "02139" (5+ digits, leading 0) -> digit by digit, 0 as "zero"
    "911", "311" (3 digits ending in 11)       -> "nine one one", "three one one"
    "suite 210", "1208 Birch Lane" (3-4 digits -> "suite two ten", "twelve oh eight Birch Lane"
      after suite/room/apartment/unit, or
      before a street name)
    "ending in 4089", "extension 512"          -> digit by digit (also "card ending 4417")
    "Nov. 26" (a month's abbreviation)         -> "November twenty sixth"
    "twenty-five", "a hundred"                 -> "twenty five", "one hundred"

Only number tokens change: other words, their case and the punctuation around
them stay as the engine wrote them in the text; timed words come out lower
case, as pocketsphinx and vosk write them. `normalize_words` keeps word times: a token
that becomes several words shares its span among them by length; tokens that
merge ("p" "m" -> "pm") take the span of both. Number words come from
num2words.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass

from num2words import num2words

from voicecoach.asr.base import Recognition, Recognizer, Revision, Word, join_words

_ONES = [num2words(n) for n in range(20)]
_TENS = [num2words(n) for n in range(20, 100, 10)]
_SCALES = ("hundred", "thousand", "million", "billion")
NUMBER_WORDS = frozenset((*_ONES, *_TENS, *_SCALES))
_ORDINAL_WORDS = frozenset(
    num2words(n, to="ordinal") for n in (*range(1, 20), *range(20, 100, 10), 100, 1000)
)
_MONTH_NAMES = [name.lower() for name in calendar.month_name[1:]]  # C locale: English
_MONTHS = frozenset(_MONTH_NAMES)
_AND_AFTER = frozenset((*_SCALES, "dollar", "dollars"))
# A bare 4-digit number before these is an amount, not a year ("2500 dollars").
_AMOUNT_UNITS = frozenset(["dollar", "dollars", "bucks", "cents", "percent"])

# Whisper writes "at 930", "until 1145": after these a 3-4 digit number is a clock time.
_BEFORE_CLOCK_TIME = frozenset(["at", "by", "until", "till", "before", "after", "around", "from"])
# A 3-4 digit number after these is said in pairs ("suite two ten", "room twelve oh five")...
_BEFORE_PAIRS = frozenset(["suite", "ste", "room", "apartment", "apt", "unit"])
# ...as is a house number before a street name ("two fifty Harbor Drive").
_STREET_TYPES = frozenset(
    ["street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "boulevard", "blvd"]
    + ["way", "court", "ct", "place", "parkway", "highway", "hwy", "circle", "terrace", "trail"]
)
_BEFORE_DIGITS = frozenset(["extension", "ext", "ending"])  # "extension 512", "card ending 4417"
_MONTH_ABBREVIATIONS = {name[:3]: name for name in _MONTH_NAMES if name != "may"} | {
    "sept": "september"
}

_LEADING = "\"'([{“‘¿¡"
_TRAILING = "\"'.,;:!?)]}”’…"
_AMPM = re.compile(r"^([ap])\.?m\.?$", re.IGNORECASE)
# "3:45", "3:45pm" and, as Whisper often writes a clock time, "8.30" / "3.45pm"
_TIME = re.compile(r"^([1-9]|1\d|2[0-3])[:.]([0-5]\d)(?:([ap])\.?m\.?)?$", re.IGNORECASE)
_NUMBER_AMPM = re.compile(r"^(\d{1,4})([ap])\.?m\.?$", re.IGNORECASE)
_MONEY = re.compile(r"^\$(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?$")
_CARDINAL = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$", re.IGNORECASE)
_DECIMAL = re.compile(r"^(\d+)\.(\d+)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")
_PLURAL = re.compile(r"^(\d+)'?s$")
_GROUPS = re.compile(r"^\d+(?:[-/]\d+)+$")
_HASH = re.compile(r"^#(\d+)$")
_DIGIT_RUNS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class _Piece:
    """Canonical words standing for source tokens [first, last] (inclusive)."""

    first: int
    last: int
    words: tuple[str, ...]


def normalize_text(text: str) -> str:
    """`text` with every number written in canonical spoken words (see module doc)."""
    pieces = _canonical_pieces(text.split())
    return " ".join(word for piece in pieces for word in piece.words)


def normalize_words(words: Sequence[Word]) -> tuple[Word, ...]:
    """Timed words with numbers in canonical form, lower case as every engine's (Whisper
    writes capitals); split tokens share their time span."""
    out: list[Word] = []
    for piece in _canonical_pieces([w.word for w in words]):
        if not piece.words:
            continue
        sources = words[piece.first : piece.last + 1]
        start_s, end_s = sources[0].start_s, sources[-1].end_s
        conf = min(w.conf for w in sources)
        weights = [max(1, len(w)) for w in piece.words]
        total, done = sum(weights), 0
        for word, weight in zip(piece.words, weights, strict=True):
            a = start_s + (end_s - start_s) * done / total
            done += weight
            b = start_s + (end_s - start_s) * done / total
            out.append(Word(word.lower(), round(a, 3), round(b, 3), conf))
    return tuple(out)


def normalize_recognition(recognition: Recognition) -> Recognition:
    """A Recognition with its text and words normalised alike."""
    words = normalize_words(recognition.words)
    text = normalize_text(recognition.text) if recognition.text else join_words(words)
    return Recognition(text=text, words=words, unsure=recognition.unsure)


class NormalizingRecognizer(Recognizer):
    """Wraps an engine so its partial and final text come out in canonical form."""

    def __init__(self, engine: Recognizer):
        self.engine = engine
        self.name = engine.name
        self.sample_rate = engine.sample_rate
        self.endpoint_is_state = engine.endpoint_is_state

    def accept(self, pcm: bytes) -> bool:
        return self.engine.accept(pcm)

    def partial(self) -> str:
        return normalize_text(self.engine.partial())

    def final(self) -> Recognition:
        return normalize_recognition(self.engine.final())

    def revisions(self) -> list[Revision]:
        return [
            Revision(r.utterance, normalize_recognition(r.result)) for r in self.engine.revisions()
        ]

    def wait_revisions(self, timeout_s: float) -> None:
        self.engine.wait_revisions(timeout_s)

    def prime(self, pcm: bytes) -> None:
        self.engine.prime(pcm)

    def set_context(self, text: str) -> None:
        self.engine.set_context(text)

    def warm_up(self) -> None:
        self.engine.warm_up()

    def close(self) -> None:
        self.engine.close()

    def __getattr__(self, name: str):
        """Anything else an engine offers (its settings, extra hooks) comes from the engine."""
        return getattr(self.__dict__["engine"], name)


def _split_punctuation(token: str) -> tuple[str, str, str]:
    """(leading punctuation, core, trailing punctuation) of a whitespace token.

    The last dot of "p.m." belongs to the core ("p.m.," -> "p.m.", ",").
    """
    core = token.lstrip(_LEADING)
    lead = token[: len(token) - len(core)]
    stripped = core.rstrip(_TRAILING)
    with_dot = core[: len(stripped) + 1]
    if with_dot.lower().endswith("m.") and (_AMPM.match(with_dot) or _NUMBER_AMPM.match(with_dot)):
        stripped = with_dot
    return lead, stripped, core[len(stripped) :]


def _cardinal(n: int) -> list[str]:
    """'one hundred and twenty-five' -> one hundred twenty five (no 'and', no hyphens)."""
    return _words(num2words(n))


def _words(spelled: str) -> list[str]:
    return [w for w in re.split(r"[\s,-]+", spelled) if w and w != "and"]


def _digits(text: str) -> list[str]:
    return [_ONES[int(d)] for d in text]


def _number(digits: str, *, before: str, after: str, reading: str = "") -> list[str]:
    """A bare digit string read as a person would, given the neighbouring words and the
    `reading` its context asks for ("digits", "pairs" or "": see `_reading`)."""
    n = int(digits.replace(",", ""))
    if "," not in digits and (len(digits) >= 5 or (len(digits) > 1 and digits[0] == "0")):
        return _digits(digits)
    if reading and len(digits) in (3, 4):  # "ending in 4089", "suite 210", "1208 Birch Lane"
        return _digits(digits) if reading == "digits" else _words(num2words(n, to="year"))
    clock = (before in _BEFORE_CLOCK_TIME and after not in _AMOUNT_UNITS) or _AMPM.match(after)
    if clock and len(digits) in (3, 4) and 1 <= n // 100 <= 23 and n % 100 < 60:
        return _time(n // 100, n % 100, "" if _AMPM.match(after) else None)  # "at 930"
    if len(digits) == 3 and digits.endswith("11") and after not in _AMOUNT_UNITS:
        return _digits(digits)  # "911", "311": service numbers are said digit by digit
    if before in _MONTHS and 1 <= n <= 31:
        return _words(num2words(n, to="ordinal"))
    if len(digits) == 4 and 1100 <= n <= 2099 and after not in _AMOUNT_UNITS:
        return _words(num2words(n, to="year"))
    return _cardinal(n)


def _time(hour: int, minute: int, ampm: str | None) -> list[str]:
    """Hour and minute as said; `ampm` "am"/"pm", "" (said by the next word) or None."""
    words = _cardinal(hour)
    if minute:
        words += ["oh", *_cardinal(minute)] if minute < 10 else _cardinal(minute)
    elif ampm is None:
        words.append("o'clock")
    return [*words, ampm] if ampm else words


def _money(dollars: str, cents: str | None) -> list[str]:
    n = int(dollars.replace(",", ""))
    words = [*_cardinal(n), "dollar" if n == 1 else "dollars"]
    if n == 0 and cents and int(cents):
        words = []  # "$0.99" -> ninety nine cents
    if cents and int(cents):
        words += [*_cardinal(int(cents)), "cent" if int(cents) == 1 else "cents"]
    return words


def _plural(words: list[str]) -> list[str]:
    last = words[-1]
    last = last[:-1] + "ies" if last.endswith("y") else last + ("es" if last == "six" else "s")
    return [*words[:-1], last]


def _digit_groups(core: str) -> list[str]:
    """'555-0142' digit by digit; '3-5' a range; '3/14' and '3/14/1986' a date."""
    parts = re.split(r"([-/])", core)
    numbers, separators = parts[::2], set(parts[1::2])
    if separators == {"/"} and len(numbers) in (2, 3):
        month, day = int(numbers[0]), int(numbers[1])
        if 1 <= month <= 12 and 1 <= day <= 31:
            month_name = _MONTH_NAMES[month - 1]
            year = _number(numbers[2], before="", after="") if len(numbers) == 3 else []
            return [month_name, *_words(num2words(day, to="ordinal")), *year]
    if any(len(n) >= 3 for n in numbers):
        return [d for n in numbers for d in _digits(n)]
    if separators == {"-"} and len(numbers) == 2:
        return [*_cardinal(int(numbers[0])), "to", *_cardinal(int(numbers[1]))]
    return [w for n in numbers for w in _cardinal(int(n))]


def _core_words(core: str, *, before: str, after: str, reading: str = "") -> list[str] | None:
    """The canonical words for one token's core, or None if it holds no number."""
    if not any(c.isdigit() for c in core):
        if "-" in core and all(p.lower() in NUMBER_WORDS | _ORDINAL_WORDS for p in core.split("-")):
            return core.lower().split("-")  # twenty-five, Twenty-first
        return None
    if m := _TIME.match(core):
        ampm = (m.group(3).lower() + "m") if m.group(3) else None
        ampm = ampm or ("" if _AMPM.match(after) else None)  # "12:00 pm": no o'clock
        return _time(int(m.group(1)), int(m.group(2)), ampm)
    if m := _NUMBER_AMPM.match(core):  # "3pm", "1145am"
        return _number(m.group(1), before="at", after=m.group(2) + "m") + [m.group(2).lower() + "m"]
    if m := _MONEY.match(core):
        return _money(m.group(1), m.group(2))
    if _CARDINAL.match(core):
        return _number(core, before=before, after=after, reading=reading)
    if m := _ORDINAL.match(core):
        return _words(num2words(int(m.group(1)), to="ordinal"))
    if m := _DECIMAL.match(core):
        return [*_cardinal(int(m.group(1))), "point", *_digits(m.group(2))]
    if m := _PERCENT.match(core):
        return [*_core_words(m.group(1), before="", after="percent"), "percent"]
    if m := _PLURAL.match(core):
        return _plural(_number(m.group(1), before=before, after=""))
    if _GROUPS.match(core):
        return _digit_groups(core)
    if m := _HASH.match(core):
        return ["number", *_cardinal(int(m.group(1)))]
    words = []  # anything else with digits in it ("B12", "covid-19"): letters kept, digits read
    for chunk in _DIGIT_RUNS.split(core):
        if chunk.isdigit():
            words += _cardinal(int(chunk))
        elif any(c.isalpha() for c in chunk):
            words.append(chunk.strip("-/.,:"))
    return words


def _reading(tokens: list[str], cores: list[str], i: int) -> str:
    """How a 3-4 digit number at `i` is said: "digits" after "extension", "ending (in)",
    "pairs" after "suite"/"room"/... or before a capitalised street name ("Birch Lane")."""
    before = [c.lower() for c in cores[max(0, i - 2) : i]]
    if before[-1:] and before[-1] in _BEFORE_DIGITS or before == ["ending", "in"]:
        return "digits"
    if before[-1:] and before[-1] in _BEFORE_PAIRS:
        return "pairs"
    for j in range(i + 2, min(i + 5, len(tokens))):  # 1-3 capitalised words, then the type
        if not all(cores[k][:1].isupper() and cores[k] == tokens[k] for k in range(i + 1, j)):
            break
        if cores[j].lower() in _STREET_TYPES:
            return "pairs"
    return ""


def _month_abbreviation(tokens: list[str], cores: list[str], i: int) -> str | None:
    """The month "Nov." (or "Nov", as timed words have it) stands for when a number
    follows it, else None."""
    month = _MONTH_ABBREVIATIONS.get(cores[i].lower())
    followed = i + 1 < len(tokens) and cores[i + 1][:1].isdigit()
    return month if month and followed else None


def _canonical_pieces(tokens: list[str]) -> list[_Piece]:
    """Each source token (or merged pair) with the canonical words it becomes."""
    pieces: list[_Piece] = []
    cores = [_split_punctuation(t)[1] for t in tokens]
    months = {i: m for i in range(len(tokens)) if (m := _month_abbreviation(tokens, cores, i))}
    for i, month in months.items():
        cores[i] = month  # the number after it is a day
    i = 0
    while i < len(tokens):
        lead, core, trail = _split_punctuation(tokens[i])
        before = cores[i - 1].lower() if i else ""
        after = cores[i + 1].lower() if i + 1 < len(tokens) else ""
        previous = pieces[-1].words[-1].lower() if pieces and pieces[-1].words else ""
        last = i
        reading = _reading(tokens, cores, i)
        words = _core_words(core, before=before, after=after, reading=reading)
        after_number = previous in NUMBER_WORDS or previous == "o'clock"
        if i in months:
            words = [months[i].capitalize()]  # "Nov." -> "November"
            trail = trail[1:] if trail.startswith(".") else trail
        elif words is None and after_number and core.lower() in ("p", "a") and after == "m":
            words, last = [core.lower() + "m"], i + 1  # "three p m" -> "three pm"
            trail = _split_punctuation(tokens[i + 1])[2]
        elif words is None and _AMPM.match(core) and ("." in core or after_number):
            words = [core[0].lower() + "m"]
        elif words is None and core.lower() == "a" and after in _SCALES:
            words = ["one"]  # "a hundred" -> "one hundred"
        elif (
            core.lower() == "and"
            and not lead
            and not trail
            and previous in _AND_AFTER
            and after.split("-")[0] in NUMBER_WORDS
        ):
            words = []  # "two hundred and ten" -> "two hundred ten"
        ends_sentence = last + 1 == len(tokens) or tokens[last + 1][:1].isupper()
        if words and words[-1] in ("am", "pm") and core.endswith(".") and ends_sentence:
            trail = trail or "."  # "p.m." ending a sentence keeps the sentence's full stop
        if words is None:
            pieces.append(_Piece(i, i, (tokens[i],)))
        else:
            if words:
                words[0] = lead + words[0]
                words[-1] += trail
            pieces.append(_Piece(i, last, tuple(words)))
        i = last + 1
    return pieces


if __name__ == "__main__":
    import sys

    print(normalize_text(" ".join(sys.argv[1:]) or "See you at 3:45 p.m. on March 4, it's $62.50."))
