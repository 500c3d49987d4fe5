"""Progress over calls: a trainee's scores by date against the pass mark, each step's hit
rate over their last calls, a few delivery measures against their calm band; and the
cohort (trainees x steps, weakest step first). Plain functions over a `SessionStore`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from voicecoach.errors import BaselineError, SessionError, VoiceCoachError
from voicecoach.results.vocabulary import item_titles, measure_row
from voicecoach.scoring.protocols import Rubric, load_rubric
from voicecoach.session.review import scenario_title
from voicecoach.session.store import CallResults, SessionFilter, SessionInfo, SessionStore

SETTINGS_FILE = Path(__file__).with_name("progress.yaml")


@dataclass(frozen=True)
class ProgressSettings:
    last_calls: int
    tolerances: dict[str, float]  # measure id -> half-width of the calm band


@lru_cache(maxsize=1)
def settings() -> ProgressSettings:
    """`progress.yaml`: how many calls a hit rate covers and which measures are charted."""
    data = yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8")) or {}
    try:
        return ProgressSettings(
            int(data["last_calls"]),
            {k: float(v["tolerance"]) for k, v in data["measures"].items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise VoiceCoachError(f"{SETTINGS_FILE}: needs last_calls and measures ({exc})") from None


def pass_mark(rubric: Rubric) -> float:
    """The lowest score whose verdict is a pass (not the critical verdict)."""
    passing = [low for low, verdict in rubric.verdicts if verdict != rubric.critical_verdict]
    return min(passing) if passing else 100.0


def _rubric(protocol: str) -> Rubric | None:
    try:
        return load_rubric(protocol)
    except VoiceCoachError:
        return None


def _calm_band(trainee: str) -> dict[str, list[float]]:
    """Each charted measure's calm band from the trainee's baseline (empty without one)."""
    from voicecoach.delivery import load_baseline

    try:
        baseline = load_baseline(trainee)
    except BaselineError:
        return {}
    bands = {}
    for measure_id, tolerance in settings().tolerances.items():
        calm = getattr(baseline, measure_id, None)
        if isinstance(calm, (int, float)):
            bands[measure_id] = [round(calm - tolerance, 2), round(calm + tolerance, 2)]
    return bands


def _call_row(info: SessionInfo, results: CallResults | None) -> dict[str, Any]:
    """One call as the progress pages chart it, from the index (no file reads)."""
    results = results or CallResults()
    return {
        "id": info.id,
        "started_at": info.started_at,
        "date": info.started_at[:10],
        "scenario_id": info.scenario_id,
        "scenario_title": scenario_title(info.scenario_id),
        "protocol": info.protocol,
        "complete": info.complete,
        "typed": info.typed,
        "score": info.effective_score,
        "verdict": info.effective_verdict,
        "calm": results.calm,
        "measures": {
            m: results.measures[m] for m in settings().tolerances if m in results.measures
        },
        "items": {section: results.items.get(section, {}) for section in ("steps", "faults")},
    }


def _step_rates(rows: list[dict], protocol: str, last: int) -> dict[str, Any]:
    """Hit rates of a protocol's steps (and fault-free rates) over the last `last` calls."""
    rubric = _rubric(protocol)
    recent = [r for r in rows if r["protocol"] == protocol and r["items"]["steps"]][-last:]
    ids = (
        list(rubric.step_ids)
        if rubric
        else sorted({k for r in recent for k in r["items"]["steps"]})
    )
    steps = []
    for step_id in ids:
        seen = [r["items"]["steps"][step_id] for r in recent if step_id in r["items"]["steps"]]
        steps.append(_rate(step_id, item_titles(rubric, "steps", step_id)[0], seen))
    faults = []
    for fault_id in sorted({k for r in recent for k in r["items"]["faults"]}):
        seen = [
            not r["items"]["faults"][fault_id] for r in recent if fault_id in r["items"]["faults"]
        ]
        faults.append(_rate(fault_id, item_titles(rubric, "faults", fault_id)[1], seen))
    return {
        "protocol": protocol,
        "protocol_title": rubric.title if rubric else protocol,
        "calls": len(recent),
        "steps": steps,
        "faults": faults,
    }


