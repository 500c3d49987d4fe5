"""DESC steps for a coworker conflict: describe, express, specify, consequences."""

from __future__ import annotations

import re

from voicecoach.scoring.detectors.base import NUM, WEEKDAYS, CallState, Hit, TurnView, rx

LABELS = rx(
    r"lazy|rude|gossip\w*|careless|unprofessional|selfish|irresponsible|useless|sloppy|"
    r"ridiculous|disappearing|slacking|slacker|hopeless|incompetent|annoying|inconsiderate|"
    r"disrespectful|you people|always (?:\w+ing|disappear\w*|leave|leaving|late|gone)|never "
    r"(?:there|around|here|help\w*)|such a|so typical|pathetic|clueless|a joke|attitude problem|"
    r"big mouth|cannot be trusted|can not be trusted|unreliable"
)
_OCCASION = (
    r"(?:yesterday|this morning|this afternoon|today|earlier|last (?:week|night|time|"
    + WEEKDAYS
    + r")|on "
    + WEEKDAYS
    + r"|"
    + WEEKDAYS
    + r"|at (?:about |around )?"
    + NUM
    + r"|around "
    + NUM
    + r"|for (?:about |around |over |almost |nearly )?"
    + NUM
    + r"(?: \w+)? minutes|for (?:about |around |over |almost |nearly )?(?:an|a|half an|"
    + NUM
    + r")(?: \w+)? hours?|twice|"
    r"(?:two|three|four|several|a few) times|after lunch|before lunch|during (?:the|lunch)|"
    r"at the (?:counter|desk|front)|while you were|when you were|i (?:have )?(?:noticed|saw|heard|"
    r"observed|counted|found|caught|came back to|walked in))"
)
_BEHAVIOUR = (
    r"(?:you (?:were|was|left|said|read|went|took|stepped|walked|announced|discussed|talked|"
    r"mentioned|called|answered|did not|have been|had|came|arrived|told|used|shared|gave|spoke|"
    r"put|forgot|missed|skipped|got|asked|brought|raised|laughed|shouted|yelled|hung up|\w+ed)|"
    r"your (?:\w+ ){0,2}(?:went|was|ran|lasted|took|were)|(?:was|were) (?:left|unattended|empty|"
    r"unlocked|open|ringing|waiting)|(?:the )?(?:\w+ )?(?:line|queue|wait) "
    r"(?:got|was|grew|went|reached)|"
    r"(?:the |front )?(?:desk|counter|phone|phones|front desk|waiting room)(?: \w+)? (?:was|were|"
    r"sat|stayed|went|rang)|(?:patients|people|someone|nobody|no one|a patient|(?:two|three|four|"
    r"five|several) (?:patients|people)) (?:were |was )?(?:waited|waiting|could hear|heard|"
    r"overheard|stood|standing|arrived|left|had to|complained)"
    # things left where they should not be: "reports sitting in the printer tray"
    # what was done to the schedule or the desk: "patients were booked into my lunch block"
    r"|(?:was|were|got|had been|have been|has been|kept being) (?:\w+ )?(?:booked|scheduled|"
    r"added|placed|squeezed|double booked|moved|left|put|stacked|dumped|taken)"
    r"|(?:sitting|left|lying|lay|sat|piled|stacked|unattended|uncollected|unanswered|unlocked|"
    r"face up|ringing|open) (?:out |up |there )?(?:in|on|at|by|for|near|next to|beside|"
    r"unattended|with))"
)
_DESCRIBE = re.compile(
    r"\b"
    + _OCCASION
    + r"\b(?: \w+){0,20} "
    + _BEHAVIOUR
    + r"\b|\b"
    + _BEHAVIOUR
    + r"\b(?: \w+){0,20} "
    + _OCCASION
    + r"\b"
)
_WHY_QUESTION = rx(r"why (?:did|do|were|would|have)|how come")
_EXPRESS = rx(
    r"i (?:really |just |also |honestly |do |sometimes |often |then |start to |have been |was "
    r"|am |get |got |felt )*(?:feel|felt|worry|worried|get (?:worried|stressed|anxious|nervous|"
    r"frustrated|overwhelmed|flustered|upset)|(?:was|am|get|got) (?:\w+ )?(?:embarrassed|"
    r"uncomfortable|worried|stressed|panicked|upset|frustrated|concerned|anxious|overwhelmed|"
    r"flustered|torn|stuck|stretched)|end up|struggle|can not (?:keep up|cover|do both|be in two)|"
    r"get stuck|find it (?:\w+ )?(?:hard|difficult|stressful|tough|impossible|awkward|"
    r"uncomfortable|draining|exhausting)|have to (?:cover|run|juggle|scramble)|"
    r"am left|was left|lose|lost)"
    r"|(?:it|this|that) (?:is|was) (?:really |very |quite )?(?:hard|difficult|stressful|"
    r"awkward|embarrassing|uncomfortable|a problem) for (?:me|us|the patients|patients)"
    r"|(?:it|this|that) (?:affects|impacts|hurts) (?:me|the patients|patients|us|our|my)"
    r"|(?:makes|made) (?:my (?:job|day|work|"
    r"shift|mornings?)|things|work) (?:\w+ ){0,2}(?:harder|more difficult|stressful|tougher|"
    r"longer|crazy|chaotic)|(?:i|we) (?:are |were )?(?:left )?"
    r"short handed|my (?:concern|worry) is"
    r"|(?:makes|made|leaves|left) (?:me )?(?:really |so |very |super )?(?:nervous|anxious|uneasy"
    r"|uncomfortable|worried|stressed|embarrassed|tense|on edge)"
)
_OPINION = re.compile(r"(?:like|that) you\b|you are\b")  # "I feel like you..." judges
_REQUEST = rx(
    r"what i (?:would like|would really like|need|am asking|want|would ask|would love)"
    r"|i would (?:really )?(?:like|love|prefer) (?:you|us|for you|for us|it if you|if you|if we)"
    r"|i would (?:really )?appreciate (?:it )?if you|i need you to|i am asking (?:you|that|if)"
    r"|(?:could|can|would) you (?:please )?(?!tell|explain|help me|give me a|talk|hear)\w+"
    r"|please (?!tell me (?:what|why|how|about|more))\w+|in (?:the )?future"
    r"|it would help (?:me )?if you|i (?:really |just )?need you (?:on|at|in|back|here|there) "
    r"|(?:from|starting|beginning|as of) (?:tomorrow|today|now on|monday|tuesday|wednesday|"
    r"thursday|friday|next week|this week|the next shift)(?: on)? (?:can|could|would|i would|"
    r"let us|please|we|you|i need|i would like)"
    r"|my (?:request|ask) is|can i ask you to|would you be (?:willing|able|okay) to"
    r"|i would ask that"
    r"|the ask is|how about "
    r"(?:we|you|if)|what if (?:we|you)|i (?:would )?suggest|my suggestion is|(?:we|you) should "
    r"(?:try|start|agree)|here is what i (?:would like|am asking|propose)"
    r"|next time"
)
_VAGUE_REQUEST = re.compile(
    r"sort (?:yourself|it) out|do better|get it together|get your act together|fix (?:it|this|"
    r"yourself)|figure it out|shape up|step up|be better|stop it|knock it off|grow up|be more "
    r"professional|do your job|just be|sort it|deal with it|pull your weight"
)
_CONSEQUENCE = rx(
    # the good state that follows: "then the desk looks ready and nobody has to ask"
    r"(?:then|and then|that way) (?:the \w+|our \w+|we|you|i|patients|everyone|everybody)"
    r"(?: \w+)? (?:looks|look|is|are|stays|stay|runs|run|feels|feel|will|would|can|gets to)\b"
    r"(?! (?:going to|have to) (?:tell|report))"
    r"|(?:nobody|no one) (?:is|gets|has to be|will be) (?:stuck|left|kept waiting)|"
    r"that way|this way|if we (?:both )?(?:do|can do|manage|stick to|try) (?:that|this|it)|"
    r"if you (?:do|can do|could do|can manage) (?:that|this|it)"
    r"|(?:patients|everyone|we|you|the patients|both of us|i|the desk|the front|mornings) "
    r"(?:will|would|could|can|should) (?:both )?(?:always |all |never |also |really )?"
    r"(?:feel|have|be able|trust|get|stay|save|avoid|know|not have to|see|keep|run|go|be "
    r"(?:calmer|happier|less|more|safe|covered|able|on time))"
    r"|the (?:upside|benefit|good news) (?:is|would be)|which means "
    r"(?:we|patients|you|i)|no more (?:complaints|waiting)"
)
_THREAT = re.compile(
    r"report|manager|\bhr\b|write you up|disciplin|warning|or else|happens again|in trouble|"
    r"fired|formal complaint|escalate|supervisor|consequences for you|i will have to tell|"
    r"\bor (?:i will|i am going to|else)\b|problem with me|regret (?:it|this)|you will be sorry|"
    r"no (?:other )?choice|keeps? (?:happening|on)|"
    r"again and again|one more time|last chance|"
    r"have to (?:tell|report|inform|involve|let (?:\w+ ){1,2}know|take (?:it|this|that))|"
    r"(?:tell|inform|involve|go to) (?:dr|doctor|the (?:office|practice) manager|the boss|"
    r"management|the owner)|if (?:it|this|that) (?:happens|continues|does not stop)"
)

