"""Checks (help me understand, identity verification) and the record-disclosure context.

`verify_identity` is met when the trainee asks for or confirms a second
identifier (date of birth, address, zip code...) before giving any record
details. The same context tells a confidentiality breach apart: record
details about a patient given to a third party (a relative answering, a
spouse calling) who was not checked against the patient's release list.
"""

from __future__ import annotations

import re

from voicecoach.scoring.detectors.base import (
    NUM,
    SECOND_PERSON,
    WEEKDAYS,
    CallState,
    Hit,
    TurnView,
    rx,
)
from voicecoach.scoring.text import fold

_HELP_ME_UNDERSTAND = rx(
    r"(?<!to )help (?:me )?(?:to )?(?:understand|make sense|get (?:a )?(?:clear|clearer|"
    r"better) (?:picture|"
    r"idea|sense|understanding)|see (?:what|how|where)|figure out (?:what|how|where)|follow|"
    r"picture|get my head around|wrap my head around|understand better)"
    r"|i (?:would like|want|am trying|need|would love) to (?:better |fully |really )?understand"
    r"|help me get this right"
    r"|(?:can|could|would) you (?:please )?me (?:understand|make sense)"  # "help" lost
)
SECOND_IDENTIFIER = rx(
    r"date of birth|birth date|birthdate|birthday|dob|d o b|when you were born|year of birth|"
    r"(?:date|day|data) (?:of|a|to|uh) (?:birth|bird|berth)|of (?:birth|bird)|date birth|"
    r"your date(?: of)?(?= and| please| for| first| again| to|$)|date of(?= please| so| and| for|"
    r" first| again|$)|"
    r"zip code|zip|postal code|post code|(?<!\ba )(?<!\ban )(?<!\bour )(?<!clinic )(?<!office )(?:"
    r"home|your|current|street|mailing) "
    r"address|the address (?=on file|we have|on your)|"
    r"address (?:we have )?on (?:file|your (?:file|account|record|chart)|the (?:account|file|"
    r"record|chart))|last four|social security|member (?:id|number)|"
    r"insurance id|policy number|phone number on (?:file|the account)|medical record number|"
    r"mrn|patient id|account number"
)
_REQUEST_BEFORE = rx(
    r"confirm|verify|get|have|give|tell|what|can|could|may|need|and|please|read|check|provide|"
    r"spell|also|with|is|just|double check|go over"
)
_REQUEST_AFTER = re.compile(r"(?:please|for me|is that|to confirm|again|real quick|and)\b")
_RECORD_DETAIL = rx(
    r"(?:i|we) (?:can |do )?(?:see|have|found|show|am looking at|pulled up)(?: \w+){0,6} "
    r"(?:account|balance|charge|charges|fee|bill|statement|payment|results?|appointment|chart|"
    r"record|file|claim|dollars|\$)"
    r"|(?:your|the|his|her) (?:account|chart|file|record|results?|balance|bill|statement|claim|"
    r"notes?) (?:shows?|says|has|is|are|came back|went)|(?:it|that|this) (?:shows|says|looks like)"
    r"|on (?:your|the|his|her) (?:account|file|chart|record)|" + NUM + r" dollars|\$\d+"
    r"|(?:came back|applied to)|still (?:open|owing|outstanding|unpaid|due)|you (?:still )?owe"
    r"|(?:got|have|had) you (?:down|booked|in|pencilled in)(?: \w+)? (?:for|on|at|with)"
)
_RELATION = (
    r"(?:mother|mom|mum|mam|ma|father|dad|husband|wife|son|daughter|partner|boyfriend|"
    r"girlfriend|"
    r"brother|sister|grandmother|grandfather|grandma|grandpa|granny|grandson|granddaughter|"
    r"grandchild|nan|nana|aunt|uncle|niece|nephew|"
    r"friend|neighbor|neighbour|fiance|fiancee|child|kid|parent|parents|roommate|spouse|"
    r"stepdad|stepmom|caregiver|carer)"
)
# Who else may phone about a patient, as they introduce themselves ("I'm his manager",
# "this is Tom, Karen's ex-husband"): family, friends, and people from the patient's life.
_CONNECTION = (
    r"(?:(?:ex|former|step) )?(?:"
    + _RELATION[3:-1]
    + r"|manager|boss|employer|supervisor|coworker|co worker|colleague|landlord|landlady|teacher"
    r"|coach|lawyer|attorney|solicitor|cousin|guardian)"
)
# words after "i am" that name no one the caller belongs to ("i am a manager", "i am so")
_NOT_AN_OWNER = ("a", "an", "the", "my", "our", "your", "so", "very", "just", "really", "not")
_THIRD_PARTY = rx(
    r"(?:calling|call|asking|ringing|phoning|here|checking) (?:about|for|on behalf of|regarding|"
    r"in for) (?:my|our) "
    + _RELATION
    + r"|this is (?:my|(?:\w+ ){0,2}(?:his|her|their|(?!(?:my|our|your|the|a|an|so|to)\b)\w+)) "
    + _CONNECTION
    + r"|i am (?:his|her|their|(?!(?:"
    + "|".join(_NOT_AN_OWNER)
    + r")\b)\w+) "
    + _CONNECTION
    + r"|i am (?:a|an) "
    + _CONNECTION
    + r" of\b"
    + r"|(?:calling|call) on (?:his|her|their) behalf|(?:she|he|they) asked me to (?:call|ring|"
    r"find out|check)|my "
    + _RELATION
    + r" asked me to"
    + r"|(?:she|he|they) (?:is|are) (?:at work|not here|not home|not in|out|not available|"
    r"unavailable|busy|asleep|in the shower|at school|away|in the hospital|not around|sleeping)"
    r"|my "
    + _RELATION
    + r" (?:test|tests|scan|results|appointment|bill|bills|account|prescription|lab|labs|biopsy|"
    r"mri|x ray|visit|bloodwork|blood work|surgery|procedure|records?|file|chart|medication|meds"
    r"|medicines?|prescriptions|refill|tablets|treatment|referral|insurance)"
    r"|(?:she|he) is my "
    + _RELATION
    + r"|can i take a message|(?:she|he) can not (?:come to|get to|talk)"
    # a finder: "I found a phone at the Kwik Trip and it keeps getting texts from you"
    r"|i (?:have )?(?:found|picked up|came across|have got) (?:a|an|someone|somebody|this|some)"
    r" (?:\w+ )?(?:phone|mobile|wallet|purse|bag|handbag|card|letter|keys|prescription|parcel)"
    # a carer or helper: "the lady I look after", "a gentleman we support"
    r"|(?:the|a) (?:lady|man|gentleman|woman|person|client|chap|fella|resident|lad|girl|boy"
    r"|young man|young lady|old boy|old lady) (?:i|we) (?:look after|care for|support|work for"
    r"|help|visit|clean for|do shopping for)"
    # the caller owns up late: "it's actually not me, it's my brother", "I handle her bills"
    r"|(?:it|that) (?:is|was) (?:actually |really )?not (?:me|for me|mine)\b"
    r"|(?:it|that|this) (?:is|was) (?:actually |really )?(?:for|about) my "
    + _RELATION
    + r"|i (?:just |also |usually )?(?:look after|handle|manage|deal with|sort out|take care of|pay"
    r"|do(?: all)?)"
    r" (?:his|her|their) (?:post|mail|bills|affairs|finances|paperwork|account|appointments"
    r"|medication|meds|medicines)"
    r"|my " + _RELATION + r" (?:\w+ )?(?:had|has|got|needs|did) (?:a |an |his |her |some |the )?"
    r"(?:test|tests|scan|appointment|results|bloodwork|blood work|procedure|surgery|biopsy|x ray|"
    r"mri|visit|lab|labs|prescription)"
    # the relative's own visit: "my daughter Chloe came in to see you on Friday"
    r"|my "
    + _RELATION
    + r" (?:\w+ )?(?:came in|was in|went in|was seen|saw (?:dr|doctor|the doctor"
    r"|you|one of your))(?! with me)"
    # another practice phoning about a patient: not entitled until checked
    r"|(?:calling|a call|ringing|phoning|this is \w+|i am (?:(?:a|an|the) \w+|\w+)|\w+ here) "
    r"(?:from|with|at) "
    r"(?!(?:my|our|the|work|home)\b)(?:\w+ ){0,4}(?:clinic|office|practice|surgery|pharmacy"
    r"|medical (?:center|centre|group)|urgent care|health (?:center|centre)|police|constabulary"
    r"|insurance|insurers?|solicitors|lawyers|care home|nursing home)"
    # a police officer by rank: "this is PC Stuart Kerr", "Sergeant Lewis here"
    r"|(?:pc|constable|sergeant|sgt|detective|officer|inspector) \w+(?: \w+)? (?:here|from"
    r"|calling|speaking)|(?:this is|i am|it is|morning|hello|hi|afternoon|evening) (?:pc"
    r"|constable|sergeant|sgt|detective|inspector) \w+"
    # a caller named after a greeting, from an institution: "Hi, Gordon Baird from X Insurance"
    r"|(?:hi|hello|morning|afternoon|evening) \w+ \w+ from (?!(?:my|our|the|work|home)\b)"
    r"(?:\w+ ){0,4}(?:clinic|practice|surgery|pharmacy|police|insurance|insurers?|solicitors"
    r"|lawyers|care home|nursing home|school|nursery)"
    r"|(?:a|your|our|the) (?:patient|client) of (?:yours|ours)|(?:your|our|a) (?:mutual |shared )?"
    r"patient(?: \w+){0,3} (?:is|was|had|needs|came)|about (?:your|a|our) (?:mutual )?patient"
    # someone acting for the patient: "I'm a solicitor acting for Mrs Watts", "my client"
    r"|\bacting (?:for|on behalf of)|(?:i|we) act (?:for|on behalf of)|\bmy client\b"
    # a bill or result that came for the relative: "calling about a bill that came for my wife"
    r"|(?:calling|call|ringing|phoning|asking) about (?:\w+ ){1,6}(?:for|of) (?:my|our) "
    + _RELATION
    # post that came for the relative: "there's a letter after coming to the house for my wife"
    + r"\b|(?:letter|bill|statement|reminder|text|message|invoice|results?)(?: \w+){0,6} (?:for"
    r"|to|addressed to) (?:my|our) "
    + _RELATION
    # an employer, school or home about one of its people: "one of our drivers, Sanjay"
    # an employer about a worker: "I've got a bloke off work waiting on his MRI"
    + r"\b|(?:i have got|i have|i got) (?:a|one of my) (?:bloke|lad|worker|employee|guy|driver"
    r"|apprentice|staff member|chap|fella)\b"
    r"|(?:one|a member) of (?:our|my) (?:\w+ )?(?:drivers|employees|staff|workers|pupils|students"
    r"|residents|team|colleagues|members of staff|apprentices|trainees|tenants)\b"
)
_NAMED_RELATIVE = re.compile(r"\bmy " + _RELATION + r" (\w+)")
# the patient named as the one the caller belongs to: "I'm Jamie's uncle" (canonical: "i am
# jamie uncle"), "this is Tom, Karen's ex-husband"
_OWNER_NAMED = re.compile(r"\b(?:i am |this is (?:\w+ )?)(\w+) " + _CONNECTION + r"\b")
_NOT_A_NAME_TEXT = (
    "is was has had and he she they who needs did got went said says just been the a an to "
    "for about at in on of with wants will would can could does told called asked came saw "
    "rang phoned drove brought"
)
_NOT_A_NAME = frozenset(_NOT_A_NAME_TEXT.split())
_NOT_A_PATIENT_NAME = _NOT_A_NAME | set(_NOT_AN_OWNER) | {"his", "her", "their"}
_PERMISSION = rx(
    r"release (?:form|list)|authoriz\w*|authoris\w*|permission|consent|on (?:his|her|their|the) "
    r"(?:list|file|form|release)|allowed to (?:get|receive|have|hear|discuss)|proxy|power of "
    r"attorney|hipaa (?:form|release)|listed (?:as|on)"
)
_NOT_ENTITLED = rx(
    r"not on (?:his|her|their|the) (?:list|form|release|file)|not (?:listed|authorized|"
    r"authorised)|no (?:permission|release|authorization|consent) on file"
)
_ENTITLED = rx(
    # "he's put you down as his nominated contact, so we're fine to talk"
    r"(?:put|got|has|have) you (?:down )?as (?:his|her|their|a|the) (?:\w+ )?(?:contact|next of"
    r" kin|representative|proxy)|(?:we are|i am) (?:fine|okay|ok|free|allowed) to (?:talk|discuss"
    r"|speak|go through)|"
    r"you are (?:listed|on (?:his|her|their|the) (?:list|form|release|file))|i (?:can )?see you "
    r"(?:are )?(?:listed|on (?:his|her|their|the))|you (?:have|do have) (?:his|her|their )?"
    r"(?:permission|authorization|authorisation)"
    # the caller matched against the patient's signed form: "matches the consent form naming you"
    r"|(?:consent|release|authori[sz]ation|form)(?: \w+){0,4} (?:naming|names|lists|listing"
    r"|includes|including) you|(?:matches|match|checks out against) (?:the|his|her|their)"
    r" (?:consent|release|authori[sz]ation|form)"
)
_THIRD_PERSON = rx(
    r"she|her|he|his|him|(?:mr|mrs|ms|miss|mister) \w+"
    # "the patient", not any patient in a rule ("results only go to the patient themselves")
    r"|(?<!to )(?<!only )(?<!by )(?<!if )(?<!unless )(?<!from )the patient"
    r"(?! (?:themselves|themself|decides|has to|must|nominates))"
    # the patient as the caller's own: "your mum is booked", "your driver's fitness note"
    r"|your (?:" + _RELATION[3:-1] + r"|employee|worker|driver|client|tenant|pupil|student"
    r"|resident|lad|patient|member of staff)"
    # a result told as asked about, to someone who is not the patient: "the bloods came back grand"
    r"|the (?:\w+ )?(?:results?|bloods?|blood work|tests?|scans?|biopsy|x rays?|labs?|swabs?"
    r"|smears?|report) (?:came back|come back|showed|shows|were|was|looked|looks|says)"
)
_PATIENT_INFO = rx(
    r"appointment|booked|scheduled|results?|test|lab|scan|sample|diagnos\w*|prescription|"
    r"medication|medicine|refill|bill|balance|owes|visit|notes? (?:say|said|show)|doctor wants|"
    r"procedure|surgery|x ray|monitor|blood\w*|biopsy|pregnan\w*|pap|mammogram|treatment|"
    r"condition|cells|heartbeats?|referral|cancer|tumou?r|infection|pressure|sugar|cholesterol|"
    r"pills?|tablets?|capsules?|inhalers?|antibiotics?|meds|dose|therapy|ultrasound|mri|ct|"
    r"chemo\w*|radiotherapy|dialysis|infusion|injections?|vaccin\w*|owing|outstanding|"
    # a dose ("the ten mil in the morning"), a drug started, a clinician's order or a missed visit
    + NUM
    + r" (?:mg|mil|mils|milligrams?|ml|mcg|micrograms?)|started (?:him |her |them )?on \w+|"
    r"(?:dr|doctor)(?: \w+)? (?:wants|saw|referred|prescribed|upped|increased|changed|stopped|put"
    r"|gave|stitched|examined|treated)|stitches|"
    r"missed (?:his|her|their)|one of (?:our (?:patients|clients|regulars)|ours)|"
    r"(?:his|her|their) (?:mood|nerves|mental health|depression|anxiety)|"
    r"down (?:with|for) (?:the |a |an |his |her |their )?(?:\w+ )?(?:nurse|doctor|dr|gp|physio"
    r"|dentist|hygienist|consultant|midwife|appointment|scan|review|check)|"
    r"(?:seen|saw|see) (?:by )?(?:dr|doctor) \w+|echo|ecg|ekg|"
    # a day and a clock time: "tell him Monday the 9th, twenty past eight"
    + WEEKDAYS
    + r"(?: the \w+)? (?:at )?"
    + NUM
    + r" (?:past|to|am|pm|o clock|thirty|fifteen|forty|\d)|"
    r"(?:it|report|scan|x ray|mri|test|result|results) (?:shows?|showed|found)|radiologist|"
    r"sessions?|dressings?|repeat|script|fitness note|sick note|waiting list|operation|"
    r"prescribed|(?:date of birth|address) (?:as|is down as|is listed as)|"
    r"imaging|came back|(?:started|put) (?:him|her|them) on|"
    # what happened at a visit, whatever the condition ("he was seen for pneumonia")
    r"(?:seen|treated|admitted|examined|tested|screened)(?: \w+){0,4}? (?:for|with)"
    r"|in (?:for|with) (?:a|an|his|her)"
    # a named clinician ("in at 2:15 with Dr. Wu"), not "she can talk it over with the doctor"
    r"|(?:seeing|with) (?:dr|doctor) (?!(?:about|and|or|to|if|when|so|because)\b)\w+"
    # that the patient is ours at all, was here on a day, or why ("he is on the books", "she
    # came in on monday", "we saw him yesterday", "he was in about his chest")
    r"|on (?:the|our) (?:books|schedule|register|waiting list)|registered (?:here|with us)"
    r"|(?:a|our) (?:patient|regular) (?:here|of ours|with us|at this)"
    r"|(?:came|comes|coming|was|were|is|are|been|due) (?:in|here|back in|by) (?:on |last |this |"
    r"first thing|"
    r"next |at |yesterday|today|tomorrow|earlier|twice|once|about |because |" + WEEKDAYS + r")"
    r"|(?:seen|saw (?:him|her|them)) (?:on |last |this |yesterday|today|earlier|twice|"
    + WEEKDAYS
    + r")"
    r"|(?:reason for|the visit was|came in|was in|were in) (?:the |his |her |their )?"
    r"(?:visit|about|because)"
)
_WITHHELD = rx(
    r"can not (?:even |really |actually )?(?:share|give|discuss|tell|confirm|release|say|go into"
    r"|go through)|not able to (?:even |really |actually )?(?:share|give|discuss|tell|confirm"
    r"|release|say|go into|go through)|unable to"
    r"|will not be able to|not allowed|privacy|"
    r"not permitted|can not talk about"
)
# "I can't go into detail, but the scan was clear": what follows the contrast is told
_BUT = rx(
    r"but|however|though|although|that said|just know|only that|except (?:to say )?that"
    r"|other than (?:to say )?that"
)


