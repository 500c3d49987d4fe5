"""Normalised text for intent detection, mapped back to the words actually said.

Typed and speech-recognised turns differ in surface form ("I'm" / "im",
"9:15" / "nine fifteen", "um", punctuation or none). Detectors match patterns
on one canonical form: lower case, contractions expanded, fillers dropped,
punctuation removed. Every canonical token remembers which original token it
came from, so a match is quoted with the trainee's own words and timed with
the recogniser's word times.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

_TOKEN_RE = re.compile(r"\$?[^\W_]+(?:['’][^\W_]+)*|[.?!;:,]")
_BOUNDARY_PUNCT = {".", "?", "!", ";", ":"}
_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "st", "mt", "no", "vs"}
FILLERS = frozenset(
    {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "hm", "mm", "mmm", "ah", "eh"}
)

# Contractions as speech recognisers write them (no apostrophe) and as typed.
_CONTRACTIONS = {
    "im": "i am",
    "ive": "i have",
    "ill": "i will",
    "youre": "you are",
    "youve": "you have",
    "youll": "you will",
    "youd": "you would",
    "hes": "he is",
    "shes": "she is",
    "theyre": "they are",
    "theyve": "they have",
    "theyll": "they will",
    "weve": "we have",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "wouldnt": "would not",
    "shouldnt": "should not",
    "couldnt": "could not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "aint": "is not",
    "thats": "that is",
    "theres": "there is",
    "whats": "what is",
    "whos": "who is",
    "wheres": "where is",
    "hows": "how is",
    "lets": "let us",
    "heres": "here is",
    "its": "it is",
    "itll": "it will",
    "thatll": "that will",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "gimme": "give me",
    "ok": "okay",
    "alright": "all right",
    "cuz": "because",
    "cause": "because",
    "whyd": "why did",
    "howd": "how did",
    "wed": "we would",
    "theyd": "they would",
    "id": "i would",
    "itd": "it would",
    "thatd": "that would",
    "whatre": "what are",
}
# Words speech recognisers often write as two.
_SPLIT_WORDS_TEXT = (
    "any+thing some+thing every+thing under+stand some+one any+one every+one my+self "
    "your+self any+body some+body every+body birth+day to+morrow to+day to+night with+out "
    "them+selves our+selves"
)
_SPLIT_WORDS = {tuple(pair.split("+")) for pair in _SPLIT_WORDS_TEXT.split()}
# Words the detectors look for (filled in by `voicecoach.scoring.detectors`): two recognised
# pieces that spell one of them are joined back.
CUE_WORDS: set[str] = set()
_MISHEARD_WILL = {
    "all": ("i", "will"),
    "well": ("we", "will"),
    "shell": ("she", "will"),
    "hell": ("he", "will"),
}
_WILL_VERBS_TEXT = (
    "waive send call book make take get have put check look go email fax remove reverse see "
    "handle ask let fix sort reschedule schedule move cancel refund credit update flag talk "
    "speak follow contact reach find mail text ring phone pull walk personally"
)
_WILL_VERBS = frozenset(_WILL_VERBS_TEXT.split())


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


# Homophones recognisers (and hurried typists) swap, fixed only where the context is clear:
# (word, previous words, next words) -> replacement.
_HEAR_BEFORE = {"i", "can", "could", "not", "we", "you"}
_FEEL_BEFORE_TO = {"sorry", "glad", "happy", "sad", "want", "like", "love", "need", "good"}
_YOU_ARE_NEXT = word_set(
    "not going right welcome so really very absolutely completely totally all booked upset "
    "frustrated angry annoyed worried stressed understandably being entitled able mad allowed"
)
_THEY_ARE_NEXT = word_set("going not right still all saying telling")
_WOULD_NEXT = word_set(
    "you that it this be like have come work i we they help upset make drive get rattle frustrate "
    "annoy worry feel suit"
)
_THERE_NEXT = word_set("is are was were will would")
_WHERE_NEXT = word_set("is are did do does was were would should")
_WE_ARE_NEXT = word_set(
    "going on not all sorry calling here still looking trying able happy working clear good "
    "done set"
)
_WE_ARE_BEFORE = {"", "so", "just", "because", "and", "okay", "now", "but", "sure", "make"}
# "four" is the number before these words or after these ("at four thirty", "four of them")
_NUMBER_FOLLOWERS = word_set(
    "o oclock am pm thirty fifteen forty fifty twenty ten five forty five and of times "
    "days weeks months hours minutes years dollars visits more p a fifth or to"
)
_NUMBER_BEFORE = word_set(
    "at by around about until till before after past to of the than twenty thirty forty "
    "fifty sixty seventy eighty ninety hundred and or l c t number room suite floor only "
    "just almost nearly over under"
)
# "id" is an identifier after these words ("photo id", "member id").
_ID_NOUN_BEFORE = {"photo", "member", "patient", "insurance", "your", "the", "an", "card", "policy"}
_S_IS_BASES = {"it", "that", "there", "what", "he", "she", "here", "who", "where", "how", "let"}


def fold(text: str) -> str:
    """Lower case without accents ("José" -> "jose"), as recognisers write names."""
    if text.isascii():  # nothing to decompose (most turns: skips a pass per character)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _expand(token: str, previous: str | None) -> list[str]:
    """The canonical words for one original word token."""
    low = fold(token).replace("’", "'")
    if "'" in low:
        base, _, suffix = low.partition("'")
        if suffix == "t" and base.endswith("n"):
            stem = base[:-1]
            return {"ca": ["can", "not"], "wo": ["will", "not"], "sha": ["shall", "not"]}.get(
                stem, [stem, "not"]
            )
        if suffix == "s":
            if base == "let":
                return ["let", "us"]
            return [base, "is"] if base in _S_IS_BASES else [base]
        tail = {"re": "are", "m": "am", "ll": "will", "ve": "have", "d": "would"}.get(suffix)
        return [base, tail] if tail else [base + suffix]
    if low == "id" and previous in _ID_NOUN_BEFORE:
        return ["id"]
    return _CONTRACTIONS.get(low, low).split()


@dataclass(frozen=True)
class Span:
    """A match in a turn: token range in the canonical text and the original characters."""

    first_token: int
    last_token: int
    char_start: int
    char_end: int


class NormText:
    """A turn's text in canonical form with a map back to the original."""

    def __init__(self, original: str):
        self.original = original
        tokens: list[str] = []
        self.orig_index: list[int] = []  # canonical token -> original word index
        self.word_spans: list[tuple[int, int]] = []  # original word index -> char span
        self.boundaries: set[int] = set()  # original word indices followed by . ? ! ; :
        self.commas: set[int] = set()  # original word indices followed by a comma
        self.question_ends: set[int] = set()  # original word indices followed by "?"
        previous = None
        for m in _TOKEN_RE.finditer(original):
            tok = m.group()
            if not tok[0].isalnum() and tok[0] != "$":
                if self.word_spans:
                    last = len(self.word_spans) - 1
                    last_word = original[slice(*self.word_spans[last])].lower()
                    between_digits = (  # "2:15", "3.5": a time or a number, no sentence end
                        original[m.start() - 1 : m.start()].isdigit()
                        and original[m.end() : m.end() + 1].isdigit()
                    )
                    if tok == ",":
                        self.commas.add(last)
                    elif not (tok == "." and last_word in _ABBREVIATIONS) and not between_digits:
                        self.boundaries.add(last)
                        if tok == "?":
                            self.question_ends.add(last)
                continue
            word_index = len(self.word_spans)
            self.word_spans.append((m.start(), m.end()))
            low = tok.lower()
            if low in FILLERS:
                continue
            for part in _expand(tok.lstrip("$"), previous):
                tokens.append(part)
                self.orig_index.append(word_index)
            previous = low
        tokens = self._repair_homophones(self._repair_recognition(tokens))
        self.tokens = tokens
        self.text = " ".join(tokens)
        self._starts = []
        offset = 0
        for t in tokens:
            self._starts.append(offset)
            offset += len(t) + 1

    def _repair_recognition(self, tokens: list[str]) -> list[str]:
        """Undo common recogniser slips: words split in two ("any thing", or any cue word of
        the detectors: "rat tle" -> rattle), "all"/"well" heard for "I'll"/"we'll" before a
        verb ("all send it today")."""
        joined: list[str] = []
        index: list[int] = []
        for i, (token, word_index) in enumerate(zip(tokens, self.orig_index, strict=True)):
            if joined and (
                (joined[-1], token) in _SPLIT_WORDS
                or (
                    len(joined[-1] + token) >= 6
                    and joined[-1] + token in CUE_WORDS
                    and joined[-1] + token not in _CONTRACTIONS
                    and index[-1] != word_index
                )
            ):
                joined[-1] += token
                continue
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token in _MISHEARD_WILL and following in _WILL_VERBS:
                joined.extend(_MISHEARD_WILL[token])
                index.extend([word_index, word_index])
                continue
            joined.append(token)
            index.append(word_index)
        self.orig_index = index
        return joined

    def _repair_homophones(self, tokens: list[str]) -> list[str]:
        """Swap homophones back where the neighbours leave no doubt ("i here you" -> hear,
        "your right" -> you are right, "upset to" at the end -> too, "were on" -> we are on)."""
        out: list[str] = []
        index: list[int] = []
        n = len(tokens)
        for i, (token, word_index) in enumerate(zip(tokens, self.orig_index, strict=True)):
            prev = tokens[i - 1] if i else ""
            prev2 = tokens[i - 2] if i > 1 else ""
            nxt = tokens[i + 1] if i + 1 < n else ""
            sentence_end = not nxt or word_index in self.boundaries
            words = [token]
            if (
                token == "here"
                and (prev in _HEAR_BEFORE or (prev == "to" and prev2 in _FEEL_BEFORE_TO))
                and nxt not in {"is", "for", "to", "at", "in", "with", "today", "now"}
            ):
                words = ["hear"]
            elif token == "your" and nxt in _YOU_ARE_NEXT:
                words = ["you", "are"]
            elif (
                token in {"their", "there"} and nxt in _THEY_ARE_NEXT and prev not in {"is", "are"}
            ):
                words = ["they", "are"]
            elif token == "their" and nxt in _THERE_NEXT:
                words = ["there"]
            elif token == "wear" and nxt in _WHERE_NEXT:
                words = ["where"]
            elif (
                token == "were"
                and prev in _WE_ARE_BEFORE
                and (nxt in _WE_ARE_NEXT or (nxt.endswith("ing") and len(nxt) > 4))
            ):
                words = ["we", "are"]
            elif token == "to" and sentence_end and prev not in {"want", "need", "have", "going"}:
                words = ["too"]
            elif (
                token == "no"
                and prev in {"i", "you", "we", "they"}
                and nxt not in {"one", "longer", "more"}
            ):
                words = ["know"]
            elif (
                token == "four"
                and not sentence_end
                and nxt not in _NUMBER_FOLLOWERS
                and prev not in _NUMBER_BEFORE
                and not prev.isdigit()
            ):
                words = ["for"]
            elif token == "write" and (
                prev
                in {"that", "is", "all", "every", "alright", "just", "sound", "sounds", "exactly"}
                or nxt in {"now", "away", "there", "here"}
                or (sentence_end and prev not in {"to", "will", "can"})
            ):
                words = ["right"]
            elif token == "wood" and nxt in _WOULD_NEXT:
                words = ["would"]
            elif (
                token == "well"
                and nxt in {"that", "this", "it"}
                and i + 2 < n
                and tokens[i + 2] in {"work", "suit", "be", "do", "help"}
            ):
                words = ["will"]
            elif token == "listing" and prev == "am":
                words = ["listening"]
            out.extend(words)
            index.extend([word_index] * len(words))
        self.orig_index = index
        return out

    def __repr__(self) -> str:
        return f"NormText({self.text!r})"

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Canonical token ranges [start, end) of the sentences (by punctuation)."""
        ranges, start = [], 0
        for i, word_index in enumerate(self.orig_index):
            is_last_of_word = i + 1 == len(self.orig_index) or self.orig_index[i + 1] != word_index
            if is_last_of_word and word_index in self.boundaries:
                ranges.append((start, i + 1))
                start = i + 1
        if start < len(self.tokens):
            ranges.append((start, len(self.tokens)))
        return ranges

    @cached_property
    def questions(self) -> list[tuple[int, int]]:
        """The sentences written as questions (ending in "?"), as canonical token ranges."""
        return [(a, b) for a, b in self.sentences if self.orig_index[b - 1] in self.question_ends]

    @cached_property
    def lined_text(self) -> str:
        """`text` with a newline in place of the space between sentences (same offsets), so
        a pattern compiled with re.MULTILINE can anchor `^` at any sentence's start."""
        chars = list(self.text)
        for start, _ in self.sentences[1:]:
            chars[self._starts[start] - 1] = "\n"
        return "".join(chars)

    def token_at(self, char_offset: int) -> int:
        """The canonical token containing a character offset of `text`."""
        return max(0, bisect.bisect_right(self._starts, char_offset) - 1)

    def span(self, first_token: int, last_token: int) -> Span:
        """The original characters covered by canonical tokens first..last (inclusive)."""
        a = self.word_spans[self.orig_index[first_token]][0]
        b = self.word_spans[self.orig_index[last_token]][1]
        return Span(first_token, last_token, a, b)

    def match_span(self, m: re.Match, group: int | str = 0) -> Span:
        """The span of a regex match (or one of its groups) made on `text`."""
        start, end = m.span(group)
        return self.span(self.token_at(start), self.token_at(max(start, end - 1)))

    def sentence_of(self, token: int) -> tuple[int, int]:
        """The sentence token range holding a token."""
        for a, b in self.sentences:
            if a <= token < b:
                return a, b
        return 0, len(self.tokens)

    def sentence_text(self, token: int) -> str:
        a, b = self.sentence_of(token)
        return " ".join(self.tokens[a:b])

    def quote(self, span: Span, *, max_words: int = 30, context_words: int = 8) -> str:
        """Readable evidence: the sentence around a match, or a window if it is long."""
        a, b = self.sentence_of(span.first_token)
        b = max(b, self.sentence_of(span.last_token)[1])
        first_word = self.orig_index[a]
        last_word = self.orig_index[b - 1]
        if last_word - first_word + 1 > max_words:
            first_word = max(first_word, self.orig_index[span.first_token] - context_words)
            last_word = min(last_word, self.orig_index[span.last_token] + context_words)
        text = self.original[self.word_spans[first_word][0] : self.word_spans[last_word][1]]
        return text.strip()

    def written(self, first_token: int, end_token: int) -> str:
        """The original text of canonical tokens [first, end), with the punctuation that
        ends it ("?" tells a question from a statement)."""
        span = self.span(first_token, end_token - 1)
        end = span.char_end
        while end < len(self.original) and self.original[end] in ".?!":
            end += 1
        return self.original[span.char_start : end]

    def word_index(self, span: Span) -> int:
        """The original word index where a match starts (for word times)."""
        return self.orig_index[span.first_token]


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two short strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_SOUNDEX_CODES = {
    c: str(d)
    for d, letters in enumerate(["aeiouyhw", "bfpv", "cgjkqsxz", "dt", "l", "mn", "r"])
    for c in letters
}


