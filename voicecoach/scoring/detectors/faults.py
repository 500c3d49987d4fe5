"""Faults: accusatory 'why did you', dismissive brush-offs, unexplained jargon, breaches."""

from __future__ import annotations

import re
from dataclasses import replace

from voicecoach.scoring.caller_role import place_callers
from voicecoach.scoring.detectors.base import CallState, Hit, TurnView, rx
from voicecoach.scoring.detectors.checks import (
    about_someone_named,
    about_third_person,
    asserts_record,
    discloses_other_patient,
    discloses_third_party_record,
    names_another_patient,
    offers_instead,
    tells_listener_their_own,
    withholds,
)
from voicecoach.scoring.framing import sarcasm
from voicecoach.scoring.text import NormText, word_set

# --- why_did_you --------------------------------------------------------------

_WHY = rx(
    r"(?:why|how come)(?: on earth| exactly| then)? "
    r"(?:(?P<aux>did|would|were|was|had|have|could|do|are|is|should|did not|would not|were not|"
    r"had not|have not|could not|do not|are not|can not) (?:not )?)?you(?: not)?"
    r"(?P<rest>(?: \w+){0,3})"
    r"|what were you thinking|what (?:made|possessed) you (?:think|do|decide|say|go|assume"
    r"|believe)"
)
_WHY_NOT_ACCUSING_BEFORE = re.compile(
    r"(?:know|see|understand|hear|get|imagine|that is|this is|which is|explains|explain|reason|"
    r"wonder if|ask|here is|there is|idea|sure|clear|into|out|at|about|check|look|wondering|"
    r"curious|learn|tell you|show you|appreciate|realise|realize|tell|gather)$"
)
_WHY_DONT_YOU_OFFER = re.compile(
    r"^ (?:tell|go ahead|let|give|take|have|come|bring|hold|start|walk|grab|pop|send|call me|"
    r"try|just|stay|sit|relax and tell)"
)


def why_did_you(turn: TurnView, call: CallState) -> Hit | None:
    """An accusatory 'why did you / why didn't you / how come you' question to the caller."""
    return turn.first(_WHY, lambda m: _accusing(turn, m))


def asks_why_in_sentence(turn: TurnView, hit: Hit) -> bool:
    """Whether the sentence of a (meaning-layer) hit asks an accusing why-question ("help me
    see why you didn't ring"): that is no help-me-understand."""
    a, b = turn.norm.sentence_of(hit.span.first_token)
    return any(
        a <= turn.norm.match_span(m).first_token < b and _accusing(turn, m)
        for m in _WHY.finditer(turn.norm.text)
    )


def _accusing(turn: TurnView, m: re.Match) -> bool:
    """Whether a why/how-come match accuses (not "why don't you tell me", "I see why you")."""
    if _WHY_NOT_ACCUSING_BEFORE.search(turn.before(m, 2)):
        return False
    aux = (m.group("aux") or "").replace(" not", "")
    rest = m.group("rest") or ""
    if m.group().startswith(("what were you", "what made", "what possessed")):
        return True
    if aux in {"do", "are", "is"}:
        # "why don't you tell me..." invites; "why do you always..." accuses
        if "not" in (m.group("aux") or "") and not _WHY_DONT_YOU_OFFER.match(rest):
            return True
        return bool(
            re.match(r" (?:always|keep|never|think it is okay|not|only|just now|still|being)", rest)
        )
    if not aux:
        # "why you ..." with the auxiliary lost by the recogniser still accuses
        return m.group().startswith("how come") or bool(
            re.match(
                r" (?!are|were|called|have|had|might|may|can|could|need|want|feel|felt)\w", rest
            )
        )
    return True


# --- dismissive ---------------------------------------------------------------

