"""The simulated caller: a mood that moves with what the trainee says and how.

After each trainee turn the caller reads the scorer's detections for that turn
(steps achieved, faults) and the delivery verdict (calm or tense voice), moves
its mood by the persona's sensitivities, logs every change with its reason and
evidence, then picks a line for the conversation's phase and its mood band.
Line choice is deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from voicecoach.dialogue.scenario import (
    CHECK_IDS,
    DELIVERY_CALM,
    DELIVERY_TENSE,
    FAULT_IDS,
    NO_PROGRESS,
    PROTOCOL_STEPS,
    Scenario,
    mood_band,
)

MOOD_MIN = 0.0
MOOD_MAX = 10.0
OUTCOMES = ("resolved", "escalated", "hung_up", "timed_out")

REASONS: dict[str, str] = {
    "thank_caller": "was thanked for calling",
    "use_name": "was addressed by name",
    "invite_and_listen": "was invited to tell the story",
    "empathize": "felt their feelings were acknowledged",
    "clarify": "heard the facts being checked carefully",
    "take_ownership": "heard someone take responsibility",
    "propose_solution": "was offered a concrete solution",
    "confirm_next_step": "was asked to agree the plan",
    "close_call": "heard the call brought to a good close",
    "setting": "was asked whether it is a good time to talk",
    "perception": "was asked what they already know",
    "invitation": "was asked how much detail they want",
    "knowledge": "heard the unwelcome news",
    "strategy_summary": "heard the next steps and options",
    "describe": "heard the behaviour described without labels",
    "express": "heard how it affects the team or patients",
    "specify": "heard a clear request",
    "consequences": "heard the good outcome of meeting the request",
    "help_me_understand": "was asked to help the trainee understand",
    "verify_identity": "had their identity checked",
    "why_did_you": "was asked an accusatory 'why did you' question",
    "dismissive": "was brushed off",
    "jargon": "heard jargon they do not understand",
    "confidentiality_breach": "heard private information handled carelessly",
    DELIVERY_TENSE: "heard a tense or rushed voice",
    DELIVERY_CALM: "heard a calm, steady voice",
    NO_PROGRESS: "heard nothing new two turns in a row",
}
# Which detections make the caller tell their story, give details, or react to news.
STORY_TRIGGERS = ("invite_and_listen", "setting", "perception", "invitation", "describe")
DETAIL_TRIGGERS = ("clarify", "help_me_understand", "express", "verify_identity")
IDENTITY_REQUEST = re.compile(
    r"\b(date of birth|birth ?date|birthday|d\.?o\.?b|your address|zip ?code|post ?code|"
    r"spell your (last |full )?name|your full name)\b",
    re.IGNORECASE,
)
EVIDENCE_MAX_CHARS = 120


@dataclass(frozen=True)
class MoodChange:
    """One move of the caller's mood, why it happened and what showed it."""

    old: float
    new: float
    reason: str
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "reason": self.reason, "evidence": self.evidence}


@dataclass(frozen=True)
class CallerReply:
    """What the caller says after a trainee turn, its mood, and how the call ended (if it did)."""

    text: str
    mood: float
    mood_changes: list[MoodChange] = field(default_factory=list)
    outcome: str | None = None
    phase: str = ""


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_MAX_CHARS else text[: EVIDENCE_MAX_CHARS - 3] + "..."


def _delivery_evidence(delivery: Any) -> str:
    """The measurements behind a delivery verdict, e.g. 'Pace 212 wpm (calm 130 to 170)'."""
    parts = []
    for reason in getattr(delivery, "reasons", None) or ():
        value = getattr(reason, "value", "")
        name = getattr(reason, "title", reason.feature)
        text = f"{name} {value:.3g}" if isinstance(value, float) else f"{name} {value}"
        unit = getattr(reason, "unit", "")
        text += f" {unit}" if unit else ""
        band = getattr(reason, "band", None)
        if isinstance(band, tuple | list) and len(band) == 2:
            low, high = ("..." if b is None else f"{b:.3g}" for b in band)
            text += f" (calm {low} to {high})"
        parts.append(text)
    return "; ".join(parts) or "delivery verdict"