def withheld_before(sentence: str, end: int | None = None) -> bool:
    """Whether a sentence withholds the information told up to `end`, with no contrast
    between the withholding and it ("I can't say much, but she's fine" tells). Without `end`
    (a detail found by meaning somewhere in the sentence) a contrast anywhere means one
    clause tells ("he was in on Tuesday, but I can't say more")."""
    text = sentence if end is None else sentence[:end]
    withheld = [m.end() for m in _WITHHELD.finditer(text)]
    if not withheld:
        return False
    return _BUT.search(sentence if end is None else text[withheld[-1] :]) is None


def help_me_understand(turn: TurnView, call: CallState) -> Hit | None:
    """'Help me understand' or the same intent, instead of a 'why did you' question."""
    return turn.first(_HELP_ME_UNDERSTAND)


# the speaker explains, or offers to explain, to the other person: "let me help you
# understand how the fee works", "would you like me to go through the details?"
_EXPLAINS = rx(
    r"help(?:ing)? you (?:to )?(?:understand|see|make sense|get|follow|figure)"
    r"|(?:let me|allow me to|i will|i can|i would like to)(?: just)? (?:explain|walk you|talk you"
    r"|run you|take you|tell you how)"
    r"|(?:you|what you) (?:need|have|must|ought|got) to (?:understand|realise|realize)"
    r"|(?:i|we) (?:want|would like|need) you to (?:understand|know|see|realise|realize)"
    r"|(?:walk|talk|run|take) you through"
    r"|(?:would you like|do you want|shall|should) (?:me to |i )?(?:explain|go (?:through|over)|"
    r"walk|talk|run|take)"
    r"|so (?:that )?you (?:understand|know|get it|are clear)"
)


