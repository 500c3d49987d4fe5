"""Intent detection on paraphrases written for these tests (typed and ASR-style), and look-alikes.

Each case is one caller turn followed by one trainee turn; the scorer must find
the ids in `present` and must not find the ids in `absent`.
"""

from __future__ import annotations

import pytest

from voicecoach.scoring import Scorer, Turn

CALLER = "i have been on hold forever and you people charged me twice for the same visit"


def detected(
    protocol: str,
    text: str,
    *,
    caller: str = CALLER,
    name: str = "Maria Gonzalez",
    sensitive: bool = False,
    jargon: dict | None = None,
) -> set[str]:
    scorer = Scorer(protocol, caller_name=name, record_sensitive=sensitive, jargon=jargon)
    scorer.add_turn(Turn("caller", caller))
    scorer.add_turn(Turn("trainee", text))
    score = scorer.result().to_json()
    found = {k for k, v in score["steps"].items() if v["met"]}
    found |= {k for k, v in score["checks"].items() if v["met"]}
    return found | {k for k, v in score["faults"].items() if v["present"]}


UPSET = [
    # thank_caller
    ("thanks so much for bringing this to our attention", {"thank_caller"}, set()),
    ("i really appreciate you calling about this", {"thank_caller"}, set()),
    ("thank you for waiting on the line so long", {"thank_caller"}, set()),
    ("Thanks for your patience while I looked.", {"thank_caller"}, set()),
    ("well thanks for nothing then", set(), {"thank_caller"}),
    ("thank you for your date of birth", set(), {"thank_caller"}),
    # use_name (first name, title + surname, misheard)
    ("okay maria let me see", {"use_name"}, set()),
    ("Ms. Gonzalez, I can look at that now.", {"use_name"}, set()),
    ("ok marie i hear you", {"use_name"}, set()),
    ("is mrs gonzalez your mother", set(), {"use_name"}),
    # invite_and_listen
    ("please walk me through what happened from the start", {"invite_and_listen"}, set()),
    ("im all ears go on", {"invite_and_listen"}, set()),
    ("can you tell me a bit more about the charge", {"invite_and_listen"}, set()),
    ("take all the time you need and tell me what went wrong", {"invite_and_listen"}, set()),
    ("ill go ahead and reverse that charge", set(), {"invite_and_listen"}),
    # empathize
    ("oh gosh that must have been so stressful for you", {"empathize"}, set()),
    ("i completely understand why youre frustrated", {"empathize"}, set()),
    ("I'd be pretty annoyed too if that happened to me.", {"empathize"}, set()),
    ("i can only imagine how upsetting that was", {"empathize"}, set()),
    ("im so sorry you had to deal with that", {"empathize"}, set()),
    ("i understand but thats our policy", {"dismissive"}, {"empathize"}),
    ("I get that you're upset, but rules are rules.", {"dismissive"}, {"empathize"}),
    ("i hear you but theres nothing i can do about it", {"dismissive"}, {"empathize"}),
    ("its not a big deal its really common", set(), {"empathize"}),
    # clarify
    ("may i ask you a couple of quick questions", {"clarify"}, set()),
    (
        "so if i have this right you were charged on the fifth and again on the ninth",
        {"clarify"},
        set(),
    ),
    ("when did you first notice the second charge", {"clarify"}, set()),
    ("ok and which card did you pay with", {"clarify"}, set()),
    ("can i get your name please", set(), {"clarify"}),
    ("what is your date of birth", set(), {"clarify"}),
    # take_ownership / propose_solution
    ("i will personally see to it that this gets fixed", {"take_ownership"}, set()),
    ("leave it with me ill sort it out today", {"take_ownership"}, set()),
    (
        "im going to refund the duplicate charge right now",
        {"take_ownership", "propose_solution"},
        set(),
    ),
    ("i can get you in on tuesday at nine", {"propose_solution"}, set()),
    ("let me take that fee off your account", {"propose_solution"}, set()),
    ("someone from billing will look into it", set(), {"take_ownership", "propose_solution"}),
    ("you can send an email to the manager", set(), {"propose_solution"}),
    # confirm_next_step
    ("would that be ok with you", {"confirm_next_step"}, set()),
    ("how does that sound", {"confirm_next_step"}, set()),
    ("does friday morning work for you", {"confirm_next_step"}, set()),
    ("are you happy with that plan", {"confirm_next_step"}, set()),
    # close_call
    ("is there anything else i can help you with today", {"close_call"}, set()),
    ("what else can i do for you", {"close_call"}, set()),
    ("thanks again for calling and have a good day", {"close_call", "thank_caller"}, set()),
    # help_me_understand
    ("help me make sense of the dates on the statement", {"help_me_understand"}, set()),
    ("i want to understand exactly what the letter said", {"help_me_understand"}, set()),
    # why_did_you
    ("why didnt you call us earlier", {"why_did_you"}, set()),
    ("how come you never opened the letter", {"why_did_you"}, set()),
    ("why would you pay it if you thought it was wrong", {"why_did_you"}, set()),
    ("why dont i check that for you", set(), {"why_did_you"}),
    ("why don't you tell me what happened", {"invite_and_listen"}, {"why_did_you"}),
    ("i can see why you were upset", {"empathize"}, {"why_did_you"}),
    # dismissive
    ("you need to calm down sir", {"dismissive"}, set()),
    ("thats not my department", {"dismissive"}, set()),
    ("well you should have read the form", {"dismissive"}, set()),
    ("it is out of my hands", {"dismissive"}, set()),
    (
        "thats our policy but heres what i can do ill waive it this once",
        {"propose_solution"},
        {"dismissive"},
    ),
    ("it wasnt your fault at all", set(), {"dismissive"}),
    # jargon
    ("the claim went to your deductible", {"jargon"}, set()),
    (
        "it needs a prior authorization which means your insurance has to ok it first",
        set(),
        {"jargon"},
    ),
    ("your coinsurance applies", {"jargon"}, set()),
]


