"""Problem-solving steps: clarify, take ownership, propose a solution, confirm the plan."""

from __future__ import annotations

import re

from voicecoach.scoring.detectors.base import DAY_OR_TIME, NUM, CallState, Hit, TurnView, rx

IDENTITY_WORDS = re.compile(
    r"\b(?:(?:your|full|first|last|legal|middle|maiden|patient|his|her|sons?|daughters?|childs?"
    r"|wifes?|husbands?) name|name (?:and|on (?:the|your) (?:account|file))|date of birth|"
    r"birth date|birthdate|birthday|dob|born|your (?:home |mailing )?"
    r"address|zip|postal|"
    r"spell|phone number|member id|insurance id|policy number|social security|last four)\b"
)

# what someone else is asked to do: "I'll have billing correct it", "get the nurse to call"
_DELEGATED = (
    r"(?:call|correct|fix|review|send|look|update|resubmit|redo|reprocess|ring|phone|contact|"
    r"sign|check|process|reissue|change|cancel|reverse|remove|waive|fill|approve|email|fax)"
)

# --- clarify ------------------------------------------------------------------

_ASK_QUESTIONS = rx(
    r"(?:may|can|could|might) i (?:please )?ask (?:you )?(?:a few|some|a couple(?: of)?|one|a|"
    r"two|three|some quick|a quick|a couple quick)(?: more| quick| short)* questions?"
    r"|(?<!to )help (?:me )?(?:to )?(?:understand|make sense|get (?:a )?clear|see what|"
    r"figure out what|picture|(?:get|wrap) my head (?:around|round)|follow|piece together|"
    r"get (?:this|it|that|the \w+) straight)"
)
_RESTATE = rx(
    r"just so (?:i|we) (?:\w+ ){0,3}(?:right|clear|straight|correct)"
    r"|let me (?:repeat|read|play|say) (?:that|this|it) back|let me (?:get|make|be) (?:this|that|"
    r"it|sure i have (?:this|that|it)) (?:straight|clear|right)"
    r"|if i am following (?:you|this|that|correctly)|"
    r"(?:so )?(?:to|let me) (?:recap|sum up|summarize|summarise) what you"
)
_CHECK_TAIL = rx(
    r"(?:is|was) (?:that|this) (?:what|how) (?:you|the \w+|they|she|he|your \w+|it)(?: \w+){0,2} "
    r"(?:see|seeing|saw|told you|said|say|says|have|got|understand|understood|heard|remember|"
    r"meant|mean|showing|shows|on your|in your)"
    r"|(?:is|was) (?:that|this) (?:your|how you) (?:understanding|understand|remember|see it)"
    r"|(?:does|do) (?:that|this|it) (?:match|line up with|fit) (?:what|your|with)"
    r"|(?:have|did) i (?:understood|understand|heard|hear) (?:that|it|this|you|everything) "
    r"(?:correctly|right)"
    r"|(?:is that|was that|have i got (?:that|it|this|everything)|did i get (?:that|it|this"
    r"|everything)|do i have (?:that|it|this|everything)|am i|is this|does that sound) (?:(?!all"
    r" )\w+ )?(?:right|correct|accurate)"
)
_SO_RIGHT = rx(
    r"so (?:basically |just |then |okay )?(?:the|you|your|it|there|they|that|what|he|she|we)"
    r"(?: \w+){2,30}? (?:right|correct|got it|yes|is that it|have i got that|do i have that)"
    r"(?= (?:i|okay|so|and|then|because|let)\b|$)"
)
_FACT_QUESTION = rx(
    r"(?:^|(?:okay|so|and|all right|yes|yeah|sure|great|got it|thank you|thanks|now|first|"
    r"also|right|just|quickly|perfect|alright|then|roughly|about|approximately|around|and then|"
    r"remind me|(?:(?:can|may|could) )?i ask|quick question|one question|i wonder) (?:\w+ )?)"
    r"(?P<q>what (?:day|date|time|was"
    r"|were|did"
    r"|exactly|kind|type|happened "
    r"when|does it|amount|(?:is|are|was|were) (?:the|their|his|her|that|those) \w+)|"
    r"which(?! (?:is|was|means|meant|will|would|should|could|can|has|had|makes|gives|leaves|i|"
    r"we|you|he|she|they)\b)|"
    r"when (?:did|was|were|is|do)|"
    r"where (?:did|was|were)|who (?:was|did|were|told|said|called)|how (?:long|many|much|often) "
    r"|(?:was|is|are) (?:it|that|this|the|your|they|he|she)|were your|did your|has your|have your|"
    r"were (?:you|they"
    r"|there)|did (?:you|they|the|she|he|it|anyone|"
    r"someone)|do you (?:know|remember|have|still)|have you (?:already |ever )?(?:had|got|"
    r"gotten|received|called|been)|is it|is (?:this|that) (?:the|for|about)|had you|(?:can"
    r"|could|would) you (?:please )?tell me (?:just |exactly |again )?(?:what|when|which|how|"
    r"who|where|if|whether|the|about the)|(?:can|could) you (?:confirm|check) (?:which|what|when|"
    r"the (?!date)))",
    re.MULTILINE,  # `^`: a sentence's start (matched by sentence)
)
_FACT_THING = (
    r"(?:visit|visits|appointment|bill|bills|statement|charge|charges|fee|fees|amount|balance|"
    r"payment|price|cost|estimate|invoice|claim|copay|pharmacy|prescription|refill|medication|"
    r"medicine|pills?|dose|date|dates|day|time|letter|notice|email|message|voicemail|fax|form|"
    r"forms|paperwork|referral|school|test|results?|lab|scan|x ray|nurse|specialist|location|"
    r"branch|office|clinic|number|account ending|card|plan|policy|reason|problem|issue|error)"
)
_AUX = r"(?:was|were|is|are|did|does|do|has|had|will|would)"
# "which pharmacy was it", "what date is on the letter", "when did the bill come",
# "can you tell me the amount": a wh-word right before the thing or before an auxiliary
# (so "we'll call you when the results come in" is no question)
_THING_QUESTION = rx(
    r"(?:(?:what|which|how much|how many|how long)(?: \w+)?|(?:what|which|when|where|how much|"
    r"how many|how long) "
    + _AUX
    + r"(?: \w+){0,3}?|(?:can|could|would) you (?:please )?(?:tell me|remind me|confirm|check|"
    r"read me)(?: \w+){0,3}?) " + _FACT_THING
)
_INDIRECT_BEFORE = re.compile(
    r"(?:know|check|checking|see|find out|look|looking|confirm|tell you|show you|figure out|"
    r"send|sending|ask|asked|wonder|sure|explain|remember|learn|about|decide|choose|pick|"
    r"matter|exactly|is)$"
)
# a relative clause, not a question: "which is the 18th", "which (is) a test done to..."
_RELATIVE_CLAUSE = rx(
    r"(?:which|that|who) (?:is|was|are|were|means|meant|will|would|has|had|can|could|should|"
    r"makes|gives|leaves|a|an|the|this|that|it|he|she|they|we|i|you)"
)
_NOT_FACT_QUESTION = re.compile(
    r"anything else|does that|would (?:that|this|you like)|is there|what can i|how can i|prefer|"
    r"(?:works?|good|best|better|easier) for you|suits? you|would you like|want to come|"
    r"good time|(?:is|are) (?:that|this|it|those|these)(?: all)? (?:okay|all right|alright|fine|"
    r"good|acceptable|everything|all)|okay if i|all right if i|a few minutes|a minute|somewhere|"
    r"you know what i mean|do you have (?:a|any) "
    r"questions|are you (?:ok|okay|free|able to talk)|did you want|work for you"
)