_HARD_DISMISSIVE = (
    r"calm down"
    r"|(?:please|just|you need to|you have to|okay|sir|maam|madam) calm\b(?! (?:down|and))"
    r"|settle down|just relax|(?:okay|sir|maam|please) relax"
    r"|not (?:really |exactly |even )?(?:my|our) (?:problem|job|department|fault|issue"
    r"|responsibility|concern|area|business)|(?:that is|it is|this is) on your end"
    r"|(?<!not )(?<!not really )your (?:own )?fault"
    r"|you should have (?:known|checked|read|called|asked|looked|thought|been)"
    r"|that is your problem|you (?:people|always|never) (?:do|call|complain)"
    r"|it is in the (?:\w+ )?(?:packet|form|paperwork|contract|agreement) you signed|deal with it"
    r"|stop (?:yelling|shouting|complaining)"
    # feelings brushed aside ("I don't care how stressed you are"), not "how long it takes"
    r"|(?:i|we) (?:\w+ )?do not care (?:how (?:\w+ )?(?:upset|angry|stressed|mad|frustrated"
    r"|annoyed|worried|you feel|you are)|what you (?:think|say|feel)|about your feelings)"
    r"|(?:(?:there is|it is|that is) )?no (?:need|reason) (?:for you )?to (?:yell|shout|get upset"
    r"|be rude|raise your voice|get angry|get so worked up|get nasty)|lower your voice|not my call"
    r"|(?:do not|no need to) take (?:that|this|it) tone|you are overreacting"
    r"|do not (?:yell|shout|raise your voice) at me|i do not know what (?:else )?to tell you"
    r"|you (?:never|did not (?:ever )?|forgot to|failed to|neglected to) (?:\w+ )?(?:updated?"
    r"|tell|told|let us know|check|checked|read|send|sent|call|called|show|showed|turn|turned"
    r"|cancel|cancelled|canceled|bring|brought|pay|paid|sign|signed|fill|filled)(?! (?:the|a|any)"
    r" (?:letter|reminder|message|call|notice|bill|text|email)s?\b)(?!.*\b(?:that is|which is)"
    r" (?:on us|our|my) (?:fault|mistake|error)\b)"
    r"|if you (?:had|would) (?:just |only )?(?:updated|called|told|read|checked|paid|come|shown"
    r"|brought|listened|let us know)"
    r"|you should have (?:updated|told|let|come|paid|gone|kept|made|brought|given|cancelled"
    r"|canceled|shown|answered|done|(?!received|heard|had|gotten)\w+ed)\b"
    r"|you were (?:the one )?supposed to"
    # the duty put on the caller: "reading it is the patient's responsibility, not ours"
    r"|responsibility(?: \w+)? not (?:ours|mine|the (?:practice|clinic|surgery|office|pharmacy)s?)"
    # blame put on the caller: "you're the one who ignored it"
    r"|you (?:are|were) the one (?:who|that) (?:\w+ )?(?:ignored|missed|forgot|did not|never"
    r"|failed|chose|decided|skipped|cancelled|canceled|booked|signed|agreed)"
    # the problem made small: "it's not the end of the world", "you're blowing this out of
    # proportion", "take it down a notch"
    r"|(?:not|hardly|no) the end of the world"
    r"|(?:making|blowing|turning) (?:this|it|that)(?: \w+){0,2} (?:out of (?:all )?proportion"
    r"|into (?:a )?(?:bigger |big |huge )?(?:deal|drama))|bigger deal than"
    r" it (?:is|was)|(?:take|tone) it down a notch|tone it down"
    # blame by hindsight or by comparison: "that's on you", "you would have known", "most
    # folks manage to..."
    r"|(?:that|this|it) is on you\b|on you(?: and)? not (?:us|me|the \w+)|you (?:would|could"
    r"|should) have known"
    r"|most (?:folks|people|patients|of our patients) (?:manage|seem to manage|are able|remember)"
    r" to"
    # the problem disowned, the call shut: "scheduling isn't anything I touch", "we're done here"
    r"|(?:is|are) not (?:anything|something) (?:i|we) (?:touch|handle|deal with|do|look after)"
    r"|(?:we are|i am) (?:done|finished|through) (?:here|with this (?:conversation|call)|talking)"
    r"|(?:that|it) (?:was|is) (?:your (?:job|responsibility)|up to you) to"
)
_SOFT_DISMISSIVE = (
    r"(?:nothing|not (?:much|a (?:whole )?lot|a great deal)) (?:that )?(?:i|we|anyone) can do"
    # "that's all I can do today" (unless an alternative follows)
    r"|(?:that is|this is) (?:all|as much as|the most) (?:i|we) can do"
    r"|(?:i|we) (?:can not|could not|are not able to) (?:do|change) (?:anything|a thing|much)"
    r"|can not help you"
    # a refusal to act: "I won't be looking into that" (unless an alternative follows)
    r"|(?:i|we) (?:will not|am not going to|are not going to) (?:be )?(?:look\w* into|deal\w* with"
    r"|help\w*|chas\w*|follow\w* up on) (?:that|this|it|you)\b"
    r"|(?:you will|you would|you|you will have to|you would have to) (?:have to|need to) (?:take"
    r" (?:that|it) up|call|contact|complain to|talk to) (?:your insurance|the insurance|them"
    r"|someone else|the (?:office )?manager|corporate|billing)"
    r"|something (?:for you )?to take up with (?:your|the)"
    r"|(?:that is|it is|this is) (?:just |simply |only )?(?:the |our |company |clinic |office "
    r"|practice )+(?:policy|rules?|procedure|process)"
    r"|(?:that is|it is|this is) (?:just )?how (?:it|the system|insurance|the plan|things|this|we"
    r"|that) (?:works|is set up|goes|is|work|do it)"
    r"|(?:that is|it is|this is) (?:just |simply )?how (?:\w+ ){1,2}(?:works|work|is set up"
    r"|operates)|(?:those|these|them|that|it|this) (?:is|are) (?:just )?the rules?"
    r"|rules (?:are|say)|no exceptions|out of (?:our|my) hands"
    r"|the (?:charge|fee|bill|balance) (?:stays|stands)|nothing (?:i|we) can change"
    r"|(?:it|this|that|the \w+|the \w+ \w+) (?:is|was) what it (?:is|was)"
    r"|(?:our|my) hands are tied"
    r"|(?:i|we) (?:can not|could not|am not able to|are not able to) (?:change|undo|fix|do"
    r" anything about|reverse|erase) (?:that|it|this|a \w+|the \w+|what)(?! for you| today| now)"
    r"|(?:(?:it|that|this|the|the \w+|that \w+|this \w+) is|charges? it|charged)"
    r" automatic(?:ally)?|(?:that is|it is) not how (?:it|this|that) works"
    r"|you (?:will )?(?:have|need) to call back (?:later|another time|tomorrow)"
    r"|(?:that is|it is) (?:just )?the way (?:it|things) (?:is|are|goes|works)"
    r"|(?:our|the) policy (?:is|says)"
    r"|(?:there is|there was) nothing (?:that )?(?:i|we)\b(?! (?:need|want|would|will|should|have"
    r" to|love|like))"
)
_DISMISSIVE = rx(r"(?P<hard>" + _HARD_DISMISSIVE + r")|(?P<soft>" + _SOFT_DISMISSIVE + r")")
_ALTERNATIVE = rx(
    # "but I can...", "but our billing lead will call you by noon"
    r"(?:but|however) (?:\w+ ){1,3}(?:can|could|will)(?! not| have to| need to)|"
    r"here is what (?:i|we) (?:can|will|could)|"
    r"what (?:i|we) can do|(?:i|we) (?:can|could) (?:offer|book|set|give|send|have|put|waive|"
    r"try|help|cancel|call|email|keep|move|reschedule|ask|refer|check|look)|i will (?:go ahead|"
    r"waive|book|call|send|set|put|ask|make an exception|see|have|check|look)|instead|options?|"
    r"alternatively|one thing (?:i|we) can do|(?<!no )(?<!any )exceptions?|(?:i|"
    r"we) will (?:\w+ )?(?:remove|waive|"
    r"reverse|refund|credit|cancel|drop|take off|void|adjust|rebook|reschedule|move)|you (?:can|"
    r"could) (?:keep|pay|choose|"
    r"switch|come|book|bring|still|either)|or i can|what i will do|let me (?:see|check|ask|find)"
)


