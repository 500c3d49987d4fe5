"""SPIKES steps for unwelcome news: setting, perception, invitation, knowledge, strategy."""

from __future__ import annotations

import re

from voicecoach.scoring.detectors.base import CallState, Hit, TurnView, rx
from voicecoach.scoring.detectors.faults import unexplained_jargon
from voicecoach.scoring.detectors.resolution import by_us, not_offered, propose_solution

_SETTING = rx(
    r"(?:is|would) (?:now|this|it|right now) (?:still )?(?:a |an )?(?:good|okay|ok|all right"
    r"|convenient|bad|decent|alright|fine) (?:time|moment)"
    r"|(?:do|have) you (?:have|got) (?:a few|a couple(?: of)?|a minute|a moment|a sec|a second"
    r"|some time)\b|somewhere (?:\w+ )?(?:you can|to) (?:talk|speak)|are you driving"
    r"|(?:do|have|are) you (?:have |got |free )?(?:\w+ ){0,3}to (?:talk|chat|speak)(?! to)"
    r"|(?:good|convenient|okay|ok|all right) (?:time |moment )?to (?:talk|chat|speak)"
)
_PERCEPTION = rx(
    # what someone told the caller: "did anyone from the lab say anything to you"
    r"(?:(?:did|has|have|had) (?:they|the \w+|dr \w+|doctor \w+|your \w+)|(?:(?:did|has|have|had)"
    r" )?(?:anyone|anybody|someone|somebody))(?: \w+){0,4}? (?:tell|told|say|said|mention"
    r"|mentioned|explain|explained|share|shared|inform|informed|update|updated)(?: (?:to )?you"
    r"| anything| about| that| why| what)"
    # "can I ask what Liam's told you himself about it?"
    r"|what (?:has |have )?(?:\w+ ){1,2}(?:told|said to|explained to|mentioned to) you"
    r"|what you (?:have |had )?(?:heard|gathered|picked up)"
    r"|what (?:have you|were you|did (?:they|you|anyone|someone|the(?: \w+){1,2}|dr \w+|doctor"
    r" \w+|(?:your|our)(?: \w+){1,2}))(?: already)? (?:been )?(?:told|tell you|say|said|hear|heard"
    r"|understand|know|mention)"
    r"|(?:has|have) (?:anyone|anybody|someone|the(?: \w+){1,2}|dr \w+|doctor \w+|we|they)(?:"
    r" \w+){0,4}? (?:already )?(?:talked|spoken|called|contacted|reached out|explained|told you"
    r"|been in touch|filled you in)|do you know why (?:i am|we are|i have) calling"
    r"|did you (?:get|receive|see|hear) (?:our|the|a|my) (?:letter|message|call|email|voicemail"
    r"|notice|results?)"
    r"|what do you (?:already |currently )?(?:know|understand|remember)|what is your understanding"
    r"|how much do you (?:know|already know)|what (?:do|did) you (?:expect|think) (?:was|is|would)"
    r"|are you aware"
)
_INVITATION = rx(
    r"which (?:would|do) you prefer"
    r"|is it okay if i (?:explain|go through|share)"
    r"|(?:may|can) i (?:explain|go through|share|walk you through)"
    r"|would it help if i (?:explain|went|walk|go)"
    r"|(?:would you like|do you want|would you prefer|do you prefer|would it help to (?:have"
    r"|hear)|shall i give you|should i give you|can i give you|should i start with|shall i start"
    r" with)(?: me to (?:give you|tell you|start with|go through|share|go over))?(?: just| only|"
    r" all)?(?: the| a| an| all the| some| a quick| a short| the short| the full)?(?: \w+)?"
    r" (?:headlines?|summary|overview|gist|basics|picture|answer|version|story|details?|specifics"
    r"|bottom line|rundown|highlights|key points|main points|everything|all of it|short of it)"
    r"|(?:would you like|do you want|would you prefer|do you prefer|should i give you) (?:me to )?"
    r"(?:go (?:through|over)|explain|all the details|the details|the (?:short|full|long|quick|"
    r"whole) (?:version|story)|the main (?:point|thing|points)|more detail|to hear|walk you|hear|"
    r"the full|the whole|everything)"
    r"|how much (?:detail|information|do you want to know|would you like to know)"
    r"|(?:i can|shall i|should i|i could) (?:give you|tell you|go through|go over|walk you through"
    r"|explain) (?:the|all|just|everything|a)(?: \w+){0,12} or"
)
_NEWS = rx(
    # the plain news itself: not happening, closing, first opening months away
    r"(?:is|are|was|will|will be) (?:not|no longer) (?:going to )?(?:happening|happen|going ahead"
    r"|go ahead|take place|taking place|running|offered|open|available|possible|an option)(?!"
    r" again)"
    r"|(?:we are|we will be|were|is|are|will be) (?:\w+ )?(?:closing|shutting|closed|shut down"
    r"|discontinu\w*|ending|retiring)(?! (?:in on|the loop|the gap))"
    r"|(?:first|earliest|next|soonest) (?:\w+ ){0,4}?(?:opening|appointment|slot|availability"
    r"|spot|date|available)(?: \w+){0,4}? (?:is|will be|would be|we have is|is not) (?:not"
    r" )?(?:until|in|for|about|around)(?: \w+){0,3} (?:weeks?|months?|year)"
    # a plain refusal: "the insurance company said no to paying for the sessions"
    r"|(?:said|says|has said|have said|came back with a) no to"
    r"|(?:bad|sad|tough|disappointing|unwelcome) news (?:on|about|with|for) (?:this|that|the|your)"
    r"|(?:i am afraid|unfortunately|i am sorry to (?:say|tell you|let you know|have to tell you)"
    r"|i have (?:some )?(?:bad|difficult|unwelcome|disappointing|tough) news|the (?:main|short"
    r"|bottom|hard|tough|difficult) (?:thing|point|line|version|part|bit) is|the news is"
    r"|bad news is|i have to (?:let you know|tell you))"
    r"|(?:has|have|had|got|was|were|is|are|will be|has been|have been|is being|needs to be|had to"
    r" be|have to be|has to be|being) (?:been )?(?:cancelled|canceled|postponed|delayed|denied"
    r"|rejected|moved|rescheduled|pushed back|called off|dropped|declined|not approved"
    r"|not covered|bumped)"
    r"|(?:need|needs|have|has|will have) to (?:be )?(?:repeat|repeated|redo|redone|come back|come"
    r" in again|take your blood again|do it again|be done again|have it done again|retake|cancel"
    r"|reschedule|be redone|be retaken|draw)"
    r"|(?:have|need|had|has) to (?:move|cancel|reschedule|postpone|push back|change|delay)"
    r" (?:your|the)|need (?:another|a new) (?:sample|specimen|test|draw|referral|one)"
    r"|did not (?:go through|get approved|work out)|(?:again|another) (?:test|draw|sample)"
    # a refusal reported: "your insurance has said no to paying for the sleep study"
    r"|(?:has|have|had|just) (?:said no|turned (?:it |you |that |this )?down|refused)"
    r"|(?:can not|could not|will not|won|(?:is|are|am|was|were) (?:not|unable) (?:able )?to|will"
    r" not be able to|(?:is|are) not going to be able to) (?:be )?(?!imagine|hear|thank|believe"
    r"|stress|promise|tell you how|say how|wait to|help but|stand|apologi[sz]e|happen again"
    # withholding is not news: "I'm not able to say anything until the surgeon confirms"
    r"|say anything|share|discuss|comment|disclose|give out|release|go into)\w+"
    r"|(?:will|going to|is going to|are going to|could|might) (?:take|need) (?:\w+ ){0,3}(?:more"
    r"|another|extra|longer|additional)"
    r"|(?:needs|need|has|have) to (?:see you|be done|be seen|examine you|do (?:it|this|that)"
    r"|come) in person"
    r"|(?:has|have|had|is|will have) (?:\w+ )?(?:retired|left (?:the|our) (?:practice|clinic|"
    r"office|group)|stopped practicing|passed away)"
    r"|lost (?:your|the) (?:sample|specimen|results?|paperwork|form|referral)"
    r"|(?:went|has gone|have gone|had gone|got|was|were) (?:missing|lost)\b"
    r"|(?:is|are|will be) (?:leaving|moving away from) (?:the|our) (?:practice|clinic|office"
    r"|surgery|group)"
    r"|(?:is|are|was|were) (?:still )?not (?:ready|back|available|possible|finished|complete|done"
    r"|in|processed|approved)(?: yet)?"
)
_OPTIONS = rx(
    # what the caller can do next: "he can walk in whenever", "you can wait or see dr lee"
    r"(?:you|he|she|they) (?:can |could )?(?:\w+ )?(?:in|by) (?:whenever|any ?time|any (?:day"
    r"|weekday|morning|afternoon))|(?:your|the) (?:options|choices) (?:are|would be|include)"
    r"|(?:the|our|your) next steps? (?:is|are|will be)|what happens (?:next|now) is"
    r"|(?:you|she|he|they) (?:can|could) (?:\w+ ){1,8}or (?:(?:you|i|we|she|he|they) (?:can "
    r"|could )?)?\w+"
)


