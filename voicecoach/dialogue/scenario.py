"""Scenarios: the practice calls, loaded from YAML files and validated against a schema.

A scenario is data an instructor can write without touching code: who calls and
why, the facts the trainee may need, jargon to avoid, how sensitive the caller is
to what the trainee does, and the caller's lines by phase and mood band.
Validation errors name the file, line, column and field path of the problem.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from voicecoach import yamlsafe
from voicecoach.errors import ScenarioError
from voicecoach.paths import scenarios_dir
from voicecoach.scoring import Scorer, Turn
from voicecoach.tts.voice import VoiceSettings

SCHEMA_PATH = Path(__file__).with_name("scenario_schema.json")

PROTOCOL_STEPS: dict[str, tuple[str, ...]] = {
    "upset_caller": (
        "thank_caller",
        "use_name",
        "invite_and_listen",
        "empathize",
        "clarify",
        "take_ownership",
        "propose_solution",
        "confirm_next_step",
        "close_call",
    ),
    "spikes": ("setting", "perception", "invitation", "knowledge", "empathize", "strategy_summary"),
    "desc": ("describe", "express", "specify", "consequences"),
}
CHECK_IDS = ("help_me_understand", "verify_identity")
FAULT_IDS = ("why_did_you", "dismissive", "jargon", "confidentiality_breach")
# Cues the caller reacts to that are not scorer detections.
DELIVERY_TENSE = "delivery_tense"
DELIVERY_CALM = "delivery_calm"
NO_PROGRESS = "no_progress"
CUE_IDS = (DELIVERY_TENSE, DELIVERY_CALM, NO_PROGRESS)

# Mood points (+ angrier, - calmer) per detection id or cue; a persona overrides any of them.
DEFAULT_SENSITIVITIES: dict[str, float] = {
    "thank_caller": -0.5,
    "use_name": -0.5,
    "invite_and_listen": -1.0,
    "empathize": -1.5,
    "clarify": -0.5,
    "take_ownership": -1.5,
    "propose_solution": -1.5,
    "confirm_next_step": -0.5,
    "close_call": -0.5,
    "setting": -0.5,
    "perception": -0.5,
    "invitation": -0.5,
    "knowledge": 1.0,
    "strategy_summary": -1.5,
    "describe": -0.5,
    "express": -1.0,
    "specify": -0.5,
    "consequences": -1.0,
    "help_me_understand": -0.5,
    "verify_identity": 0.0,
    "why_did_you": 1.5,
    "dismissive": 2.5,
    "jargon": 1.0,
    "confidentiality_breach": 2.0,
    DELIVERY_TENSE: 1.0,
    DELIVERY_CALM: -0.3,
    NO_PROGRESS: 0.5,
}
DEFAULT_THRESHOLDS = {"agree_at_most": 5.0, "escalate_at": 8.5, "hang_up_at": 10.0}
DEFAULT_RESOLUTION: dict[str, dict[str, Any]] = {
    "upset_caller": {
        "requires": ["propose_solution", "confirm_next_step"],
        "closing_step": "close_call",
    },
    "spikes": {"requires": ["knowledge", "strategy_summary"], "closing_step": None},
    "desc": {"requires": ["specify", "consequences"], "closing_step": None},
}
MOOD_BANDS = ("calm", "upset", "angry")
PHASES = (
    "opening",
    "story",
    "details",
    "news",
    "identity",
    "confused",
    "pushback",
    "waiting",
    "doubting",
    "agreeing",
    "closing",
    "escalating",
    "hanging_up",
    "timeout",
    "pressing",
    "alarmed",
)
LINE_FIELDS = (
    "name",
    "first_name",
    "date_of_birth",
    "address",
    "account",
    "patient_name",
    "patient_date_of_birth",
    "term",
)
DEFAULT_LINES_PATH = Path(__file__).with_name("default_lines.yaml")
MESSAGE_MAX_CHARS = 160


def mood_band(mood: float) -> str:
    """The band a mood falls in: calm (< 4), upset (< 7) or angry."""
    return "calm" if mood < 4 else "upset" if mood < 7 else "angry"


@dataclass(frozen=True)
class Persona:
    """Who calls: name, character, voice, how upset they start and how they react."""

    name: str
    personality: str
    voice: VoiceSettings
    mood_start: float
    sensitivities: dict[str, float]
    agree_at_most: float
    escalate_at: float
    hang_up_at: float

    @property
    def first_name(self) -> str:
        return self.name.split()[0]


@dataclass(frozen=True)
class Scenario:
    """One practice call, as loaded from `scenarios/<id>.yaml`."""

    id: str
    title: str
    protocol: str
    situation: str
    record_sensitive: bool
    max_turns: int
    caller: Persona
    facts: dict[str, Any]
    jargon: dict[str, str]
    resolution_requires: tuple[str, ...]
    closing_step: str | None
    lines: dict[str, dict[str, tuple[str, ...]]]
    model_call: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)

    def line_fields(self) -> dict[str, str]:
        """Values for the `{placeholders}` a caller line may use."""
        patient = self.facts.get("patient") or {}
        return {
            "name": self.caller.name,
            "first_name": self.caller.first_name,
            "date_of_birth": self.facts.get("date_of_birth", ""),
            "address": self.facts.get("address", ""),
            "account": self.facts.get("account", ""),
            "patient_name": patient.get("name", self.caller.name),
            "patient_date_of_birth": patient.get("date_of_birth", ""),
        }

    def new_scorer(self) -> Scorer:
        """A fresh scorer for one call of this scenario (its protocol, caller and jargon)."""
        return Scorer(
            self.protocol,
            caller_name=self.caller.name,
            record_sensitive=self.record_sensitive,
            jargon=self.jargon,
        )

    def transcript_json(self, turns: Iterable[Turn]) -> dict[str, Any]:
        """A call of this scenario in the transcript interchange format (`voicecoach score`)."""
        return {
            "protocol": self.protocol,
            "caller_name": self.caller.name,
            "record_sensitive": self.record_sensitive,
            "jargon": self.jargon,
            "turns": [turn.to_json() for turn in turns],
        }

    def to_json(self) -> dict[str, Any]:
        """The scenario as a JSON-ready object (for `scenarios show --json`)."""
        return {
            "id": self.id,
            "title": self.title,
            "protocol": self.protocol,
            "caller_name": self.caller.name,
            "situation": self.situation,
            "record_sensitive": self.record_sensitive,
            "max_turns": self.max_turns,
            "caller": {
                "name": self.caller.name,
                "personality": self.caller.personality,
                "voice": self.caller.voice.to_json(),
                "mood_start": self.caller.mood_start,
                "sensitivities": self.caller.sensitivities,
                "thresholds": {
                    "agree_at_most": self.caller.agree_at_most,
                    "escalate_at": self.caller.escalate_at,
                    "hang_up_at": self.caller.hang_up_at,
                },
            },
            "facts": self.facts,
            "jargon": self.jargon,
            "resolution": {
                "requires": list(self.resolution_requires),
                "closing_step": self.closing_step,
            },
            "model_call": list(self.model_call),
            "file": str(self.path) if self.path else None,
        }


@dataclass(frozen=True)
class ScenarioIssue:
    """One problem in one scenario file, located by line, column and field path."""

    path: Path
    line: int
    column: int
    field_path: str
    message: str

    def __str__(self) -> str:
        where = self.field_path or "(document)"
        return f"{self.path}:{self.line}:{self.column}: {where}: {self.message}"


# --- locating JSON paths in the YAML source ---------------------------------------


def _node_marks(node: yaml.Node, prefix: tuple = ()) -> dict[tuple, tuple[int, int]]:
    """Map every JSON path in a composed YAML document to its 1-based (line, column)."""
    marks = {prefix: (node.start_mark.line + 1, node.start_mark.column + 1)}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, key_node.value)
            marks.update(_node_marks(value_node, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            marks.update(_node_marks(item, (*prefix, index)))
    return marks


def _duplicate_keys(node: yaml.Node, prefix: tuple = ()) -> list[tuple[tuple, yaml.Node]]:
    """Keys written twice in one mapping (YAML keeps the last silently): path and key node."""
    found = []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            if key_node.value in seen:
                found.append(((*prefix, key_node.value), key_node))
            seen.add(key_node.value)
            found += _duplicate_keys(value_node, (*prefix, key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found += _duplicate_keys(item, (*prefix, index))
    return found


def _format_path(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Located:
    """Builds ScenarioIssues for one file from JSON paths."""

    def __init__(self, path: Path, marks: dict[tuple, tuple[int, int]]):
        self.path = path
        self.marks = marks
        self.issues: list[ScenarioIssue] = []

    def add(self, json_path: tuple, message: str) -> None:
        located = tuple(json_path)
        while located not in self.marks and located:
            located = located[:-1]
        line, column = self.marks.get(located, (1, 1))
        self.issues.append(ScenarioIssue(self.path, line, column, _format_path(json_path), message))


# --- validation ---------------------------------------------------------------------


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _leaf_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """For oneOf/anyOf failures, the errors of the branch whose type fits the value."""
    if not error.context:
        return [error]
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        errs
        for errs in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in errs)
    ]
    if len(fitting) != 1:
        return [error]
    return [leaf for sub in fitting[0] for leaf in _leaf_errors(sub)]


def _message(error: jsonschema.ValidationError) -> str:
    """A short message: the instance is named by the field path, so it is not repeated."""
    if error.validator == "type":
        return f"expected {error.validator_value}, got {type(error.instance).__name__}"
    if error.validator == "oneOf":
        return "expected a list of lines, or lines by mood band (calm, upset, angry)"
    message = error.message
    return message if len(message) <= MESSAGE_MAX_CHARS else message[:MESSAGE_MAX_CHARS] + "..."


def _check_schema(doc: Any, located: _Located) -> None:
    for error in _validator().iter_errors(doc):
        for leaf in _leaf_errors(error):
            located.add(tuple(leaf.absolute_path), _message(leaf))


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def _check_meaning(doc: dict, located: _Located) -> None:
    """Checks the schema cannot express: known ids, placeholders, consistent thresholds."""
    protocol = doc["protocol"]
    known_ids = (*PROTOCOL_STEPS[protocol], *CHECK_IDS, *FAULT_IDS, *CUE_IDS)
    for key in doc["caller"].get("sensitivities", {}):
        if key not in known_ids:
            located.add(
                ("caller", "sensitivities", key),
                f"unknown reaction id {key!r}; valid: {', '.join(known_ids)}",
            )
    steps = PROTOCOL_STEPS[protocol]
    resolution = doc.get("resolution", {})
    for index, step in enumerate(resolution.get("requires", [])):
        if step not in steps:
            located.add(
                ("resolution", "requires", index),
                f"{step!r} is not a {protocol} step; valid: {', '.join(steps)}",
            )
    closing = resolution.get("closing_step")
    if closing is not None and closing not in steps:
        located.add(
            ("resolution", "closing_step"),
            f"{closing!r} is not a {protocol} step; valid: {', '.join(steps)}",
        )
    thresholds = {**DEFAULT_THRESHOLDS, **doc["caller"].get("thresholds", {})}
    if not (thresholds["agree_at_most"] < thresholds["escalate_at"] <= thresholds["hang_up_at"]):
        located.add(
            ("caller", "thresholds"),
            "need agree_at_most < escalate_at <= hang_up_at, got "
            f"{thresholds['agree_at_most']}, {thresholds['escalate_at']}, "
            f"{thresholds['hang_up_at']}",
        )
    if doc["caller"]["mood_start"] >= thresholds["escalate_at"]:
        located.add(
            ("caller", "mood_start"),
            f"starts at {doc['caller']['mood_start']}, at or above escalate_at "
            f"{thresholds['escalate_at']}: the call would end before it starts",
        )
    for phase in doc["lines"]:
        if phase not in PHASES and phase not in steps:
            located.add(
                ("lines", phase),
                f"unknown phase {phase!r}; valid: "
                f"{', '.join(PHASES)}, or a {protocol} step: {', '.join(steps)}",
            )
    for phase, variants in doc["lines"].items():
        groups = variants.items() if isinstance(variants, dict) else [(None, variants)]
        for band, texts in groups:
            for index, text in enumerate(texts):
                base = ("lines", phase) + ((band,) if band else ())
                try:
                    names = _placeholders(text)
                except ValueError as exc:
                    located.add((*base, index), f"bad braces in line: {exc}")
                    continue
                for name in names:
                    if name not in LINE_FIELDS:
                        located.add(
                            (*base, index),
                            f"unknown placeholder {{{name}}}; "
                            f"valid: {', '.join('{' + f + '}' for f in LINE_FIELDS)}",
                        )


# --- building -----------------------------------------------------------------------


@cache
def default_lines() -> dict[str, dict[str, tuple[str, ...]]]:
    """Generic caller lines for phases a scenario leaves out (identity, escalating...)."""
    raw = yaml.safe_load(DEFAULT_LINES_PATH.read_text(encoding="utf-8"))
    return {phase: _by_band(variants) for phase, variants in raw.items()}


def _by_band(variants: list[str] | dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    if isinstance(variants, dict):
        return {band: tuple(variants[band]) for band in MOOD_BANDS}
    return {band: tuple(variants) for band in MOOD_BANDS}


def _build(doc: dict, path: Path) -> Scenario:
    caller = doc["caller"]
    thresholds = {**DEFAULT_THRESHOLDS, **caller.get("thresholds", {})}
    voice = caller["voice"]
    resolution = {**DEFAULT_RESOLUTION[doc["protocol"]], **doc.get("resolution", {})}
    persona = Persona(
        name=caller["name"],
        personality=caller["personality"].strip(),
        voice=VoiceSettings(
            voice_id=voice.get("voice_id"),
            rate_wpm=voice["rate_wpm"],
            pitch=voice["pitch"],
            volume=float(voice["volume"]),
        ),
        mood_start=float(caller["mood_start"]),
        sensitivities={**DEFAULT_SENSITIVITIES, **caller.get("sensitivities", {})},
        agree_at_most=float(thresholds["agree_at_most"]),
        escalate_at=float(thresholds["escalate_at"]),
        hang_up_at=float(thresholds["hang_up_at"]),
    )
    lines = {**default_lines(), **{p: _by_band(v) for p, v in doc["lines"].items()}}
    return Scenario(
        id=doc["id"],
        title=doc["title"],
        protocol=doc["protocol"],
        situation=" ".join(doc["situation"].split()),
        record_sensitive=doc["record_sensitive"],
        max_turns=doc.get("max_turns", 12),
        caller=persona,
        facts=doc["facts"],
        jargon={item["term"]: item["plain"] for item in doc.get("jargon", [])},
        resolution_requires=tuple(resolution["requires"]),
        closing_step=resolution["closing_step"],
        lines=lines,
        model_call=tuple(doc.get("model_call", ())),
        path=path,
    )


def load_scenario_file(path: str | Path) -> tuple[Scenario | None, list[ScenarioIssue]]:
    """Load and validate one scenario file: the scenario, or None and its issues."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ScenarioIssue(path, 1, 1, "", f"cannot read file: {exc}")]
    try:
        node, doc = yamlsafe.parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        return None, [ScenarioIssue(path, line, column, "", f"not valid YAML: {problem}")]
    located = _Located(path, _node_marks(node) if node is not None else {})
    for key_path, key_node in _duplicate_keys(node) if node is not None else []:
        mark = key_node.start_mark
        located.issues.append(
            ScenarioIssue(
                path, mark.line + 1, mark.column + 1, _format_path(key_path), "key written twice"
            )
        )
    _check_schema(doc, located)
    if not located.issues:
        _check_meaning(doc, located)
    if located.issues:
        return None, sorted(located.issues, key=lambda i: (i.line, i.column))
    return _build(doc, path), []


