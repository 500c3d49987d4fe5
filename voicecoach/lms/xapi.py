"""A practice session as xAPI 1.0.3 statements for a Learning Record Store (pure functions).

Each session gives an "attempted" statement (the call started) and, once it ended with
a score, a "completed" one whose result carries the score (scaled, raw, min, max),
`success` (the verdict is a pass), `completion`, the call's duration and, as result
extensions, every step/check/fault with its title and met/present.

"completed" rather than "passed"/"failed": an LMS counts completions whatever the
mastery, `result.success` says pass or fail, and one verb per session keeps statement
ids stable when an instructor's override turns a fail into a pass.

Statement ids are UUID5 of the session id and verb (plus the instructor's adjusted score,
when there is one), and every field comes from the session, none from the clock, so
sending a session twice sends the same statements and an LRS stores them once.

When a session's result changes after it was sent (an instructor's override or a
re-score), `superseding` puts a "voided" statement (verb `voided`, object a
StatementRef) for each statement sent before and no longer current ahead of the new
ones: an LRS then no longer returns the old result to a normal query.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

XAPI_VERSION = "1.0.3"
IRI_BASE = "https://voicecoach.example/xapi"  # an identifier of ours, never fetched
DEFAULT_HOME_PAGE = "https://voicecoach.example"
STATEMENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, IRI_BASE)
LANGUAGE = "en-US"
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/simulation"
VERBS = {
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "voided": "http://adlnet.gov/expapi/verbs/voided",
}
EXTENSIONS = {
    "session": f"{IRI_BASE}/extensions/session-id",
    "outcome": f"{IRI_BASE}/extensions/outcome",
    "verdict": f"{IRI_BASE}/extensions/verdict",
    "adjusted": f"{IRI_BASE}/extensions/adjusted-by-instructor",
    "items": f"{IRI_BASE}/extensions/items",
}
SECTIONS = (("steps", "step", "met"), ("checks", "check", "met"), ("faults", "fault", "present"))
SCORE_MAX = 100.0


@dataclass(frozen=True)
class SessionResult:
    """What the statements say about one session (gathered from the store by `export.py`)."""

    id: str
    trainee: str
    scenario_id: str
    scenario_title: str
    protocol: str
    protocol_title: str
    started_at: str  # ISO 8601 with a time zone
    duration_s: float | None
    complete: bool
    outcome: str | None
    score: float | None  # after instructor overrides
    verdict: str | None
    passed: bool | None  # the verdict is a pass (not the protocol's failing verdict)
    adjusted: bool  # an instructor's overrides changed the coach's score
    items: tuple[dict[str, Any], ...] = ()  # {id, kind, title, met|present}


def iso_duration(seconds: float) -> str:
    """`93.214` -> `PT93.21S` (ISO 8601, to the hundredth of a second xAPI keeps)."""
    return f"PT{round(max(seconds, 0.0), 2):g}S"


def score_items(score: dict | None) -> tuple[dict[str, Any], ...]:
    """Every step/check/fault of a titled score object as `{id, kind, title, met|present}`."""
    items = []
    for section, kind, key in SECTIONS:
        for item_id, item in ((score or {}).get(section) or {}).items():
            if isinstance(item, dict):
                title = item.get("title_hit") or item.get("title") or item_id
                items.append({"id": item_id, "kind": kind, "title": title, key: bool(item[key])})
    return tuple(items)


def actor(trainee: str, home_page: str) -> dict[str, Any]:
    """The trainee as an xAPI agent with an account on the school's system (no email)."""
    return {
        "objectType": "Agent",
        "name": trainee,
        "account": {"homePage": home_page, "name": trainee},
    }


def activity(result: SessionResult) -> dict[str, Any]:
    """The scenario as an xAPI activity (one IRI per scenario, with its title)."""
    return {
        "objectType": "Activity",
        "id": f"{IRI_BASE}/scenarios/{result.scenario_id}",
        "definition": {
            "name": {LANGUAGE: result.scenario_title},
            "type": ACTIVITY_TYPE,
        },
    }


def context(result: SessionResult) -> dict[str, Any]:
    """The protocol the call was scored against, the platform and the session id."""
    return {
        "platform": "VoiceCoach",
        "language": LANGUAGE,
        "contextActivities": {
            "category": [
                {
                    "objectType": "Activity",
                    "id": f"{IRI_BASE}/protocols/{result.protocol}",
                    "definition": {"name": {LANGUAGE: result.protocol_title}},
                }
            ]
        },
        "extensions": {EXTENSIONS["session"]: result.id},
    }