@pytest.mark.parametrize(("text", "present", "absent"), UPSET)
def test_upset_caller_intents(text, present, absent):
    found = detected("upset_caller", text)
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


SPIKES = [
    ("can you tell me what you understand about why the test was ordered", {"perception"}, set()),
    (
        "i can go over everything or just the main point whatever you prefer",
        {"invitation"},
        {"dismissive"},
    ),
    ("we have to move your appointment to next month", {"knowledge"}, set()),
    ("the lab lost your sample so well need another one", {"knowledge"}, set()),
    (
        "your options are to wait for doctor kim or see doctor patel next week",
        {"strategy_summary"},
        set(),
    ),
    ("i know this is a lot to take in", {"empathize"}, set()),
    ("do you have a few minutes to talk right now", {"setting"}, set()),
    ("are you somewhere you can speak privately", {"setting"}, set()),
    ("what has the clinic told you so far about the procedure", {"perception"}, set()),
    ("did anyone explain why the lab called", {"perception"}, set()),
    ("would you like me to go over all of it or just the main points", {"invitation"}, set()),
    ("im afraid your scan on friday has been cancelled", {"knowledge"}, set()),
    ("unfortunately your plan wont cover this visit", {"knowledge"}, set()),
    ("the test has to be repeated because the sample didnt work", {"knowledge"}, set()),
    (
        "you have two options you can come in monday or i can book you with doctor lee",
        {"strategy_summary"},
        set(),
    ),
    ("someone will call you at some point", set(), {"strategy_summary"}),
    ("your pre op for the lap chole was bumped off the or schedule", {"jargon"}, {"knowledge"}),
]


@pytest.mark.parametrize(("text", "present", "absent"), SPIKES)
def test_spikes_intents(text, present, absent):
    found = detected("spikes", text, caller="yes speaking")
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


DESC = [
    (
        "i noticed the sign in sheet was left on the counter with patient names on it after you "
        "closed",
        {"describe"},
        set(),
    ),
    ("it makes my job a lot harder", {"express"}, set()),
    (
        "i would really appreciate it if you could put the sheet away after each patient",
        {"specify"},
        set(),
    ),
    ("then patients wont have to wait and well both get our breaks", {"consequences"}, set()),
    (
        "on tuesday you left the phones for half an hour and three calls went to voicemail",
        {"describe"},
        set(),
    ),
    ("youre always wandering off its so unprofessional", set(), {"describe"}),
    ("i get really stressed when im covering two jobs at once", {"express"}, set()),
    ("it puts me in a tough spot with the patients", {"express"}, set()),
    ("i feel like you are lazy", set(), {"express"}),
    ("could you please let me know before you take a break", {"specify"}, set()),
    ("going forward lets agree that one of us stays at the desk", {"specify"}, set()),
    ("just get your act together", set(), {"specify"}),
    ("that way nobody is left waiting and we both get our work done", {"consequences"}, set()),
    ("if it happens again i will report you to the manager", set(), {"consequences"}),
    ("why did you leave the desk", {"why_did_you"}, {"describe"}),
]


@pytest.mark.parametrize(("text", "present", "absent"), DESC)
def test_desc_intents(text, present, absent):
    found = detected("desc", text, caller="yeah what is it", name="Sam Rivera")
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


def test_caller_turns_never_count():
    scorer = Scorer("upset_caller", caller_name="Maria Gonzalez", record_sensitive=False)
    update = scorer.add_turn(Turn("caller", "thanks for nothing why did you charge me calm down"))
    assert update.detections == ()
    scorer.add_turn(Turn("trainee", "ok let me look"))
    score = scorer.result().to_json()
    assert not any(v["present"] for v in score["faults"].values())
    assert not score["steps"]["thank_caller"]["met"]