def _dismissive_match(text: str, whole_turn: str) -> re.Match | None:
    for m in _DISMISSIVE.finditer(text):
        if m.group("hard") or not _ALTERNATIVE.search(whole_turn):
            return m
    return None


def offers_alternative(text: str) -> bool:
    """Whether canonical text offers something instead ("but I can...", "what I can do")."""
    return _ALTERNATIVE.search(text) is not None


def is_dismissive_text(text: str, whole_turn: str) -> bool:
    """Whether canonical text brushes the caller off (policy counts only with no alternative)."""
    return _dismissive_match(text, whole_turn) is not None


def dismissive(turn: TurnView, call: CallState) -> Hit | None:
    """'Calm down', 'not my problem', blaming the caller, policy with no alternative, or a
    sarcastic formula ("thanks for nothing", "sorry you feel that way")."""
    m = _dismissive_match(turn.norm.text, turn.norm.text) or sarcasm(turn.norm.lined_text)
    return Hit(turn.norm.match_span(m)) if m else None


# --- jargon -------------------------------------------------------------------

BUILTIN_JARGON = (
    # billing and insurance
    "eob",
    "explanation of benefits",
    "deductible",
    "coinsurance",
    "co insurance",
    "patient responsibility",
    "prior authorization",
    "prior authorisation",
    "prior auth",
    "pre authorization",
    "preauthorization",
    "pre auth",
    "precert",
    "pre certification",
    "precertification",
    "non formulary",
    "formulary",
    "pended",
    "pending adjudication",
    "adjudicated",
    "adjudication",
    "out of network",
    "oon",
    "epo",
    "ppo",
    "hmo",
    "hdhp",
    "coordination of benefits",
    "cob",
    "abn",
    "advance beneficiary notice",
    "hipaa ack",
    "hipaa acknowledgment",
    "hipaa acknowledgement",
    "npi",
    "cpt",
    "cpt code",
    "icd",
    "icd 10",
    "icd ten",
    "diagnosis code",
    "procedure code",
    "modifier",
    "bundled",
    "unbundled",
    "capitation",
    "superbill",
    "allowed amount",
    "contractual adjustment",
    "write off",
    "timely filing",
    "clearinghouse",
    "remittance",
    "balance billing",
    "medical necessity",
    "utilization review",
    "step therapy",
    "out of pocket max",
    "oop max",
    "accumulator",
    "denial code",
    "carve out",
    "rider",
    "subrogation",
    "cob update",
    "eligibility verification",
    "vob",
    "intake packet",
    "pcp",
    "dos",
    "date of service",
    "place of service",
    "tier three",
    "tier 3",
    "non covered service",
    "secondary payer",
    "primary payer",
    "claim adjustment",
    "recoupment",
    "retro auth",
    "retro authorization",
    "peer to peer",
    "pre existing condition exclusion",
    "dx",
    "tx",
    "hx",
    "rx",
    "benefit cap",
    # clinical
    "hypertension",
    "hypotension",
    "hyperlipidemia",
    "hypercholesterolemia",
    "hyperglycemia",
    "hypoglycemia",
    "tachycardia",
    "bradycardia",
    "arrhythmia",
    "atrial fibrillation",
    "afib",
    "a fib",
    "myocardial infarction",
    "edema",
    "dyspnea",
    "syncope",
    "benign",
    "malignant",
    "metastatic",
    "metastasis",
    "neoplasm",
    "lesion",
    "carcinoma",
    "hemolyzed",
    "haemolysed",
    "hemolysis",
    "qns",
    "quantity not sufficient",
    "cbc",
    "bmp",
    "cmp",
    "tsh",
    "a1c",
    "hba1c",
    "lipid panel",
    "ekg",
    "ecg",
    "echocardiogram",
    "pre op",
    "preop",
    "post op",
    "postop",
    "lap chole",
    "cholecystectomy",
    "laparoscopic",
    "appendectomy",
    "npo",
    "prn",
    "bid",
    "tid",
    "qid",
    "titrate",
    "titration",
    "contraindicated",
    "contraindication",
    "prophylaxis",
    "prophylactic",
    "idiopathic",
    "etiology",
    "prognosis",
    "comorbidity",
    "comorbidities",
    "renal",
    "hepatic",
    "pulmonary",
    "gastrointestinal",
    "uti",
    "copd",
    "chf",
    "dvt",
    "gerd",
    "sonogram",
    "lumbar puncture",
    "angiogram",
    "catheterization",
    "intubation",
    "exacerbation",
    "hyperthyroidism",
    "hypothyroidism",
    "neuropathy",
    "nephropathy",
    "retinopathy",
    "dysplasia",
    "atypical cells",
    "ascus",
    "cytology",
    "pathology report",
    "histology",
    "serology",
    "titer",
    "inr",
    "creatinine",
    "egfr",
    "ldl",
    "hdl",
    "triglycerides",
    "bilirubin",
    "psa",
    "wbc",
    "rbc",
    "hematocrit",
    "leukocytosis",
    "anemic",
    "hyperkalemia",
    "hyponatremia",
    "stat",
    "nsaid",
    "nsaids",
    "ace inhibitor",
    "beta blocker",
    "anticoagulant",
    "anticoagulation",
    "statin",
    "hypoglycemic",
    "dermatitis",
    "otitis media",
    "pharyngitis",
    "sinusitis",
    "bronchitis",
    "gastroenteritis",
    "colposcopy",
    "mammography",
    "densitometry",
    "dexa",
    "holter",
    "stress echo",
    "ejection fraction",
    "fasting glucose",
    "impaired glucose",
    "prediabetic",
    "idc",
    "insufficient specimen",
    "specimen rejected",
    "clotted specimen",
    "recollect",
    "recollection",
    "ct with contrast",
    "contrast agent",
    "mri with contrast",
    "biopsy margins",
)
_JARGON_SPECIAL = (
    r"(?:the|an|your|available|next|first) or (?:schedule|time|block|suite|slot)|or (?:block|"
    r"suite)",
    r"(?:a|the|needs a) pa",
    r"the script|a script|your script|script is",
    r"auths?",
    # rarer clinical word forms (tympanogram, bronchoscopy, neuralgia, hemolysed...)
    r"(?!(?:program|diagram|telegram|instagram|kilogram|milligram|mammogram|photography|"
    r"biography|geography|sympathy|empathy|apathy|telepathy|homeopathy|fibromyalgia|analysis|"
    r"paralysis|dialysis|colonoscopy|endoscopy|nostalgia|anemia|leukemia|hysterectomy|"
    r"vasectomy|mastectomy|tonsillectomy|colostomy|arthritis|appendicitis|tonsillitis|hepatitis|"
    r"meningitis|diagnosis|osteoporosis|tuberculosis|psychosis|neurosis|hypnosis|halitosis|"
    r"scoliosis|laryngitis|sympathetic)\b)[a-z]{3,}(?:gram|graphy|ectomy|otomy|ostomy|plasty|emia|"
    r"pathy|algia|penia|megaly|lysis|lyzed|lysed|scopy|itis|osis|listhesis|plasia|trophy|"
    r"genic|oma|omas)",
    # clinical roots and anatomical words a caller would not use
    r"spondyl\w*|lumbar|thoracic|sacral|degenerative|bilateral|unilateral|anterior|posterior|"
    r"distal|proximal|subcutaneous|intravenous|intramuscular|stenosis|herniat\w+|radicul\w+|"
    r"contusion|laceration|nodule|effusion|infiltrate|opacity|sequela\w*",
    # letters spelled out by a recogniser: "l four l five", "e o b"
    r"(?!(?:a m|p m|d o b|i d|e r|m r i|c t|u s|t v|o k|x ray)\b)[b-hj-z](?: (?:[a-z]|"
    r"one|two|three|four|five|six|seven|eight|nine|ten)){1,3}(?= |$)(?<! a)(?<! i)",
)
_EXPLAINED_AFTER = rx(
    r"(?:which|that|this|it|what that|all that) (?:just |basically |simply |really )?(?:means|is "
    r"(?:just|basically|simply|when|where|the|a|an|how|what)|stands for)|means|meaning|in other "
    r"words|basically|in plain (?:english|words|terms)|simply put|i mean|that is just|which is|"
    r"also called|or what|is when|is where|is just|is what|are what|is how much|is the amount|is "
    r"a|is an|is the|so that is(?! why| because)|that is (?:the|"
    r"a|an|when|your)"
)
# said a few words after the term, only unmistakable explanations count
_EXPLAINED_NEARBY = rx(
    r"(?:which|that|this|it|what that|all that) (?:just |basically |simply |really )?(?:means|"
    r"stands for)|meaning|in other words|basically|in plain (?:english|words|terms)|simply put|"
    r"i mean|that is just|which is|also called|so that is(?! why| because)|that is (?:the|a|an"
    r"|when|your)"
)
_EXPLAINED_BEFORE = re.compile(
    r"(?:called|call it|known as|what we call|something called|so called|a thing called|term|"
    r"word|is what we)\s*$"
)