def explains_instead(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) help-me-understand or clarifying hit
    explains, or offers to explain, to the other person instead of asking them ("let me help
    you understand how cancellations work", "or I can walk you through the whole thing")."""
    return _EXPLAINS.search(turn.norm.sentence_text(hit.span.first_token)) is not None


def restates_nothing(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) clarifying hit is a statement that speaks
    neither to nor of the caller: a restatement gives back what the caller said ("so you were
    charged twice"), a question asks; "her last test came back, so it was held up" tells."""
    sentence = turn.norm.sentence_text(hit.span.first_token)
    return turn.stated(hit) and SECOND_PERSON.search(sentence) is None


# words of understanding: an opening invitation that has them asks to be helped to understand
_UNDERSTANDING = rx(
    r"understand\w*|make sense|head (?:a)?round|(?:clear|full|better|proper) picture|"
    r"(?:clear|straight) (?:in my (?:head|mind)|to me)|help me|so (?:that )?i (?:can )?(?:follow|"
    r"get it|see|know)"
)


def speaks_of_understanding(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) help-me-understand speaks of understanding
    ("help me get my head round what happened"), not only invites the story."""
    return _UNDERSTANDING.search(turn.norm.sentence_text(hit.span.first_token)) is not None


def asks_identifier(turn: TurnView) -> Hit | None:
    """The trainee asks for or confirms a second identifier (date of birth, address...)."""

    def requested(m: re.Match) -> bool:
        if turn.after(m, 1) == "as":  # read out: "it has his date of birth as 1958"
            return False
        return (
            m.start() == 0
            or bool(_REQUEST_BEFORE.search(turn.before(m, 7)))
            or bool(_REQUEST_AFTER.match(turn.after(m, 4)))
        )

    return turn.first(SECOND_IDENTIFIER, requested)


def record_read_out(turn: TurnView) -> Hit | None:
    """Record details (amounts, charges, results) the turn reads off the account, if any (not
    in a question, nor withheld: "I can't go into what's on his record")."""

    def told(m: re.Match) -> bool:
        hit = Hit(turn.norm.match_span(m))
        return asserts_record(turn, *turn.norm.sentence_of(hit.span.first_token)) and not (
            withholds(turn, hit)
        )

    return turn.first(_RECORD_DETAIL, told)


def reads_record_in_sentence(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) hit reads record details off the account
    ("you've got sixty pounds still outstanding for the x-ray"): a sum owed is no feeling."""
    return _RECORD_DETAIL.search(turn.norm.sentence_text(hit.span.first_token)) is not None


def verify_identity(turn: TurnView, call: CallState) -> Hit | None:
    """A second identifier checked before any record details were given."""
    if call.disclosed_unverified:
        return None
    return asks_identifier(turn)


def caller_is_third_party(caller_text: str) -> bool:
    """Whether a caller turn shows the other party is not the patient (a relative...)."""
    return _THIRD_PARTY.search(caller_text) is not None


_MINOR_AGE = (
    r"(?:[1-9]|1[0-7]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen)"
)
_PARENT_OF_MINOR = rx(
    r"my (?:\w+ )?(?:son|daughter|child|kid|boy|girl|baby|toddler)\b(?: \w+){0,12} "
    r"(?:(?:he|she) is|(?:he|she) just turned|who is|aged?) "
    + _MINOR_AGE
    + r"\b(?! (?:of|minutes?|hours?|days?|weeks?|o clock|am|pm|thirty|fifteen|forty))"
    r"|my " + _MINOR_AGE + r" (?:year|month) old|my (?:baby|toddler|newborn|infant)"
)


def caller_is_parent_of_minor(caller_text: str) -> bool:
    """Whether the caller phones about their own child under 18 ("my son, he's seven"):
    a parent is entitled to a minor's record."""
    return _PARENT_OF_MINOR.search(caller_text) is not None


_A_PARENT = rx(
    r"(?:i am|this is|it is) (?:\w+ )?(?:mum|mom|mam|mother|dad|father|parent)|(?:his|her)"
    r" (?:mum|mom|mam|mother|dad|father) (?:here|speaking)|my (?:son|daughter|child|kid|boy|girl)"
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def caller_is_a_parent(call: CallState) -> bool:
    """Whether a caller turn so far said the caller is a parent ("it's Kerry, I'm Alfie's mum")."""
    return call.caller_said(_A_PARENT)


def born_a_minor(caller_text: str, this_year: int) -> bool:
    """Whether a caller's answer to an identity question gives a birth year under 18 years
    ago ("Alfie James Walsh, second of June 2018"): the patient is a child."""
    return any(this_year - int(y) < 18 for y in _YEAR.findall(caller_text))


def entitlement_update(turn: TurnView) -> bool | None:
    """True when the trainee checks the caller against the patient's release list (asking an
    identifier) or confirms they are on it; False when they find the caller is not; else None."""
    text = turn.norm.text
    if _NOT_ENTITLED.search(text):
        return False
    if _ENTITLED.search(text) or (_PERMISSION.search(text) and asks_identifier(turn)):
        return True
    return None


def patient_names(caller_text: str) -> set[str]:
    """Names the caller gives for the one they call about ("my mother carmen ...", "i am
    jamie uncle")."""
    found = [*_NAMED_RELATIVE.finditer(caller_text), *_OWNER_NAMED.finditer(caller_text)]
    return {m.group(1) for m in found if m.group(1) not in _NOT_A_PATIENT_NAME}


_ORGANISATION = (
    r"(?:Logistics|Hotels?|Pharmacy|Chemists?|School|Academy|College|University|Insurance|"
    r"Clinic|Hospital|Surgery|Practice|Health|Care|Group|Foods|Bank|Council|Services|Ltd|Inc|"
    r"Limited|Company|Corp|Road|Street|Avenue|Lane|Drive|Court|Close|Way|Place|Square|Park)\b"
)
# a person's full name as typed ("Derek Hollis gave us a note", "about Ana Ruiz"), not after
# a clinician's title ("Dr. Vance Reed") nor a greeting, a weekday or a month
_FULL_NAME = re.compile(
    r"(?<![A-Za-z])(?<!Dr\. )(?<!Dr )(?<!Doctor )(?<!Nurse )(?<!Professor )"
    r"([A-Z][a-z]+) (?!" + _ORGANISATION + r")[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?![A-Za-z])"
)
_NOT_A_FIRST_NAME_TEXT = (
    "hi hello hey good morning afternoon evening yes yeah no ok okay sure well so and but "
    "this that the it its my our your his her their we i dr doctor nurse mr mrs ms miss "
    "dear thanks thank sorry please january february march april may june july august "
    "september october november december monday tuesday wednesday thursday friday saturday "
    "sunday"
)
_NOT_A_FIRST_NAME = frozenset(_NOT_A_FIRST_NAME_TEXT.split())


def people_named(caller_text: str) -> set[str]:
    """First names of the people a caller names in full as typed ("Derek Hollis gave us a
    note from your office": derek); with a third-party caller, the one they call about."""
    names = {fold(m.group(1)).lower() for m in _FULL_NAME.finditer(caller_text)}
    return names - _NOT_A_FIRST_NAME - _NOT_A_PATIENT_NAME


# a person the caller speaks about: "Maria Lopez's neighbour", "calling about Maria Lopez"
_SPOKEN_ABOUT = re.compile(
    r"(?:\b(?:about|for|on behalf of|regarding|checking on|asking after) )?"
    r"(?<![A-Za-z])([A-Z][a-z]+) [A-Z][a-z]+(?:-[A-Z][a-z]+)?(?P<own>['’]s\b)?"
)


def people_spoken_about(caller_text: str, named: set[str]) -> set[str]:
    """Of the people a caller named in full (`named`, from `people_named`), the first names
    of those they speak about: as someone's ("Maria Lopez's neighbour") or after "about",
    "for", "on behalf of"."""
    found = {
        fold(m.group(1)).lower()
        for m in _SPOKEN_ABOUT.finditer(caller_text)
        if m.group("own") or not m.group().startswith(m.group(1))
    }
    return found & named


_OTHER_PERSON = re.compile(
    r"\b(?:woman|man|lady|guy|gentleman|girl|boy|patient|person|someone|somebody|kid|child)"
    r" (?:called|named|by the name of) (?:(?:mr|mrs|ms|miss)\.? )?([a-z]+)"
    r"|(?<!\bmy )(?<!\bour )(?<!\bthe )(?<!\byour )(?<!\bhis )(?<!\bher )(?<!\bmy new )"
    r"(?<!\btheir )(?<!\ba )"
    r"\b([a-z]+)['’]s (?:lab |test |blood |medical )?(?:results?|letter|chart|records?|file|bill"
    r"|prescription|appointment|diagnosis|scan|report)"
)
_NOT_OTHER = frozenset(
    ["someone", "somebody", "else", "my", "your", "the", "his", "her", "their", "doctor", "dr"]
)


def other_patient_names(caller_text: str) -> set[str]:
    """Other patients the caller names ("a letter for some woman called Carol Dunn")."""
    folded = fold(caller_text)
    return {
        name
        for m in _OTHER_PERSON.finditer(folded)
        for name in m.groups()
        if name and name not in _NOT_OTHER and len(name) > 1
    }


def discloses_other_patient(turn: TurnView, call: CallState) -> Hit | None:
    """A sentence telling the caller about another patient's visit, results or condition."""
    if not call.other_patients:
        return None
    names = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(call.other_patients))) + r")\b")
    return _record_sentence(turn, names)


