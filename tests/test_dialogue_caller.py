"""The caller's mood model: detections and delivery move the mood, every change is explained."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from voicecoach.delivery import Reason
from voicecoach.dialogue import Caller, get_scenario
from voicecoach.scoring import Detection, TurnUpdate

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FAULTS = ("why_did_you", "dismissive", "jargon", "confidentiality_breach")


def update(*ids: str, quote: str = "") -> TurnUpdate:
    """A scorer update holding these detections (quotes default to the id)."""
    detections = tuple(
        Detection(
            id=i,
            kind="fault" if i in FAULTS else "step",
            quote=quote or i,
            turn_index=1,
            start_s=None,
        )
        for i in ids
    )
    return TurnUpdate(turn_index=1, detections=detections)


@pytest.fixture(scope="module")
def mary():
    return get_scenario("double_billing", SCENARIOS)


def test_empathy_lowers_the_mood_and_logs_reason_and_quote(mary):
    caller = Caller(mary)
    caller.opening()
    reply = caller.react(update("empathize", quote="I'd be upset too"), None, "I'd be upset too")
    [change] = reply.mood_changes
    assert change.old == mary.caller.mood_start == 7
    assert change.new == reply.mood == 7 + mary.caller.sensitivities["empathize"] < 7
    assert change.reason.startswith("empathize:")
    assert change.evidence == "I'd be upset too"


def test_calm_down_raises_the_mood_with_the_persona_weight(mary):
    caller = Caller(mary)
    reply = caller.react(update("dismissive", quote="calm down"), None, "calm down")
    assert reply.mood == 7 + 3.0  # Mary's own sensitivity to being brushed off
    assert reply.mood_changes[0].evidence == "calm down"
    assert reply.outcome == "hung_up"


def test_a_step_lowers_the_mood_once_but_a_fault_raises_it_every_time(mary):
    caller = Caller(mary)
    first = caller.react(update("thank_caller"), None, "thanks")
    again = caller.react(update("thank_caller"), None, "thanks again")
    assert first.mood < 7 and again.mood_changes == []
    caller = Caller(mary)
    moods = [caller.react(update("jargon", quote="adjustment"), None, "x").mood for _ in range(2)]
    assert moods == [8.0, 9.0]


def test_two_turns_with_nothing_new_make_the_caller_impatient(mary):
    caller = Caller(mary)
    assert caller.react(update(), None, "so you were charged twice").mood_changes == []
    reply = caller.react(update(), None, "hmm, let me see")
    [change] = reply.mood_changes
    assert change.new > change.old and change.reason.startswith("no_progress")
    assert change.evidence == "hmm, let me see"
    assert reply.phase == "waiting"


def test_a_tense_voice_raises_the_mood_with_the_measurement_as_evidence(mary):
    tense = SimpleNamespace(
        calm=False,
        reasons=(
            Reason(
                feature="speaking_rate_wpm",
                value=212.0,
                band=(None, 180.0),
                unit="wpm",
                tip="slow down",
            ),
        ),
    )
    calm = SimpleNamespace(calm=True, reasons=())
    caller = Caller(mary)
    reply = caller.react(update("thank_caller"), tense, "thank you for calling")
    assert [c.reason.split(":")[0] for c in reply.mood_changes] == [
        "thank_caller",
        "delivery_tense",
    ]
    assert reply.mood_changes[1].evidence == "Pace 212 wpm (calm ... to 180)"
    before = caller.mood
    assert caller.react(update(), calm, "okay").mood_changes[-1].new < before + 0.5
    assert (
        caller.react(update("use_name"), None, "Mary").mood_changes[0].reason.startswith("use_name")
    )


def test_jargon_makes_the_caller_ask_what_the_term_means(mary):
    caller = Caller(mary)
    reply = caller.react(update("jargon", quote="a posting error"), None, "a posting error")
    assert reply.phase == "confused"
    assert "posting error" in reply.text


def test_identity_question_gets_the_scenario_facts(mary):
    caller = Caller(mary, seed=3)
    reply = caller.react(update("clarify"), None, "Can I have your full name and date of birth?")
    assert reply.phase == "identity"
    assert "Mary Lopez" in reply.text and "1958" in reply.text


def test_solution_and_confirmation_at_a_low_mood_is_agreed_then_the_close_resolves(mary):
    caller = Caller(mary)
    caller.react(update("thank_caller", "use_name", "invite_and_listen", "empathize"), None, "a")
    caller.react(update("take_ownership"), None, "b")
    agreed = caller.react(update("propose_solution", "confirm_next_step"), None, "c")
    assert (agreed.phase, agreed.outcome) == ("agreeing", None)
    closed = caller.react(update("close_call"), None, "anything else?")
    assert (closed.phase, closed.outcome) == ("closing", "resolved")
    with pytest.raises(ValueError, match="already ended"):
        caller.react(update(), None, "hello?")


def test_a_solution_offered_to_a_furious_caller_is_doubted_not_agreed(mary):
    caller = Caller(mary)
    caller.react(update("jargon", quote="adjustment"), None, "we'll post an adjustment")
    reply = caller.react(update("propose_solution", "confirm_next_step"), None, "I'll refund")
    assert reply.mood > mary.caller.agree_at_most
    assert (reply.phase, reply.outcome) == ("doubting", None)


def test_staying_above_the_escalation_line_asks_for_a_supervisor(mary):
    caller = Caller(mary)
    first = caller.react(update("why_did_you"), None, "why did you pay twice")
    assert (first.mood, first.outcome) == (8.5, "escalated")
    assert first.phase == "escalating"


def test_too_many_turns_times_out(mary):
    caller = Caller(mary)
    outcomes = [
        caller.react(update("clarify" if i == 0 else "empathize"), None, "x").outcome
        for i in range(2)
    ]
    assert outcomes == [None, None]
    while caller.outcome is None:
        reply = caller.react(update(), SimpleNamespace(calm=True, reasons=()), "let me check")
    assert reply.outcome == "timed_out" and caller.turns == mary.max_turns


def test_the_same_seed_gives_the_same_lines_and_other_seeds_vary(mary):
    def play(seed: int) -> list[str]:
        caller = Caller(mary, seed=seed)
        lines = [caller.opening()]
        for ids in (("invite_and_listen",), ("clarify",), (), ("take_ownership",)):
            lines.append(caller.react(update(*ids), None, "...").text)
        return lines

    assert play(7) == play(7)
    assert len({tuple(play(seed)) for seed in range(6)}) > 1