# A question that is another act: an offer or request ("can i", "would you like"), a
# next-step or closing check, an invitation to talk ("can you tell me what happened",
# "what's bothering you"), a greeting ("how are you"), the caller's name ("who am i
# speaking with"), an accusation ("why did you"), or
# advice put as a question ("have you tried", "what about", "would it help to").
# advice put as a negative question: "would it not be better you order earlier?"
_ADVICE_QUESTION = rx(
    r"(?:would|will|is|does) (?:not it|it not) (?:be |make )?(?:\w+ )?(?:better|easier|wiser|"
    r"smarter|quicker|simpler|best|safer|sense)|would not be (?:better|easier|smarter|simpler"
    r"|best|wiser|safer)|(?:should|could) (?:not you|you not)|do not you think"
    r"|^(?:\w+ )?better you"
)
_OTHER_QUESTION = re.compile(
    r"^(?:(?:okay|ok|so|and|well|oh|hi|hello|hey|great|sure|alright|all right|yes|yeah|no|"
    r"now|then|but|also|just|there|good (?:morning|afternoon|evening)) )*"
    r"(?:(?:can|could|may|shall|should) (?:i|we)|would you|do you (?:want|need|mind)|will you|"
    r"(?:can|could|would) you (?:please )?(?:tell|try|maybe|perhaps|just|give|hold|spell|"
    r"repeat|say|share|talk)|"
    r"is there|(?:are there )?any (?:other |more )?questions|anything|what can|how can|"
    r"what else|how (?:are|is|have|was your (?:day|weekend|evening|morning)|s it|are things)|"
    r"hows|what (?:is|s) (?:bothering|troubling|on your mind|going on|up)|"
    r"(?:with )?(?:who|whom) (?:am i|is (?:this|calling)|s (?:this|calling))|"
    r"(?:why|how come) (?:did|didnt|do not|dont|didn t|not|would you|were you|are you|you)|"
    r"have you (?:ever |guys |all )?(?:tried|thought|considered|contemplated|looked into)|"
    r"(?:what|how) about|what if|what do you think (?:about|of)|would(?: not)? it|"
    r"do you think (?:it|that|this|maybe|perhaps|you (?:could|should|might|would))|"
    r"is it possible|are you (?:able|okay|ok|free|still there|ready|happy|comfortable|sure)|"
    r"does (?:that|this|it) (?:work|sound|suit|make)|is (?:that|this|it) (?:ok|okay|"
    r"all right|alright|fine|good|better|clear)|did (?:that|this|i) (?:help|answer|make)|"
    r"(?:did|do) you (?:get|have) any questions)\b"
    r"|\b(?:maybe|perhaps|might help|could help|would help|help you)\b"
)


