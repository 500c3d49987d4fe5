"""The session store in SQLite: `<data_dir>/sessions.db` (WAL journal) beside the folders.

All writes go through one writer thread (the datasette habit): callers hand it
a function and wait for its result, so concurrent requests never see "database
is locked" and each write is one transaction. Reads open short-lived connections.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from voicecoach.errors import SessionError
from voicecoach.fileio import PRIVATE_FILE_MODE, make_private, private_dir, write_json_atomic
from voicecoach.session.store import (
    ANNOTATIONS_JSONL,
    INDEXED_FIELDS,
    MIN_FREE_BYTES,
    ORDERS,
    SESSION_JSON,
    Comment,
    CommentConflictError,
    Override,
    RepairResult,
    SessionInfo,
    SessionStore,
    append_annotation,
    check_session_id,
    check_span,
    check_text,
    iso_bound,
    new_session_id,
    now_iso,
    read_annotations,
)

DB_FILENAME = "sessions.db"
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    trainee TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    protocol TEXT NOT NULL,
    started_at TEXT NOT NULL,
    duration_s REAL,
    outcome TEXT,
    score REAL,
    verdict TEXT,
    complete INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    adjusted_score REAL,
    adjusted_verdict TEXT
);
CREATE INDEX IF NOT EXISTS sessions_trainee ON sessions (trainee, started_at);
CREATE INDEX IF NOT EXISTS sessions_started ON sessions (started_at);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    t_s REAL NOT NULL,
    end_s REAL,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS comments_session ON comments (session_id, t_s);
CREATE TABLE IF NOT EXISTS overrides (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    value INTEGER NOT NULL,
    reason TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (session_id, item_id)
);
"""

SESSION_COLUMNS = (
    "id, trainee, scenario_id, protocol, started_at, duration_s, outcome, score, verdict, "
    "complete, reason, adjusted_score, adjusted_verdict"
)
COMMENT_COLUMNS = "id, session_id, t_s, end_s, text, author, created_at, updated_at, version"
COMMENT_KEYS = tuple(COMMENT_COLUMNS.split(", "))
ANNOTATIONS_IN_FOLDERS_VERSION = 1  # PRAGMA user_version once annotations.jsonl is kept
OVERRIDE_COLUMNS = "session_id, item_id, value, reason, author, created_at"


def _connect(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, timeout=10.0, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _private_db_files(db_path: Path) -> None:
    """Create the database file 0600 before SQLite does (its -wal and -shm files copy that
    mode), and narrow files left wider by older versions."""
    os.close(os.open(db_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE))
    for suffix in ("", "-wal", "-shm"):
        make_private(f"{db_path}{suffix}")


class _Writer:
    """One thread owning the only write connection; callers wait for their result."""

    def __init__(self, db_path: Path):
        self._db_path = db_path
        self._jobs: queue.Queue[tuple[Callable[[sqlite3.Connection], Any], Future] | None]
        self._jobs = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="voicecoach-store-writer")
        self._thread.daemon = True
        self._thread.start()

    def run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run `job(conn)` in one transaction on the writer thread and return its result."""
        if not self._thread.is_alive():
            raise SessionError("the session store is closed")
        future: Future = Future()
        self._jobs.put((job, future))
        return future.result()

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        conn = _connect(self._db_path)
        try:
            while (item := self._jobs.get()) is not None:
                job, future = item
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    result = job(conn)
                    conn.execute("COMMIT")
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    future.set_exception(exc)
                else:
                    future.set_result(result)
        finally:
            conn.close()


def _session_from_row(row: sqlite3.Row, sessions_dir: Path) -> SessionInfo:
    data = dict(row)
    data["complete"] = bool(data["complete"])
    return SessionInfo(folder=sessions_dir / data["id"], **data)


def _comment_from_row(row: sqlite3.Row) -> Comment:
    return Comment(**dict(row))


def _comment_json(conn: sqlite3.Connection, comment_id: int) -> dict[str, Any]:
    """A comment as the writer's transaction sees it, in `Comment.to_json` shape."""
    row = conn.execute(f"SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?", (comment_id,))
    return _comment_from_row(row.fetchone()).to_json()


def _override_from_row(row: sqlite3.Row) -> Override:
    data = dict(row)
    data["value"] = bool(data["value"])
    return Override(**data)