# a sanction announced instead of a request: "next time it happens, we will send you home" asks
# for nothing (the specify pattern's "next time" would take it; "next time it happens, could
# you ring me" asks)
_ULTIMATUM = rx(
    r"last chance|or else|\bor (?:i|we) (?:will|am going to|are going to)\b|"
    r"(?:i|we) (?:will|are going to|am going to) (?:have to )?(?:send you|report you|write you up|"
    r"strike you|take you off|cancel your|stop booking|remove you)|"
    r"you (?:will|are going to) (?:be (?:sent|moved|taken|struck|written|removed)|lose|go back|"
    r"have to explain)|you go (?:back )?to the (?:end|back|bottom)"
)

# steps the meaning layer (learned heads) may find, never in a sentence that labels the
# coworker ("you're always disappearing, it's so lazy" is no feeling of one's own) or makes
# a vague demand ("just sort yourself out or I'll report you" asks for nothing specific)
UNLABELLED_STEPS = frozenset({"describe", "express", "specify"})


def labels_in_sentence(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) hit labels the coworker or makes a vague
    demand."""
    sentence = turn.norm.sentence_text(hit.span.first_token)
    return bool(LABELS.search(sentence) or _VAGUE_REQUEST.search(sentence))


def not_a_request(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) specify hit labels, makes a vague demand or
    announces a sanction instead of asking ("next time it happens, you go to the back")."""
    sentence = turn.norm.sentence_text(hit.span.first_token)
    return labels_in_sentence(turn, hit) or _ULTIMATUM.search(sentence) is not None


