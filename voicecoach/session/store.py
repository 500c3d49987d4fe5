"""The session store: an index of practice sessions plus instructor annotations.

`SessionStore` is the interface; `sql_store.SQLSessionStore` implements it with
SQLAlchemy Core on two databases: SQLite in `<data_dir>/sessions.db` (the
single-workstation default) or a school's shared PostgreSQL server, chosen by
`VOICECOACH_DATABASE_URL` or `--database URL` (`open_store` picks).
The store also keeps accounts (argon2-hashed passwords, roles, cohorts) and an
audit log of who did what to which session.
Each session also owns a folder `<data_dir>/sessions/<id>/` holding its audio,
events, transcript, score and delivery files, and a `session.json` copy of its
index row written by the store (so a folder stays self-describing).

Usage by the recorder / live call:

    store = open_store()                       # or open_store(data_dir)
    info = store.create_session("amy", "double_billing", "upset_caller")
    ...write files into info.folder...
    store.finish_session(info.id, duration_s=93.2, outcome="resolved", score=72,
                         verdict="competent", complete=True)

A session that is never finished (a `kill -9`) stays `complete=False` with the
reason "not finished". On SQLite all writes go through one writer thread (the
datasette habit); reads use their own short-lived connections.

Instructor annotations (comments, overrides, the adjusted score) are also
appended to the session folder's `annotations.jsonl`, one change per line, in
the same transaction as the index: the index can always be rebuilt from the
folders (`repair`) with nothing lost.
"""

from __future__ import annotations

import abc
import math
import os
import re
import secrets
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from voicecoach import jsonsafe, paths
from voicecoach.errors import SessionError
from voicecoach.fileio import open_private
from voicecoach.session.accounts import AuditEntry, User

SESSIONS_DIRNAME = "sessions"
SESSION_JSON = "session.json"
ANNOTATIONS_JSONL = "annotations.jsonl"
AUDIO_FILES = ("call.wav", "trainee.wav", "caller.wav")
FOLDER_MISSING = "folder missing"
AUDIO_MISSING = "audio missing"
MIN_FREE_BYTES = 100 * 1024 * 1024  # ~20 min of both sides' audio plus the mix
NOT_FINISHED_REASON = "not finished (the call stopped abruptly or is still running)"
SESSION_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
ORDERS = ("date", "score")


class CommentConflictError(SessionError):
    """A comment was changed by someone else since it was read (stale version)."""

    exit_code = 3


@dataclass(frozen=True)
class SessionInfo:
    """One row of the session index, plus the session's folder."""

    id: str
    trainee: str
    scenario_id: str
    protocol: str
    started_at: str
    folder: Path
    duration_s: float | None = None
    outcome: str | None = None
    score: float | None = None
    verdict: str | None = None
    complete: bool = False
    reason: str | None = NOT_FINISHED_REASON
    adjusted_score: float | None = None
    adjusted_verdict: str | None = None
    typed: bool = False  # a typed call (`practice --text`): no audio

    @property
    def effective_score(self) -> float | None:
        """The score after instructor overrides, else the coach's score."""
        return self.adjusted_score if self.adjusted_score is not None else self.score

    @property
    def effective_verdict(self) -> str | None:
        """The verdict after instructor overrides, else the coach's verdict."""
        return self.adjusted_verdict if self.adjusted_verdict is not None else self.verdict

    @property
    def missing(self) -> str | None:
        """What of the recording is gone: "folder missing", "audio missing" (never for a
        typed call, which has none), or None."""
        if not self.folder.is_dir():
            return FOLDER_MISSING
        if not self.typed and not any((self.folder / name).is_file() for name in AUDIO_FILES):
            return AUDIO_MISSING
        return None

    def to_json(self) -> dict[str, Any]:
        """The `session.json` / `--json` shape (folder as a string, plus `missing`).

        Every field is a plain value, so no deep copy (`asdict`): a list page makes 50."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["folder"] = str(self.folder)
        data["missing"] = self.missing
        return data


@dataclass(frozen=True)
class CallResults:
    """What a session's result files say, as the index keeps them (see `call_results.py`)."""

    typed: bool = False
    calm: bool | None = None  # the delivery verdict; None when not judged
    items: dict[str, dict[str, bool]] = field(default_factory=dict)  # section -> id -> met
    measures: dict[str, float] = field(default_factory=dict)  # delivery measure id -> value


