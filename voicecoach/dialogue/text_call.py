"""A typed practice call: the trainee's lines come as text (keyboard or script file).

`TextCall` ties a scenario's `Caller` to the scoring engine: each trainee line is
scored as a turn, the caller reacts to the detections, and at the end the call
gives its outcome, mood curve, mood log, transcript (contract format) and score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.dialogue.caller import Caller, CallerReply, MoodChange
from voicecoach.dialogue.scenario import Scenario
from voicecoach.errors import ScenarioError
from voicecoach.scoring import Turn

INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class TextCallResult:
    """A finished typed call."""

    scenario: Scenario
    seed: int
    outcome: str
    turns: list[Turn]
    mood_curve: list[float]
    mood_changes: list[tuple[int, MoodChange]]
    score: Any

    def transcript_json(self) -> dict[str, Any]:
        """The call in the transcript interchange format (input of `voicecoach score`)."""
        return self.scenario.transcript_json(self.turns)

    def to_json(self) -> dict[str, Any]:
        """Outcome, mood curve and log, score and transcript as one JSON-ready object."""
        return {
            "scenario_id": self.scenario.id,
            "seed": self.seed,
            "outcome": self.outcome,
            "mood": self.mood_curve,
            "mood_changes": [
                {"turn": turn, **change.to_json()} for turn, change in self.mood_changes
            ],
            "score": self.score.to_json(),
            "transcript": self.transcript_json(),
        }


class TextCall:
    """One typed call in progress: `opening()`, then `say(line)` until `outcome` is set."""

    def __init__(self, scenario: Scenario, *, seed: int = 0):
        self.scenario = scenario
        self.seed = seed
        self.caller = Caller(scenario, seed=seed)
        self.scorer = scenario.new_scorer()
        self.turns: list[Turn] = []
        self.mood_changes: list[tuple[int, MoodChange]] = []

    @property
    def outcome(self) -> str | None:
        return self.caller.outcome

    def _add(self, speaker: str, text: str) -> Any:
        turn = Turn(speaker, text)
        self.turns.append(turn)
        return self.scorer.add_turn(turn)

    def opening(self) -> str:
        """Start the call: the caller's first line."""
        line = self.caller.opening()
        self._add("caller", line)
        return line

    def say(self, text: str) -> CallerReply:
        """One trainee turn; returns the caller's reply (with `outcome` when the call ends)."""
        turn_index = len(self.turns)
        update = self._add("trainee", text)
        reply = self.caller.react(update, None, text)
        self.mood_changes += [(turn_index, change) for change in reply.mood_changes]
        self._add("caller", reply.text)
        return reply

    def finish(self) -> TextCallResult:
        """End the call (incomplete if no ending was reached) and score it."""
        return TextCallResult(
            scenario=self.scenario,
            seed=self.seed,
            outcome=self.outcome or INCOMPLETE,
            turns=list(self.turns),
            mood_curve=list(self.caller.mood_curve),
            mood_changes=list(self.mood_changes),
            score=self.scorer.result(),
        )


def read_script(path: str | Path) -> list[str]:
    """Trainee lines from a script file: one per line; blank lines and `#` comments skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read script {path}: {exc}") from None
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise ScenarioError(f"script {path} has no trainee lines (one line per turn)")
    return lines


def play_script(scenario: Scenario, lines: Iterable[str], *, seed: int = 0) -> TextCallResult:
    """Play a whole call unattended from the trainee's lines; stops when the call ends."""
    call = TextCall(scenario, seed=seed)
    call.opening()
    for line in lines:
        if call.say(line).outcome:
            break
    return call.finish()