def _jargon_pattern(extra_terms: tuple[str, ...]) -> re.Pattern:
    terms = sorted({t.lower() for t in BUILTIN_JARGON + extra_terms}, key=len, reverse=True)
    return re.compile(
        r"\b(?P<term>"
        + "|".join(re.escape(t) for t in terms)
        + "|"
        + "|".join(_JARGON_SPECIAL)
        + r")\b"
    )


_BUILTIN_PATTERN = _jargon_pattern(())
_PATTERN_CACHE: dict[tuple[str, ...], re.Pattern] = {}


def _canonical_term(term: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", term.lower()))


def jargon_pattern(call: CallState) -> re.Pattern:
    """The built-in jargon list plus the scenario's terms, as one pattern (cached)."""
    extra = tuple(sorted(_canonical_term(t) for t in call.jargon))
    if not extra:
        return _BUILTIN_PATTERN
    if extra not in _PATTERN_CACHE:
        _PATTERN_CACHE[extra] = _jargon_pattern(extra)
    return _PATTERN_CACHE[extra]


_PLAIN_ABBREVIATIONS = word_set(
    "I OK AM PM ASAP ID ER ICU MRI CT TV US USA UK EU FYI ATM PIN PDF URL DVD CD COVID FAQ IT HR "
    "PO DOB LLC INC MD DR MR MRS MS ST NO RN ZIP GP NHS SMS"
)
_ABBREVIATION = re.compile(r"^(?:[A-Z]{2,5}|[A-Z]+\d+[A-Z\d]*|[A-Z]\d[A-Z\d]*)s?$")
_PARENTHESIS_AFTER = re.compile(r"\s*[(\u2014\u2013-]")


def _abbreviation_spans(turn: TurnView, call: CallState) -> list[tuple[int, int]]:
    """Typed all-caps abbreviations (PAT, VL, DX, EOB...) as canonical token ranges, unless the
    whole turn is in capitals (shouting) or the letters are spelled out next to it."""
    norm = turn.norm
    words = [norm.original[a:b] for a, b in norm.word_spans]
    if not words or sum(w.isupper() for w in words) * 2 > len(words):
        return []
    names = {p.upper() for p in call.name_parts}
    spans = []
    for word_index, word in enumerate(words):
        stem = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
        before_zip = word_index + 1 < len(words) and re.fullmatch(r"\d{5}", words[word_index + 1])
        if (
            not _ABBREVIATION.match(word)
            or stem in _PLAIN_ABBREVIATIONS
            or stem in names
            or before_zip  # a state in an address: "Springfield, IL 62704"
        ):
            continue
        end_char = norm.word_spans[word_index][1]
        if _PARENTHESIS_AFTER.match(norm.original[end_char:]) or _spelled_out(
            words, word_index, stem
        ):
            continue
        tokens = [t for t, w in enumerate(norm.orig_index) if w == word_index]
        if tokens:
            spans.append((tokens[0], tokens[-1]))
    return spans


def _spelled_out(words: list[str], index: int, letters: str) -> bool:
    """Whether the words just before or after an abbreviation spell it out ("prior
    authorization, or PA")."""
    n = len(letters)
    initials = [w[0].lower() for w in words]
    before = "".join(initials[max(0, index - n - 2) : index])
    after = "".join(initials[index + 1 : index + n + 3])
    return letters.lower() in before or letters.lower() in after


def _jargon_candidates(turn: TurnView, call: CallState) -> list[tuple[int, int]]:
    """Token ranges of technical terms: listed terms, clinical word forms, abbreviations."""
    norm = turn.norm
    spans = [
        (norm.token_at(m.start()), norm.token_at(m.end() - 1))
        for m in jargon_pattern(call).finditer(norm.text)
    ]
    return sorted(set(spans + _abbreviation_spans(turn, call)))


def _explained(norm: NormText, call: CallState, first: int, last: int) -> bool:
    """Whether a term is explained on the spot, is the scenario's term with its plain words
    said, or is the caller's own word."""
    tokens = norm.tokens
    term = " ".join(tokens[first : last + 1])
    after = " ".join(tokens[last + 1 : last + 7])
    if _EXPLAINED_AFTER.match(after) or _EXPLAINED_NEARBY.search(after):
        return True
    if _EXPLAINED_BEFORE.search(" ".join(tokens[max(0, first - 4) : first])):
        return True
    plain = {_canonical_term(t): _canonical_term(p) for t, p in call.jargon.items()}
    if plain.get(term) and plain[term] in norm.text:
        return True
    return call.caller_said(re.compile(r"\b" + re.escape(term) + r"\b"))


_ARTICLES = word_set("the a an your my our his her their this that")


def _explained_in_call(term: str, turn: TurnView, call: CallState) -> bool:
    """Whether the trainee explained or spelled out the term where they said it, earlier in
    this turn or in an earlier one ("marked as 'DNA', this means did not attend ... I remove
    the DNA today")."""
    words = term.split()
    while len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]  # "the PA" said after "a PA, which means..."
    for norm in [*call.trainee_turns, turn.norm]:
        for first in range(len(norm.tokens) - len(words) + 1):
            last = first + len(words) - 1
            if norm.tokens[first : last + 1] == words and (
                _explained(norm, call, first, last)
                or _spelled_out(norm.tokens, first, "".join(words))
            ):
                return True
    return False


