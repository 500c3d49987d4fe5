"""The learned caller-role model: who is calling, when the pattern does not say."""

from __future__ import annotations

import pytest

from voicecoach.errors import ScenarioError
from voicecoach.scoring import Scorer
from voicecoach.scoring.caller_role import (
    STATIC_FILE,
    TRAINING_FILE,
    CallerRoleModel,
    caller_role_model,
    load_role_head,
    load_role_training,
)
from voicecoach.scoring.detectors.checks import people_named
from voicecoach.scoring.embedding import embedder
from voicecoach.scoring.heads import STATIC_FEATURES
from voicecoach.scoring.transcript import Turn


def test_training_file_is_ours_and_checked():
    own = load_role_training(TRAINING_FILE)
    assert 80 <= len(own.positive) <= 150 and 80 <= len(own.negative) <= 150


_LINES = "\n".join(f"  - caller line number {i}" for i in range(12))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("role: third_party_caller\npositive: [a b, c d]\nnegative:\n" + _LINES, ":2: positive"),
        ("role: someone\npositive:\n" + _LINES + "\nnegative:\n" + _LINES, ":1: role"),
    ],
)
def test_a_bad_training_file_names_file_and_line(tmp_path, text, where):
    path = tmp_path / "third_party_caller.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ScenarioError) as err:
        load_role_training(path)
    assert str(path) in str(err.value) and where in str(err.value)


def test_static_fallback_head_loads_and_judges():
    head = load_role_head(STATIC_FILE, 3 * embedder().dim, STATIC_FEATURES)
    assert head is not None
    model = CallerRoleModel(head, contextual=False)
    assert 0.0 <= model.probability("I rent him the flat upstairs, has he been in?") <= 1.0
    assert not model.third_party("yes that's me")  # too short to judge


@pytest.mark.parametrize(
    ("caller", "third_party"),
    [
        ("Hello, the occupational health team at Harbour Foods, about one of our drivers.", True),
        ("I rent him the flat upstairs and he hasn't been out in days, has he seen you?", True),
        ("My wife drove me in today and I want to ask about my own results.", False),
        ("I'm a manager at the bank and I need my results before Friday.", False),
    ],
)
def test_the_model_reads_who_is_calling(caller, third_party):
    model = caller_role_model()
    assert model is not None
    assert model.third_party(caller) is third_party


def test_a_breach_decided_by_the_model_says_meaning():
    scorer = Scorer("upset_caller", caller_name="Yvonne Bell", record_sensitive=True)
    scorer.add_turn(
        Turn(
            "caller",
            "Hi, Yvonne from payroll at Castle Foods, one of our packers says he "
            "saw a doctor there on Tuesday.",
        )
    )
    assert not scorer.call.third_party  # not yet read: the model waits for a record detail
    scorer.add_turn(Turn("trainee", "Yes, he was in on Tuesday morning with Dr Shah."))
    assert scorer.call.third_party and scorer.call.third_party_by == "meaning"
    evidence = scorer.result().faults["confidentiality_breach"]["evidence"]
    assert evidence and evidence[0]["found_by"] == "meaning" and evidence[0]["quote"]


def test_the_model_reads_the_caller_only_when_a_record_detail_is_given():
    scorer = Scorer("upset_caller", caller_name="Yvonne Bell", record_sensitive=True)
    scorer.add_turn(Turn("caller", "Hi, Yvonne from payroll at Castle Foods, quick question."))
    scorer.add_turn(Turn("trainee", "Thanks for calling, Yvonne. How can I help you today?"))
    assert scorer.call.unplaced_callers and not scorer.call.third_party  # nothing to hinge on
    scorer.add_turn(Turn("caller", "One of our packers says he saw a doctor there on Tuesday."))
    scorer.add_turn(Turn("trainee", "Yes, he was in on Tuesday morning with Dr Shah."))
    assert not scorer.call.unplaced_callers and scorer.call.third_party_by == "meaning"
    assert scorer.result().faults["confidentiality_breach"]["present"]


def test_the_model_never_turns_your_results_into_a_breach():
    scorer = Scorer("upset_caller", caller_name="Yvonne Bell", record_sensitive=True)
    scorer.add_turn(
        Turn("caller", "Hi, Yvonne from payroll at Castle Foods, about the note I asked for.")
    )
    scorer.add_turn(Turn("trainee", "Your blood test came back normal."))
    assert not scorer.result().faults["confidentiality_breach"]["present"]


def test_a_patient_the_caller_names_in_full_is_the_one_called_about():
    scorer = Scorer("upset_caller", caller_name="Priya Shah", record_sensitive=True)
    scorer.add_turn(
        Turn(
            "caller",
            "Good morning, Priya Shah, I run the office at Kestrel Freight. Tom Baxter handed "
            "in a note from your practice, can you confirm it?",
        )
    )
    scorer.add_turn(Turn("trainee", "Yes, Tom was in on Thursday with Dr. Lowe."))
    assert "tom" in scorer.call.patient_names
    assert scorer.result().faults["confidentiality_breach"]["present"]


@pytest.mark.parametrize(
    "caller, names",
    [
        ("Hi, this is Ana Ruiz from Castle Hotels about Mark Ellis.", {"ana", "mark"}),
        ("I saw Dr. Vance Reed on Monday, Good Morning to you.", set()),
        ("Hello, Brightline Logistics here, it's about my bill.", set()),
        ("my brother tom baxter asked me to call", set()),  # no case: other readers' job
    ],
)
def test_people_named_in_full(caller, names):
    assert people_named(caller) == names
