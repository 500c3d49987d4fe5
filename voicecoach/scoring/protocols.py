"""Scoring rubrics: per-protocol steps, weights, order, tips and verdict bands, from YAML.

Rubrics are data (`scenarios/protocols/<protocol>.yaml`), checked against a
JSON schema; an error names the file and the line of the bad value. A rubric
may only name step, check and fault ids the detectors know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from voicecoach.errors import ScenarioError
from voicecoach.paths import PROJECT_DIR, scenarios_dir
from voicecoach.scoring.yamlcheck import line_of, parse_checked

CHECK_IDS = ("help_me_understand", "verify_identity")
FAULT_IDS = ("why_did_you", "dismissive", "jargon", "confidentiality_breach")

_TIP = {"type": "string", "minLength": 1}
_TITLE = {"type": "string", "minLength": 1}
_FAULT = {
    "type": "object",
    "required": ["penalty"],
    "additionalProperties": False,
    "properties": {
        "penalty": {"type": "number", "minimum": 0},
        "critical": {"type": "boolean"},
        "title": _TITLE,  # when present: "Accusatory question"
        "absent_title": _TITLE,  # when absent: "No accusatory questions"
    },
}
RUBRIC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["protocol", "steps", "checks", "faults", "verdicts", "critical_verdict"],
    "additionalProperties": False,
    "properties": {
        "protocol": {"type": "string", "pattern": "^[a-z_]+$"},
        "title": {"type": "string"},
        "out_of_order_credit": {"type": "number", "minimum": 0, "maximum": 1},
        "steps": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "weight", "order", "tip"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "weight": {"type": "number", "exclusiveMinimum": 0},
                    "order": {"enum": ["early", "late", "any"]},
                    "tip": _TIP,
                },
            },
        },
        "checks": {
            "type": "object",
            "required": list(CHECK_IDS),
            "additionalProperties": False,
            "properties": {
                "help_me_understand": {
                    "type": "object",
                    "required": ["kind", "bonus", "tip"],
                    "additionalProperties": False,
                    "properties": {
                        "title": _TITLE,
                        "kind": {"const": "bonus"},
                        "bonus": {"type": "number", "minimum": 0},
                        "tip": _TIP,
                    },
                },
                "verify_identity": {
                    "type": "object",
                    "required": ["kind", "missing_penalty", "tip"],
                    "additionalProperties": False,
                    "properties": {
                        "title": _TITLE,
                        "kind": {"const": "required_if_record_sensitive"},
                        "missing_penalty": {"type": "number", "minimum": 0},
                        "tip": _TIP,
                    },
                },
            },
        },
        "faults": {
            "type": "object",
            "required": list(FAULT_IDS),
            "additionalProperties": False,
            "properties": {fault: _FAULT for fault in FAULT_IDS},
        },
        "verdicts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["min_score", "verdict"],
                "additionalProperties": False,
                "properties": {
                    "min_score": {"type": "number", "minimum": 0, "maximum": 100},
                    "verdict": {"type": "string", "minLength": 1},
                },
            },
        },
        "critical_verdict": {"type": "string", "minLength": 1},
    },
}


@dataclass(frozen=True)
class StepRule:
    """One protocol step: its weight, where it belongs in the call, and a tip template."""

    id: str
    title: str
    weight: float
    order: str  # "early" | "late" | "any"
    tip: str


@dataclass(frozen=True)
class FaultRule:
    """A fault's penalty, and how it reads when present ("Accusatory question") or absent."""

    penalty: float
    critical: bool
    title: str = ""
    absent_title: str = ""


@dataclass(frozen=True)
class Rubric:
    """A protocol's scoring rubric, as loaded from its YAML file."""

    protocol: str
    title: str
    steps: tuple[StepRule, ...]
    bonus: float
    verify_penalty: float
    check_tips: dict[str, str]
    faults: dict[str, FaultRule]
    verdicts: tuple[tuple[float, str], ...]  # (min_score, verdict), highest first
    critical_verdict: str
    out_of_order_credit: float
    source: str
    check_titles: dict[str, str] = field(default_factory=dict)

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    def step(self, step_id: str) -> StepRule:
        return next(s for s in self.steps if s.id == step_id)

    def verdict_for(self, score: float, *, critical: bool) -> str:
        """The verdict band a score reaches; a critical fault caps it."""
        if critical:
            return self.critical_verdict
        for min_score, verdict in self.verdicts:
            if score >= min_score:
                return verdict
        return self.verdicts[-1][1]


def parse_rubric(text: str, source: str) -> Rubric:
    """Validate rubric YAML text; ScenarioError names `source`:line on any problem."""
    from voicecoach.scoring.detectors import STEP_DETECTORS

    data, root = parse_checked(text, source, RUBRIC_SCHEMA)
    seen = set()
    for i, step in enumerate(data["steps"]):
        if step["id"] not in STEP_DETECTORS or step["id"] in seen:
            line = line_of(root, ["steps", i, "id"])
            problem = "repeated" if step["id"] in seen else "no detector for"
            raise ScenarioError(
                f"{source}:{line}: steps.{i}.id: {problem} step {step['id']!r} "
                f"(known: {', '.join(sorted(STEP_DETECTORS))})"
            )
        seen.add(step["id"])
    checks = data["checks"]
    return Rubric(
        protocol=data["protocol"],
        title=data.get("title", data["protocol"]),
        steps=tuple(
            StepRule(s["id"], s.get("title", s["id"]), float(s["weight"]), s["order"], s["tip"])
            for s in data["steps"]
        ),
        bonus=float(checks["help_me_understand"]["bonus"]),
        verify_penalty=float(checks["verify_identity"]["missing_penalty"]),
        check_tips={cid: checks[cid]["tip"] for cid in CHECK_IDS},
        faults={
            fid: FaultRule(
                float(f["penalty"]),
                bool(f.get("critical", False)),
                f.get("title", ""),
                f.get("absent_title", ""),
            )
            for fid, f in data["faults"].items()
        },
        verdicts=tuple(
            sorted(((float(v["min_score"]), v["verdict"]) for v in data["verdicts"]), reverse=True)
        ),
        critical_verdict=data["critical_verdict"],
        out_of_order_credit=float(data.get("out_of_order_credit", 1.0)),
        source=source,
        check_titles={cid: checks[cid]["title"] for cid in CHECK_IDS if "title" in checks[cid]},
    )


def _rubric_dirs() -> list[Path]:
    dirs = [scenarios_dir() / "protocols", PROJECT_DIR / "scenarios" / "protocols"]
    return [d for i, d in enumerate(dirs) if d.is_dir() and d not in dirs[:i]]


def protocol_names() -> list[str]:
    """The protocols that have a rubric file."""
    return sorted({p.stem for d in _rubric_dirs() for p in d.glob("*.yaml")})


@lru_cache(maxsize=32)
def _load_rubric_file(path: Path, mtime_ns: int) -> Rubric:
    rubric = parse_rubric(path.read_text(encoding="utf-8"), str(path))
    if rubric.protocol != path.stem:
        raise ScenarioError(f"{path}:1: protocol {rubric.protocol!r} must match the file name")
    return rubric


def load_rubric(protocol: str) -> Rubric:
    """The rubric for a protocol (first found in the scenarios dir, then the built-in one)."""
    for folder in _rubric_dirs():
        path = folder / f"{protocol}.yaml"
        if path.is_file():
            return _load_rubric_file(path, path.stat().st_mtime_ns)
    raise ScenarioError(
        f"unknown protocol {protocol!r}: no rubric file {protocol}.yaml "
        f"(known: {', '.join(protocol_names()) or 'none'})"
    )