def test_scenario_jargon_and_caller_own_word():
    assert "jargon" in detected(
        "upset_caller", "your bloodwork shows a high ferritin", jargon={"ferritin": "iron level"}
    )
    assert "jargon" not in detected(
        "upset_caller",
        "your ferritin, that's the iron level in your blood, is high",
        jargon={"ferritin": "iron level"},
    )
    assert "jargon" not in detected("upset_caller", "the deductible is what you pay first")


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        (
            "i understand how upsetting this is but our hands are tied",
            {"dismissive"},
            {"empathize"},
        ),
        ("i totally get it but that fee is automatic", {"dismissive"}, {"empathize"}),
        ("i understand, but let me see what i can do", {"empathize"}, {"dismissive"}),
        ("can you confirm your date a birth", {"verify_identity"}, set()),
        ("is there any thing else i can do", {"close_call"}, set()),
        ("ok all waive the fee myself right now", {"take_ownership", "propose_solution"}, set()),
        ("well send you a corrected bill by friday", {"propose_solution"}, set()),
        ("dr gonzalez will see you at ten", set(), {"use_name"}),
    ],
)
def test_but_clauses_and_asr_splits(text, present, absent):
    found = detected("upset_caller", text)
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


def test_names_with_accents_and_apostrophes():
    assert "use_name" in detected("upset_caller", "ok jose let me look", name="José Núñez")
    assert "use_name" in detected("upset_caller", "Mr. Núñez, one moment.", name="José Núñez")
    assert "use_name" in detected("upset_caller", "ok ms ohara", name="Bridget O'Hara")


def test_unlisted_clinical_word_forms_are_jargon():
    assert "jargon" in detected("upset_caller", "the tympanogram was flat so we repeat it")
    assert "jargon" not in detected("upset_caller", "the program sends you a reminder")


def test_reading_back_identity_details_is_not_clarify():
    for text in [
        "just to confirm your date of birth is may fifth",
        "so your address is twelve elm court correct",
        "just so i have it right your last name is spelled n o w a k",
    ]:
        assert "clarify" not in detected("upset_caller", text), text


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("thanks ever so much for ringing us about this", {"thank_caller"}, set()),
        ("cheers for letting us know", {"thank_caller"}, set()),
        (
            "ill get that sorted for you today and ring you back by three",
            {"take_ownership", "propose_solution"},
            set(),
        ),
        (
            "so the invoice came on the ninth and youd already paid on the second have i "
            "understood that correctly",
            {"clarify"},
            set(),
        ),
        ("no wonder youre cross", {"empathize"}, set()),
        ("i would feel exactly the same way", {"empathize"}, set()),
        ("its company policy im afraid", {"dismissive"}, set()),
        ("your ldl which is the bad cholesterol is a bit high", set(), {"empathize", "jargon"}),
    ],
)
def test_other_dialects_and_wording(text, present, absent):
    found = detected("upset_caller", text)
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


# --- generalised intents: many phrasings of one intent, and look-alikes -------------------