def statement_id(session_id: str, verb: str, revision: str = "") -> str:
    """A deterministic statement id: the same session and verb always give the same id."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"{session_id}/{verb}{revision}"))


def _timestamp(started_at: str, plus_s: float = 0.0) -> str:
    """ISO 8601 with a time zone, as xAPI requires (a time saved without one is UTC)."""
    started = datetime.fromisoformat(started_at)
    if started.tzinfo is None:
        started = started.replace(tzinfo=timezone.utc)
    return (started + timedelta(seconds=plus_s)).isoformat(timespec="milliseconds")


def _statement(result: SessionResult, verb: str, home_page: str) -> dict[str, Any]:
    return {
        "actor": actor(result.trainee, home_page),
        "verb": {"id": VERBS[verb], "display": {LANGUAGE: verb}},
        "object": activity(result),
        "context": context(result),
        "version": XAPI_VERSION,
    }


def completed_result(result: SessionResult, score: float) -> dict[str, Any]:
    """The xAPI result: score, success, completion, duration, verdict and per-item results."""
    out: dict[str, Any] = {
        "score": {
            "scaled": round(score / SCORE_MAX, 4),
            "raw": score,
            "min": 0,
            "max": SCORE_MAX,
        },
        "completion": True,
        "extensions": {
            EXTENSIONS["verdict"]: result.verdict,
            EXTENSIONS["outcome"]: result.outcome,
            EXTENSIONS["adjusted"]: result.adjusted,
            EXTENSIONS["items"]: list(result.items),
        },
    }
    if result.passed is not None:
        out["success"] = result.passed
    if result.duration_s is not None:
        out["duration"] = iso_duration(result.duration_s)
    return out


def session_statements(
    result: SessionResult, *, home_page: str = DEFAULT_HOME_PAGE
) -> list[dict[str, Any]]:
    """The session's statements: "attempted" at the start, "completed" when it was scored.

    An instructor-adjusted result is a new "completed" statement (its id includes the
    adjusted score and verdict); `superseding` voids the one it replaces.
    """
    attempted = _statement(result, "attempted", home_page) | {
        "id": statement_id(result.id, "attempted"),
        "timestamp": _timestamp(result.started_at),
    }
    if not result.complete or result.score is None:
        return [attempted]
    revision = f"/adjusted/{result.score:g}/{result.verdict}" if result.adjusted else ""
    completed = _statement(result, "completed", home_page) | {
        "id": statement_id(result.id, "completed", revision),
        "timestamp": _timestamp(result.started_at, result.duration_s or 0.0),
        "result": completed_result(result, result.score),
    }
    return [attempted, completed]


def voiding_statement(
    result: SessionResult, voided_id: str, *, home_page: str = DEFAULT_HOME_PAGE
) -> dict[str, Any]:
    """A "voided" statement about the session's statement `voided_id` (by its trainee, as
    an LMS reading a trainee's statements then sees it; no timestamp: the LRS stamps it)."""
    return {
        "id": statement_id(voided_id, "voided"),
        "actor": actor(result.trainee, home_page),
        "verb": {"id": VERBS["voided"], "display": {LANGUAGE: "voided"}},
        "object": {"objectType": "StatementRef", "id": voided_id},
        "context": context(result),
        "version": XAPI_VERSION,
    }


def superseding(
    result: SessionResult,
    statements: list[dict[str, Any]],
    *,
    sent: set[str],
    voided: set[str],
    home_page: str = DEFAULT_HOME_PAGE,
) -> list[dict[str, Any]]:
    """`statements` preceded by a voiding of each statement `sent` before that is no longer
    current (nor voided already, nor itself a voiding).

    A current statement whose id was voided (a result changed, then changed back) gets a
    new id derived from the old one: a voided statement cannot be stored again.
    """
    current = []
    for statement in statements:
        statement_key = statement["id"]
        while statement_key in voided:
            statement_key = statement_id(statement_key, "reissued")
        current.append(statement | {"id": statement_key})
    keep = {s["id"] for s in current} | voided | {statement_id(v, "voided") for v in voided}
    stale = [i for i in sent if i not in keep]
    voidings = [voiding_statement(result, i, home_page=home_page) for i in sorted(stale)]
    return voidings + current
