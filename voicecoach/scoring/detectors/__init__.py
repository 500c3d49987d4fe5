"""Intent detectors for every step, check and fault id, keyed by id.

Each detector is `(turn: TurnView, call: CallState) -> Hit | None`; one module
per family: rapport, resolution, spikes, desc, checks, faults.
"""

from __future__ import annotations

import re

from voicecoach.scoring.detectors import checks, desc, faults, rapport, resolution, spikes
from voicecoach.scoring.detectors.base import CallState, Detector, Hit, TurnView
from voicecoach.scoring.text import CUE_WORDS

STEP_DETECTORS: dict[str, Detector] = {
    "thank_caller": rapport.thank_caller,
    "use_name": rapport.use_name,
    "invite_and_listen": rapport.invite_and_listen,
    "empathize": rapport.empathize,
    "clarify": resolution.clarify,
    "take_ownership": resolution.take_ownership,
    "propose_solution": resolution.propose_solution,
    "confirm_next_step": resolution.confirm_next_step,
    "close_call": rapport.close_call,
    "setting": spikes.setting,
    "perception": spikes.perception,
    "invitation": spikes.invitation,
    "knowledge": spikes.knowledge,
    "strategy_summary": spikes.strategy_summary,
    "describe": desc.describe,
    "express": desc.express,
    "specify": desc.specify,
    "consequences": desc.consequences,
}
CHECK_DETECTORS: dict[str, Detector] = {
    "help_me_understand": checks.help_me_understand,
    "verify_identity": checks.verify_identity,
}
FAULT_DETECTORS: dict[str, Detector] = {
    "why_did_you": faults.why_did_you,
    "dismissive": faults.dismissive,
    "jargon": faults.jargon,
    "confidentiality_breach": faults.confidentiality_breach,
}


def _cue_words() -> set[str]:
    """The long literal words in every detector pattern (for rejoining split words)."""
    words: set[str] = set(faults.BUILTIN_JARGON)
    for module in (checks, desc, faults, rapport, resolution, spikes):
        for value in vars(module).values():
            if isinstance(value, re.Pattern):
                words.update(re.findall(r"(?<![a-z\\])[a-z]{6,}(?![a-z])", value.pattern))
    return {w for w in words if " " not in w}


CUE_WORDS.update(_cue_words())

__all__ = [
    "CHECK_DETECTORS",
    "FAULT_DETECTORS",
    "STEP_DETECTORS",
    "CallState",
    "Detector",
    "Hit",
    "TurnView",
]