class Caller:
    """An upset caller (or coworker) played from a scenario; deterministic for a seed."""

    def __init__(self, scenario: Scenario, *, seed: int = 0):
        self.scenario = scenario
        self.seed = seed
        self.persona = scenario.caller
        self.mood = self.persona.mood_start
        self.mood_curve: list[float] = [self.mood]
        self.mood_log: list[MoodChange] = []
        self.turns = 0
        self.outcome: str | None = None
        self._achieved: set[str] = set()
        self._agreed = False
        self._high_turns = 0
        self._empty_turns = 0
        self._phase_counts: dict[str, int] = {}
        self._last_variant: dict[tuple[str, str], int] = {}

    # --- lines ---------------------------------------------------------------------

    def _line(self, phase: str, **extra: str) -> str:
        band = mood_band(self.mood)
        variants = self.scenario.lines[phase][band]
        count = self._phase_counts.get(phase, 0)
        self._phase_counts[phase] = count + 1
        rng = random.Random(f"{self.seed}|{self.scenario.id}|{phase}|{count}")
        index = rng.randrange(len(variants))
        if len(variants) > 1 and self._last_variant.get((phase, band)) == index:
            index = (index + 1) % len(variants)
        self._last_variant[(phase, band)] = index
        return variants[index].format(**self.scenario.line_fields(), term=extra.get("term", "that"))

    def opening(self) -> str:
        """The caller's first line."""
        return self._line("opening")

    # --- mood ------------------------------------------------------------------------

    def _move(self, cue: str, evidence: str, changes: list[MoodChange]) -> None:
        delta = self.persona.sensitivities.get(cue, 0.0)
        new = round(min(MOOD_MAX, max(MOOD_MIN, self.mood + delta)), 2)
        if new != self.mood:
            change = MoodChange(
                self.mood, new, f"{cue}: the caller {REASONS[cue]}", _short(evidence)
            )
            changes.append(change)
            self.mood = new

    def _apply_detections(self, detections: list[Any], changes: list[MoodChange]) -> set[str]:
        """Move the mood for this turn's detections; return the ids newly seen this turn."""
        seen: set[str] = set()
        for detection in detections:
            if detection.id in seen:
                continue
            seen.add(detection.id)
            first_time = detection.id not in self._achieved
            self._achieved.add(detection.id)
            if detection.kind == "fault" or first_time:
                self._move(detection.id, detection.quote, changes)
        return seen

    def _apply_delivery(self, delivery: Any, changes: list[MoodChange]) -> None:
        calm = getattr(delivery, "calm", None) if delivery is not None else None
        if calm is False:
            self._move(DELIVERY_TENSE, _delivery_evidence(delivery), changes)
        elif calm is True:
            self._move(DELIVERY_CALM, _delivery_evidence(delivery), changes)

    # --- the turn ----------------------------------------------------------------------

    def react(self, update: Any, delivery: Any, text: str) -> CallerReply:
        """React to one trainee turn: the scorer's `update`, the `delivery` verdict, the text."""
        if self.outcome is not None:
            raise ValueError(f"the call has already ended ({self.outcome})")
        self.turns += 1
        old_mood = self.mood
        changes: list[MoodChange] = []
        detections = list(getattr(update, "detections", None) or ())
        seen = self._apply_detections(detections, changes)
        self._empty_turns = 0 if detections else self._empty_turns + 1
        if self._empty_turns >= 2:  # one quiet turn (a restated fact, a pause) is tolerated
            self._move(NO_PROGRESS, text or "(silence)", changes)
        self._apply_delivery(delivery, changes)
        self._high_turns = self._high_turns + 1 if self.mood >= self.persona.escalate_at else 0

        phase, outcome, term = self._next_phase(seen, detections, text, rose=self.mood > old_mood)
        self.outcome = outcome
        self.mood_curve.append(self.mood)
        self.mood_log += changes
        return CallerReply(self._line(phase, term=term), self.mood, changes, outcome, phase)

    def _next_phase(
        self, seen: set[str], detections: list[Any], text: str, *, rose: bool
    ) -> tuple[str, str | None, str]:
        """The phase of the caller's reply, the call's outcome (or None) and a jargon term."""
        persona = self.persona
        if self.mood >= persona.hang_up_at:
            return "hanging_up", "hung_up", ""
        if self.mood >= persona.escalate_at and (rose or self._high_turns >= 2):
            return "escalating", "escalated", ""
        agreeable = self.mood <= persona.agree_at_most
        if self._agreed:
            if agreeable:
                return "closing", "resolved", ""
            self._agreed = False
        elif agreeable and self._achieved.issuperset(self.scenario.resolution_requires):
            closing = self.scenario.closing_step
            if closing is None or closing in self._achieved:
                return "closing", "resolved", ""
            self._agreed = True
            return "agreeing", None, ""
        if self.turns >= self.scenario.max_turns:
            return "timeout", "timed_out", ""
        return self._conversation_phase(seen, detections, text), None, self._jargon_term(detections)

    def _conversation_phase(self, seen: set[str], detections: list[Any], text: str) -> str:
        if "confidentiality_breach" in seen:
            # a relative told something pushes for more; a caller told about another
            # patient is alarmed for their own record
            return "pressing" if self._caller_is_relative() else "alarmed"
        if "jargon" in seen:
            return "confused"
        if seen & set(FAULT_IDS):
            return "pushback"
        if IDENTITY_REQUEST.search(text):
            return "identity"
        if "knowledge" in seen:
            return "news"
        if seen & set(self.scenario.resolution_requires):
            return "doubting"
        step_phases = [
            step
            for step in PROTOCOL_STEPS[self.scenario.protocol]
            if step in seen and step in self.scenario.lines
        ]
        if step_phases:
            return step_phases[0]
        if seen & set(STORY_TRIGGERS):
            return "details" if self._phase_counts.get("story") else "story"
        if seen & set(DETAIL_TRIGGERS) or seen & set(CHECK_IDS) or (not seen and "?" in text):
            return "details"  # a plain question gets an answer, not impatience
        return "waiting"

    def _caller_is_relative(self) -> bool:
        """Whether the caller phones about someone else (the scenario names a patient)."""
        return bool(self.scenario.facts.get("patient"))

    def _jargon_term(self, detections: list[Any]) -> str:
        for detection in detections:
            if detection.id == "jargon":
                quote = detection.quote.lower()
                for term in self.scenario.jargon:
                    if term.lower() in quote:
                        return term
                return detection.quote
        return ""