def discloses_third_party_record(turn: TurnView, call: CallState) -> Hit | None:
    """A sentence giving a third person's (the patient's) record details, not withheld."""
    names = (
        re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(call.patient_names))) + r")\b")
        if call.patient_names
        else None
    )
    return _record_sentence(turn, names, third_person=True)


# the listener as the one the record is about: "your results", "you were admitted"
_LISTENERS_OWN = rx(
    r"your|yours|you (?:were|are|have|had|came|went|did|got|need|should|will|can|missed|owe)"
)


def tells_listener_their_own(turn: TurnView, hit: Hit, call: CallState) -> bool:
    """Whether the sentence of a (meaning-layer) record detail tells the listener their own
    record ("so you were admitted the night before") rather than someone else's."""
    sentence = turn.norm.sentence_text(hit.span.first_token)
    return _LISTENERS_OWN.search(sentence) is not None and not about_third_person(turn, hit, call)


def about_third_person(turn: TurnView, hit: Hit, call: CallState) -> bool:
    """Whether the sentence of a hit speaks of someone in the third person or by a name the
    caller gave for the patient ("her scan", "Mr Olsen is booked"), not "your results"."""
    sentence = turn.norm.sentence_text(hit.span.first_token)
    if _THIRD_PERSON.search(sentence):
        return True
    names = call.patient_names
    return any(re.search(r"\b" + re.escape(n) + r"\b", sentence) for n in names)


