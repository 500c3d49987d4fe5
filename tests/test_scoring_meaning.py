"""The meaning layer: intent examples as validated data, verdicts that say what found
them, and the simulated caller reacting to what the trainee meant."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voicecoach.dialogue import get_scenario
from voicecoach.dialogue.text_call import TextCall
from voicecoach.errors import ScenarioError
from voicecoach.scoring import Scorer, Turn
from voicecoach.scoring.heads import load_heads
from voicecoach.scoring.intents import IntentModel, intent_files, known_intent_ids
from voicecoach.scoring.text import NormText

BUILT_IN = Path(__file__).parent.parent / "scenarios" / "protocols" / "intents"


def test_built_in_intent_files_cover_all_three_protocols():
    model = IntentModel(intent_files())
    for intent_id in ("empathize", "clarify", "knowledge", "describe", "record_disclosure"):
        assert intent_id in model.intents


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    threshold: 0.33\n", "    threshold: high\n", ":11: intents.close_call.threshold"),
        ("  close_call:", "  small_talk:", ":9: intents.small_talk: unknown intent id"),
        ("      - Have I answered", "      - [Have I answered", "intents.yaml:"),
    ],
)
def test_intent_file_errors_name_file_and_line(tmp_path, old, new, expected):
    text = (
        "neutral:\n  - The clinic opens at eight.\n"
        "  - Parking is behind the building.\n  - Please hold for a moment.\n"
        "intents:\n"
        "  # a comment line\n"
        "  # another\n"
        "  # and one more\n"
        "  close_call:\n"
        "    margin: 0.04\n"
        "    threshold: 0.33\n"
        "    examples:\n"
        "      - Is there anything else I can help with?\n"
        "      - Have I answered all your questions?\n"
        "      - Anything more before we hang up?\n"
    )
    assert old in text
    path = tmp_path / "intents.yaml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ScenarioError) as err:
        IntentModel([path])
    assert str(path) in str(err.value) and expected in str(err.value)


def _turn_update(text: str, caller: str = "I was charged twice and I'm fed up."):
    scorer = Scorer("upset_caller", caller_name="Maria Gonzalez", record_sensitive=False)
    scorer.add_turn(Turn("caller", caller))
    return scorer, scorer.add_turn(Turn("trainee", text, start=3.0))


_SPIKES_ASKS = frozenset({"perception", "invitation"})


def _step_update(intent_id: str, text: str):
    """A trainee turn for one id's table row: a SPIKES ask after the call's opening and
    setting check (asked before the news), else the first reply to an upset caller."""
    if intent_id not in _SPIKES_ASKS:
        return _turn_update(text)[1]
    scorer = Scorer("spikes", caller_name="Lee Morgan", record_sensitive=False)
    scorer.add_turn(Turn("caller", "Hello?"))
    scorer.add_turn(
        Turn("trainee", "Hi, it's Jo from Riverside Clinic about your appointment. Is now okay?")
    )
    scorer.add_turn(Turn("caller", "Yes, go ahead, what's this about?"))
    return scorer.add_turn(Turn("trainee", text))


def test_a_paraphrase_is_found_by_meaning_with_its_quote_and_time():
    scorer, update = _turn_update(
        "Three days of waiting on something like that would have me worried sick."
    )
    (found,) = [d for d in update.detections if d.id == "empathize"]
    assert found.found_by == "meaning" and found.start_s == 3.0
    assert found.quote.startswith("Three days of waiting")
    evidence = scorer.result().to_json()["steps"]["empathize"]["evidence"][0]
    assert evidence["found_by"] == "meaning" and evidence["turn"] == 1


def test_a_precise_phrase_is_found_by_pattern():
    _, update = _turn_update("Thank you for calling, Maria.")
    assert {(d.id, d.found_by) for d in update.detections} >= {
        ("thank_caller", "pattern"),
        ("use_name", "pattern"),
    }


def test_an_unauthorised_relative_told_a_result_breaks_confidentiality_and_presses_for_more():
    call = TextCall(get_scenario("relative_information"), seed=1)
    call.opening()
    call.say("Thank you for calling, Karen. Tell me what's going on.")
    reply = call.say("Okay, the scan shows a small nodule, the doctor reviewed it.")
    assert reply.phase == "pressing"
    assert any("confidentiality_breach" in change.reason for change in reply.mood_changes)
    score = call.finish().to_json()["score"]
    breach = score["faults"]["confidentiality_breach"]
    assert breach["present"] and breach["evidence"][0]["quote"].startswith("Okay, the scan shows")
    assert score["verdict"] == "not yet competent"


def test_pulling_up_a_chart_is_not_taking_responsibility():
    _, update = _turn_update("Let me pull up her chart.", caller="I'm calling about my mother.")
    assert "take_ownership" not in update.ids()


def test_a_brush_off_is_not_clarifying_and_angers_the_caller():
    call = TextCall(get_scenario("surprise_bill"), seed=1)
    call.opening()
    mood = call.caller.mood
    reply = call.say("Look, that's not my problem, you'll have to call your insurance.")
    reasons = " ".join(change.reason for change in reply.mood_changes)
    assert "dismissive" in reasons and "clarify" not in reasons
    assert call.caller.mood > mood


def test_empathy_in_new_words_calms_the_caller():
    call = TextCall(get_scenario("surprise_bill"), seed=1)
    call.opening()
    mood = call.caller.mood
    reply = call.say(
        "I can tell from everything you're saying that you're really anxious about this."
    )
    assert any(change.reason.startswith("empathize") for change in reply.mood_changes)
    assert call.caller.mood < mood


@pytest.mark.parametrize(
    ("caller", "is_parent_of_minor"),
    [
        ("I'm calling about my son Leo, he's seven, he had a strep test.", True),
        ("My 6 year old has had a fever since Monday.", True),
        ("My son, he's thirty two, asked me to call.", False),
        ("My daughter is one of your patients.", False),
        ("My daughter, she is ten minutes away from the clinic.", False),
    ],
)
def test_who_is_calling_a_parent_of_a_minor(caller, is_parent_of_minor):
    from voicecoach.scoring.detectors.checks import caller_is_parent_of_minor
    from voicecoach.scoring.text import NormText

    assert caller_is_parent_of_minor(NormText(caller).text) is is_parent_of_minor


@pytest.mark.parametrize(
    ("caller", "third_party", "patient"),
    [
        ("I'm his manager, is he really sick?", True, None),
        ("This is Tom, Karen's ex-husband. When is her appointment?", True, "karen"),
        ("This is Rob, I'm Jamie's uncle.", True, "jamie"),
        ("I'm a friend of Mr. Osei, I want to pay his bill.", True, None),
        ("I am a manager at the bank and I need my results.", False, None),
        ("My boss asked me to bring a note from my visit.", False, None),
        ("This is so unfair to my wife and me.", False, None),
        ("My son Theo was seen on Tuesday, what did they find?", True, "theo"),
        ("My husband came in with me last time and I need my results.", False, None),
        ("Hi, I'm a pharmacist at Eastgate Pharmacy, about a patient of yours.", True, None),
    ],
)
def test_who_is_calling_someone_from_the_patients_life(caller, third_party, patient):
    from voicecoach.scoring.detectors.checks import caller_is_third_party, patient_names

    text = NormText(caller).text
    assert caller_is_third_party(text) is third_party
    assert patient_names(text) == ({patient} if patient else set())


def test_a_time_or_a_decimal_does_not_end_a_sentence():
    assert NormText("Jamie is in at 2:15 with Dr. Wu.").sentences == [(0, 9)]
    assert len(NormText("It took 3.5 hours. Then what?").sentences) == 2


def _heads_file(tmp_path: Path, heads: str) -> Path:
    path = tmp_path / "intent_heads.yaml"
    path.write_text("features: wordllama l2_supercat_256 mean+max+min\nheads:\n" + heads)
    return path


@pytest.mark.parametrize(
    ("heads", "expected"),
    [
        (
            "  empathize:\n    adopted: true\n    threshold: 0.4\n    bias: 0.0\n"
            "    weights: [0.1, 0.2]\n",
            ":7: heads.empathize.weights: 2 weights, the embeddings give 768 features",
        ),
        (
            "  small_talk:\n    adopted: true\n    threshold: 0.4\n    bias: 0.0\n"
            "    weights: [0.1]\n",
            ":3: heads.small_talk: unknown intent id",
        ),
        (
            "  clarify:\n    adopted: true\n    threshold: 1.5\n    bias: 0.0\n"
            "    weights: [0.1]\n",
            ":5: heads.clarify.threshold",
        ),
    ],
)
def test_intent_head_errors_name_file_and_line(tmp_path, heads, expected):
    path = _heads_file(tmp_path, heads)
    with pytest.raises(ScenarioError) as err:
        load_heads(path, 768, known_intent_ids())
    assert str(path) in str(err.value) and expected in str(err.value)


def test_shipped_heads_fit_the_embeddings_and_decide_their_intents():
    model = IntentModel(intent_files())
    assert {"empathize", "clarify"} <= set(model.heads)
    assert all(len(h.weights) == 3 * model._embedder.dim for h in model.heads.values())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # written for this test, in no intent file: the learned head alone judges them
        ("It must feel like nobody is listening to you after all those calls.", "empathize"),
        ("You sound completely worn out by all of this back and forth.", "empathize"),
        ("Help me picture it: what did the receptionist say when you paid?", "clarify"),
    ],
)
def test_the_learned_head_finds_fresh_phrasings(text, intent):
    model = IntentModel(intent_files())
    head = model.heads[intent]
    features = model._embedder.pooled([" ".join(NormText(text).tokens)])
    assert head.probability(features)[0] >= head.threshold


@pytest.mark.parametrize(
    "text",
    [
        "You should call your insurer and ask them to send the form again.",
        "Our billing office is open from eight until four on weekdays.",
    ],
)
def test_the_learned_heads_pass_over_advice_and_information(text):
    model = IntentModel(intent_files())
    features = model._embedder.pooled([" ".join(NormText(text).tokens)])
    for head in model.heads.values():
        assert head.probability(features)[0] < head.threshold


@pytest.mark.parametrize(
    "text",
    [
        # the "you've had a rough week" pattern family is gone: written for this test
        "You've had such a tough month with all of this.",
        "It sounds like you are having a really hard time with this.",
        "You have been having a miserable few days, haven't you.",
        "You've had a long and difficult wait for this, Maria.",
    ],
)
def test_a_hard_time_named_is_empathy_found_by_meaning(text):
    _, update = _turn_update(text)
    assert ("empathize", "meaning") in {(d.id, d.found_by) for d in update.detections}


@pytest.mark.parametrize(
    "text",
    [
        # the "that is (completely) understandable" pattern is gone: written for this test
        "It's completely understandable that you feel that way.",
        "That is perfectly understandable after the week you have had.",
        "Honestly, your reaction is totally understandable.",
    ],
)
def test_understandable_is_empathy_found_by_meaning(text):
    _, update = _turn_update(text)
    assert ("empathize", "meaning") in {(d.id, d.found_by) for d in update.detections}


def _later_turn_update(text: str):
    """A trainee turn after the first (no call closes in its first reply)."""
    scorer, _ = _turn_update("I'm sorry about the double charge, I've refunded one of them.")
    scorer.add_turn(Turn("caller", "Okay, thank you."))
    return scorer.add_turn(Turn("trainee", text))


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for waiting, I've got your file now.",
        "Right, I'm putting you on hold.",
        "Does Thursday at ten work for you?",
        "Did the pharmacist say anything else?",
        "May I ask a few questions?",  # the fitted close_call head took it for one
        "May I ask a few questions so I have everything right?",  # the adopted head does
        "Do you mind if I put you on hold for a second?",
    ],
)
def test_mid_call_thanks_holds_and_questions_are_no_closing(text):
    update = _later_turn_update(text)
    assert "close_call" not in {d.id for d in update.detections}


@pytest.mark.parametrize(
    "text",
    [
        # written after close_call's head was fitted; no pattern finds them
        "Is there anything more on your end before I hang up?",
        "Have we got everything squared away for you now?",
        "Is there anything I've missed that you still need?",
    ],
)
def test_a_closing_check_in_new_words_is_found_by_meaning(text):
    update = _later_turn_update(text)
    assert ("close_call", "meaning") in {(d.id, d.found_by) for d in update.detections}


@pytest.mark.parametrize(
    ("intent_id", "text"),
    [
        # written after confirm_next_step's head was fitted; no pattern finds them
        (
            "confirm_next_step",
            "I'll ask Dr Kaur to ring you on Thursday. Would you be comfy with that?",
        ),
        ("confirm_next_step", "Can you go along with a phone appointment first?"),
        ("confirm_next_step", "We'll pop the new card in the post, that all right?"),
        ("confirm_next_step", "so we leave it with the nurse for now yeah you fine with that"),
        # written after the propose_solution head was fitted; no pattern finds them
        (
            "propose_solution",
            "leave this one with me derek ill ring the pharmacy myself straight after we hang up "
            "and call you back before five with exactly where it stands",
        ),
        (
            "propose_solution",
            "I'll get a courier to take the sample over to the lab this afternoon.",
        ),
        (
            "propose_solution",
            "We'll cover the cost of the repeat test, you won't be charged for it.",
        ),
        (
            "propose_solution",
            "I'll have the portal team restore your access and drop you an email when it's back.",
        ),
        # written after the thank_caller head was fitted; no pattern finds them
        ("thank_caller", "so pleased you decided to phone us about this"),
        ("thank_caller", "we really do value you calling us about this"),
        ("thank_caller", "I'm really pleased you got on to us about the bill."),
        ("thank_caller", "It's great that you took the trouble to phone us."),
        ("thank_caller", "thankful that you are contacting to us sir"),
        # written before the SPIKES perception and invitation heads were fitted; no pattern
        # finds them
        (
            "perception",
            "Before I go on, what's the hospital already shared with you about the biopsy?",
        ),
        (
            "perception",
            "What was your take on it when the consultant went over the results with you?",
        ),
        (
            "perception",
            "could you fill me in on what the pharmacy said when you went to pick it up",
        ),
        ("invitation", "Are you someone who likes every detail, or shall I keep it brief?"),
        ("invitation", "How deep into the ins and outs do you want to go today?"),
        ("invitation", "i can go step by step through the letter or keep it short what suits you"),
    ],
)
def test_thanks_a_next_step_check_or_an_action_in_new_words_are_found_by_meaning(intent_id, text):
    update = _step_update(intent_id, text)
    assert (intent_id, "meaning") in {(d.id, d.found_by) for d in update.detections}


@pytest.mark.parametrize(
    ("intent_id", "text"),
    [
        # advice put as a question; a check of understanding, not of agreement; a statement
        # the fitted head took for a check
        ("confirm_next_step", "Would it not be better you order earlier?"),
        ("confirm_next_step", "The appointment stays at nine, whether that suits you or not."),
        ("confirm_next_step", "I'll handle it."),
        ("confirm_next_step", "I'll book you in with the nurse for Thursday."),
        ("confirm_next_step", "Does that make sense?"),
        ("confirm_next_step", "Is there anything else I can do for you?"),
        ("confirm_next_step", "Is that still your home address?"),
        ("confirm_next_step", "Jenny, can you cover the desk for ten minutes?"),
        ("confirm_next_step", "Does Dr Kaur do Saturday clinics?"),
        ("confirm_next_step", "Do you know whether the hospital got the referral?"),
        # written after the propose_solution head was fitted: a refusal, vague promises, a
        # next-step check, the caller told to act
        ("propose_solution", "Believe me, if I had my way you'd have your money back today."),
        ("propose_solution", "I honestly wish I could take that fee off but it's out of my hands."),
        ("propose_solution", "let me have a think about it and see what we can come up with"),
        ("propose_solution", "I'll do my best to get someone to look at it at some point."),
        ("propose_solution", "ok so shall i go ahead and do that for you"),
        ("propose_solution", "you could phone again on monday when the billing lady is in"),
        # thanks for a detail, to a coworker, sarcastic; gladness about something else
        ("thank_caller", "Thanks, that's the right date of birth."),
        ("thank_caller", "thank you ive got you on screen now"),
        ("thank_caller", "Thanks Sarah, can you put her through?"),
        ("thank_caller", "I'm glad the appointment went well."),
        ("thank_caller", "I'll call you back once I've spoken to billing."),
        ("thank_caller", "Oh, marvellous. Thanks ever so much for sharing that."),
        # written before the SPIKES perception and invitation heads were fitted: a setting
        # question, a fact question, options, an offer, an invitation to tell the story, a
        # next-step check; what others said, reported
        ("perception", "Are you able to talk freely where you are right now?"),
        ("perception", "What date did the hospital send the letter out?"),
        ("perception", "go ahead and tell me what happened at the clinic"),
        (
            "perception",
            "so i heard back from the clinic doctor shah sent you to and the list is full",
        ),
        ("invitation", "You could either take the Monday slot or wait for Dr Rahman in March."),
        ("invitation", "Would you like me to book you in with the nurse instead?"),
        ("invitation", "does ringing you back on thursday suit you"),
    ],
)
def test_look_alikes_of_thanks_a_next_step_check_or_an_action_are_none(intent_id, text):
    update = _step_update(intent_id, text)
    assert intent_id not in {d.id for d in update.detections}


@pytest.mark.parametrize(
    ("text", "summarised"),
    [
        # a plan in new words (the propose_solution head; spikes does not judge that step)
        ("I'll get a courier to take the sample over to the lab this afternoon.", True),
        (
            "I'll have the portal team restore your access and drop you an email when it's back.",
            True,
        ),
        # the caller told to act, the news told or restated with no act of ours (found by the
        # head), a refusal
        ("you can call back tomorrow when the doctor is in", False),
        ("To wrap up: Dr Nguyen's crook, Friday's clinic is shut, and your review's off.", False),
        (
            "I'm sorry to tell you that Dr. Nguyen is out sick tomorrow, so your appointment has "
            "to move to another day.",
            False,
        ),
        ("I honestly wish I could take that fee off but it's out of my hands.", False),
    ],
)
def test_a_plan_in_new_words_summarises_the_strategy_in_spikes(text, summarised):
    scorer = Scorer("spikes", caller_name="Maria Gonzalez", record_sensitive=False)
    scorer.add_turn(Turn("caller", "yes speaking"))
    scorer.add_turn(Turn("trainee", "I'm afraid the lab has lost your blood sample."))
    scorer.add_turn(Turn("caller", "Oh no. So what now?"))
    found = {(d.id, d.found_by) for d in scorer.add_turn(Turn("trainee", text)).detections}
    assert (("strategy_summary", "meaning") in found) is summarised
    assert "strategy_summary" not in {i for i, by in found if by == "pattern"}


@pytest.mark.parametrize(
    ("text", "dismissive"),
    [
        ("I'm not saying you should have called earlier, I just need the date.", False),
        ("Nobody is saying it's your fault, the letter went astray.", False),
        ("I would never tell you to calm down, you have every right to be upset.", False),
        ("I'm not telling you again, calm down.", True),
        ("You should have called earlier.", True),
    ],
)
def test_a_brush_off_the_trainee_denies_saying_is_no_fault(text, dismissive):
    _, update = _turn_update(text)
    assert ("dismissive" in {d.id for d in update.detections}) is dismissive


def test_a_head_whose_turn_is_any_decides_each_sentence_alone():
    from voicecoach.scoring.heads import IntentHead
    from voicecoach.scoring.intents import _Verdict

    judged = np.array([True, True, True])
    probability = np.array([0.1, 0.9, 0.1])
    none = _Verdict(np.zeros(3, dtype=bool), np.zeros(3), np.zeros(3), ["", "", ""])
    weights = np.zeros(1, dtype=np.float32)
    mean = IntentHead("close_call", weights, 0.0, 0.5, True)
    anyone = IntentHead("close_call", weights, 0.0, 0.5, True, turn="any")
    assert not none.with_head(mean, probability, judged, True).shows.any()  # mean 0.37
    assert none.with_head(anyone, probability, judged, True).shows.tolist() == [
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    "text",
    [
        # written after the consequences head was fitted; no pattern finds them
        "That would give us both a bit of breathing room before the doors open.",
        "it would make fridays so much less manic for the two of us",
        "Patients would stop asking me why the sign says one thing and the doctor another.",
    ],
)
def test_a_good_outcome_in_new_words_is_a_desc_consequence_found_by_meaning(text):
    assert _desc_steps_after_opener(text).get("consequences") == "meaning"


def _desc_steps_after_opener(text: str) -> dict[str, str]:
    """The DESC steps a trainee turn finds, and how, after an opener in a desc call."""
    scorer = Scorer("desc", caller_name="Sam Reid", record_sensitive=False)
    scorer.add_turn(Turn("caller", "You wanted a word?"))
    scorer.add_turn(Turn("trainee", "Yes, thanks for making time, Sam."))
    scorer.add_turn(Turn("caller", "Sure, what's up?"))
    return {d.id: d.found_by for d in scorer.add_turn(Turn("trainee", text)).detections}


@pytest.mark.parametrize(
    ("text", "step"),
    [
        # bench/data/desc_fresh2.tsv, written before the heads were refitted (never fitted on):
        # the practical impact on the speaker, colleagues or patients is `express`; a clear
        # request said as a need is `specify`
        (
            "Every time the fridge log is left blank, I have to bin the vaccines and ring round "
            "a dozen parents to rebook their babies.",
            "express",
        ),
        (
            "Without the handover notes I spend my first hour redoing checks that were already "
            "done, and the two o'clock patients sit there waiting.",
            "express",
        ),
        (
            "I need the fridge log filled in and signed before your first patient, every single "
            "morning.",
            "specify",
        ),
        (
            "what would really help is if you put the keys back in the drawer when you leave at "
            "night",
            "specify",
        ),
    ],
)
def test_a_desc_step_in_new_words_is_found_by_meaning(text, step):
    assert _desc_steps_after_opener(text).get(step) == "meaning"


@pytest.mark.parametrize(
    ("text", "step"),
    [
        # look-alikes from the same set: a label, a sanction, a description, a past effect
        (
            "Honestly, you're a nightmare to share a shift with and everyone at the desk knows it.",
            "express",
        ),
        (
            "If the log's blank again tomorrow, it goes straight to the partners and you can "
            "explain it to them.",
            "specify",
        ),
        (
            "Three nights this week the keys were still in the front door after you locked up.",
            "specify",
        ),
        ("Carry on like this and you'll be looking for another job by the spring.", "consequences"),
        (
            "Last Thursday the whole afternoon clinic ran forty minutes behind because of it.",
            "consequences",
        ),
    ],
)
def test_a_desc_look_alike_is_no_step(text, step):
    assert step not in _desc_steps_after_opener(text)


@pytest.mark.parametrize(
    ("text", "specified"),
    [
        # "next time" is the specify pattern's; a sanction announced asks for nothing
        ("Next time you turn up late, we will send you home and you lose the shift.", False),
        ("Next time it happens, you go to the back of the list for overtime.", False),
        ("Next time it happens, could you ring me before eight so I can cover?", True),
    ],
)
def test_a_sanction_after_next_time_is_no_request(text, specified):
    assert ("specify" in _desc_steps_after_opener(text)) is specified


def test_a_brush_off_in_another_sentence_does_not_take_back_a_desc_step_found_by_meaning():
    text = (
        "That's not my problem. Every time the fridge log is left blank, I have to bin the "
        "vaccines and ring round a dozen parents to rebook their babies."
    )
    assert _desc_steps_after_opener(text).get("express") == "meaning"


@pytest.mark.parametrize(
    ("text", "vetoed"),
    [
        ("you can call back tomorrow when the doctor is in", True),
        ("You'll need to contact your insurer about the claim.", True),
        ("If it were up to me there's nothing I can do, the fee stays.", True),
        ("you can call back tomorrow or i can ring you when the doctor is in", False),
        ("I'll ring the lab and call you back before five.", False),
    ],
)
def test_a_meaning_layer_proposal_that_refuses_or_tells_the_caller_to_act_is_vetoed(text, vetoed):
    from voicecoach.scoring.detectors.base import Hit, TurnView
    from voicecoach.scoring.detectors.resolution import not_offered

    norm = NormText(text)
    view = TurnView(0, 0, norm)
    assert not_offered(view, Hit(norm.span(0, len(norm.tokens) - 1), "meaning")) is vetoed


def _help_me_understand_after(text: str, protocol: str = "upset_caller") -> set[tuple[str, str]]:
    """What a trainee turn finds, mid-call, after the caller was invited to tell the story."""
    scorer = Scorer(protocol, caller_name="Sam Reid", record_sensitive=False)
    scorer.add_turn(Turn("caller", "Hi, I'm ringing about what happened this morning."))
    scorer.add_turn(
        Turn("trainee", "Thanks for calling, Sam. Tell me what happened, I'm listening.")
    )
    scorer.add_turn(Turn("caller", "It was a mess, honestly. Nobody knew where my form was."))
    update = scorer.add_turn(Turn("trainee", text))
    return {(d.id, d.found_by) for d in update.detections}


@pytest.mark.parametrize(
    "text",
    [
        # written after the help_me_understand head was fitted; no pattern finds them
        "Could you lay out for me how the mix-up happened, so it's clear in my mind?",
        "i just want to get clear in my own head how the slot got given away",
        "So it's clear to me, could you go over what happened at the chemist?",
    ],
)
def test_asking_to_be_helped_to_understand_in_new_words_is_found_by_meaning(text):
    assert ("help_me_understand", "meaning") in _help_me_understand_after(text)


@pytest.mark.parametrize(
    "text",
    [
        "Let me explain how the triage list works so you know for next time.",
        "What you need to understand is we only book two weeks ahead.",
        "Okay, that makes a lot more sense now, thank you.",
        "Happy to talk you through every step of the new form if that helps.",  # lectures
        "Walk me through the morning, how come you didn't ring ahead?",  # an accusing why
    ],
)
def test_look_alikes_of_help_me_understand_are_not_it(text):
    assert "help_me_understand" not in {i for i, _ in _help_me_understand_after(text)}


def test_help_me_understand_keeps_its_pattern_and_the_opening_invitation_is_invite_and_listen():
    assert ("help_me_understand", "pattern") in _help_me_understand_after(
        "Help me understand what the pharmacist said."
    )
    scorer = Scorer("upset_caller", caller_name="Sam Reid", record_sensitive=False)
    scorer.add_turn(Turn("caller", "hi im ringing about my blood test"))
    update = scorer.add_turn(
        Turn("trainee", "hiya thanks for ringing im here to help so talk me through whats gone on")
    )
    assert "invite_and_listen" in update.ids() and "help_me_understand" not in update.ids()