# an ask, by form: a question word or an auxiliary put first, or a request to say
# ("tell me", "fill me in", "let me know", "up to you", "whichever you prefer")
_ASK_FORM = rx(
    r"what|how|where|which (?:would|do|does|is|one|of|suits|sounds|you)|whichever|whatever"
    r"|(?:have|has|had|did|do|does|would|could|can|shall"
    r"|should|may|are|were|is|was|will) (?:you|anyone|anybody|someone|somebody|they|the|your|it|he"
    r"|she|we|i|dr|doctor|our|that|this)"
)
_ASKS_TO_SAY = rx(
    r"tell me|fill me in|let (?:me|us) know|(?:up to|depends on) you|(?:whatever|whichever|however"
    r"|as much as|as little as|what) you (?:prefer|would (?:like|rather|prefer)|like|want|wish)"
    r"|(?:i would|i had) (?:like|love) to (?:hear|know)|it would help (?:me )?to (?:know|hear)"
    r"|i am (?:keen|curious) to (?:hear|know)|(?:tell|share) (?:with )?us"
)


def asks_nothing(turn: TurnView, hit: Hit) -> bool:
    """Whether a meaning-layer perception or invitation asks the caller nothing of it: its
    words (its window, in a long recognised sentence) have no question form and no request
    to say ("so i heard back from the specialist doctor patel sent you to and im sorry to
    say..." reports what others said), or ask the setting question ("is now a good time to
    talk about your vein procedure do you have a few minutes"), or, in a punctuated turn,
    its sentence is a statement that asks the caller to say nothing ("The referral came
    back from the consultant, so...")."""
    words = turn.words_of(hit)
    sentence = turn.norm.sentence_text(hit.span.first_token)
    if not _ASK_FORM.search(words) and not _ASKS_TO_SAY.search(words):
        return True
    if _SETTING.search(words):
        return True
    return turn.stated(hit) and not _ASKS_TO_SAY.search(sentence)