def soundex(word: str) -> str:
    """The classic Soundex key (first letter + 3 digits), for misheard names."""
    word = "".join(c for c in word.lower() if c.isalpha())
    if not word:
        return ""
    digits = [_SOUNDEX_CODES.get(c, "0") for c in word]
    key, last = [], digits[0]
    for c, d in zip(word[1:], digits[1:], strict=True):
        if d != "0" and d != last:
            key.append(d)
        if c not in "hw":
            last = d
    return (word[0] + "".join(key) + "000")[:4]


_FUNCTION_WORDS_TEXT = (
    "a an and the on in at is it its was can will for to of or but not no so if be as by do "
    "did has had have he she her his him you your we our they them me my us this that then "
    "than there here what when who how why all any are were been one two ten too may might "
    "must would could should well will just now sure"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())


# First letters a recogniser may swap for a name's first letter (Katherine/Catherine...).
_SOUND_ALIKE = {
    "c": "kst",
    "k": "cq",
    "s": "czc",
    "z": "s",
    "j": "gy",
    "g": "j",
    "f": "p",
    "p": "f",
    "t": "d",
    "d": "t",
    "y": "j",
    "x": "z",
    "q": "k",
    "e": "ai",
    "a": "e",
    "i": "ey",
    "o": "a",
    "u": "o",
}