@dataclass(frozen=True)
class Comment:
    """An instructor's remark at a time (or a span) of a session."""

    id: int
    session_id: str
    t_s: float
    end_s: float | None
    text: str
    author: str
    created_at: str
    updated_at: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RepairResult:
    """What `SessionStore.repair` rebuilt, and where the old index was put."""

    sessions: int
    comments: int
    overrides: int
    old_index: str | None


@dataclass
class Annotations:
    """A session's annotations as its `annotations.jsonl` leaves them (the last state)."""

    comments: dict[int, dict] = field(default_factory=dict)
    overrides: dict[str, dict] = field(default_factory=dict)
    adjusted: tuple[float | None, str | None] | None = None


def append_annotation(folder: Path, op: str, **fields: Any) -> None:
    """Append one change to `folder/annotations.jsonl`, on disk before returning.

    Raises OSError (FileNotFoundError when the session folder is gone).
    """
    line = jsonsafe.dumps({"at": now_iso(), "op": op, **fields}, ensure_ascii=False)
    with open_private(folder / ANNOTATIONS_JSONL, "a") as log:
        log.write(line + "\n")
        log.flush()
        os.fsync(log.fileno())


def read_annotations(folder: Path) -> Annotations:
    """Replay `folder/annotations.jsonl` (a half-written last line is skipped)."""
    found = Annotations()
    try:
        lines = (folder / ANNOTATIONS_JSONL).read_text(encoding="utf-8").splitlines()
    except OSError:
        return found
    for line in lines:
        try:
            record = jsonsafe.loads(line)
            op = record["op"]
            if op == "comment":
                found.comments[int(record["comment"]["id"])] = record["comment"]
            elif op == "comment_deleted":
                found.comments.pop(int(record["id"]), None)
            elif op == "override":
                found.overrides[str(record["override"]["item_id"])] = record["override"]
            elif op == "override_removed":
                found.overrides.pop(str(record["item_id"]), None)
            elif op == "adjusted_score":
                found.adjusted = (record["score"], record["verdict"])
        except (ValueError, KeyError, TypeError):
            continue
    return found


@dataclass(frozen=True)
class Override:
    """An instructor forcing a step/check met (True) or a fault present (True), or not."""

    session_id: str
    item_id: str
    value: bool
    reason: str
    author: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def unknown_session(session_id: str) -> SessionError:
    """The error for a session id the index does not hold (or the asker may not see)."""
    return SessionError(f"no session {session_id!r}; see `voicecoach sessions list`")


@dataclass(frozen=True)
class SessionFilter:
    """Which sessions a list or count covers: every given field must match.

    `verdict` is the verdict after overrides; `since`/`until` take a date (the whole day)
    or a time; `trainee_in` keeps only those trainees (what a signed-in user may see).
    """

    trainee: str | None = None
    scenario: str | None = None
    since: str | date | datetime | None = None
    until: str | date | datetime | None = None
    outcome: str | None = None
    verdict: str | None = None
    trainee_in: Collection[str] | None = None


EVERY_SESSION = SessionFilter()


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_session_id(session_id: str) -> str:
    """Return `session_id` if it is a safe folder name, else raise SessionError."""
    if not isinstance(session_id, str) or not SESSION_ID_PATTERN.fullmatch(session_id):
        raise SessionError(
            f"{session_id!r} is not a session id (letters, digits, '-' and '_' only); "
            "see `voicecoach sessions list`"
        )
    return session_id