GENERALISED_UPSET = [
    ("I'm not asking why you didn't come in, honestly.", set(), {"why_did_you"}),
    ("Wouldn't it be easier to switch to the mail-order pharmacy?", set(), {"clarify"}),
    # a refusal takes back the offer in its sentence; with an alternative it is none
    ("yep thats all i can do today bye", {"dismissive"}, {"propose_solution", "close_call"}),
    ("theres not a whole lot i can do about what billing decides", {"dismissive"}, set()),
    (
        "That is all I can do for now, but I will call you tomorrow with the answer.",
        {"propose_solution"},
        {"dismissive"},
    ),
    # empathize: "I'd be X too", "anyone would", a long wait acknowledged, caring noticed
    ("honestly i would have been fuming as well", {"empathize"}, set()),
    ("i'd be rattled too if that landed in my mailbox", {"empathize"}, set()),
    ("anybody would feel let down after that", {"empathize"}, set()),
    ("of course youre upset anyone would be", {"empathize"}, set()),
    ("Two hours in a waiting room is far too long for anyone.", {"empathize"}, set()),
    ("Being sick and then getting a surprise charge is just awful.", {"empathize"}, set()),
    ("a wait like that is exhausting when you're not well", {"empathize"}, set()),
    ("small wonder youre cross with us", {"empathize"}, set()),
    ("it's clear how much you care about your mum", {"empathize"}, set()),
    ("i can hear how much this matters to you", {"empathize"}, set()),
    ("that would wind anybody up", {"empathize"}, set()),
    ("that would drive me round the bend too", {"empathize"}, set()),
    ("three calls and no answer would try anyone's patience", {"empathize"}, set()),
    ("i would be able to see you at three", set(), {"empathize"}),
    ("anyone would be able to pick it up for you", set(), {"empathize"}),
    ("that would take anyone about a week", set(), {"empathize"}),
    ("i would have to check that too", set(), {"empathize"}),
    ("i'll send you the form and you can sign it", set(), {"empathize"}),
    # clarify: restatements ending "got it", "let me get this straight", facts about others
    ("so the lab lost the sample and they want you back on friday got it", {"clarify"}, set()),
    (
        "let me make sure i have this straight you were billed twice for one visit",
        {"clarify"},
        set(),
    ),
    ("just so we're on the same page, the refill went to the old pharmacy?", {"clarify"}, set()),
    ("if i'm following you, the pharmacy never got the refill", {"clarify"}, set()),
    ("who is the surgeon and when is the operation", {"clarify"}, set()),
    ("and is the charge from the march visit", {"clarify"}, set()),
    ("correct me if im wrong but the letter came on tuesday", {"clarify"}, set()),
    ("can i have your first and last name", set(), {"clarify"}),
    ("is that all right with you", set(), {"clarify"}),
    ("is it ok if i put you on a short hold", set(), {"clarify"}),
    # advice put as a question, an offer: not clarify; a question about the situation is
    ("Have you tried calling your insurer?", set(), {"clarify"}),
    ("have you tried the after hours line", set(), {"clarify"}),
    ("Why don't you ring the pharmacy tomorrow?", set(), {"clarify"}),
    ("I'll go ahead and have the nurse call you back before three.", set(), {"clarify"}),
    ("How long has this been going on?", {"clarify"}, set()),
    ("Walk me through what happened when you got to the desk.", {"clarify"}, set()),
    # a fact question starting any sentence of the turn, not only the first
    ("I am so sorry for your loss. When did this happen?", {"clarify"}, set()),
    ("That sounds awful. Who told you that?", {"clarify"}, set()),
    ("I understand. What is your date of birth?", set(), {"clarify"}),
    # any question about the caller's situation, by its form; other acts put as questions
    ("I'm sorry. Are you still getting the letters?", {"clarify"}, set()),
    ("Are you a student at the college?", {"clarify"}, set()),
    ("That's hard. Does she have family nearby?", {"clarify"}, set()),
    ("How are you today?", set(), {"clarify"}),
    ("Thank you for calling, this is Dana. Who am I speaking with?", set(), {"clarify"}),
    ("Who's calling, please?", set(), {"clarify"}),
    ("Why didn't you call us sooner?", {"why_did_you"}, {"clarify"}),
    ("Can I put you on hold for a moment?", set(), {"clarify"}),
    ("Have you ever thought about switching to the patient portal?", set(), {"clarify"}),
    ("What about trying the pharmacy on Main Street?", set(), {"clarify"}),
    ("Would that work for you?", set(), {"clarify"}),
    # take_ownership / propose_solution: any personal action with a time, delegated actions
    ("i'm going to stay on top of this personally until it's fixed", {"take_ownership"}, set()),
    ("i'm taking this on myself", {"take_ownership"}, set()),
    (
        "ill copy the records myself and post them first thing tomorrow",
        {"take_ownership", "propose_solution"},
        set(),
    ),
    ("ill get the billing team to reprocess the claim today", {"propose_solution"}, set()),
    ("i'll switch your contact number to the mobile right now", {"propose_solution"}, set()),
    ("i'll have the nurse phone you back before lunch", {"propose_solution"}, set()),
    ("you can collect the letter tomorrow after ten", {"propose_solution"}, set()),
    ("ill need your date of birth before we start", set(), {"take_ownership", "propose_solution"}),
    ("i will have to put you on hold for a moment", set(), {"take_ownership", "propose_solution"}),
    ("we will be closed tomorrow for the holiday", set(), {"propose_solution"}),
    ("i can not do anything about it today", {"dismissive"}, {"propose_solution"}),
    # confirm_next_step
    ("does that seem fair to you", {"confirm_next_step"}, set()),
    ("which of those suits you better", {"confirm_next_step"}, set()),
    ("what works best for you, morning or afternoon", {"confirm_next_step"}, set()),
    ("how do you feel about that plan", {"confirm_next_step"}, set()),
    # a time offered and checked is no sarcasm ("good for you") and no question about the facts
    ("Is Tuesday any good for you?", {"confirm_next_step"}, {"dismissive", "clarify"}),
    ("Would the 18th be any good for you?", {"confirm_next_step"}, {"dismissive", "clarify"}),
    ("Would Thursday be any good?", {"confirm_next_step"}, {"clarify"}),
    ("Do you mind if I put you on hold for a second?", set(), {"clarify", "close_call"}),
    ("Do you mind me asking when the bill arrived?", {"clarify"}, set()),
    ("Well, good for you. Some of us have work to do.", {"dismissive"}, set()),
    ("would you be comfortable with that", {"confirm_next_step"}, set()),
    ("what works for the doctor is tuesday", set(), {"confirm_next_step"}),
    # dismissive: rules with no way out; policy with an exception is not
    ("sorry but them are the rules and i cant change them", {"dismissive"}, set()),
    ("the rules say three missed visits and you're discharged", {"dismissive"}, set()),
    ("there are no exceptions", {"dismissive"}, set()),
    (
        "our policy is a fee for late cancels, but there are exceptions and i'll waive it for you",
        set(),
        {"dismissive"},
    ),
    (
        "That's the policy, but what I can do is book you first thing tomorrow.",
        set(),
        {"dismissive"},
    ),
    # invite_and_listen: "what happened" the trainee will look into is not an invitation
    ("let me look into what happened with your referral", set(), {"invite_and_listen"}),
    ("i'm sorry about what happened at the desk", set(), {"invite_and_listen"}),
    ("so what happened when you got to the front desk", {"invite_and_listen"}, set()),
    # verify_identity: only the caller's own address, asked or confirmed
    ("the clinic address is on the back of the card", set(), {"verify_identity"}),
    ("there's a mailing address on our website", set(), {"verify_identity"}),
    ("could you confirm your home address for me", {"verify_identity"}, set()),
]


