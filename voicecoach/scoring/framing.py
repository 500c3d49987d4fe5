"""What a trainee sentence does not assert: quoted, negated or sarcastic words.

"She told you to calm down?" quotes a colleague; "I'm not going to pretend I
understand how you feel" denies empathy; "thanks for nothing" is not thanks.
A step or fault found inside such words is not the trainee's own act.
Works on canonical text (`text.py`) and returns canonical token ranges.
"""

from __future__ import annotations

import re

from voicecoach.scoring.text import NormText

# words that say who speaks only as "someone" would ("I never said", "as I said", "that said")
_NOT_A_SPEAKER = (
    r"(?:i|we|you|it|that|this|which|who|what|as|and|but|so|just|never|not|already|also|again"
    r"|have|has|had|was|is|were|be|been|ever|all|one|nobody|everyone|anyone|really|only)\b"
)
# "she told you to calm down", "you said the nurse...", "your colleague said ..."
_REPORTING = re.compile(
    r"\b(?:(?:she|he|they|someone|somebody|anyone|(?:the|your|my|a|our) \w+|\w+) "
    r"(?:told|tells|said to|says to|asked|was telling|was saying to|kept telling) you"
    # not "what you said" / "everything you are saying": a reference, not a quote
    r"|(?<!what )(?<!everything )(?<!all )(?<!that )"
    r"you (?:said|say|are saying|were saying|told me|mentioned|were told|got told|heard)"
    # a named or titled colleague, perhaps with an adverb and the listener: "Sandra actually
    # said to me last week, 'why did you...'", "our senior always says 'nothing we can do'"
    r"|(?:she|he|they|someone|somebody|(?:the|your|a|our|my) \w+|(?!" + _NOT_A_SPEAKER + r")\w+)"
    r"(?: (?:actually|always|just|once|even|then|literally|kept|keeps|used to|would))?"
    r" (?:said|says|wrote|was like|was saying|were saying|was asking|asked me|asked us|told me"
    r"|told us)(?: to (?:me|us|him|her|them))?"
    # the coworker's own words to a patient: "you told him 'calm down'"
    r"|you (?:told|said to|were telling|kept telling|asked) (?:him|her|them|everyone|everybody"
    r"|patients|(?:the|that|a|this) \w+|(?:mr|mrs|ms|miss|dr) \w+)"
    # "the manager came over to me going 'why did you...'"
    r"|(?:to|at) (?:me|us|him|her) (?:going|like)(?! to)"
    r"|quote|in (?:her|his|their) words)\b(?: that| to)?"
)
# The trainee denies doing the act: "I'm not going to pretend...", "not sorry", or sets the
# caller's feelings aside.
_NEGATED_ACT = re.compile(
    r"\b(?:i|we)(?: \w+){0,2} (?:not|never)\b"
    r"(?! (?:imagine|blame|surprised|surprising|wonder|deserve|let|want you|want this|want that"
    r"|mean to|have to worry|worry|stop|rest|give up|leave|sure|ignore|forget|hesitate))"
    r"|\bnot (?:sorry|apologi[sz]\w*)\b|\bno (?:apology|apologies)\b"
    # feelings set aside: "this isn't about how you feel", "it doesn't matter what you think"
    r"|\b(?:this|that|it) (?:is|was) not about (?:how|what) you\b"
    r"|\b(?:does|do|did) not matter (?:how|what) you\b"
)
# The trainee denies saying a brush-off: "I'm not saying it's your fault", "I would never tell
# you to calm down", "nobody is blaming you" (not "I'm not telling you again").
_DENIED_SAYING = re.compile(
    r"\b(?:i|we)(?: \w+){0,2} (?:not|never) (?:saying|say|said|telling|tell|told|suggesting|asking"
    r"|blaming|blame|going to (?:say|tell|blame|pretend))\b(?!(?: \w+)? again)"
    r"|\b(?:nobody|no one|noone) (?:is|was|here is) (?:saying|blaming|suggesting)\b"
    # "it's not that there's nothing I can do, it's that there's a right way to do it"
    r"|\b(?:it|that) is not that\b"
)
# The trainee says they will not ask: what follows in the sentence is not asked ("I'm not
# going to bother asking if this is a good time or what anyone told you").
_DENIED_ASKING = re.compile(
    r"\b(?:i|we)(?: \w+){0,2} (?:not|never)(?: going to)?(?: (?:even|bother|bothering))*"
    r"(?: to)? (?:ask|asking)\b"
)
# praise as a sentence alone, answering a complaint: "Oh, marvellous." (the sentence after it
# is sarcastic too: "Oh, marvellous. Thanks ever so much for sharing that.")
_PRAISE_ALONE = (
    r"^oh (?:marvellous|marvelous|wonderful|brilliant|fantastic|lovely|perfect|great|joy)$"
)
_SARCASM = re.compile(
    r"\b(?:thanks?(?: you)? (?:a lot )?for nothing|sorry (?:that )?you (?:feel|think|see it)"
    r"(?: that way| like that)?|sorry not sorry|sorry if you (?:feel|felt|think|are offended)"
    # "good for you" as a sentence of its own, not an offer ("is Tuesday any good for you")
    r"|^(?:(?:well|oh|wow) )?good for you|must be nice"
    r"|(?:oh )?(?:great|wonderful|lovely|perfect) job"
    r"|(?:wave|waving) (?:my|a) (?:little )?magic wand"
    r"|thanks (?:so much |heaps |a lot )?for (?:wasting|the attitude|the earful|the lecture"
    r"|the abuse)|congratulations on|big surprise|what a shock"
    r"|just what i (?:needed|need)(?! to)|(?:oh )?great another"
    r"|" + _PRAISE_ALONE + r")\b",
    re.MULTILINE,
)