def unexplained_jargon(turn: TurnView, call: CallState) -> Hit | None:
    """The first technical term in the turn not explained on the spot nor anywhere the
    trainee said it before, nor the caller's own word."""
    for first, last in _jargon_candidates(turn, call):
        if _explained(turn.norm, call, first, last):
            continue
        if not _explained_in_call(" ".join(turn.norm.tokens[first : last + 1]), turn, call):
            return Hit(turn.norm.span(first, last))
    return None


# "my what?", "in English please": the caller names no term but clearly did not get one;
# "what does that mean?", "I don't follow": confusion that may be about the news itself
_CONFUSED = rx(
    r"(?P<strong>(?:my|your|the|a|an|his|her|their|our) what|(?:in|speak|say (?:that|it) in) "
    r"(?:plain )?english|english please|(?:what|which) (?:does|do|is) (?:that|this|those|these|"
    r"it) stand for|you lost me|over my head|say that again in)"
    r"|(?:what|which) (?:does|do) (?:all )?(?:that|this|those|these|any of that)(?: \w+)? mean"
    r"|(?:i do not|i did not|i can not) (?:know|understand|get|follow) (?:what|a word|any of|half"
    r" of)(?: (?:that|this|those|these|you|it))?(?: words?)?(?: (?:means|mean|is|are|said))?"
    r"|(?:i do not|i can not) (?:follow|understand) (?:any of )?(?:that|this|you|a word)"
)
# "what is a PAT?", "what does DX mean?", "PAT what?": the caller echoes the term
_ECHO = re.compile(
    r"(?:^|\b)what (?:is|are) (?:a |an |the |that |this |your |my )?(?P<a>\w+)(?: \w+)?$"
    r"|\bwhat (?:does|do) (?:a |an |the )?(?P<b>\w+)(?: \w+)? (?:mean|stand for)\b"
    r"|^(?P<c>\w+) what$"
)
_COMMON_ECHO = word_set(
    "is are was that this it do does happened happens now next then time about you i the a "
    "mean means going did else one she he they her his him them we me my your what there "
    "here wrong up on so thing problem matter deal issue plan point"
)


