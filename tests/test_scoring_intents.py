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