_CLAUSE_WORDS = frozenset({"but", "and", "so", "because", "when", "if", "though", "although"})


def reported_ranges(norm: NormText, pattern: re.Pattern = _REPORTING) -> list[tuple[int, int]]:
    """Token ranges [start, end) that report someone else's words (to the sentence end)."""
    ranges = []
    for m in pattern.finditer(norm.text):
        start = norm.token_at(m.end()) + (1 if m.end() < len(norm.text) else 0)
        _, end = norm.sentence_of(norm.token_at(m.start()))
        if start < end:
            ranges.append((norm.token_at(m.start()), end))
    return ranges


def denied_asking_ranges(norm: NormText) -> list[tuple[int, int]]:
    """Token ranges [start, end) after "I'm not going to ask" (to the sentence end)."""
    return reported_ranges(norm, _DENIED_ASKING)


def sentence_text(norm: NormText, start: int, end: int) -> str:
    return " ".join(norm.tokens[start:end])


def is_negated(sentence: str) -> bool:
    """Whether a canonical sentence denies the trainee's own act."""
    return _NEGATED_ACT.search(sentence) is not None


def denies_saying(text: str) -> bool:
    """Whether canonical text denies saying a brush-off ("I'm not saying it's your fault"):
    a fault found after it is not the trainee's act (a denied step is `is_negated`'s)."""
    return _DENIED_SAYING.search(text) is not None


def sarcasm(text: str) -> re.Match | None:
    """A sarcastic formula in canonical text ("thanks for nothing"), if any; pass
    `NormText.lined_text` to let a formula that is a sentence alone ("good for you") match."""
    return _SARCASM.search(text)


def is_sarcastic(sentence: str) -> bool:
    return sarcasm(sentence) is not None


def clause_before(norm: NormText, token: int, n_words: int = 6) -> str:
    """Up to n canonical words before a token, within its sentence and clause (for a
    negation in front of a match: "I'm not going to pretend I understand")."""
    start, _ = norm.sentence_of(token)
    words = norm.tokens[max(start, token - n_words) : token]
    cut = max((i + 1 for i, w in enumerate(words) if w in _CLAUSE_WORDS), default=0)
    return " ".join(words[cut:])


def unasserted(norm: NormText, token: int) -> str | None:
    """Why a token is not the trainee's own positive act ("reported", "sarcastic", "denied":
    after "I'm not going to ask"), or None."""
    if any(a <= token < b for a, b in reported_ranges(norm)):
        return "reported"
    a, b = norm.sentence_of(token)
    if is_sarcastic(sentence_text(norm, a, b)):
        return "sarcastic"
    if a > 0 and re.match(_PRAISE_ALONE, sentence_text(norm, *norm.sentence_of(a - 1))):
        return "sarcastic"
    if any(a <= token < b for a, b in denied_asking_ranges(norm)):
        return "denied"
    return None
