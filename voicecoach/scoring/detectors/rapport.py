"""Rapport steps: thanking, using the name, inviting the story, empathy, closing."""

from __future__ import annotations

import re
from functools import lru_cache

from voicecoach.scoring.detectors.base import SECOND_PERSON, CallState, Hit, TurnView, rx
from voicecoach.scoring.text import (
    is_short_form,
    levenshtein,
    soundex,
    sounds_like,
    sounds_like_surname,
)

# --- thank_caller -------------------------------------------------------------

_THANKS = rx(
    r"(?:thank you|thanks|thank u|many thanks|cheers)(?: (?:so|very|ever so|so so) much| a lot|"
    r" a million| kindly| a bunch| heaps| loads)?"
    r"(?: again)?(?: for (?P<object>(?:\w+ ){0,3}\w+))?"
)
_THANKS_NOT_FOR = re.compile(
    r"^(?:that$|that (?!call|calling)|this$|the info|your (?:name|date|birthday|dob"
    r"|address|zip|phone|number|"
    r"full name|details|information)|confirming|verifying|spelling|that date|the date)"
)
_APPRECIATE = rx(
    r"(?<!thank )(?<!thanks )(?<!to )(?<!ask )(?<!tell )you (?:so much |very much )?for (?:calling"
    r"|letting us know|bringing|your patience|holding|waiting|reaching out|raising|flagging)"
    r"|(?:(?:i|we) (?:really |truly |do |so )?)?appreciate (?:you|your) (?:\w+ )?(?:call|calling"
    r"|patience|"
    r"bringing|letting|reaching|raising|telling|flagging|holding|waiting|understanding|following|"
    r"getting|taking|time|pointing|persistence)"
    r"|(?:i am|we are) (?:so |really |very )?glad you (?:called|rang|phoned|reached out|got in "
    r"touch|"
    r"brought|let us know|told us|raised|called us)"
)


def thank_caller(turn: TurnView, call: CallState) -> Hit | None:
    """Thanks the caller for calling, raising it, holding or being patient (even sarcastically)."""

    def genuine(m: re.Match) -> bool:
        if turn.before(m, 1) == "no":  # "no thank you" declines something
            return False
        obj = m.group("object")
        if obj is None:
            return " again" in m.group()  # "thanks again" thanks for the call itself
        return not _THANKS_NOT_FOR.match(obj)

    return turn.first(_THANKS, genuine) or turn.first(_APPRECIATE)


# --- use_name -----------------------------------------------------------------

_TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mister",
    "missus",
    "dr",
    "doctor",
    "sir",
    "constable",
    "sergeant",
    "officer",
    "inspector",
    "detective",
    "pc",
    "professor",
    "councillor",
    "reverend",
    "father",
}
_HONORIFICS_AFTER = {"sir", "madam", "maam", "ji", "sahib", "saab"}
_REFERENCE_BEFORE = {
    "for",
    "about",
    "with",
    "to",
    "from",
    "of",
    "tell",
    "told",
    "ask",
    "asked",
    "let",
    "see",
    "saw",
    "this",
    "is",
    "speak",
    "speaking",
    "reach",
    "call",
    "page",
    "whether",
    "if",
    "and",
}
_REFERENCE_AFTER = {
    "is",
    "was",
    "has",
    "had",
    "needs",
    "needed",
    "will",
    "would",
    "should",
    "can",
    "could",
    "did",
    "does",
    "said",
    "says",
    "told",
    "wants",
    "called",
    "came",
    "went",
    "got",
    "gets",
    "must",
    "might",
    "may",
    "there",
}
_COMMON_WORDS = {
    "mark",
    "will",
    "bill",
    "grace",
    "hope",
    "faith",
    "may",
    "june",
    "april",
    "joy",
    "rose",
    "drew",
    "pat",
    "sue",
    "art",
    "ray",
    "dawn",
    "summer",
    "rich",
    "chase",
    "frank",
    "jack",
    "don",
    "guy",
    "sunny",
    "young",
    "king",
    "brown",
    "white",
    "green",
    "black",
    "long",
}
_VOCATIVE_NEIGHBOURS = {
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "you",
    "okay",
    "so",
    "oh",
    "yes",
    "yeah",
    "sorry",
    "well",
    "great",
    "right",
    "sure",
    "bye",
    "again",
    "care",
    "morning",
    "afternoon",
    "now",
}