@pytest.mark.parametrize(("text", "present", "absent"), GENERALISED_UPSET)
def test_generalised_upset_caller_intents(text, present, absent):
    found = detected("upset_caller", text)
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


GENERALISED_SPIKES = [
    ("have you got a couple of minutes somewhere you can talk", {"setting"}, set()),
    ("Is there somewhere quiet to talk for a moment?", {"setting"}, set()),
    ("the cardiologist can't fit you in before april", {"knowledge"}, set()),
    ("your biopsy report isn't back yet and it will take another few days", {"knowledge"}, set()),
    ("the scan has to be done in person, not over video", {"knowledge"}, set()),
    ("the new clinic is not going to open until next month", {"knowledge"}, set()),
    ("i can not imagine how disappointing this is", {"empathize"}, {"knowledge"}),
    ("do you want the quick version or all the details", {"invitation"}, set()),
    ("shall i give you the big picture first, or go step by step?", {"invitation"}, set()),
    ("would you like just the bottom line?", {"invitation"}, set()),
    ("would you like a copy of the letter", set(), {"invitation"}),
    ("he could call the insurer himself or we can do it for him", {"strategy_summary"}, set()),
]


@pytest.mark.parametrize(("text", "present", "absent"), GENERALISED_SPIKES)
def test_generalised_spikes_intents(text, present, absent):
    found = detected("spikes", text, caller="yes speaking")
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


GENERALISED_DESC = [
    (
        "on thursday afternoon the sign in sheet with patient names was lying face up on the "
        "counter",
        {"describe"},
        set(),
    ),
    ("yesterday i found the cash drawer left open for about two hours", {"describe"}, set()),
    (
        "starting next week could we rotate the lunch cover so the window is never empty",
        {"specify"},
        set(),
    ),
    ("from monday can we trade shifts on the phones every hour", {"specify"}, set()),
    ("can we talk for a second", set(), {"specify"}),
    ("if this keeps up i'll be taking it to the practice manager", set(), {"consequences"}),
    ("do it again and ill report you", set(), {"consequences"}),
    (
        "that way the patients won't be kept waiting and we'll both have an easier day",
        {"consequences"},
        set(),
    ),
]


@pytest.mark.parametrize(("text", "present", "absent"), GENERALISED_DESC)
def test_generalised_desc_intents(text, present, absent):
    found = detected("desc", text, caller="yeah what is it", name="Sam Rivera")
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Your MRN shows the claim went to the TPA last week.", {"jargon"}, set()),
        ("the doctor ordered an ABG and a BNP", {"jargon"}, set()),
        ("the claim was denied for no PA on file", {"jargon"}, set()),
        ("the report mentions a small effusion", {"jargon"}, set()),
        ("your imaging showed cervical spondylosis", {"jargon"}, set()),
        ("it looks like mild diverticulitis on the scan", {"jargon"}, set()),
        ("your t four level is a bit low", {"jargon"}, set()),
        ("the e o b shows a balance", {"jargon"}, set()),
        ("you need a TSH (that's a thyroid blood test) before the visit", set(), {"jargon"}),
        ("We need a health savings account form, the HSA, before we bill it.", set(), {"jargon"}),
        ("I'll call you at 4 PM with the ID number ASAP.", set(), {"jargon"}),
        ("your arthritis appointment is on friday", set(), {"jargon"}),
        ("the ER doctor sent the MRI report over", set(), {"jargon"}),
        ("I AM SO SORRY ABOUT THIS MIX UP", set(), {"jargon"}),
        ("I can see you at 10 AM on the 3rd in Suite B", set(), {"jargon"}),
        ("your deductible is the amount you pay first", set(), {"jargon"}),
    ],
)
def test_unlisted_abbreviations_and_clinical_words_are_jargon(text, present, absent):
    found = detected("upset_caller", text)
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("i here you and im sorry it took so long", {"empathize"}),
        ("your right to be upset about that", {"empathize"}),
        ("honestly id be annoyed to", {"empathize"}),
        ("that would rat tle anyone", {"empathize"}),
        ("so were clear the refund went to the old card right", {"clarify"}),
        ("so the charge is from june is that write", {"clarify"}),
        ("thanks four calling in about this", {"thank_caller"}),
        ("wood that work for you", {"confirm_next_step"}),
        ("i can book you at nine tomorrow well that work for you", {"confirm_next_step"}),
        ("well that be okay with you", {"confirm_next_step"}),
        ("ill call you to morrow at nine", {"propose_solution"}),
        ("ill send it to you to day", {"propose_solution"}),
    ],
)
def test_misheard_cue_words(text, present):
    """Homophones and split words a recogniser writes still carry the intent."""
    found = detected("upset_caller", text)
    assert present <= found, f"missing {present - found} in {text!r}"