def _echoed(norm_caller: NormText, trainee: NormText) -> int | None:
    """The trainee token the caller asks about ("what is a PAT?"), if any."""
    for a, b in norm_caller.sentences:
        m = _ECHO.search(" ".join(norm_caller.tokens[a:b]))
        word = m and (m.group("a") or m.group("b") or m.group("c"))
        if word and word not in _COMMON_ECHO and word in trainee.tokens:
            return trainee.tokens.index(word)
    return None


def jargon_from_confusion(trainee: TurnView, caller: NormText, call: CallState) -> Hit | None:
    """Jargon shown by the caller's confusion right after a trainee turn ("My what?", "what
    does that mean?"): the term the caller echoes, else the first technical term of that turn
    (even one the trainee thought explained); after "my what?" or "in English please", the
    word asked about or the longest word said."""
    norm = trainee.norm
    token = _echoed(caller, norm)
    if token is not None:
        return Hit(norm.span(token, token))
    m = _CONFUSED.search(caller.text)
    if m is None:
        return None
    candidates = _jargon_candidates(trainee, call)
    if candidates:
        return Hit(norm.span(*candidates[0]))
    if not m.group("strong"):
        return None
    # "my what?" asks about the trainee's "your <term>"; otherwise the longest word said
    your = [i + 1 for i, t in enumerate(norm.tokens[:-1]) if t == "your"]
    token = your[-1] if (m.group() == "my what" and your) else None
    if token is None:
        token = max(range(len(norm.tokens)), key=lambda i: len(norm.tokens[i]), default=None)
    return None if token is None else Hit(norm.span(token, token))