def _rate(item_id: str, title: str, seen: list[bool]) -> dict[str, Any]:
    hits = sum(seen)
    return {
        "id": item_id,
        "title": title,
        "hits": hits,
        "calls": len(seen),
        "rate": round(hits / len(seen), 3) if seen else None,
    }


def trainee_progress(
    store: SessionStore, trainee: str, *, last: int | None = None
) -> dict[str, Any]:
    """A trainee's calls oldest first, pass marks, step hit rates per protocol, measures."""
    last = last or settings().last_calls
    sessions = store.list_sessions(SessionFilter(trainee=trainee), descending=False)
    if not sessions:
        raise no_trainee_sessions(trainee)
    results = store.call_results(info.id for info in sessions)
    rows = [_call_row(info, results.get(info.id)) for info in sessions]
    protocols = list(dict.fromkeys(r["protocol"] for r in rows))
    marks = {p: pass_mark(r) for p in protocols if (r := _rubric(p)) is not None}
    bands = _calm_band(trainee)
    measures = [measure_row(m, None) | {"calm_band": bands.get(m)} for m in settings().tolerances]
    return {
        "trainee": trainee,
        "last_calls": last,
        "sessions": rows,
        "pass_marks": marks,
        "steps": [_step_rates(rows, p, last) for p in protocols],
        "measures": [m for m in measures if any(m["id"] in r["measures"] for r in rows)],
        "has_baseline": bool(bands),
    }


def no_trainee_sessions(trainee: str) -> SessionError:
    """The error for a trainee with no sessions (or whom the asker may not see)."""
    return SessionError(f"no sessions for trainee {trainee!r}; see `voicecoach sessions list`")


def cohort_progress(
    store: SessionStore, *, last: int | None = None, trainee_in: Collection[str] | None = None
) -> dict[str, Any]:
    """Every trainee x every step of each protocol, steps weakest (lowest hit rate) first.

    `trainee_in` keeps only those trainees (what a signed-in user may see).
    """
    last = last or settings().last_calls
    rows_by_trainee: dict[str, list[dict]] = defaultdict(list)
    infos = store.list_sessions(SessionFilter(trainee_in=trainee_in), descending=False)
    results = store.call_results(None if trainee_in is None else (info.id for info in infos))
    for info in infos:
        rows_by_trainee[info.trainee].append(_call_row(info, results.get(info.id)))
    protocols = list(dict.fromkeys(r["protocol"] for rs in rows_by_trainee.values() for r in rs))
    tables = []
    for protocol in protocols:
        per_trainee = {
            t: _step_rates(rs, protocol, last)
            for t, rs in sorted(rows_by_trainee.items())
            if any(r["protocol"] == protocol for r in rs)
        }
        first = next(iter(per_trainee.values()))
        overall = []
        for index, step in enumerate(first["steps"]):
            cells = [rates["steps"][index] for rates in per_trainee.values()]
            hits, calls = sum(c["hits"] for c in cells), sum(c["calls"] for c in cells)
            overall.append((hits / calls if calls else 1.0, index, step))
        order = [index for _rate_, index, _step in sorted(overall, key=lambda o: (o[0], o[1]))]
        tables.append(
            {
                "protocol": protocol,
                "protocol_title": first["protocol_title"],
                "steps": [first["steps"][i] | {"rate": round(overall[i][0], 3)} for i in order],
                "trainees": [
                    {
                        "trainee": trainee,
                        "calls": rates["calls"],
                        "rates": [rates["steps"][i] for i in order],
                        "latest_score": _latest_score(rows_by_trainee[trainee], protocol),
                    }
                    for trainee, rates in per_trainee.items()
                ],
            }
        )
    return {"last_calls": last, "trainees": sorted(rows_by_trainee), "protocols": tables}


def _latest_score(rows: list[dict], protocol: str) -> float | None:
    scored = [r["score"] for r in rows if r["protocol"] == protocol and r["score"] is not None]
    return scored[-1] if scored else None