@pytest.mark.parametrize(
    ("name", "text", "addressed"),
    [
        ("Tobias Lindqvist", "thanks for holding to bias im listening", True),
        ("Yvonne Price", "okay evon let me look", True),
        ("Raymond Okafor", "ray mond i can fix that", True),
        ("Gwendolyn Harper", "gwen dolan thank you", True),
        ("Gwendolyn Harper", "okay gwen ill call you back", True),
        ("Christopher Dunn", "chris thanks for calling", True),
        ("Raymond Okafor", "the x ray shows nothing", False),
        ("Caroline Webb", "the car park is full", False),
        ("Andrea Moss", "and then we called", False),
        ("Alexandra Bell", "the alexa app", False),
        ("Yvonne Price", "even so we can help", False),
        ("Colleen Murphy", "if i find them ill call you", False),
    ],
)
def test_names_split_misspelt_or_shortened(name, text, addressed):
    assert ("use_name" in detected("upset_caller", text, name=name)) is addressed


def _call(turns: list[tuple[str, str]], protocol: str = "upset_caller") -> tuple[dict, list]:
    scorer = Scorer(protocol, caller_name="Maria Gonzalez", record_sensitive=False)
    updates = [scorer.add_turn(Turn(speaker, text)) for speaker, text in turns]
    return scorer.result().to_json(), updates


@pytest.mark.parametrize(
    ("trainee", "caller_reply", "quoted"),
    [
        ("it's moved to after your pre-admission visit, the PAT slot", "the what?", "PAT"),
        ("it is waiting on a tier review", "what is a tier review", "tier review"),
        ("the claim sits in coordination review", "in english please", "coordination"),
        ("your visit was coded as a modified level", "my what?", "modified level"),
    ],
)
def test_caller_confusion_shows_jargon(trainee, caller_reply, quoted):
    score, updates = _call([("caller", "where is my refill"), ("trainee", trainee)])
    assert score["faults"]["jargon"]["present"] is ("PAT" in trainee)
    score, updates = _call(
        [("caller", "where is my refill"), ("trainee", trainee), ("caller", caller_reply)]
    )
    evidence = score["faults"]["jargon"]["evidence"]
    assert evidence and evidence[0]["turn"] == 1 and quoted in evidence[0]["quote"]
    if "PAT" not in trainee:  # found only through the caller's reaction, reported then
        assert [(d.id, d.turn_index) for d in updates[2].detections] == [("jargon", 1)]


@pytest.mark.parametrize(
    "caller_reply",
    ["what do you mean it was sent i never got it", "what happened", "what is going on"],
)
def test_caller_questions_that_are_not_confusion(caller_reply):
    score, _ = _call(
        [
            ("caller", "where is my refill"),
            ("trainee", "the pharmacy sent it this morning"),
            ("caller", caller_reply),
        ]
    )
    assert not score["faults"]["jargon"]["present"]


def test_telling_a_caller_about_another_patient_is_a_breach():
    opening = ("caller", "I got a letter meant for a man named Peter Hale, it's his test results.")
    score, _ = _call(
        [opening, ("trainee", "Oh no. Peter had his cholesterol test the same day as you.")]
    )
    assert score["faults"]["confidentiality_breach"]["present"]
    assert score["verdict"] == "not yet competent"
    score, _ = _call(
        [opening, ("trainee", "I can't discuss Peter's results, but I'll get it back to him.")]
    )
    assert not score["faults"]["confidentiality_breach"]["present"]
    score, _ = _call(
        [("caller", "my letter never came"), ("trainee", "your cholesterol test came back normal")]
    )
    assert not score["faults"]["confidentiality_breach"]["present"]


def test_a_caller_who_owns_up_late_was_told_the_record_before():
    told = "okay so you have ninety dollars still owing from the filling in may"
    turns = [
        ("caller", "yeah i got a bill for tom reyes and it is wrong"),
        ("trainee", "is this tom"),
        ("caller", "yeah"),
        ("trainee", told),
    ]
    score, _ = _call(turns)
    assert not score["faults"]["confidentiality_breach"]["present"]  # the patient, unchecked
    score, updates = _call([*turns, ("caller", "well it's not me actually, it's my husband")])
    evidence = score["faults"]["confidentiality_breach"]["evidence"]
    assert evidence and evidence[0]["turn"] == 3 and "ninety dollars" in evidence[0]["quote"]
    assert [(d.id, d.turn_index) for d in updates[4].detections] == [("confidentiality_breach", 3)]
    score, _ = _call(
        [
            *turns[:3],
            ("trainee", "I can't go through what's on the account till I check a few things"),
            ("caller", "it's not me, it's my husband's bill"),
        ]
    )
    assert not score["faults"]["confidentiality_breach"]["present"]