def jargon(turn: TurnView, call: CallState) -> Hit | None:
    """Medical or billing jargon left unexplained."""
    return unexplained_jargon(turn, call)


# --- confidentiality_breach ---------------------------------------------------


def _record_detail(turn: TurnView, call: CallState) -> Hit | None:
    """A sentence of the turn giving the patient's record details, by pattern or by meaning
    (not a question, nor a sentence that only supposes the person is a patient)."""
    hit = discloses_third_party_record(turn, call)
    if hit is not None:
        return hit
    hit = turn.meaning("record_disclosure")
    if hit is None and (call.third_party or call.spoken_about):
        hit = _told_in_a_clause(turn)  # passes of its own: only once someone else is in view
    if hit is None or not asserts_record(turn, *turn.norm.sentence_of(hit.span.first_token)):
        return None
    return None if offers_instead(turn, hit) else hit


# where a sentence's clauses part: punctuation inside it, or a contrast
_CONTRAST = r"(?:but|though|although|however|only that|except that)\b\s*"
_CLAUSE_BREAK = re.compile(
    r"\s*[,;:\u2013\u2014]\s*(?:" + _CONTRAST + r")?|\s+" + _CONTRAST, re.IGNORECASE
)


def _told_in_a_clause(turn: TurnView) -> Hit | None:
    """A record detail told, by meaning, in one clause of a longer sentence ("no sorry I
    can't go through it with you but the lump was nothing serious", "don't worry, the mole
    they removed was benign, so it's all fine"): the sentence as a whole reads as a refusal
    or as comfort, so each clause of 4+ words is judged on its own."""
    norm = turn.norm
    for a, b in norm.sentences:
        clauses = [c for c in _CLAUSE_BREAK.split(norm.written(a, b)) if c]
        if len(clauses) < 2:
            continue
        for clause in clauses:
            view = TurnView(
                turn.index,
                turn.trainee_index,
                NormText(clause),
                turn.intents,
                frozenset({"record_disclosure"}),
                frozenset({"record_disclosure"}),
            )
            hit = view.meaning("record_disclosure")
            if hit is not None:
                return Hit(norm.span(a, b - 1), "meaning", hit.example)
    return None