def _question_about_the_situation(turn: TurnView) -> Hit | None:
    """A sentence written as a question that asks about the caller's situation ("Are you
    working?", "Was it a large amount?"): any question of two or more words that is no
    other act (`_OTHER_QUESTION`, `_NOT_FACT_QUESTION`, a next-step check) and asks for no
    identifier."""
    for a, b in turn.norm.questions:
        text = " ".join(turn.norm.tokens[a:b])
        if b - a >= 2 and not (
            _OTHER_QUESTION.search(text)
            or _ADVICE_QUESTION.search(text)  # "next time, would it not be better to...?"
            or _NOT_FACT_QUESTION.search(text)
            or _CONFIRM.search(text)  # "would Thursday be any good?" checks the plan
            or IDENTITY_WORDS.search(text)
        ):
            return Hit(turn.norm.span(a, b - 1))
    return None


def clarify(turn: TurnView, call: CallState) -> Hit | None:
    """Asks about the problem's facts or restates them (identity questions do not count)."""

    def not_identity(m: re.Match) -> bool:
        return not IDENTITY_WORDS.search(m.group())

    def not_identity_ahead(m: re.Match) -> bool:
        return not IDENTITY_WORDS.search(m.group() + " " + turn.after(m, 6))

    def not_identity_sentence(m: re.Match) -> bool:
        return not IDENTITY_WORDS.search(turn.norm.sentence_text(turn.norm.token_at(m.start())))

    for pattern, accept in (
        (_ASK_QUESTIONS, not_identity),
        (_RESTATE, not_identity_ahead),
        (_CHECK_TAIL, not_identity_sentence),
        (_SO_RIGHT, not_identity),
    ):
        hit = turn.first(pattern, accept)
        if hit:
            return hit

    names = set(call.name_parts)

    def about_the_problem(m: re.Match) -> bool:
        ahead = m.group("q") + " " + turn.after(m, 7)
        return not (
            IDENTITY_WORDS.search(ahead)
            or names.intersection(turn.after(m, 3).split())
            or _NOT_FACT_QUESTION.search(ahead)
            or m.group()[: m.start("q") - m.start()].endswith("which ")
        )

    def about_the_problem_thing(m: re.Match) -> bool:
        ahead = m.group() + " " + turn.after(m, 5)
        return not (
            _RELATIVE_CLAUSE.match(m.group())
            or IDENTITY_WORDS.search(ahead)
            or _NOT_FACT_QUESTION.search(ahead)
        )

    hit = turn.first(_FACT_QUESTION, about_the_problem, by_sentence=True) or turn.first(
        _THING_QUESTION,
        lambda m: about_the_problem_thing(m) and not _INDIRECT_BEFORE.search(turn.before(m, 2)),
    )
    if hit and hit.span.last_token > hit.span.first_token:
        return Hit(turn.norm.span(hit.span.first_token + 1, hit.span.last_token))
    return hit or _question_about_the_situation(turn)