_Y_SWAP = {"ye", "ey", "yi", "iy", "ya", "ay", "yo", "oy", "yu", "uy"}


@lru_cache(maxsize=8192)
def sounds_like(heard: str, name: str) -> bool:
    """Whether a recognised word is plausibly the name (exact, near spelling or same sound)."""
    heard, name = heard.lower(), name.lower()
    if heard == name:
        return True
    if len(name) < 3 or len(heard) < 3 or heard in _FUNCTION_WORDS:
        return False
    # a "y" heard as a vowel or the reverse (Yvonne ~ evon)
    vowel_start = (
        heard[0] != name[0] and "y" in (heard[0], name[0]) and heard[0] + name[0] in _Y_SWAP
    )
    if abs(len(heard) - len(name)) > 3 or not (
        vowel_start or heard[0] in name[:2] + _SOUND_ALIKE.get(name[0], "")
    ):
        return False
    distance = levenshtein(heard, name)
    same_sound = soundex(heard) == soundex(name) or (
        vowel_start and soundex(heard)[1:] == soundex(name)[1:]
    )
    if vowel_start and same_sound and distance <= 3 and min(len(name), len(heard)) >= 4:
        return True
    if distance <= 1 and (min(len(name), len(heard)) >= 4 or same_sound):
        return True
    # a three-letter name allows one slip only ("team" is not Tim)
    if same_sound and distance <= max(1 if len(name) <= 3 else 2, len(name) // 3):
        return True
    return (
        len(name) >= 6
        and heard[:3] == name[:3]
        and distance <= 3
        and soundex(heard)[:2] == soundex(name)[:2]
    )


_PHONETIC_RULES = (
    (r"[^a-z]", ""),
    (r"igh|eigh", "i"),
    (r"ph", "f"),
    (r"^qu|(?<=[aeiou])qu", "k"),
    (r"q", "k"),
    (r"ck", "k"),
    (r"c(?=[eiy])", "s"),
    (r"c", "k"),
    (r"x", "ks"),
    (r"z", "s"),
    (r"dg", "j"),
    (r"^kn|^gn|^wr", lambda m: m.group()[1]),
    (r"gh", ""),
    (r"(?<=[^aeiouy])h", ""),
    (r"(?<=.)[aeiouyw]+", "a"),
    (r"^[aeiouy]+", "a"),
    (r"(.)\1+", r"\1"),
)
_PHONETIC_PATTERNS = tuple((re.compile(p), r) for p, r in _PHONETIC_RULES)


@lru_cache(maxsize=8192)
def phonetic_key(word: str) -> str:
    """A sound key in the spirit of Metaphone: spellings of one sound map alike
    (Quintero ~ kintero, Barnsley ~ barnsleigh); every vowel run is one vowel."""
    key = word.lower()
    for pattern, replacement in _PHONETIC_PATTERNS:
        key = pattern.sub(replacement, key)
    return key


def sounds_like_surname(heard: str, name: str) -> bool:
    """Looser match for a surname said after a title ("mister kintero" ~ Quintero): the
    same sound key, or keys one edit apart for longer names; `heard` may be several
    recognised words run together ("barn sleigh")."""
    heard = heard.replace(" ", "")
    if sounds_like(heard, name):
        return True
    if len(name) < 4 or len(heard) < 3:
        return False
    heard_key, name_key = phonetic_key(heard), phonetic_key(name)
    return heard_key == name_key or (
        len(name_key) >= 5 and levenshtein(heard_key, name_key) <= 1 and heard_key[0] == name_key[0]
    )


def is_short_form(heard: str, name: str) -> bool:
    """Whether a word is a short form of a name (Gwen for Gwendolyn, Alex for Alexandra)."""
    heard, name = heard.lower(), name.lower()
    return (
        len(heard) >= 3
        and len(name) - len(heard) >= 2
        and heard not in _FUNCTION_WORDS
        and name.startswith(heard)
    )