class SQLiteSessionStore(SessionStore):
    """The session store in `<data_dir>/sessions.db` (SQLite, WAL journal)."""

    def __init__(self, data_dir: Path):
        super().__init__(data_dir)
        self.db_path = self.data_dir / DB_FILENAME
        try:
            private_dir(self.data_dir)
            private_dir(self.sessions_dir)
        except OSError as exc:
            raise SessionError(
                f"cannot create the data directory {self.data_dir}: {exc.strerror}; "
                "choose another with --data-dir or VOICECOACH_DATA_DIR"
            ) from None
        try:
            self._open_index()
        except sqlite3.OperationalError as exc:  # locked, read-only, full: not damage
            raise SessionError(
                f"cannot open the session index {self.db_path}: {exc}; "
                "check the folder is writable or choose another with --data-dir"
            ) from None
        except sqlite3.DatabaseError as exc:  # not a database, malformed
            moved = self._move_index_aside("damaged")
            self._open_index()
            self.recovered = (
                f"the session index was damaged ({exc}): it was moved to {moved.name} "
                "and rebuilt from the session folders"
            )
        self._writer = _Writer(self.db_path)
        self._keep_annotations_in_folders()
        if self.recovered:
            self.sync()

    def _open_index(self) -> None:
        """Create or check `sessions.db` (0600, WAL, schema); sqlite3.DatabaseError if damaged."""
        try:
            _private_db_files(self.db_path)
        except OSError as exc:
            raise sqlite3.OperationalError(exc.strerror) from None
        conn = _connect(self.db_path)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            (verdict,) = conn.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {verdict}")
            conn.executescript(SCHEMA)
        finally:
            conn.close()

    def _move_index_aside(self, label: str) -> Path:
        """Rename `sessions.db` (and its -wal/-shm) to `sessions.db.<label>-<time>`."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        moved = self.db_path.with_name(f"{DB_FILENAME}.{label}-{stamp}")
        for suffix in ("-wal", "-shm", ""):
            source = Path(f"{self.db_path}{suffix}")
            if source.exists():
                source.rename(f"{moved}{suffix}")
        return moved

    def _keep_annotations_in_folders(self) -> None:
        """Once per index: copy annotations made before `annotations.jsonl` existed into it
        (comments at an infinite time, which older versions accepted, moved to 0 s first)."""
        if self._read("PRAGMA user_version")[0][0] >= ANNOTATIONS_IN_FOLDERS_VERSION:
            return

        def finite_times(conn: sqlite3.Connection) -> None:
            """Infinite times, which older versions stored, broke every page of the session."""
            conn.execute("UPDATE comments SET t_s = 0 WHERE abs(t_s) > 1e308")
            conn.execute("UPDATE comments SET end_s = NULL WHERE abs(end_s) > 1e308")

        self._writer.run(finite_times)
        for info in self.list_sessions():
            if not info.folder.is_dir() or (info.folder / ANNOTATIONS_JSONL).exists():
                continue
            for comment in self.list_comments(info.id):
                append_annotation(info.folder, "comment", comment=comment.to_json())
            for override in self.list_overrides(info.id):
                append_annotation(info.folder, "override", override=override.to_json())
            if info.adjusted_score is not None or info.adjusted_verdict is not None:
                append_annotation(
                    info.folder,
                    "adjusted_score",
                    score=info.adjusted_score,
                    verdict=info.adjusted_verdict,
                )
        self._writer.run(
            lambda conn: conn.execute(f"PRAGMA user_version = {ANNOTATIONS_IN_FOLDERS_VERSION}")
        )

    def repair(self) -> RepairResult:
        self._writer.close()
        moved = self._move_index_aside("before-repair") if self.db_path.exists() else None
        self._open_index()
        self._writer = _Writer(self.db_path)
        self._writer.run(
            lambda conn: conn.execute(f"PRAGMA user_version = {ANNOTATIONS_IN_FOLDERS_VERSION}")
        )
        self.sync()

        def count(table: str) -> int:
            return self._read(f"SELECT COUNT(*) FROM {table}")[0][0]

        return RepairResult(count("sessions"), count("comments"), count("overrides"), moved)

    def restore_annotations(self, session_id: str) -> None:
        found = read_annotations(self.folder(session_id))
        if not (found.comments or found.overrides or found.adjusted):
            return

        def job(conn: sqlite3.Connection) -> None:
            for comment in found.comments.values():
                values = tuple(comment.get(key) for key in COMMENT_KEYS)
                if any(comment.get(key) is None for key in COMMENT_KEYS if key != "end_s"):
                    continue  # a line from an unknown version: nothing to rebuild it from
                row = conn.execute(
                    "SELECT session_id FROM comments WHERE id = ?", (comment["id"],)
                ).fetchone()
                if row is None:
                    conn.execute(
                        f"INSERT INTO comments ({COMMENT_COLUMNS}) VALUES "
                        f"({', '.join('?' for _ in COMMENT_KEYS)})",
                        values,
                    )
                elif row["session_id"] != session_id:  # its id was taken meanwhile: renumber
                    new_id = conn.execute(
                        f"INSERT INTO comments ({COMMENT_COLUMNS}) VALUES (NULL, "
                        f"{', '.join('?' for _ in COMMENT_KEYS[1:])})",
                        values[1:],
                    ).lastrowid
                    self._log(session_id, "comment", comment=_comment_json(conn, new_id))
                    self._log(session_id, "comment_deleted", id=comment["id"])
            for override in found.overrides.values():
                conn.execute(
                    f"INSERT OR REPLACE INTO overrides ({OVERRIDE_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, ?, ?)",
                    (
                        session_id,
                        override["item_id"],
                        int(bool(override["value"])),
                        override["reason"],
                        override["author"],
                        override["created_at"],
                    ),
                )
            if found.adjusted:
                conn.execute(
                    "UPDATE sessions SET adjusted_score = ?, adjusted_verdict = ? WHERE id = ?",
                    (*found.adjusted, session_id),
                )

        self._writer.run(job)

    def _log(self, session_id: str, op: str, **fields: Any) -> None:
        """Append an annotation change to the session folder (inside the writer's transaction)."""
        folder = self.folder(session_id)
        try:
            append_annotation(folder, op, **fields)
        except OSError as exc:
            reason = "the session folder is gone" if not folder.is_dir() else exc.strerror
            raise SessionError(
                f"cannot save the annotation in {folder}: {reason}; nothing was changed"
            ) from None

    # plumbing
    def _read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        conn = _connect(self.db_path)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def close(self) -> None:
        self._writer.close()

    def _write_session_json(self, info: SessionInfo) -> None:
        try:
            record = {k: v for k, v in info.to_json().items() if k in INDEXED_FIELDS}
            write_json_atomic(info.folder / SESSION_JSON, record)  # portable: no folder path
        except OSError as exc:
            raise SessionError(
                f"cannot write {info.folder / SESSION_JSON}: {exc.strerror}; "
                "check the disk has space and the folder is writable"
            ) from None

    # sessions
    def create_session(
        self,
        trainee: str,
        scenario_id: str,
        protocol: str,
        *,
        started_at: datetime | None = None,
        min_free_bytes: int = MIN_FREE_BYTES,
    ) -> SessionInfo:
        trainee = check_text(trainee, "trainee name")
        started = started_at or datetime.now(timezone.utc)
        self._check_room(min_free_bytes)
        session_id, folder = self._new_folder(started)
        info = SessionInfo(
            id=session_id,
            trainee=trainee,
            scenario_id=scenario_id,
            protocol=protocol,
            started_at=started.isoformat(timespec="seconds"),
            folder=folder,
        )
        self._writer.run(
            lambda conn: conn.execute(
                "INSERT INTO sessions (id, trainee, scenario_id, protocol, started_at, "
                "complete, reason) VALUES (?, ?, ?, ?, ?, 0, ?)",
                (session_id, trainee, scenario_id, protocol, info.started_at, info.reason),
            )
        )
        self._write_session_json(info)
        return info

    def _new_folder(self, started: datetime) -> tuple[str, Path]:
        """A fresh id and its newly made folder (a clash within the second picks another)."""
        for _ in range(20):
            session_id = new_session_id(started)
            folder = self.folder(session_id)
            try:
                folder.mkdir(mode=0o700, parents=True)  # voice recordings are private
            except FileExistsError:
                continue
            except OSError as exc:
                raise SessionError(f"cannot create the session folder {folder}: {exc}") from None
            return session_id, folder
        raise SessionError(f"cannot find a free session id in {self.sessions_dir}")

    def _check_room(self, min_free_bytes: int) -> None:
        """Refuse to start a call that could not be recorded."""
        probe = self.sessions_dir / f".write-probe-{secrets.token_hex(4)}"
        try:
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise SessionError(
                f"the data directory {self.sessions_dir} is not writable ({exc.strerror}); "
                "choose another with --data-dir or VOICECOACH_DATA_DIR"
            ) from None
        free_bytes = shutil.disk_usage(self.sessions_dir).free
        if free_bytes < min_free_bytes:
            raise SessionError(
                f"only {free_bytes / 1e6:.0f} MB free in {self.sessions_dir}; a call needs "
                f"{min_free_bytes / 1e6:.0f} MB: free some space or use --data-dir"
            )

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
        check_session_id(session_id)

        def job(conn: sqlite3.Connection) -> None:
            cursor = conn.execute(
                "UPDATE sessions SET duration_s = ?, outcome = ?, score = ?, verdict = ?, "
                "complete = ?, reason = ? WHERE id = ?",
                (duration_s, outcome, score, verdict, int(bool(complete)), reason, session_id),
            )
            if cursor.rowcount == 0:
                raise self._unknown(session_id)

        self._writer.run(job)
        info = self.get_session(session_id)
        self._write_session_json(info)
        return info

    def index_session(self, record: dict[str, Any]) -> SessionInfo:
        session_id = check_session_id(record.get("id"))
        missing = [
            key
            for key in ("trainee", "scenario_id", "protocol", "started_at")
            if not record.get(key)
        ]
        if missing:
            raise SessionError(f"session {session_id}: session.json lacks {', '.join(missing)}")
        values = tuple(
            int(bool(record.get(key))) if key == "complete" else record.get(key)
            for key in INDEXED_FIELDS
        )
        updates = ", ".join(f"{key} = excluded.{key}" for key in INDEXED_FIELDS[1:])
        self._writer.run(
            lambda conn: conn.execute(
                f"INSERT INTO sessions ({', '.join(INDEXED_FIELDS)}) "
                f"VALUES ({', '.join('?' for _ in INDEXED_FIELDS)}) "
                f"ON CONFLICT (id) DO UPDATE SET {updates}",
                values,
            )
        )
        return self.get_session(session_id)

    @staticmethod
    def _unknown(session_id: str) -> SessionError:
        return SessionError(f"no session {session_id!r}; see `voicecoach sessions list`")

    def get_session(self, session_id: str) -> SessionInfo:
        check_session_id(session_id)
        rows = self._read(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise self._unknown(session_id)
        return _session_from_row(rows[0], self.sessions_dir)

    def list_sessions(
        self,
        *,
        trainee: str | None = None,
        scenario: str | None = None,
        since: str | date | datetime | None = None,
        until: str | date | datetime | None = None,
        outcome: str | None = None,
        verdict: str | None = None,
        order: str = "date",
        descending: bool = True,
        limit: int | None = None,
    ) -> list[SessionInfo]:
        if order not in ORDERS:
            raise SessionError(f"cannot order sessions by {order!r}; use one of {ORDERS}")
        where, params = [], []
        for sql, value in (
            ("trainee = ?", trainee),
            ("scenario_id = ?", scenario),
            ("started_at >= ?", iso_bound(since, end=False)),
            ("started_at < ?", iso_bound(until, end=True)),
            ("outcome = ?", outcome),
            ("COALESCE(adjusted_verdict, verdict) = ?", verdict),
        ):
            if value:
                where.append(sql)
                params.append(value)
        direction = "DESC" if descending else "ASC"
        order_by = (
            f"started_at {direction}"
            if order == "date"
            else f"COALESCE(adjusted_score, score) IS NULL, "
            f"COALESCE(adjusted_score, score) {direction}, started_at DESC"
        )
        sql = f"SELECT {SESSION_COLUMNS} FROM sessions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [_session_from_row(row, self.sessions_dir) for row in self._read(sql, tuple(params))]

    def trainees(self) -> list[str]:
        rows = self._read("SELECT DISTINCT trainee FROM sessions ORDER BY trainee")
        return [row["trainee"] for row in rows]

    def set_adjusted_score(
        self, session_id: str, score: float | None, verdict: str | None
    ) -> SessionInfo:
        check_session_id(session_id)

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE sessions SET adjusted_score = ?, adjusted_verdict = ? WHERE id = ?",
                (score, verdict, session_id),
            )
            self._log(session_id, "adjusted_score", score=score, verdict=verdict)

        self._writer.run(job)
        return self.get_session(session_id)

    # comments
    def add_comment(
        self, session_id: str, *, t_s: float, text: str, author: str, end_s: float | None = None
    ) -> Comment:
        self.get_session(session_id)
        text = check_text(text, "comment")
        author = check_text(author, "author name")
        t_s, end_s = check_span(t_s, end_s)
        stamp = now_iso()

        def job(conn: sqlite3.Connection) -> int:
            comment_id = conn.execute(
                "INSERT INTO comments (session_id, t_s, end_s, text, author, created_at, "
                "updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                (session_id, t_s, end_s, text, author, stamp, stamp),
            ).lastrowid
            self._log(session_id, "comment", comment=_comment_json(conn, comment_id))
            return comment_id

        return self.get_comment(self._writer.run(job))

    def get_comment(self, comment_id: int) -> Comment:
        rows = self._read(f"SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?", (comment_id,))
        if not rows:
            raise SessionError(f"no comment {comment_id}; it may have been deleted")
        return _comment_from_row(rows[0])

    def update_comment(
        self,
        comment_id: int,
        *,
        expected_version: int,
        text: str | None = None,
        t_s: float | None = None,
        end_s: float | None = None,
    ) -> Comment:
        current = self.get_comment(comment_id)
        new_text = current.text if text is None else check_text(text, "comment")
        new_t_s, new_end_s = check_span(
            current.t_s if t_s is None else t_s, current.end_s if t_s is None else end_s
        )

        def job(conn: sqlite3.Connection) -> None:
            cursor = conn.execute(
                "UPDATE comments SET text = ?, t_s = ?, end_s = ?, updated_at = ?, "
                "version = version + 1 WHERE id = ? AND version = ?",
                (new_text, new_t_s, new_end_s, now_iso(), comment_id, expected_version),
            )
            if cursor.rowcount == 0:
                raise self._conflict(conn, comment_id, expected_version)
            self._log(current.session_id, "comment", comment=_comment_json(conn, comment_id))

        self._writer.run(job)
        return self.get_comment(comment_id)

    @staticmethod
    def _conflict(conn: sqlite3.Connection, comment_id: int, expected: int) -> SessionError:
        row = conn.execute("SELECT version FROM comments WHERE id = ?", (comment_id,)).fetchone()
        if row is None:
            return SessionError(f"no comment {comment_id}; it may have been deleted")
        return CommentConflictError(
            f"comment {comment_id} was changed by someone else (version {row['version']}, "
            f"you edited version {expected}); reload it and apply your edit again"
        )

    def delete_comment(self, comment_id: int, *, expected_version: int | None = None) -> None:
        def job(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "SELECT session_id FROM comments WHERE id = ?", (comment_id,)
            ).fetchone()
            if expected_version is None:
                cursor = conn.execute("DELETE FROM comments WHERE id = ?", (comment_id,))
            else:
                cursor = conn.execute(
                    "DELETE FROM comments WHERE id = ? AND version = ?",
                    (comment_id, expected_version),
                )
            if cursor.rowcount == 0:
                raise self._conflict(conn, comment_id, expected_version or 0)
            self._log(row["session_id"], "comment_deleted", id=comment_id)

        self._writer.run(job)

    def list_comments(self, session_id: str) -> list[Comment]:
        check_session_id(session_id)
        rows = self._read(
            f"SELECT {COMMENT_COLUMNS} FROM comments WHERE session_id = ? ORDER BY t_s, id",
            (session_id,),
        )
        return [_comment_from_row(row) for row in rows]

    # overrides
    def set_override(
        self, session_id: str, item_id: str, value: bool, *, reason: str, author: str
    ) -> Override:
        self.get_session(session_id)
        item_id = check_text(item_id, "step or fault id")
        reason = check_text(reason, "override reason")
        author = check_text(author, "author name")
        override = Override(session_id, item_id, bool(value), reason, author, now_iso())

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT OR REPLACE INTO overrides ({OVERRIDE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, item_id, int(bool(value)), reason, author, override.created_at),
            )
            self._log(session_id, "override", override=override.to_json())

        self._writer.run(job)
        return override

    def remove_override(self, session_id: str, item_id: str) -> None:
        check_session_id(session_id)

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM overrides WHERE session_id = ? AND item_id = ?", (session_id, item_id)
            )
            self._log(session_id, "override_removed", item_id=item_id)

        self._writer.run(job)

    def list_overrides(self, session_id: str) -> list[Override]:
        check_session_id(session_id)
        rows = self._read(
            f"SELECT {OVERRIDE_COLUMNS} FROM overrides WHERE session_id = ? "
            "ORDER BY created_at, item_id",
            (session_id,),
        )
        return [_override_from_row(row) for row in rows]