# --- take_ownership -----------------------------------------------------------

_ACTION = (
    r"(?:make (?:this|it|that|things) right|get to the bottom|follow through|take care|handle"
    r"|deal with|sort|fix|resolve|look into|look in to|make sure|see to|"
    r"see that|see this|take this on|take it on|take on|own|chase|follow up|follow this up|"
    r"get (?:this|it|that|you|your|the|a|them)|call|phone|ring|contact|reach|speak|talk|ask|"
    r"have \w+ (?:team |department |office |staff )?" + _DELEGATED + r"|"
    r"escalate|check (?:on|with|into)|find out|track down|fax|send|email|mail|remove|waive|"
    r"reverse|refund|credit|cancel|book|schedule|reschedule|put|pull|update|flag|search|walk|"
    r"correct|adjust|void|drop|move|change|set (?:you|it|this|that|up)|have (?:someone|the|a|my|"
    r"our|dr|doctor|her|his|them)|take (?:the|that|it|this) (?:fee |charge )?off|personally|"
    r"bring|hand deliver|write|submit|resubmit|investigate|go through|dig into|pass|note|mark|"
    r"expedite|rush|push|approve|authorize|re ?bill|fill|re ?send|go ahead|text|message|page|"
    r"notify|alert|call|pop)"
)
_OWN = rx(
    r"(?:i will|i am going to|i am gonna|let me|i promise(?: to| i will| that i will)?|i want to|"
    r"i would like to|i shall)(?: personally| myself| go ahead and| make sure to| also| then| "
    r"just|"
    r" now| right now)* "
    + _ACTION
    + r"|i (?:can|could) (?:personally|myself) \w+|i will be the one"
    r"|i am (?:personally )?(?:on it|taking (?:this|it|care|charge|ownership)|putting|walking|"
    r"calling|sending|faxing|emailing|flagging|removing|waiving|booking|writing|making a note|"
    r"escalating|handling|looking into|reversing|refunding|crediting|chasing)"
    r"|(?:you have|i give you) my word|consider it done|i will (?:see (?:this|it|that) through|"
    r"take it from here|make (?:this|it) (?:my|a) (?:top )?priority|keep you (?:posted|updated|"
    r"informed|in the loop)|not let (?:this|it) (?:drop|slip|go))"
    r"|i will be your (?:point of contact|contact|go to)"
    # any personal action: "I'll burn the disc myself"
    r"|(?:i will|i am going to|let me|i am)(?! (?:need|have to|just need|be (?:out|off|away)|not))"
    r"(?: \w+){1,5} (?:myself|personally)\b"
    r"|my goal is to (?:resolve|fix|sort|get)"
    # "I'll stay on top of this", "I'm going to (stay) on this one" (a word may be lost)
    r"|(?:i will|i am going to|i am|i am gonna|let me)(?: (?:personally|stay|be|keep|remain|stick|"
    r"get|right|myself|staying|keep))* on (?:this|it|top of (?:this|it|that|things))(?! \w+ing)"
    r"(?! (?:screen|account|form|list|file|page|system|call|line))"
)
_NOT_OWN = re.compile(
    r"\bask you\b|\bask (?:a (?:few|couple)|some|one|two|a quick)\b|"
    r"^(?:let me (?:get|have|take your|grab|confirm|verify|just get|just check|check one|check "
    r"who|"
    r"ask you|(?:see|open|find|(?:pull|look|bring) up) (?:your|her|his|their|the)|put you on "
    r"hold|transfer)|i will (?:need|just need|transfer|put you on hold|let (?:them|someone)|pass "
    r"(?:it|this|that|you) (?:on|along)|have to ask you))"
)