def threatens(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) consequence threatens ("then nobody will be
    fired"): a threat is never a positive consequence."""
    return _THREAT.search(turn.norm.sentence_text(hit.span.first_token)) is not None


def describe(turn: TurnView, call: CallState) -> Hit | None:
    """Describes the behaviour objectively (when, what happened) without labels or 'why did you'."""
    if LABELS.search(turn.norm.text):
        return None

    def objective(m: re.Match) -> bool:
        sentence = turn.norm.sentence_text(turn.norm.token_at(m.start()))
        return not _WHY_QUESTION.search(sentence)

    return turn.first(_DESCRIBE, objective)


def express(turn: TurnView, call: CallState) -> Hit | None:
    """Says how the behaviour affects the trainee or the patients, as an 'I' statement."""
    return turn.first(_EXPRESS, lambda m: not _OPINION.match(turn.after(m, 3)))


def specify(turn: TurnView, call: CallState) -> Hit | None:
    """Asks for a specific change; a vague demand ('sort yourself out') or a sanction
    announced ('next time it happens, you go home') does not count."""

    def specific(m: re.Match) -> bool:
        rest = turn.after(m, 12)
        sentence = turn.norm.sentence_text(turn.norm.token_at(m.start()))
        return (
            len(rest.split()) >= 4
            and not _VAGUE_REQUEST.search(m.group() + " " + rest)
            and not _ULTIMATUM.search(sentence)
        )

    return turn.first(_REQUEST, specific)


def consequences(turn: TurnView, call: CallState) -> Hit | None:
    """States the positive outcome of the change; a threat does not count."""

    def positive(m: re.Match) -> bool:
        sentence = turn.norm.sentence_text(turn.norm.token_at(m.start()))
        return not _THREAT.search(sentence + " " + turn.after(m, 10))

    return turn.first(_CONSEQUENCE, positive)
