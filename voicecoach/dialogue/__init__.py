"""Dialogue: scenarios (data), the simulated caller's mood model, and typed calls."""

from voicecoach.dialogue.caller import Caller, CallerReply, MoodChange
from voicecoach.dialogue.scenario import (
    Scenario,
    ScenarioIssue,
    get_scenario,
    load_scenario_paths,
    load_scenarios,
)

__all__ = [
    "Caller",
    "CallerReply",
    "MoodChange",
    "Scenario",
    "ScenarioIssue",
    "get_scenario",
    "load_scenario_paths",
    "load_scenarios",
]