def take_ownership(turn: TurnView, call: CallState) -> Hit | None:
    """Personally commits to resolving it, or to reaching the person who can."""
    return turn.first(_OWN, lambda m: not _NOT_OWN.search(m.group() + " " + turn.after(m, 2)))


# --- propose_solution ---------------------------------------------------------

CONCRETE_ACTION = (
    r"(?:credit|book|schedule|fax|send|email|e mail|text|call (?:you|her|him|them|back|the|your|"
    r"her back|him back)|ring (?:you|her|him|them)|put (?:you|it|the|that|a|your|him|her)|"
    # someone named, at a time: "ring Paudie myself this afternoon"
    r"(?:call|ring|phone) \w+ (?:myself|today|tonight|tomorrow|this|now|first thing)|"
    # "I'll have the letter emailed over to you"
    r"have (?:the|a|your|his|her|their) (?:\w+ )?(?:emailed|sent|posted|faxed|ready|booked|printed"
    r"|redone|corrected)|"
    r"get (?:you|it|the|a|your|that|those|this) (?:in|on|an|a|booked|seen|sent|over|out|to|moved|"
    r"fixed|approved|refilled|back|sorted|done|resolved|taken care)|void|drop|mark (?:it|the|this|"
    r"that)|flag|ask (?:my|the|your|our|dr|doctor|her|his|a|billing|the nurse|your insurance)|walk "
    r"(?:it|the|this)|search|look for|split|make an exception|leave it booked|expedite|rush|order|"
    r"request|renew|add (?:you|it|a)|file|open (?:a|an)|sign|change (?:it|the|that|this|your)|copy|"
    r"scan|replace|unlock|fix|mark your)"
)
_SOON = (
    r"(?:"
    + DAY_OR_TIME
    + r"|straight away|first thing|within (?:the|an|a|"
    + NUM
    + r") (?:hour|hours|day|days)|while you (?:are|wait) (?:on the (?:line|phone))?)"
)
_PROPOSE = rx(
    r"(?:i will|i am going to|i can|let me|we will|i would be happy to|we are (?:able|happy) to|"
    r"i would be glad to|i have|why do not we|we are going to|i just|"
    # "what I can do is email you the form"
    r"what (?:i|we) (?:can|could|will|am going to|are going to) do (?:is|now is)(?: to)?|"
    # an offer put impersonally: "one option is to split the balance"
    r"(?:one|another|the other|an|the best|a good|the simplest) (?:option|choice|possibility"
    r"|solution|way forward|thing (?:i|we) (?:can|could) do) (?:is|would be|might be) to)"
    r"(?: personally| go ahead and| also| gladly)* "
    + CONCRETE_ACTION
    + r"|(?:i have(?! (?:you|your|him|her|it) )|i got(?! (?:you|your) )|how about|what about|"
    r"a slot|availability)(?: \w+){0,6} " + _SOON
)


_REFUSAL = rx(
    r"nothing (?:that )?(?:i|we|anyone) (?:can|could)|(?:i|we) (?:can not|could not|am not able to"
    r"|are not able to) (?:do|change|help)|there is nothing (?:i|we)\b"
)


# the caller told to act ("you can call back tomorrow when the doctor is in", "you'll need to
# contact your insurer"): no action of the practice's
_ON_CALLER = rx(
    r"you(?: will| would)? (?:can|could|might|may|should|must|need to|have to|are welcome to"
    r"|(?:might|may) want to|are better off|would be better off|be better off)"
    r"(?: always| just| also| still| try(?: and| to)?)* (?:call|ring|phon|email|e mail|contact"
    r"|try|speak|talk|ask|write|complain|chase|send|get in touch)\w*"
)
_OURS = rx(r"i|we|let me|let us")


