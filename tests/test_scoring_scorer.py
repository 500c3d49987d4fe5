"""The incremental Scorer, order, identity/confidentiality context, score and rescore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voicecoach.errors import ScenarioError
from voicecoach.scoring import (
    Scorer,
    Turn,
    TurnWord,
    load_transcript,
    rescore,
    score_transcript,
)
from voicecoach.scoring.protocols import load_rubric

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"


def _ids(score: dict) -> set[str]:
    return (
        {k for k, v in score["steps"].items() if v["met"]}
        | {k for k, v in score["checks"].items() if v["met"]}
        | {k for k, v in score["faults"].items() if v["present"]}
    )


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_whole_calls_match_their_labels(path):
    labels = json.loads(path.read_text())["labels"]
    score = score_transcript(load_transcript(path)).to_json()
    expected = set(labels["steps_met"]) | set(labels["checks_met"]) | set(labels["faults_present"])
    assert _ids(score) == expected


def test_score_object_has_the_contract_shape():
    score = score_transcript(load_transcript(FIXTURES / "lab_delay_asr.json")).to_json()
    rubric = load_rubric("upset_caller")
    assert set(score) == {"protocol", "steps", "checks", "faults", "score", "verdict"}
    assert list(score["steps"]) == list(rubric.step_ids)
    assert set(score["checks"]) == {"help_me_understand", "verify_identity"}
    assert set(score["faults"]) == {"why_did_you", "dismissive", "jargon", "confidentiality_breach"}
    thank = score["steps"]["thank_caller"]
    assert thank["met"] and thank["in_order"]
    assert thank["evidence"][0] == {
        "turn": 1,
        "quote": thank["evidence"][0]["quote"],
        "start": 8.5,
        "found_by": "pattern",
    }
    assert "thanks for giving us a call" in thank["evidence"][0]["quote"]
    assert score["checks"]["verify_identity"]["required"] is True
    assert score["score"] == 100 and score["verdict"] == "excellent"


def test_missing_step_tip_uses_the_callers_first_name():
    score = score_transcript(load_transcript(FIXTURES / "parking_poor_typed.json")).to_json()
    tip = score["steps"]["empathize"]["tip"]
    assert "Walter" in tip and score["steps"]["empathize"]["evidence"] == []
    assert score["verdict"] == "not yet competent"


def test_add_turn_reports_only_what_this_turn_achieved():
    scorer = Scorer("upset_caller", caller_name="Lena Park", record_sensitive=False)
    assert scorer.add_turn(Turn("caller", "you double billed me")).detections == ()
    first = scorer.add_turn(Turn("trainee", "thank you for calling lena", start=3.0))
    assert first.ids() == {"thank_caller", "use_name"}
    assert all(d.turn_index == 1 and d.start_s == 3.0 for d in first.detections)
    again = scorer.add_turn(Turn("trainee", "thanks again lena, calm down"))
    assert again.ids() == {"close_call", "dismissive"}  # thanks and name are not new
    fault = next(d for d in again.detections if d.id == "dismissive")
    assert fault.kind == "fault" and "calm down" in fault.quote


@pytest.mark.parametrize(
    ("text", "addressed"),
    [
        ("thanks mr washington can you give me your date of birth", True),
        ("so mr washington can see the doctor at ten", False),  # about a namesake
    ],
)
def test_a_title_and_surname_before_a_question_to_you_address_the_caller(text, addressed):
    scorer = Scorer("upset_caller", caller_name="Jamal Washington", record_sensitive=True)
    scorer.add_turn(Turn("caller", "I was charged a late cancellation fee"))
    assert ("use_name" in scorer.add_turn(Turn("trainee", text)).ids()) is addressed


def test_word_times_give_the_evidence_time():
    words = [("ok", 10.0), ("calm", 10.4), ("down", 10.7), ("sir", 11.0)]
    scorer = Scorer("upset_caller", caller_name="Lena Park", record_sensitive=False)
    timed = tuple(TurnWord(w, start) for w, start in words)
    update = scorer.add_turn(Turn("trainee", "ok calm down sir", start=10.0, words=timed))
    assert update.detections[0].start_s == 10.4


def test_thanks_late_in_the_call_is_met_but_out_of_order():
    scorer = Scorer("upset_caller", caller_name="Lena Park", record_sensitive=False)
    for text in [
        "tell me what happened",
        "i see",
        "okay",
        "one moment",
        "thank you for raising this",
        "anything else i can do",
    ]:
        scorer.add_turn(Turn("caller", "hm"))
        scorer.add_turn(Turn("trainee", text))
    steps = scorer.result().to_json()["steps"]
    assert steps["thank_caller"]["met"] and steps["thank_caller"]["in_order"] is False
    assert steps["invite_and_listen"]["in_order"] and steps["close_call"]["in_order"]


def _score_dialogue(turns, *, sensitive=True, protocol="upset_caller", name="Lena Park"):
    scorer = Scorer(protocol, caller_name=name, record_sensitive=sensitive)
    for speaker, text in turns:
        scorer.add_turn(Turn(speaker, text))
    return scorer.result().to_json()


def test_identity_must_be_checked_before_record_details():
    before = _score_dialogue(
        [
            ("caller", "my bill is wrong"),
            ("trainee", "can you confirm your date of birth"),
            ("caller", "may 2 1990"),
            ("trainee", "i see a balance of forty dollars on your account"),
        ]
    )
    after = _score_dialogue(
        [
            ("caller", "my bill is wrong"),
            ("trainee", "i see a balance of forty dollars on your account"),
            ("caller", "right"),
            ("trainee", "and whats your date of birth"),
        ]
    )
    name_only = _score_dialogue([("trainee", "is this lena park"), ("caller", "yes")])
    assert before["checks"]["verify_identity"]["met"]
    assert not after["checks"]["verify_identity"]["met"]
    assert not name_only["checks"]["verify_identity"]["met"]


def test_relative_given_patient_details_is_a_critical_breach():
    score = _score_dialogue(
        [
            ("caller", "hi im calling about my father ray he had a scan"),
            (
                "trainee",
                "sure his scan showed a small mass and he is booked for a biopsy on monday",
            ),
        ]
    )
    assert score["faults"]["confidentiality_breach"]["present"]
    assert score["verdict"] == "not yet competent"
    refused = _score_dialogue(
        [
            ("caller", "hi im calling about my father ray he had a scan"),
            (
                "trainee",
                "i am sorry but i can not share his results unless you are on his release form",
            ),
        ]
    )
    assert not refused["faults"]["confidentiality_breach"]["present"]
    own = _score_dialogue(
        [("caller", "i want to know about my own scan"), ("trainee", "your scan came back normal")]
    )
    assert not own["faults"]["confidentiality_breach"]["present"]


def test_namesake_relative_is_not_use_name():
    score = _score_dialogue(
        [
            ("caller", "im calling for my mother june lopez"),
            ("trainee", "mrs lopez is booked with the doctor next week"),
        ],
        name="Carlos Lopez",
        sensitive=False,
    )
    assert not score["steps"]["use_name"]["met"]


def test_spikes_news_buried_in_jargon_is_not_knowledge():
    buried = _score_dialogue(
        [
            ("trainee", "your preop for the lap chole is cancelled"),
            ("caller", "what"),
            ("trainee", "the consult is cancelled"),
        ],
        protocol="spikes",
    )
    plain = _score_dialogue(
        [("trainee", "i am afraid your surgery consult is cancelled")], protocol="spikes"
    )
    assert not buried["steps"]["knowledge"]["met"] and buried["faults"]["jargon"]["present"]
    assert plain["steps"]["knowledge"]["met"]


def test_rescore_forces_ids_and_keeps_the_original():
    score = score_transcript(load_transcript(FIXTURES / "parking_poor_typed.json")).to_json()
    changed = rescore(score, {"dismissive": False, "why_did_you": False, "empathize": True})
    assert changed["faults"]["dismissive"]["present"] is False
    assert changed["steps"]["empathize"]["met"] and changed["steps"]["empathize"]["overridden"]
    assert changed["score"] > score["score"]
    assert changed["original"]["score"] == score["score"]
    assert changed["original"]["values"] == {
        "dismissive": True,
        "why_did_you": True,
        "empathize": False,
    }
    twice = rescore(changed, {"dismissive": True})
    assert twice["original"]["score"] == score["score"]
    assert twice["original"]["values"]["dismissive"] is True
    with pytest.raises(ScenarioError, match="no_such_step"):
        rescore(score, {"no_such_step": True})


def test_score_and_verdict_follow_the_rubric_weights(tmp_path, monkeypatch):
    rubric_dir = tmp_path / "protocols"
    rubric_dir.mkdir()
    text = Path(__file__).parent.parent / "scenarios" / "protocols" / "upset_caller.yaml"
    yaml_text = text.read_text().replace(
        "min_score: 65, verdict: competent", "min_score: 5, verdict: competent"
    )
    (rubric_dir / "upset_caller.yaml").write_text(yaml_text)
    monkeypatch.setenv("VOICECOACH_SCENARIOS_DIR", str(tmp_path))
    score = _score_dialogue([("trainee", "thank you for calling")], sensitive=False)
    assert score["score"] == 10 and score["verdict"] == "competent"


def test_relative_on_the_release_list_may_be_told():
    turns = [
        ("caller", "this is her husband calling about my wife lisa's scan"),
        ("trainee", "let me check her release form, can you confirm your date of birth"),
        ("caller", "march third sixty one"),
        ("trainee", "thank you, you are listed on her form. her scan is booked for friday"),
    ]
    assert not _score_dialogue(turns)["faults"]["confidentiality_breach"]["present"]
    mention_only = [
        ("caller", "im calling about my wife lisa she had a scan"),
        ("trainee", "i would need her permission. her scan showed a small cyst"),
    ]
    assert _score_dialogue(mention_only)["faults"]["confidentiality_breach"]["present"]


@pytest.mark.parametrize(
    "turns",
    [
        [
            ("caller", "hi im calling for my dad walter hes confused about his appointment"),
            ("trainee", "sure walter is booked for monday at nine with dr lee"),
        ],
        [
            ("caller", "my wife asked me to call about the bill"),
            ("trainee", "okay the balance on her account is two hundred dollars"),
        ],
        [
            ("caller", "this is janes husband shes in the shower"),
            ("trainee", "no problem, her results came back and the doctor wants to see her"),
        ],
    ],
)
def test_breach_paraphrases(turns):
    assert _score_dialogue(turns)["faults"]["confidentiality_breach"]["present"]