def not_perception(turn: TurnView, hit: Hit) -> bool:
    """A meaning-layer perception that asks nothing (`asks_nothing`) or is, by the pattern,
    the invitation ("would you like me to go through the technical side of it, or...")."""
    return asks_nothing(turn, hit) or bool(_INVITATION.search(turn.words_of(hit)))


def not_invitation(turn: TurnView, hit: Hit) -> bool:
    """A meaning-layer invitation that asks nothing (`asks_nothing`) or is, by the pattern,
    the perception question ("what have they told you so far")."""
    return asks_nothing(turn, hit) or bool(_PERCEPTION.search(turn.words_of(hit)))


def setting(turn: TurnView, call: CallState) -> Hit | None:
    """Checks it is a good time and the caller can talk privately."""
    return turn.first(_SETTING)


def perception(turn: TurnView, call: CallState) -> Hit | None:
    """Asks what the caller already knows or was told."""
    return turn.first(_PERCEPTION)


_CHOICE = ("which", "whichever", "whatever")


def invitation(turn: TurnView, call: CallState) -> Hit | None:
    """Asks how much detail the caller wants before giving it; once the news is given, "which
    would you prefer" asks for a choice among the options."""
    return turn.first(
        _INVITATION, lambda m: not (call.news_given and m.group().startswith(_CHOICE))
    )


def delivers_news(turn: TurnView) -> Hit | None:
    """A statement of unwelcome news (cancelled, not covered, must be repeated...); "I'm
    afraid" closing a sentence is a tag, not news ("The policy is the policy, I'm afraid.")."""

    def not_a_tag(m: re.Match) -> bool:
        return m.group() != "i am afraid" or turn.norm.lined_text[m.end() : m.end() + 1] not in (
            "\n",
            "",
        )

    return turn.first(_NEWS, not_a_tag)


def knowledge(turn: TurnView, call: CallState) -> Hit | None:
    """Gives the news plainly; news first given buried in jargon does not count (jargon in a
    later sentence, after the plain news, is a fault of its own)."""
    if call.news_given:
        return None
    hit = delivers_news(turn) or turn.meaning("knowledge")
    if hit is None:
        return None
    jargon = unexplained_jargon(turn, call)
    _, news_end = turn.norm.sentence_of(hit.span.first_token)
    return hit if jargon is None or jargon.span.first_token >= news_end else None


def strategy_summary(turn: TurnView, call: CallState) -> Hit | None:
    """Summarises next steps, options and the follow-up plan: a proposal counts, by its
    pattern or, in new words, by its meaning layer when it names an act of ours and neither
    refuses nor tells the caller to act (as for propose_solution), once the news was given in
    an earlier turn (the head takes the news itself for a plan: "I have to tell you the
    assessment is cancelled; it will need a new date"); the news restated ("Dr Nguyen's
    crook, Friday's clinic is shut, and your review's off") is no plan."""
    hit = turn.first(_OPTIONS) or propose_solution(turn, call)
    if hit is None and call.news_given:
        hit = turn.meaning("propose_solution")
        if hit is not None and (not_offered(turn, hit) or not by_us(turn, hit)):
            hit = None
    return hit