def not_offered(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) proposal (its window, in a long recognised
    one) refuses ("if it were up to me I'd refund it, but there's nothing I can do"), as the
    pattern's own check reads it, or tells the caller to act with no action of the practice's
    ("you can call back tomorrow when the doctor is in")."""
    words = turn.words_of(hit)
    if _REFUSAL.search(words):
        return True
    return _ON_CALLER.search(words) is not None and _OURS.search(words) is None


def by_us(turn: TurnView, hit: Hit) -> bool:
    """Whether the words of a (meaning-layer) proposal name an act of the practice's (I, we,
    let me/us); "Friday's clinic is shut and your review's off" names none."""
    return _OURS.search(turn.words_of(hit)) is not None


def propose_solution(turn: TurnView, call: CallState) -> Hit | None:
    """States a concrete action or resolution (waive the fee, book a time, call back by ...);
    a refusal ("I hear you, but there's nothing I can do") never counts."""

    def concrete(m: re.Match) -> bool:
        if _NOT_OWN.search(m.group() + " " + turn.after(m, 2)):
            return False
        return not _REFUSAL.search(turn.norm.sentence_text(turn.norm.token_at(m.start())))

    return turn.first(_PROPOSE, concrete)


# --- confirm_next_step --------------------------------------------------------

_AGREE = (
    r"(?:work|works|suit|suits|sound (?:good|okay|all right|fair|right|like a plan|reasonable|ok)|"
    r"sounds (?:good|okay|all right|fair|right)|be (?:okay|all right|acceptable|fine|"
    r"(?:any )?good|helpful|ok|better)|any good|help|fit|okay with you|all right with you|"
    r"acceptable|(?:feel|seem|sit|sits|feels|seems) (?:\w+ )?(?:okay|all right|right|good|fair|"
    r"reasonable|better|well|fine))"
)
_CONFIRM = rx(
    r"(?:will|would|does|do|did|is|can|could|might) (?:that|this|it|those|these|either|either of "
    r"those|either one|any of those|one of those|that time|that plan|this plan|that slot|that "
    r"option|the plan|that day|that date|" + r"(?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)(?: \w+){0,4})(?! not)(?: \w+){0,2} "
    + _AGREE
    + r"|how (?:does|do) (?:that|this|those) sound"
    r"|do you agree"
    r"|(?:sound|sounds) good(?! to me)"
    r"|is that okay|is that all right|would you prefer"
    r"|(?:which|what)(?: one| option| day| time| slot| of (?:those|these|them|the two))? (?:works|"
    r"suits|sounds|fits|is|would be) (?:better|best|easier|good|easiest)? ?(?:for|to) you"
    r"|(?:which|what)(?: one| option| day| time| slot| of (?:those|these|them|the two))? (?:works|"
    r"suits|fits) you (?:best|better)"
    r"|how (?:do|does|would) (?:you|that|this) feel about (?:that|this|the plan|those|these|me|it|"
    r"doing)|can you live with (?:that|this)|"
    # "does the 18th work for you", "would early morning suit you"
    r"(?<!i )(?<!we )(?<!it )(?<!that )(?<!this )(?<!they )(?<!she )(?<!he )(?<!what )"
    r"(?:does|do|would|will|could|can|is) (?!(?:\w+ )?not )(?:\w+ ){0,12}?(?:work|suit|fit|be"
    r" (?:okay|all right|fine|(?:any )?good|better)|okay|ok|all right|alright|fine)"
    r" (?:for |with |by )?you\b"
    r"|(?:can|could|shall|should) we (?:try|do|go with|"
    r"give) (?:that|this|it)(?: a (?:try|go|shot))?(?: together)?(?: then)?(?:$| okay| yes| is| "
    r"now)"
)


# a plan imposed: "whether it suits you or not" (not "let me know whether it suits you")
_IMPOSED = rx(r"(?<!know )(?<!me )(?<!ask )whether (?:\w+ ){1,6}?or not|like it or (?:not|lump it)")
# a check put as a request, not a question: "let me know if that date suits"
_ASKS_TO_SAY = rx(
    r"let (?:me|us) know|please confirm|(?:tell|confirm|say)(?: to)?(?: me| us)? (?:if|whether)"
)


def confirm_next_step(turn: TurnView, call: CallState) -> Hit | None:
    """Checks the caller agrees with the plan ("will that work for you?")."""
    return turn.first(_CONFIRM)


def checks_nothing(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) next-step check asks the caller nothing: a
    statement in a punctuated turn ("I'll handle it."; a recogniser writes no "?", so there
    any sentence may ask) that asks them to say nothing either, the plan imposed ("whether
    it suits you or not") or advice as a negative question ("would it not be better...")."""
    sentence = turn.norm.sentence_text(hit.span.first_token)
    if _ADVICE_QUESTION.search(sentence) or _IMPOSED.search(sentence):
        return True
    return turn.stated(hit) and not _ASKS_TO_SAY.search(sentence)
