"""Sessions from the store to an LRS, remembering which were sent.

`session_result(store, info)` gathers what the statements say (score after instructor
overrides, titles, pass or fail); `SentRecord` is `<data_dir>/xapi_sent.json` (0600):
per LRS (its URL without password), each session's statement ids as sent, and those it
voided. A session needs sending when one of its current statement ids is not recorded
(new, finished since, or its score adjusted by an instructor); a statement sent before
and no longer current is voided first (`xapi.superseding`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.errors import VoiceCoachError
from voicecoach.fileio import write_json_atomic
from voicecoach.lms.lrs import LrsClient, redacted
from voicecoach.lms.xapi import (
    DEFAULT_HOME_PAGE,
    VERBS,
    SessionResult,
    score_items,
    session_statements,
    superseding,
)
from voicecoach.session.review import load_json, override_map, rescored, scenario_title
from voicecoach.session.store import SessionInfo, SessionStore, now_iso

SENT_FILE = "xapi_sent.json"
BATCH_SESSIONS = 25  # sessions per POST: a few hundred KB at most


def _passed(protocol: str, verdict: str | None) -> bool | None:
    """Whether `verdict` is a pass: anything but the protocol's failing (critical) verdict."""
    from voicecoach.scoring.protocols import load_rubric

    if verdict is None:
        return None
    try:
        return verdict != load_rubric(protocol).critical_verdict
    except VoiceCoachError:
        return None


def session_result(store: SessionStore, info: SessionInfo) -> SessionResult:
    """What the statements say about a session: its score after the instructor's overrides."""
    from voicecoach.results.vocabulary import titled_score

    overrides = override_map(store, info.id)
    score = titled_score(rescored(load_json(info.folder / "score.json"), overrides))
    return SessionResult(
        id=info.id,
        trainee=info.trainee,
        scenario_id=info.scenario_id,
        scenario_title=scenario_title(info.scenario_id),
        protocol=info.protocol,
        protocol_title=(score or {}).get("protocol_title") or info.protocol,
        started_at=info.started_at,
        duration_s=info.duration_s,
        complete=info.complete,
        outcome=info.outcome,
        score=info.effective_score,
        verdict=info.effective_verdict,
        passed=_passed(info.protocol, info.effective_verdict),
        adjusted=info.adjusted_score is not None,
        items=score_items(score),
    )


class SentRecord:
    """`xapi_sent.json`: which statements of which session went to which LRS."""

    def __init__(self, data_dir: Path, lrs_url: str):
        self.path = Path(data_dir) / SENT_FILE
        self.lrs = redacted(lrs_url)
        data = load_json(self.path)
        self._data: dict[str, Any] = data if isinstance(data, dict) else {}
        sent = self._data.setdefault("lrs", {}).setdefault(self.lrs, {})
        self._sent: dict[str, Any] = sent if isinstance(sent, dict) else {}

    def _ids(self, session_id: str, key: str) -> list[str]:
        entry = self._sent.get(session_id)
        found = entry.get(key) if isinstance(entry, dict) else None
        return [str(i) for i in found] if isinstance(found, list) else []

    def sent_ids(self, session_id: str) -> set[str]:
        """The ids of every statement sent for the session (voidings included)."""
        return set(self._ids(session_id, "statements"))

    def voided_ids(self, session_id: str) -> set[str]:
        """The ids of the session's statements voided by a voiding statement sent."""
        return set(self._ids(session_id, "voided"))

    def is_sent(self, session_id: str, statements: list[dict]) -> bool:
        """Whether every one of these statements was already sent for the session."""
        ids = self.sent_ids(session_id)
        return all(s["id"] in ids for s in statements)

    def mark_sent(self, sent: dict[str, list[dict]]) -> None:
        """Record these sessions' statements as sent (written to disk at once)."""
        at = now_iso()
        for session_id, statements in sent.items():
            ids = [*self._ids(session_id, "statements"), *(s["id"] for s in statements)]
            voided = [
                *self._ids(session_id, "voided"),
                *(s["object"]["id"] for s in statements if s["verb"]["id"] == VERBS["voided"]),
            ]
            self._sent[session_id] = {
                "statements": list(dict.fromkeys(ids)),
                "voided": list(dict.fromkeys(voided)),
                "sent_at": at,
            }
        self._data["lrs"][self.lrs] = self._sent
        write_json_atomic(self.path, self._data)


@dataclass(frozen=True)
class ExportPlan:
    """The statements of the sessions chosen for sending, and those left out as already sent."""

    statements: dict[str, list[dict]]  # session id -> its statements
    already_sent: int

    @property
    def count(self) -> int:
        return sum(len(s) for s in self.statements.values())


def plan_export(
    store: SessionStore,
    sessions: Iterable[SessionInfo],
    record: SentRecord | None,
    *,
    resend: bool = False,
    home_page: str = DEFAULT_HOME_PAGE,
) -> ExportPlan:
    """Each session's statements; with a `record`, those it sent before and no longer
    current are voided first, and sessions sent as they are now are left out (unless
    `resend`)."""
    chosen, skipped = {}, 0
    for info in sessions:
        result = session_result(store, info)
        statements = session_statements(result, home_page=home_page)
        if record is not None:
            statements = superseding(
                result,
                statements,
                sent=record.sent_ids(info.id),
                voided=record.voided_ids(info.id),
                home_page=home_page,
            )
            if not resend and record.is_sent(info.id, statements):
                skipped += 1
                continue
        chosen[info.id] = statements
    return ExportPlan(chosen, skipped)


def send_plan(
    plan: ExportPlan,
    client: LrsClient,
    record: SentRecord,
    *,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """POST the plan in batches, recording each batch as sent once the LRS took it.

    Returns the number of sessions sent. An LrsError stops at the failing batch:
    earlier batches stay recorded, that one and later ones do not.
    """
    ids = list(plan.statements)
    for start in range(0, len(ids), BATCH_SESSIONS):
        batch = {i: plan.statements[i] for i in ids[start : start + BATCH_SESSIONS]}
        client.send([s for statements in batch.values() for s in statements])
        record.mark_sent(batch)
        if on_batch is not None:
            on_batch(len(batch))
    return len(ids)