_GREETING_BEFORE = {"you", "thanks", "hi", "hello", "hey", "bye", "morning", "afternoon"}


def _name_tokens(call: CallState) -> tuple[str, str]:
    parts = call.name_parts
    if not parts:
        return "", ""
    return parts[0], parts[-1] if len(parts) > 1 else ""


def _first_name_at(tokens: list[str], i: int, first: str) -> tuple[int, bool] | None:
    """Where the first name heard at token i ends, and whether it was a short form:
    one word (tolerant spelling), two words run together ("to bias" = Tobias), or a
    short form ("gwen" for Gwendolyn)."""
    found = _heard_as_name(tokens[i], tokens[i + 1] if i + 1 < len(tokens) else "", first)
    return None if found is None else (i + found[0], found[1])


@lru_cache(maxsize=16384)
def _heard_as_name(word: str, next_word: str, first: str) -> tuple[int, bool] | None:
    """(extra words used, short form?) when `word` (with `next_word`) sounds like `first`."""
    if sounds_like(word, first):
        return 0, False
    joined = word + next_word
    if (
        next_word
        and len(joined) >= 5
        and levenshtein(joined, first) <= max(1, len(first) // 4)
        and soundex(joined) == soundex(first)
    ):
        return 1, False
    if is_short_form(word, first):
        return 0, True
    return None


def use_name(turn: TurnView, call: CallState) -> Hit | None:
    """Addresses the caller by name (first name, or title + surname), not a namesake relative."""
    first, last = _name_tokens(call)
    if not first:
        return None
    tokens = turn.norm.tokens
    inner = set(call.name_parts[1:-1])  # "van der" in "Annelie van der Merwe"
    for i, tok in enumerate(tokens):
        title = _title_before(tokens, i, inner)
        titled = title is not None
        first_at = _first_name_at(tokens, i, first)
        is_first = first_at is not None
        last_end = _surname_end(tokens, i, last, titled) if last else None
        if last and not titled and i > 0 and sounds_like(tokens[i - 1], first):
            last_end = i if sounds_like(tok, last) else None
        elif last and not titled and i + 1 < len(tokens) and tokens[i + 1] in _HONORIFICS_AFTER:
            # a surname with the honorific after it: "good evening Rathore sir", "Sharma ji"
            last_end = i if sounds_like(tok, last) and tok not in _COMMON_WORDS else None
        elif last and i > 0 and tokens[i - 1] in _GREETING_BEFORE and len(last) >= 5:
            # a bare surname right after "thank you" / "hi" (the title lost by the recogniser)
            last_end = i if sounds_like(tok, last) and tok not in _COMMON_WORDS else None
        is_last = last_end is not None
        if not (is_first or is_last) or (i > 0 and tokens[i - 1] in {"dr", "doctor"}):
            continue
        start = title if title is not None else i - 1 if is_last and not is_first else i
        end = first_at[0] if is_first else last_end
        if is_first and end + 1 < len(tokens) and last and sounds_like(tokens[end + 1], last):
            end += 1
        before = tokens[start - 1] if start > 0 else ""
        after = tokens[end + 1] if end + 1 < len(tokens) else ""
        # "mr washington can you give me..." asks the one named: no reference
        asks_them = end + 2 < len(tokens) and tokens[end + 2] == "you"
        is_reference = before in _REFERENCE_BEFORE or (after in _REFERENCE_AFTER and not asks_them)
        if is_reference and not _is_vocative_boundary(turn, start, end):
            continue
        needs_vocative = tok in _COMMON_WORDS or (is_first and first_at[1])
        if needs_vocative and not (
            before in _VOCATIVE_NEIGHBOURS
            or after in _VOCATIVE_NEIGHBOURS
            or not before
            or not after
            or _is_vocative_boundary(turn, start, end)
        ):
            continue
        return Hit(turn.norm.span(start, end))
    return None


def _title_before(tokens: list[str], i: int, inner: set[str]) -> int | None:
    """Where the title before token i is, over the name's inner parts ("mrs van der merwe")."""
    j = i - 1
    while j >= 0 and tokens[j] in inner and i - j <= 3:
        j -= 1
    return j if j >= 0 and tokens[j] in _TITLES else None


def _surname_end(tokens: list[str], i: int, last: str, titled: bool) -> int | None:
    """Where a surname heard at token i ends: after a title it may be misspelt by sound or
    split in two ("mister kintero", "mrs barn sleigh" for Quintero, Barnsley)."""
    if not titled:
        return None
    if sounds_like_surname(tokens[i], last):
        return i
    if i + 1 < len(tokens) and sounds_like_surname(tokens[i] + tokens[i + 1], last):
        return i + 1
    return None


def _is_vocative_boundary(turn: TurnView, start: int, end: int) -> bool:
    """A comma or full stop right after the name ("Grace, is that right?")."""
    norm = turn.norm
    word = norm.orig_index[end]
    return word in norm.commas or word in norm.boundaries


# --- invite_and_listen --------------------------------------------------------

_INVITE = rx(
    r"tell me (?:about|what|how|everything|all|more|the whole|exactly|your side|the story|"
    r"from the (?:start|beginning)|in your own words|a bit|a little|when|where|who|happened|"
    r"whats|what is)"
    r"|(?:walk|talk|take) me through|fill me in|i am (?:all ears|listening|here to (?:help|listen))"
    r"|(?:i want|i would like|i would love|i need|i am happy) to hear (?:it|all|about|what|your|"
    r"from you|the whole|everything|more|how|the story)"
    r"|what (?:is|was) the (?:problem|issue|matter|trouble)(?! is| was| with (?:the|your) (?:card|"
    r"insurance))|what (?:happened|is going on|has been going on|is been going on|went on|went "
    r"wrong|"
    r"seems to be the (?:problem|issue|trouble)|is on your mind)(?! is| was)"
    r"|what (?:does|did) (?:the|your|that) (?:letter|bill|statement|notice|email|message|text|"
    r"voicemail|invoice) say|share (?:with me )?(?:what|everything|the whole)|in your own words"
    r"|i am here (?:now|for you|and i|go ahead)"
)
_NOT_KNOWING = re.compile(
    r"\b(?:not sure|no idea|not know|i know|we know|understand|wonder|unsure|not explain|not see|"
    r"figure out|find out|check|check on|look at|look into|looking at|looking into|look up|see|"
    r"review|go over|pull up|about|into|at|explain|know|learn|sorry for|sorry about)$"
)


def invite_and_listen(turn: TurnView, call: CallState) -> Hit | None:
    """Invites the caller to tell what happened or signals listening."""
    return turn.first(_INVITE, lambda m: not _NOT_KNOWING.search(turn.before(m, 3)))


# --- empathize ----------------------------------------------------------------

FEELING = (
    r"(?:beside myself|at (?:my|your) wits end|frustrat\w*|upset\w*|annoy\w*|anger|angry|mad"
    r"|maddening|madden\w*|worr\w*|stress\w*|"
    r"scar\w*|awful|terrible|horrible|hard|difficult|tough|disappoint\w*|concern\w*|confus\w*|"
    r"embarrass\w*|hurt\w*|let down|fed up|overwhelm\w*|inconvenien\w*|rough|unfair|not fair|"
    r"nerve wracking|anxious|anxiety|unsettl\w*|exhaust\w*|rattl\w*|aggravat\w*|irritat\w*|"
    r"furious|fuming|livid|seething|steaming|painful|a pain|distress\w*|shock\w*|sad|"
    r"heartbreak\w*|nightmare|hassle|unacceptable|vex\w*|gutted|"
    r"how you (?:are )?feel\w*|where you are coming from|a lot to (?:deal with|handle|take in)|"
    r"your frustration|your concern|how that feels|how it feels|humiliat\w*|infuriat\w*|"
    r"discourag\w*|alarming|alarm\w*|unnerv\w*|miserable|lousy|(?:too|so|really|pretty|feel) bad"
    r"|nervous|afraid|fright\w*|"
    r"a (?:real )?blow|not (?:what you|the news you) (?:were )?(?:hoping|wanted|want))"
)
_EMPATHY = rx(
    # first-person acknowledgement of a feeling
    r"i (?:can |do |completely |totally |really |absolutely |fully |certainly |truly |"
    r"definitely |only |just |well |honestly |can only |so )*(?:understand|imagine|see|hear|get"
    r"|appreciate|know|tell|sense|recognize)"
    r"(?: \w+){0,7} "
    + FEELING
    # "that is so stressful", "must have been scary" ("you sound exhausted": the meaning layer)
    + r"|(?:is|was|sounds|must be|can be|has been) (?:really |so |very |super |pretty |incredibly "
    r"|just |such )?(?:a )?(?:(?:proper|real|right|total|massive) )?(?:stressful|frustrating|scary"
    r"|upsetting|worrying|nerve wracking|awful|"
    r"terrible|horrible|maddening|infuriating|exhausting|disappointing|overwhelming|annoying|"
    r"distressing|alarming|unsettling|nightmare|hassle|frightening|miserable|draining|"
    r"heartbreaking|rough|gutting|demoralizing|demoralising|insulting|hurtful|scary|headache"
    # "that's a tough spot", "it is a lot to deal with"
    r"|(?:tough|hard|rough|difficult|horrible|awful|horrid) (?:spot|position|situation|place)"
    r"|(?:proper|real|right|total) pain"
    r"|lot to (?:deal with|take in|handle|cope with|carry))"
    # apologies that acknowledge the caller's experience
    r"|(?:i am|we are) (?:so |really |very |truly |terribly |deeply |just )*sorry"
    r"(?! (?:but|to interrupt|can|could|what|i did not|i missed|for the (?:wait|hold|delay)|"
    r"about the (?:wait|hold|delay)|to keep you))"
    r"|i hear (?:you|how|what you|that you)"
    # "... must have been scary", "the last thing anyone wants", "nobody likes to hear that"
    r"|(?:must|might|would|could|can) (?:have been|be|feel|have felt) (?:\w+ ){0,2}"
    + FEELING
    # "that letter must have given her an awful fright"
    + r"|(?:must|would|will) have (?:given|caused) (?:\w+ ){0,3}(?:fright|scare|shock|worry|panic"
    r"|stress|upset|headache)\b"
    + r"|(?:the )?last thing (?:anyone|anybody|you|someone|a person|people|any of us) (?:\w+ )?"
    r"(?:wants?|needs?|needed|wanted|expects?|expected|would want|should have)"
    # an exclamation of the feeling: "so annoying when you did everything right", "how awful"
    + r"|(?:^|(?:oh|gosh|wow|ugh|ah|man) )(?:so|how|really|very|just) (?:\w+ )?"
    + FEELING
    + r"|(?:nobody|no one) (?:wants|likes|enjoys|should have|deserves|expects) to"
    r"|(?:no|small|little) wonder (?:that )?you|you have every (?:right|reason) to (?:be|feel|\w+)"
    # "I'd be thrown too", "that would drive anyone up the wall"
    r"|i would (?:be|feel|have been|have felt|get|go|have gone|lose it|react) (?!able|happy|glad)"
    r"(?:\w+ ){0,3}?(?:too|as well|also|myself|(?:exactly |just )?the same(?: way)?)\b"
    r"|(?:would|will|could|enough to) (?:\w+ )?(?:drive|send|push|get to|wind up|throw|shake|"
    r"rattle|unsettle|upset|frustrate|annoy|worry|scare|stress|anger|bother) (?:anyone|anybody|"
    r"most people|everyone|any of us)\b"
    r"|(?:drive|drives|driving|drove) (?:anyone|anybody|me|you|people|everyone) (?:up the \w+|"
    r"crazy|mad|nuts|round the bend|insane|spare|to distraction)"
    r"|i (?:completely |totally |really |fully |absolutely )?"
    r"(?:understand|get it)(?! (?:your|the|what you|that you|you|if|when|which|because|right|"
    r"correct|straight|wrong|down|sorted|done|fixed|back|to|for|in|out|over|through))"
    r"|i (?:can |could )?(?:\w+ )?(?:tell|see|hear|sense) (?:how much|how important|how (?:\w+"
    r" )?(?:this|that|it) (?:matters|means)|(?:that )?you (?:really |clearly |obviously )?care"
    r"|(?:that )?(?:this|it) (?:really |clearly )?(?:matters|means))"
)
_NEGATED_FEELING = re.compile(
    r"\b(?:not|no|never)\b(?! (?:fair|deserve|what you|the news|imagine|wonder))(?!.*\bsorry\b)"
)
_IMPERSONAL = re.compile(r"to (?:say|tell|know|get|find|reach|answer|read|predict|do|see)\b")
_IMPERSONAL_WORDS = {"hard", "difficult", "tough", "bad", "concerning", "confusing"}
_BARE_ACKNOWLEDGEMENT = re.compile(
    r"i (?:\w+ )?(?:understand|get it|get that|hear you|know)|i (?:\w+ )?(?:understand|get) "
    r"(?:that|it)"
)
_BUT_CLAUSE = rx(r"but|however|although|that said")


_SOMEONE_ELSE = rx(r"he|she|they|him|her|them|his|their")
_HARD_TO_KNOW = rx(r"(?:hard|difficult|tough|impossible) to (?:say|tell|know|predict|answer)")


def feels_for_no_caller(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) empathy hit is not about the caller's
    feelings: it speaks of someone else's and not to the caller ("maybe he's embarrassed, he's
    been struggling with his mood"), or only says a thing is hard to know ("hard to say, it
    depends")."""
    sentence = turn.norm.sentence_text(hit.span.first_token)
    if _HARD_TO_KNOW.search(sentence):
        return True
    return SECOND_PERSON.search(sentence) is None and _SOMEONE_ELSE.search(sentence) is not None


def empathize(turn: TurnView, call: CallState) -> Hit | None:
    """Acknowledges the caller's feelings; "I understand, but that's policy" does not count."""
    from voicecoach.scoring.detectors.faults import is_dismissive_text

    def sincere(m: re.Match) -> bool:
        if turn.before(m, 1) in {"not", "never"} or _NEGATED_FEELING.search(m.group()):
            return False
        if _IMPERSONAL.match(turn.after(m, 2)) and m.group().split()[-1] in _IMPERSONAL_WORDS:
            return False
        rest = turn.sentence_after(m, 16)
        but = _BUT_CLAUSE.search(rest)
        if not but:
            return True
        if _BARE_ACKNOWLEDGEMENT.fullmatch(m.group()) and but.start() <= 1:
            return False  # "I understand, but ..." names no feeling: the meaning layer judges it
        return not is_dismissive_text(rest[but.end() :], turn.norm.text)

    return turn.first(_EMPATHY, sincere)


# --- close_call ---------------------------------------------------------------

_REPORTED = re.compile(r"\b(?:say|said|mention|mentioned|tell you|told you|notice|noticed|see)\b")
_CLOSE = rx(
    r"(?:is there |was there )?anything else(?! (?:but|than))"
    r"(?: (?:i|we) can| you need| you would like| on your mind| for you| today| you want|"
    r"| that i can| i could| we could| you would| at all| while| going on)"
    r"|what else can (?:i|we) (?:do|help)"
    r"|any other (?:questions|concerns)"
    r"|(?:have i|did i) answer(?:ed)? (?:all )?your questions|(?:does|did) that answer "
    r"(?:all )?your questions?|have i covered everything"
    r"|(?:i|just) (?:want|wanted) to make sure (?:we|i|that we|that i|everything)"
    r"(?: \w+){0,3} (?:resolved|sorted|covered|taken care|answered|fixed)"
    r"|(?:thank you|thanks) (?:so much |very much )?again"
    r"|thank you for (?:giving us|the (?:chance|opportunity))"
    r"|is there anything (?:\w+ )?(?:i|we) can (?:do|help)"
)


# asking leave to ask ("may I ask a few questions so I have everything right?") opens
# questions and closes nothing, whatever a learned head makes of "everything"
_ASKS_LEAVE_TO_ASK = rx(
    r"(?:may|can|could|might) i (?:just |quickly )?ask(?: you)? (?:a|an|some|one|two|three|few"
    r"|couple|something|questions?|what|when|which|who|where|how)|(?:do|would) you mind if i ask"
)


def asks_leave_to_ask(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) closing asks leave to ask questions."""
    return _ASKS_LEAVE_TO_ASK.search(turn.norm.sentence_text(hit.span.first_token)) is not None


def close_call(turn: TurnView, call: CallState) -> Hit | None:
    """Checks nothing else is needed, or thanks the caller again at the end."""
    return turn.first(_CLOSE, lambda m: not _REPORTED.search(turn.before(m, 3)))