@pytest.mark.parametrize(
    ("protocol", "text", "present", "absent"),
    [
        ("upset_caller", "you've had a rough week by the sound of it", {"empathize"}, set()),
        ("upset_caller", "it makes total sense that you're frustrated", {"empathize"}, set()),
        ("upset_caller", "what a horrible week youve had", {"empathize"}, set()),
        ("upset_caller", "ugh i hate that for you", {"empathize"}, set()),
        ("upset_caller", "i understand but we cant do anything", {"dismissive"}, {"empathize"}),
        ("upset_caller", "roughly what time did you call", {"clarify"}, set()),
        ("upset_caller", "no need to shout", {"dismissive"}, set()),
        ("upset_caller", "that's why you got the second bill", set(), {"why_did_you"}),
        ("upset_caller", "i have no idea why you got that bill", set(), {"why_did_you"}),
        ("upset_caller", "ill look into why you did not get the reminder", set(), {"why_did_you"}),
        ("upset_caller", "so why you leave it so late", {"why_did_you"}, set()),
        ("upset_caller", "Please send it to 12 Elm St, Springfield, IL 62704.", set(), {"jargon"}),
        ("upset_caller", "did you say anything else about the bill", set(), {"close_call"}),
        ("upset_caller", "are you okay", set(), {"confirm_next_step"}),
        ("upset_caller", "maybe try calling back later", set(), {"propose_solution"}),
        ("upset_caller", "Dr. Patel will see you at the Main St. office", set(), {"jargon"}),
        ("upset_caller", "Please bring your ID and insurance card", set(), {"jargon"}),
        ("desc", "it worries me that patients can hear their details", {"express"}, set()),
        ("desc", "please tell me before you leave the desk so i can cover", {"specify"}, set()),
        ("desc", "then we both get a proper lunch and nobody is stuck", {"consequences"}, set()),
        ("desc", "then you will have a problem with me", set(), {"consequences"}),
        ("desc", "so you are always late", set(), {"consequences"}),
        ("desc", "or i'll have to write you up", set(), {"consequences"}),
        ("desc", "be more professional", set(), {"specify"}),
    ],
)
def test_fresh_phrasings_and_look_alikes(protocol, text, present, absent):
    found = detected(protocol, text, caller="hi", name="Sam Rivera")
    assert present <= found, f"missing {present - found} in {text!r}"
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


# Families generalised after a second independent check set: each line is a fresh
# paraphrase or look-alike written for this test, not a line from any data set.
INTENT_FAMILIES = [
    # clarify: any question about the facts of the problem, or a restatement checked back
    ("upset_caller", "which clinic was that, the one downtown or the one by the mall", {"clarify"}),
    ("upset_caller", "and when did the second letter arrive", {"clarify"}),
    ("upset_caller", "how much does the statement say you owe", {"clarify"}),
    ("upset_caller", "Could you read me the amount at the bottom of the notice?", {"clarify"}),
    (
        "upset_caller",
        "so the refill went to the old pharmacy is that your understanding",
        {"clarify"},
    ),
    (
        "upset_caller",
        "so you were told friday and the text said monday, is that what you see on your phone",
        {"clarify"},
    ),
    ("upset_caller", "help me wrap my head around the timeline here", {"clarify"}),
    ("upset_caller", "can i ask was the visit in the morning or the afternoon", {"clarify"}),
    # SPIKES perception: what the caller was told, knows or heard
    ("spikes", "what did the surgeon's office explain to you about the delay", {"perception"}),
    ("spikes", "has anybody at the pharmacy mentioned anything to you yet", {"perception"}),
    ("spikes", "what have you heard so far about your scan", {"perception"}),
    ("spikes", "has your insurer sent you anything about the claim", {"perception"}),
    # SPIKES knowledge: the news itself, said plainly
    ("spikes", "dr lee has retired, so your follow up with her will not go ahead", {"knowledge"}),
    ("spikes", "we are shutting the saturday clinic from next month", {"knowledge"}),
    ("spikes", "the earliest appointment we have is not until six weeks from now", {"knowledge"}),
    ("spikes", "your knee surgery on the fifth is not happening", {"knowledge"}),
    ("spikes", "she can come in any weekday morning for the new draw", {"strategy_summary"}),
    # use_name: a surname after a title, misheard by sound or split in two
    ("upset_caller", "okay mrs kintana let me look", {"use_name"}),
    ("upset_caller", "thank you mister fair weather i can fix that", {"use_name"}),
    # dismissive: blaming the caller, fatalistic refusals
    ("upset_caller", "to be honest you never told us you moved", {"dismissive"}),
    ("upset_caller", "well you should have updated your insurance card", {"dismissive"}),
    ("upset_caller", "if you had called us earlier none of this would happen", {"dismissive"}),
    ("upset_caller", "the schedule is what it is", {"dismissive"}),
    ("upset_caller", "i cant undo a cancelled appointment", {"dismissive"}),
    # empathy in other words
    ("upset_caller", "being left on hold that long must have felt awful", {"empathize"}),
    ("upset_caller", "that is the last thing anybody needs on a monday", {"empathize"}),
    ("upset_caller", "nobody wants to open a bill like that", {"empathize"}),
    ("upset_caller", "how stressful, and right before your trip", {"empathize"}),
    ("upset_caller", "honestly i would be fuming too", {"empathize"}),
    # confirming the plan, owning the next action
    ("upset_caller", "does the 3rd at noon work for you", {"confirm_next_step"}),
    ("upset_caller", "would early tuesday suit you", {"confirm_next_step"}),
    ("upset_caller", "shall we give that a try", {"confirm_next_step"}),
    ("upset_caller", "let me text your daughter right now", {"take_ownership"}),
    # DESC in other words
    (
        "desc",
        "on tuesday and thursday two new patients were squeezed into the ten o clock slot",
        {"describe"},
    ),
    ("desc", "i find it pretty hard to concentrate when the phones ring", {"express"}),
    (
        "desc",
        "then the front desk stays covered and patients get checked in fast",
        {"consequences"},
    ),
]