def new_session_id(started: datetime) -> str:
    """A sortable, unique id such as `20261123-035812-3f9a`."""
    return f"{started:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def iso_bound(value: str | date | datetime | None, *, end: bool) -> str | None:
    """A `since`/`until` filter as an ISO string; a bare date covers the whole day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value).isoformat(timespec="seconds")
            except ValueError:
                raise SessionError(
                    f"{value!r} is not a date; use YYYY-MM-DD or an ISO date and time"
                ) from None
    return (day + timedelta(days=1)).isoformat() if end else day.isoformat()


class SessionStore(abc.ABC):
    """Where sessions are indexed and annotated, and accounts and the audit log kept."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.sessions_dir = self.data_dir / SESSIONS_DIRNAME
        self.recovered: str | None = None  # set when opening had to rebuild a damaged index
        self._synced: dict[Path, tuple[int, int, int]] = {}  # session.json -> stat at last sync

    def folder(self, session_id: str) -> Path:
        """The session's folder (the id is checked so it cannot leave the data dir)."""
        return self.sessions_dir / check_session_id(session_id)

    # sessions
    @abc.abstractmethod
    def create_session(
        self,
        trainee: str,
        scenario_id: str,
        protocol: str,
        *,
        started_at: datetime | None = None,
        min_free_bytes: int = MIN_FREE_BYTES,
    ) -> SessionInfo:
        """Index a new, unfinished session and create its folder.

        Raises SessionError when the data dir is unwritable or has less than
        `min_free_bytes` free, so a call refuses to start instead of losing audio.
        """

    @abc.abstractmethod
    def finish_session(
        self,
        session_id: str,
        *,
        duration_s: float,
        outcome: str | None,
        score: float | None,
        verdict: str | None,
        complete: bool,
        reason: str | None = None,
    ) -> SessionInfo:
        """Record how a session ended (also when it ended badly: complete=False + reason)."""

    @abc.abstractmethod
    def index_session(self, record: dict[str, Any]) -> SessionInfo:
        """Insert or update a session's row from a `session.json` dict (e.g. the recorder's).

        Instructor adjustments (overrides, adjusted score) are kept.
        """

    def sync(self, *, rescan: bool = False) -> list[SessionInfo]:
        """Index every session folder whose `session.json` differs from its row.

        Picks up sessions recorded without the store and calls killed before
        they were finished; a session new to the index gets its annotations
        back from its `annotations.jsonl`. Unreadable `session.json` files are
        skipped. A `session.json` unchanged (same inode, time and size) since this
        store's last sync is not read again, unless `rescan`. Returns the sessions
        that changed.
        """
        changed = []
        seen: dict[Path, tuple[int, int, int]] = {}
        for path in sorted(self.sessions_dir.glob(f"*/{SESSION_JSON}")):
            try:
                found = path.stat()
                seen[path] = (found.st_ino, found.st_mtime_ns, found.st_size)
                if not rescan and self._synced.get(path) == seen[path]:
                    continue  # as it was at the last sync: the index has it
                record = jsonsafe.loads(path.read_text(encoding="utf-8"))
                if record.get("id") != path.parent.name:
                    continue
                try:
                    current = self.get_session(record["id"])
                except SessionError:
                    current = None
                if current is None or any(
                    record.get(key) != getattr(current, key) for key in INDEXED_FIELDS
                ):
                    changed.append(self.index_session(record))
                    if current is None:
                        self.restore_annotations(record["id"])
            except (OSError, ValueError, KeyError, TypeError, SessionError):
                seen.pop(path, None)  # looked at again next time
        self._synced = seen
        return changed

    @abc.abstractmethod
    def restore_annotations(self, session_id: str) -> None:
        """Put back the comments, overrides and adjusted score kept in the session folder."""

    @abc.abstractmethod
    def repair(self) -> RepairResult:
        """Rebuild the index from the session folders (the old one is kept aside)."""

    def has_session(self, session_id: str) -> bool:
        """Whether the index knows `session_id`."""
        try:
            self.get_session(session_id)
        except SessionError:
            return False
        return True

    @abc.abstractmethod
    def get_session(self, session_id: str) -> SessionInfo:
        """One session; raises SessionError naming the id when unknown."""

    @abc.abstractmethod
    def list_sessions(
        self,
        where: SessionFilter = EVERY_SESSION,
        *,
        order: str = "date",
        descending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[SessionInfo]:
        """Sessions matching `where`; a page of them with `limit` and `offset` (rows
        skipped), as a list page shows them."""

    @abc.abstractmethod
    def count_sessions(self, where: SessionFilter = EVERY_SESSION) -> int:
        """How many sessions `list_sessions(where)` (with no limit) gives."""

    @abc.abstractmethod
    def call_results(self, session_ids: Iterable[str] | None = None) -> dict[str, CallResults]:
        """Session id -> its indexed results, items after instructor overrides, for these
        sessions (default every one); a session never finished has empty results."""

    @abc.abstractmethod
    def trainees(self) -> list[str]:
        """Every trainee with at least one session, sorted."""

    @abc.abstractmethod
    def set_adjusted_score(
        self, session_id: str, score: float | None, verdict: str | None
    ) -> SessionInfo:
        """Store the score/verdict recomputed after overrides (None clears them)."""

    # comments
    @abc.abstractmethod
    def add_comment(
        self, session_id: str, *, t_s: float, text: str, author: str, end_s: float | None = None
    ) -> Comment:
        """Attach a comment at `t_s` (or the span `t_s`..`end_s`) seconds of call time."""

    @abc.abstractmethod
    def update_comment(
        self,
        comment_id: int,
        *,
        expected_version: int,
        text: str | None = None,
        t_s: float | None = None,
        end_s: float | None = None,
    ) -> Comment:
        """Edit a comment; raises CommentConflictError if its version is not `expected_version`."""

    @abc.abstractmethod
    def delete_comment(self, comment_id: int, *, expected_version: int | None = None) -> None:
        """Delete a comment (checking its version when given)."""

    @abc.abstractmethod
    def get_comment(self, comment_id: int) -> Comment:
        """One comment; raises SessionError when unknown."""

    @abc.abstractmethod
    def list_comments(self, session_id: str) -> list[Comment]:
        """A session's comments in call-time order."""

    # overrides
    @abc.abstractmethod
    def set_override(
        self, session_id: str, item_id: str, value: bool, *, reason: str, author: str
    ) -> Override:
        """Force a step/check/fault verdict (replacing an earlier override of that item)."""

    @abc.abstractmethod
    def remove_override(self, session_id: str, item_id: str) -> None:
        """Drop an override, returning to the coach's verdict for that item."""

    @abc.abstractmethod
    def list_overrides(self, session_id: str) -> list[Override]:
        """A session's overrides, oldest first."""

    # accounts and the audit log
    @abc.abstractmethod
    def add_user(self, name: str, *, role: str, password: str, cohort: str | None = None) -> User:
        """Create an account (password stored as an argon2 hash); SessionError if it exists."""

    @abc.abstractmethod
    def get_user(self, name: str) -> User:
        """One account; raises SessionError when unknown."""

    @abc.abstractmethod
    def list_users(self, *, role: str | None = None, cohort: str | None = None) -> list[User]:
        """Accounts by name, optionally only one role or cohort."""

    @abc.abstractmethod
    def authenticate(self, name: str, password: str) -> User | None:
        """The account if `password` is its password, else None."""

    @abc.abstractmethod
    def record_audit(
        self, actor: str, action: str, *, session_id: str | None = None, detail: str | None = None
    ) -> AuditEntry:
        """Append who did what (to which session) now to the audit log."""

    @abc.abstractmethod
    def list_audit(
        self,
        *,
        session_id: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """The audit log, newest first, optionally for one session or actor."""

    # signed-in browsers of the replay server, and failed sign-ins
    @abc.abstractmethod
    def create_login(self, user_name: str, *, now: datetime, ttl_s: float) -> tuple[str, str]:
        """A new sign-in of `user_name` lasting `ttl_s`: (cookie token, CSRF token).

        Only a hash of the cookie token is stored; expired sign-ins are dropped.
        """

    @abc.abstractmethod
    def find_login(self, token: str, *, now: datetime) -> tuple[User, str] | None:
        """The account and CSRF token of the unexpired sign-in `token`, else None."""

    @abc.abstractmethod
    def end_login(self, token: str) -> None:
        """Forget the sign-in `token` (signing out)."""

    @abc.abstractmethod
    def claim_login_attempt(
        self,
        keys: Collection[str],
        *,
        now: datetime,
        window_s: float,
        wait_s: Callable[[str, int, datetime], float],
    ) -> float:
        """Let one sign-in attempt through for `keys`, or say how long it must wait.

        In one transaction: the longest `wait_s(key, failures, last_failure_at)` over the
        keys with failures in the last `window_s`; when that is 0, the attempt is counted
        as a failure of every key at once (so simultaneous attempts cannot all slip past
        the check), to be taken back with `forgive_login_attempt` if it succeeds.
        Failures quiet for `window_s` are forgotten.
        """

    @abc.abstractmethod
    def forgive_login_attempt(self, key: str) -> None:
        """Take back the failure an attempt counted for `key` (it succeeded)."""

    @abc.abstractmethod
    def login_failures(self, key: str) -> tuple[int, datetime] | None:
        """The failed sign-ins in a row for `key` and when the last was, or None."""

    @abc.abstractmethod
    def clear_login_failures(self, key: str) -> None:
        """Forget the failed sign-ins of `key` (after a successful one)."""

    def close(self) -> None:  # noqa: B027 - optional for implementations without resources
        """Release connections and threads."""

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


INDEXED_FIELDS = (
    "id",
    "trainee",
    "scenario_id",
    "protocol",
    "started_at",
    "duration_s",
    "outcome",
    "score",
    "verdict",
    "complete",
    "reason",
)


def check_text(value: str | None, what: str) -> str:
    """`value` stripped; raises SessionError naming `what` when it is empty."""
    if value is None or not str(value).strip():
        raise SessionError(f"the {what} is empty; write a few words")
    return str(value).strip()


def check_span(t_s: float, end_s: float | None) -> tuple[float, float | None]:
    """A comment's time (or span) in seconds of call time; SessionError when not a span."""
    try:
        if isinstance(t_s, bool) or isinstance(end_s, bool):
            raise TypeError("a boolean is not a time")
        t_s = float(t_s)
        end_s = None if end_s is None else float(end_s)
        if not (math.isfinite(t_s) and (end_s is None or math.isfinite(end_s))):
            raise ValueError("not finite")
    except (TypeError, ValueError, OverflowError):
        raise SessionError(
            f"comment time {str(t_s)[:20]}..{str(end_s)[:20]} is not a number of seconds "
            "(give a finite number such as 12.5)"
        ) from None
    if t_s < 0 or (end_s is not None and end_s < t_s):
        raise SessionError(
            f"comment time {t_s}..{end_s} s is not a span of the call "
            "(start >= 0 and end after start)"
        )
    return t_s, end_s


def open_store(data_dir: str | Path | None = None, database: str | None = None) -> SessionStore:
    """The session store whose audio folders are under `data_dir` (default
    `voicecoach.paths.data_dir()`), indexed in `database` (a URL; default
    VOICECOACH_DATABASE_URL, else SQLite in `<data_dir>/sessions.db`).

    Raises SessionError (one line, the URL without its password) when the
    database cannot be reached.
    """
    from voicecoach.session.database import database_url
    from voicecoach.session.sql_store import SQLSessionStore

    url = database_url(database)
    return SQLSessionStore(Path(data_dir) if data_dir else paths.data_dir(), url)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, open_store(tmp) as demo_store:
        made = demo_store.create_session("amy", "double_billing", "upset_caller")
        demo_store.finish_session(
            made.id,
            duration_s=61.5,
            outcome="resolved",
            score=72,
            verdict="competent",
            complete=True,
        )
        demo_store.add_comment(made.id, t_s=12.0, text="Good empathy here", author="sam")
        for listed in demo_store.list_sessions():
            print(listed)
        print(demo_store.list_comments(made.id))