# the trainee tells the caller someone is a patient: said only to someone else ("that'll be
# Mr Halvorsen's phone, he's one of our patients")
_ANOTHER_PATIENT = rx(
    r"(?:she|he|they|(?:mr|mrs|ms|miss) \w+) (?:is|are|was) (?:one of (?:our (?:patients|clients"
    r"|regulars)|ours)|a (?:patient|client|regular) (?:here|of ours|with us|at))"
)


_YOUR = rx(r"your|yours")


def about_someone_named(turn: TurnView, hit: Hit, call: CallState) -> bool:
    """Whether the sentence of a record detail is about someone the caller named who is not
    the caller: by name, or as "she" / "he" once the caller named someone in full ("her
    bloods came back fine" after "I'm Maria Lopez's neighbour"); and tells the listener
    nothing of their own ("Tom can collect your prescription")."""
    sentence = turn.norm.sentence_text(hit.span.first_token)
    if _YOUR.search(sentence):
        return False
    if call.spoken_about and _THIRD_PERSON.search(sentence):
        return True
    return any(re.search(r"\b" + re.escape(n) + r"\b", sentence) for n in call.spoken_about)


def names_another_patient(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a record detail tells the caller that someone else is one of
    our patients: the caller is then not that patient."""
    return _ANOTHER_PATIENT.search(turn.norm.sentence_text(hit.span.first_token)) is not None


def withholds(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a hit withholds the information ("I can't share her results")."""
    return withheld_before(turn.norm.sentence_text(hit.span.first_token))


# an offer or our own next act opening a clause: "what I'll do is call his mum", "I have
# Thursday at ten with Dr Singh", "but here's what I can do, I'll call Dmitri myself"
_OUR_ACT = re.compile(
    r"(?:^|\b(?:but|however|so|and|then)\b) (?:\w+ ){0,3}?(?:what (?:i|we) (?:will|can|could) do"
    r"|here is what (?:i|we)|i will|i am going to|let me|i can|we can|i could|i have|we have)"
    r"\b(?! not)"
)


def offers_instead(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) record detail offers or plans our own act
    rather than telling a record: the meaning of a booking offer is close to a booking."""
    return _OUR_ACT.search(" " + turn.norm.sentence_text(hit.span.first_token)) is not None


# "if she's registered with us, I'll pass your number on" supposes; it discloses nothing
_SUPPOSES_PATIENT = rx(
    r"if (?:she|he|they|the patient|\w+) (?:is|are|was|were) (?:registered|a patient|one of"
    r" ours|with us|on our (?:books|list|register))"
    # an embedded question: "(I can't say) whether she's one of ours at all"
    r"|whether (?:or not )?(?:she|he|they|the patient|\w+) (?:is|are|was|were|has|had|came)"
)


# what the patient may do to let the caller in: "Jake can call us and add you", "he can bring
# you along to his next visit" is a route, not a record detail (what follows it in the sentence)
_PATIENT_ROUTE = rx(
    r"(?:she|he|they|(?!(?:i|we|you)\b)\w+) (?:can|could|is welcome to|are welcome to)"
    r" (?:always |just |also )?"
    r"(?:call|ring|phone|email|bring|add|sign|fill|log|give|authori[sz]e|contact|let us know|ask"
    r"|come in and sign)"
    # the patient's consent, supposed: "if Brett signs it, the physio can send you a report"
    r"|if (?:she|he|they|\w+) (?:signs|agrees|consents|okays|authori[sz]es|is happy|are happy"
    r"|gives (?:us )?(?:the )?(?:go ahead|okay|consent|permission))"
    # the clinician will tell the patient: "the doctor will go over the results with her"
    r"|(?:doctor|nurse|gp|consultant|dr \w+|clinician|physio) (?:will|can|would|is going to)"
    r" (?:discuss|go over|go through|talk through|explain|call|ring|contact|speak to)"
)


# the trainee's own next act ("what I'll do is ...", "let me get ..."), and the booking or
# paperwork words in it
_OUR_PLAN = re.compile(
    r"^(?:\w+ ){0,3}?(?:what (?:i|we) (?:will|can|could) do is|i will|i am going to|let me)\b"
)
_BOOKING = re.compile(r"booked|scheduled|appointment|fitness note|sick note|referral|repeat|script")


def asserts_record(turn: TurnView, start: int, end: int) -> bool:
    """Whether a sentence can tell a record detail: not a question ("is this about her
    bill?"), nor a supposition that the person is a patient."""
    sentence = " ".join(turn.norm.tokens[start:end])
    return (start, end) not in turn.norm.questions and not _SUPPOSES_PATIENT.search(sentence)


def _record_sentence(
    turn: TurnView, names: re.Pattern | None, *, third_person: bool = False
) -> Hit | None:
    """The first sentence about the named person (or anyone in the third person) that gives
    record details and does not withhold them (nor asks or supposes)."""
    norm = turn.norm
    for start, end in norm.sentences:
        if not asserts_record(turn, start, end):
            continue
        sentence = " ".join(norm.tokens[start:end])
        about_patient = (third_person and _THIRD_PERSON.search(sentence)) or (
            names and names.search(sentence)
        )
        if not about_patient:
            continue
        told = (
            m for m in _PATIENT_INFO.finditer(sentence) if not withheld_before(sentence, m.end())
        )
        m = next(told, None)
        if m and _OUR_PLAN.search(sentence) and _BOOKING.fullmatch(m.group()):
            continue  # "what I'll do is get Alfie a slot booked": our act, not his record
        route = _PATIENT_ROUTE.search(sentence)
        if m and route and route.start() < m.start():
            continue  # "he can bring you along to his next visit"
        if m:
            offset = len(" ".join(norm.tokens[:start])) + (1 if start else 0)
            token = norm.token_at(offset + m.start())
            return Hit(norm.span(token, token))
    return None