@pytest.mark.parametrize(("protocol", "text", "present"), INTENT_FAMILIES)
def test_intent_families_in_new_words(protocol, text, present):
    found = detected(protocol, text, caller="hi", name="Helen Quintana")
    if "fair weather" in text:
        found = detected(protocol, text, caller="hi", name="Paul Fairweather")
    assert present <= found, f"missing {present - found} in {text!r}"


LOOK_ALIKES = [
    ("upset_caller", "ill send the form today which is the quickest way", {"clarify"}),
    ("upset_caller", "the lab which is on the second floor opens at eight", {"clarify"}),
    ("upset_caller", "what is your date of birth", {"clarify"}),
    ("upset_caller", "is this helen quintana", {"clarify"}),
    ("upset_caller", "let me check which pharmacy has it in stock", {"clarify"}),
    ("upset_caller", "we will call you when the results come in", {"clarify"}),
    ("upset_caller", "i will let you know which day works", {"clarify"}),
    ("upset_caller", "the quinoa salad was lovely", {"use_name"}),
    ("upset_caller", "i will get my team on it", {"use_name"}),
    ("upset_caller", "you never got the reminder? that is on us, sorry", {"dismissive"}),
    ("upset_caller", "i cant change the past but i can waive the fee today", {"dismissive"}),
    ("upset_caller", "there is nothing you need to do", {"dismissive"}),
    ("upset_caller", "there is nothing i would rather do than sort this", {"dismissive"}),
    ("upset_caller", "i hear you but theres nothing i can do today", {"propose_solution"}),
    ("upset_caller", "that must be the wrong account", {"empathize"}),
    ("upset_caller", "it must have been sent to the old address", {"empathize"}),
    ("upset_caller", "i would not be worried about that part", {"empathize"}),
    ("upset_caller", "i will make this work for you", {"confirm_next_step"}),
    (
        "upset_caller",
        "the portal does not work for you until it is activated",
        {"confirm_next_step"},
    ),
    ("upset_caller", "who is the payer on this account", {"jargon"}),
    ("spikes", "i will tell you what the doctor said", {"perception"}),
    ("spikes", "this is not going to happen again", {"knowledge"}),
    ("spikes", "i promise that will not happen again", {"knowledge"}),
    ("spikes", "we are closing in on a date for you", {"knowledge"}),
    ("desc", "then the desk was empty for an hour", {"consequences"}),
    ("desc", "then nobody will be fired", {"consequences"}),
]


@pytest.mark.parametrize(("protocol", "text", "absent"), LOOK_ALIKES)
def test_intent_family_look_alikes(protocol, text, absent):
    found = detected(protocol, text, caller="hi", name="Helen Quintana")
    assert not (absent & found), f"wrongly found {absent & found} in {text!r}"


def test_refusal_is_dismissive_not_a_solution():
    found = detected("upset_caller", "i hear you but theres nothing i can do today")
    assert "dismissive" in found and "propose_solution" not in found


def test_own_account_or_a_business_possessive_is_no_breach():
    score, _ = _call(
        [
            ("caller", "My bank's bill pay says the payment left on the 2nd."),
            ("trainee", "I see your bill was paid on the 4th, so the late fee is on your bill."),
        ]
    )
    assert not score["faults"]["confidentiality_breach"]["present"]


@pytest.mark.parametrize(
    ("name", "text", "addressed"),
    [
        ("Derek Ainsley", "thank you mister ains lee", True),
        ("Helen Quintana", "okay mrs kintana let me look", True),
        ("Dana Whitfield", "thank you whitfield i see the charge", True),  # title lost
        ("Tim Barker", "i will get my team on it", False),
        ("Carla Brown", "thank you brown envelopes are the old ones", False),
        ("Helen Quintana", "doctor kintana will see you", False),
        ("Derek Ainsley", "mister ames will call you", False),
    ],
)
def test_surnames_by_sound_after_a_title(name, text, addressed):
    assert ("use_name" in detected("upset_caller", text, name=name)) is addressed
