"""SPIKES steps for unwelcome news: setting, perception, invitation, knowledge, strategy."""

from __future__ import annotations

from voicecoach.scoring.detectors.base import CallState, Hit, TurnView, rx
from voicecoach.scoring.detectors.faults import unexplained_jargon
from voicecoach.scoring.detectors.resolution import propose_solution

_SETTING = rx(
    r"(?:is|would) (?:now|this|it|right now) (?:still )?(?:a |an )?(?:good|okay|ok|all right|"
    r"convenient|bad|decent|alright|fine) (?:time|moment)"
    r"|(?:do|have) you (?:have|got|get) (?:a few|a couple(?: of)?|a|five|two|ten|some|a spare)"
    r"(?: \w+)? (?:minutes?|moments?|time|sec|second|mins?)"
    r"|(?:do|have|are) you (?:have |got |free )?(?:\w+ ){0,3}to (?:talk|chat|speak)(?! to)"
    r"|is (?:now|this|it) (?:an? )?(?:\w+ )?(?:time|moment) (?:to|for)(?! (?:the|your|an?) )"
    r"|can you (?:talk|speak) (?:freely|privately|now|right now|for a|at the moment|openly)"
    r"|are you (?:somewhere|in a place|someplace|free|able) (?:\w+ ){0,3}(?:private|quiet|talk|"
    r"speak)|(?:somewhere|someplace) (?:private|quiet)|is (?:it|this) (?:okay|all right|a good "
    r"time) (?:to talk|to chat|if we talk)|can we talk (?:now|privately|for a)"
    r"|(?:good|convenient|okay|ok|all right) (?:time |moment )?to (?:talk|chat|speak)"
    r"|do you (?:have|got) (?:a few|a couple(?: of)?|a minute|a moment|a sec|a second|"
    r"some time)\b|are you driving|is now okay"
)
_TOLD = r"(?:tell|told|say|said|mention|mentioned|explain|explained|share|shared)"
_PERCEPTION = rx(
    # what someone told the caller: "what did dr ames's office tell you", "did anyone from the
    # lab say anything to you", "has the surgeon's team explained"
    r"what (?:did|has|have|had) (?:\w+ ){1,4}?" + _TOLD + r"(?: to)? you"
    r"|(?:(?:did|has|have|had) (?:they|the \w+|dr \w+|doctor \w+|your \w+)|(?:(?:did|has|have|had)"
    r" )?(?:anyone|anybody|someone|somebody))(?: \w+){0,4}? "
    + _TOLD
    + r"(?: (?:to )?you| anything| about| that| why| what)"
    r"|(?:has|have|did) (?:anyone|they|the \w+|your \w+)(?: \w+)? (?:sent|send|mailed|mail|"
    r"emailed|given|give|called|contacted) you (?:anything|any|a|the)"
    r"|what you (?:have |had )?(?:heard|gathered|picked up)"
    r"|what (?:have|had|did) you (?:already )?(?:been )?(?:told|heard|hear|understood|understand|"
    r"gathered|picked up)"
    r"|(?:what|how much) do you (?:already )?(?:know|understand|remember|recall) about"
    r"|"
    r"what (?:have you|were you|did (?:they|you|anyone|someone|the(?: \w+){1,2}|dr \w+|"
    r"doctor \w+|your(?: \w+){1,2}))(?: already)? (?:been )?(?:told|tell you|say|said|hear|heard"
    r"|understand|know|mention)"
    r"|what (?:has|have) (?:the(?: \w+){1,2}|anyone|someone|dr \w+|doctor \w+|your(?: \w+){1,2}|"
    r"they|we|our office) (?:already )?(?:told|said to|explained to|mentioned to|shared with) you"
    r"|(?:has|have) (?:anyone|anybody|someone|the(?: \w+){1,2}|dr \w+|doctor \w+|we|they)"
    r"(?: \w+){0,4}? (?:already )?(?:talked|spoken|called|contacted|reached out|explained|told "
    r"you|been in touch)"
    r"|do you know why (?:i am|we are|i have) calling|did you (?:get|receive|see|hear) (?:our|the|"
    r"a|my) (?:letter|message|call|email|voicemail|notice|results?)"
    r"|what you (?:already )?(?:know|understand|were told|have heard|have been told|remember)"
    r"|what do you (?:already |currently )?(?:know|understand|remember)|what is your "
    r"understanding|how much do you (?:know|already know)|what (?:do|did) you (?:expect|think) "
    r"(?:was|is|would)"
    r"|have you (?:heard|been told|been contacted|received|gotten|had|seen) (?:anything|any|a "
    r"(?:call|letter|message|notice|email))|did (?:anyone|someone|they|the \w+|dr \w+|doctor \w+) "
    r"(?:tell|explain|mention|call|let you know|say)|are you aware|what (?:were|have) you been "
    r"told|what do you know so far|(?:have|had) you been told|were you told|did they tell you"
)
_INVITATION = rx(
    r"(?:would you like|do you want|would you prefer|do you prefer|should i give you) (?:me to )?"
    r"(?:go (?:through|over)|explain|all the details|the details|the (?:short|full|long|quick|"
    r"whole) (?:version|story)|the main (?:point|thing|points)|more detail|to hear|walk you|hear|"
    r"the full|the whole|everything)"
    r"|how much (?:detail|information|do you want to know|would you like to know)"
    r"|(?:would you like|do you want|would you prefer) (?:me )?to (?:explain|go (?:through|over)|"
    r"walk you through|tell you)(?: \w+){0,8} or"
    r"|(?:i can|shall i|should i|i could) (?:give you|tell you|go through|go over|walk you through"
    r"|explain)"
    r" (?:the|all|just|everything|a)(?: \w+){0,12} or"
    r"|which (?:would|do) you prefer|(?:whichever|whatever) you (?:prefer|would like)|"
    r"how would you like me to|is it okay if i "
    r"(?:explain|go through|share)|(?:may|can) i (?:explain|go through|share|walk you through)"
    r"|do you want me to (?:explain|go into|go through)|would it help if i (?:explain|went|walk"
    r"|go)"
    # "would you like just the headline, or the whole picture?"
    r"|(?:^|ok|okay|so|and|or) (?:do )?you (?:want|prefer) me to (?:go|explain|walk|tell|give)"
    r"|(?:would you like|do you want|would you prefer|do you prefer|would it help to (?:have|hear)"
    r"|shall i give you|should i give you|can i give you|should i start with|shall i start with)"
    r"(?: me to (?:give you|tell you|start with|go through|share|go over))?(?: just| only| all)?"
    r"(?: the| a| an| all the| some| a quick| a short| the short|"
    r" the full)?(?: \w+)? (?:headlines?|"
    r"summary|overview|gist|basics|picture|answer|version|story|details?|specifics|bottom line|"
    r"rundown|highlights|key points|main points|everything|all of it|short of it)"
)
_NEWS = rx(
    # the plain news itself: retired, not happening, closing, first opening months away
    r"(?:has|have|had|is|will have) (?:\w+ )?(?:retired|left (?:the|our) (?:practice|clinic|"
    r"office|group)|stopped practicing|passed away)"
    r"|(?:is|are|was|will|will be) (?:not|no longer) (?:going to )?(?:happening|happen|going "
    r"ahead|go ahead|take place|taking place|running|offered|open|available|possible|an option)"
    r"(?! again)"
    r"|(?:we are|we will be|were|is|are|will be) (?:\w+ )?(?:closing|shutting|closed|shut down|"
    r"discontinu\w*|ending|retiring)(?! (?:in on|the loop|the gap))"
    r"|(?:first|earliest|next|soonest) (?:\w+ ){0,4}?(?:opening|appointment|slot|availability|"
    r"spot|date|available)(?: \w+){0,4}? (?:is|will be|would be|we have is|is not) (?:not )?"
    r"(?:until|in|for|about|around)(?: \w+){0,3} (?:weeks?|months?|year)"
    r"|(?:is|are|will be) (?:booked|full|fully booked|out) (?:up )?(?:until|for|through)"
    r"|"
    r"(?:i am afraid|unfortunately|i am sorry to (?:say|tell you|let you know|have to tell you)|"
    r"i have (?:some )?(?:bad|difficult|unwelcome|disappointing|tough) news|the (?:main|short|"
    r"bottom) (?:thing|point|line|version) is|the news is|bad news is|i have to (?:let you know|"
    r"tell you))"
    r"|(?:has|have|had|got|was|were|is|are|will be|has been|have been|is being|needs to be|had "
    r"to be|have to be|being) (?:been )?(?:cancelled|canceled|postponed|delayed|denied|rejected|"
    r"moved|rescheduled|pushed back|called off|dropped|declined|not approved|not covered|bumped)"
    r"|(?:can not|will not|could not|are not able to|are unable to|is not able to|won) "
    r"(?:take|accept|bill|see you|cover|go ahead|use|read|process|keep|do the|be covered|pay)"
    r"|(?:need|needs|have|has|will have) to (?:be )?(?:repeat|repeated|redo|redone|come back|"
    r"come in again|take your blood again|do it again|be done again|have it done again|retake|"
    r"cancel|reschedule|be redone|be retaken|draw)"
    r"|(?:denied|declined|rejected|cancelled|canceled|postponed) (?:the|your|it|that)"
    r"|(?:has|have|needs|need|had) to be (?:cancelled|canceled|postponed|moved|rescheduled|"
    r"delayed|repeated|redone|changed|pushed back|called off)"
    r"|(?:have|need|had|has) to (?:move|cancel|reschedule|postpone|push back|change|delay) "
    r"(?:your|the)|lost (?:your|the) (?:sample|specimen|results?|paperwork|form|referral)"
    r"|need (?:another|a new) (?:sample|specimen|test|draw|referral|one)"
    r"|not (?:covered|in network|accepted|approved|in your network)|stopped (?:working|covering|"
    r"accepting|taking)|no longer (?:seeing|taking|accepting|covered|covering|in|able|work)"
    r"|dropped (?:us|you|our)|has to cancel|did not (?:go through|get approved|work out)"
    r"|(?:was|were) not (?:enough|able|approved)|nothing is wrong|(?:again|another) (?:test|draw|"
    r"sample)"
    # any "cannot / will not be able to" about the service: "can't see new patients until March"
    r"|(?:can not|could not|will not|won|(?:is|are|am|was|were) (?:not|unable) (?:able )?to|will "
    r"not be able to|(?:is|are) not going to be able to) (?:be )?(?!imagine|hear|thank|believe|"
    r"stress|promise|tell you how|say how|wait to|help but|stand|apologi[sz]e|happen again)\w+"
    r"|(?:is|are) not going to \w+\b(?! again)"
    r"|(?:is|are|was|were) (?:still )?not (?:ready|back|available|possible|finished|complete|done|"
    r"in|processed|approved)(?: yet)?|(?:will|going to|is going to|are going to|could|might) "
    r"(?:take|need) (?:\w+ ){0,3}(?:more|another|extra|longer|additional)"
    r"|(?:will have|has|have|need|needs|will need) to wait|(?:needs|need|has|have) to (?:see you|"
    r"be done|be seen|examine you|do (?:it|this|that)|come) in person"
)
_OPTIONS = rx(
    # what the caller can do next: "he can walk in whenever", "you're welcome to call back"
    r"(?:you|he|she|they) (?:can|could|are welcome to|is welcome to|are free to|is free to) "
    r"(?:\w+ ){0,2}?(?:walk in|come in|come by|drop in|drop by|stop by|call (?:us|me|back|the)|"
    r"book|rebook|reschedule|pick (?:it|them|up)|go to|switch|transfer|get seen|be seen)"
    r"|(?:you|he|she|they) (?:can |could )?(?:\w+ )?(?:in|by) (?:whenever|any ?time|any (?:day|"
    r"weekday|morning|afternoon))"
    r"|"
    r"(?:there are|you have|we have|i can give you|i have|here are) (?:a few|two|three|some|a "
    r"couple(?: of)?|several|a number of|other|your) (?:\w+ )?(?:options|choices|ways|"
    r"alternatives|possibilities)"
    r"|(?:your|the) (?:options|choices) (?:are|would be|include)|here is (?:the plan|what (?:we "
    r"will|i will|we can|happens|i can|i am going to|we are going "
    r"to) do|what happens next)|(?:to|so to|let me) (?:sum up|summarize|summarise|recap)"
    r"|(?:the|our|your) next steps? (?:is|are|will be)|what happens (?:next|now) is|so to sum"
    r"|(?:you|she|he|they) (?:can|could) (?:\w+ ){1,8}or (?:(?:you|i|we|she|he|they) (?:can |could"
    r" )?)?\w+"
)


def setting(turn: TurnView, call: CallState) -> Hit | None:
    """Checks it is a good time and the caller can talk privately."""
    return turn.first(_SETTING)


def perception(turn: TurnView, call: CallState) -> Hit | None:
    """Asks what the caller already knows or was told."""
    return turn.first(_PERCEPTION)


def invitation(turn: TurnView, call: CallState) -> Hit | None:
    """Asks how much detail the caller wants before giving it."""
    return turn.first(_INVITATION)


def delivers_news(turn: TurnView) -> Hit | None:
    """A statement of unwelcome news (cancelled, not covered, must be repeated...)."""
    return turn.first(_NEWS)


def knowledge(turn: TurnView, call: CallState) -> Hit | None:
    """Gives the news plainly; news first given buried in jargon does not count."""
    if call.news_given:
        return None
    hit = delivers_news(turn) or turn.meaning("knowledge")
    if hit is None or unexplained_jargon(turn, call):
        return None
    return hit


def strategy_summary(turn: TurnView, call: CallState) -> Hit | None:
    """Summarises next steps, options and the follow-up plan."""
    return turn.first(_OPTIONS) or propose_solution(turn, call)