def scenario_files(paths: list[Path]) -> list[Path]:
    """The scenario files named by `paths`: files as given, folders' top-level *.yaml/*.yml.

    Subfolders (such as `protocols/`, the scoring rubrics) are not scenarios and are skipped.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml")
            )
        else:
            files.append(path)
    return files


def load_scenarios(dir: str | Path | None = None) -> tuple[list[Scenario], list[ScenarioIssue]]:
    """All valid scenarios in `dir` (default `scenarios_dir()`), sorted by id, and the issues.

    A malformed file gives issues and is left out; the other files still load.
    """
    folder = Path(dir) if dir is not None else scenarios_dir()
    return load_scenario_paths([folder]) if folder.is_dir() else ([], [])


def load_scenario_paths(paths: list[Path]) -> tuple[list[Scenario], list[ScenarioIssue]]:
    """Load scenario files and folders; duplicate ids are issues of the later file."""
    scenarios: dict[str, Scenario] = {}
    issues: list[ScenarioIssue] = []
    for path in scenario_files(paths):
        if not path.exists():
            issues.append(ScenarioIssue(path, 1, 1, "", "no such file"))
            continue
        scenario, file_issues = load_scenario_file(path)
        issues += file_issues
        if scenario is None:
            continue
        if scenario.id in scenarios:
            line = _id_line(path)
            issues.append(
                ScenarioIssue(
                    path,
                    line,
                    1,
                    "id",
                    f"duplicate id {scenario.id!r}, already used by {scenarios[scenario.id].path}",
                )
            )
            continue
        scenarios[scenario.id] = scenario
    return sorted(scenarios.values(), key=lambda s: s.id), issues


def _id_line(path: Path) -> int:
    node, _ = yamlsafe.parse(path.read_text(encoding="utf-8"))
    return _node_marks(node).get(("id",), (1, 1))[0]


def get_scenario(scenario_id: str, dir: str | Path | None = None) -> Scenario:
    """The scenario with this id; raises ScenarioError listing the valid ids if unknown."""
    scenarios, issues = load_scenarios(dir)
    for scenario in scenarios:
        if scenario.id == scenario_id:
            return scenario
    valid = ", ".join(s.id for s in scenarios) or "(none)"
    hint = (
        f" ({len(issues)} problem(s) in scenario files: run `voicecoach scenarios validate`)"
        if issues
        else ""
    )
    raise ScenarioError(f"unknown scenario {scenario_id!r}; valid ids: {valid}{hint}")