def confidentiality_breach(turn: TurnView, call: CallState) -> Hit | None:
    """A patient's information given to someone else who was not verified as entitled: the
    patient's relative, or a caller told about another patient. The record detail is found
    by pattern or by meaning ("the scan shows a small nodule"), never in a sentence that
    withholds it. Who is calling is read by the caller-role model only when the turn gives
    such a detail (the model's pass is the dearest part of a turn that needs it)."""
    if call.entitlement_checked or not (call.third_party or call.unplaced_callers):
        return discloses_other_patient(turn, call)
    hit = _record_detail(turn, call)
    if (
        not call.third_party
        and hit
        and (names_another_patient(turn, hit) or about_someone_named(turn, hit, call))
    ):
        # "he's one of our patients" is never said to the patient, and a record detail about
        # someone the caller named is not the caller's own
        call.third_party = True
    if not call.third_party and (hit or discloses_other_patient(turn, call)):
        place_callers(call)
    if call.third_party:
        if hit is None or withholds(turn, hit):
            return None
        if call.third_party_by == "meaning":
            # the caller-role model decided who is calling: the verdict says so, and the
            # sentence must be about someone else ("her scan", "Mr Olsen is booked"), not
            # "your results", which takes the caller for the patient
            if not about_third_person(turn, hit, call):
                return None
            return replace(hit, found_by="meaning")
        if hit.found_by == "meaning" and tells_listener_their_own(turn, hit, call):
            return None  # "so you were admitted the night before": the caller's own record
        return hit
    return discloses_other_patient(turn, call)
