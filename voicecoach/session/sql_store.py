"""The session store in SQL (SQLAlchemy Core): SQLite beside the folders, or PostgreSQL.

SQLite (`<data_dir>/sessions.db`, WAL journal) is the single-workstation
default: all its writes go through one writer thread (the datasette habit), so
concurrent requests never see "database is locked" and each write is one
transaction. PostgreSQL (a school's shared server) takes each write as its own
transaction on a pooled connection. Reads use short-lived pooled connections.
The schema is migrated by Alembic every time the store opens.
"""

from __future__ import annotations

import hashlib
import os
import queue
import secrets
import shutil
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError as SQLDatabaseError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from voicecoach.errors import SessionError
from voicecoach.fileio import PRIVATE_FILE_MODE, make_private, private_dir, write_json_atomic
from voicecoach.session.accounts import (
    AuditEntry,
    User,
    check_role,
    check_user_name,
    hash_password,
    needs_rehash,
    password_matches,
)
from voicecoach.session.call_results import read_call_results
from voicecoach.session.database import MIGRATION_LOCK_ID, hide_password, make_engine, migrate
from voicecoach.session.store import (
    ANNOTATIONS_JSONL,
    EVERY_SESSION,
    INDEXED_FIELDS,
    MIN_FREE_BYTES,
    ORDERS,
    SESSION_JSON,
    CallResults,
    Comment,
    CommentConflictError,
    Override,
    RepairResult,
    SessionFilter,
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
    unknown_session,
)
from voicecoach.session.tables import (
    ACCOUNT_TABLES,
    ANNOTATION_TABLES,
    audit_log,
    comments,
    login_failures,
    logins,
    overrides,
    session_items,
    session_measures,
    sessions,
    users,
)

DB_FILENAME = "sessions.db"
T = TypeVar("T")
ANNOTATIONS_IN_FOLDERS_VERSION = 1  # SQLite PRAGMA user_version once annotations.jsonl is kept
COMMENT_KEYS = tuple(column.name for column in comments.columns)
INFO_COLUMNS = tuple(c for c in sessions.columns if c.name in SessionInfo.__dataclass_fields__)


class _DamagedIndex(Exception):
    """The SQLite file failed its integrity check."""


def _private_db_files(db_path: Path) -> None:
    """Create the database file 0600 before SQLite does (its -wal and -shm files copy that
    mode), and narrow files left wider by older versions."""
    os.close(os.open(db_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE))
    for suffix in ("", "-wal", "-shm"):
        make_private(f"{db_path}{suffix}")


class _Writer:
    """One thread owning SQLite's only write connection; callers wait for their result."""

    def __init__(self, engine):
        self._engine = engine
        self._jobs: queue.Queue[tuple[Callable[[Connection], Any], Future] | None]
        self._jobs = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="voicecoach-store-writer")
        self._thread.daemon = True
        self._thread.start()

    def run(self, job: Callable[[Connection], T]) -> T:
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
        with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            raw = conn.connection.dbapi_connection
            while (item := self._jobs.get()) is not None:
                job, future = item
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                    result = job(conn)
                    conn.exec_driver_sql("COMMIT")
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                    if raw.in_transaction:
                        conn.exec_driver_sql("ROLLBACK")
                    future.set_exception(exc)
                else:
                    future.set_result(result)


def _session_from_row(row: Mapping[str, Any], sessions_dir: Path) -> SessionInfo:
    data = dict(row)
    data["complete"] = bool(data["complete"])
    data["typed"] = bool(data["typed"])
    return SessionInfo(folder=sessions_dir / data["id"], **data)


def _session_filters(where: SessionFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a session list or count."""
    c = sessions.c
    conditions = []
    for condition, value in (
        (lambda v: c.trainee == v, where.trainee),
        (lambda v: c.scenario_id == v, where.scenario),
        (lambda v: c.started_at >= v, iso_bound(where.since, end=False)),
        (lambda v: c.started_at < v, iso_bound(where.until, end=True)),
        (lambda v: c.outcome == v, where.outcome),
        (lambda v: func.coalesce(c.adjusted_verdict, c.verdict) == v, where.verdict),
    ):
        if value:
            conditions.append(condition(value))
    if where.trainee_in is not None:
        conditions.append(c.trainee.in_(sorted(where.trainee_in)))
    return conditions


def _index_results(conn: Connection, session_id: str, results: CallResults) -> None:
    """Replace the session's indexed results (in the caller's transaction)."""
    conn.execute(
        update(sessions)
        .where(sessions.c.id == session_id)
        .values(typed=results.typed, calm=results.calm, results_indexed=True)
    )
    for table in (session_items, session_measures):
        conn.execute(delete(table).where(table.c.session_id == session_id))
    items: dict[str, dict[str, Any]] = {}  # an id in two sections (a damaged file): the first
    for section, found in results.items.items():
        for item_id, value in found.items():
            items.setdefault(
                item_id,
                {"session_id": session_id, "item_id": item_id, "section": section, "value": value},
            )
    if items:
        conn.execute(insert(session_items), list(items.values()))
    measures = [
        {"session_id": session_id, "measure_id": name, "value": value}
        for name, value in results.measures.items()
    ]
    if measures:
        conn.execute(insert(session_measures), measures)


def _override_from_row(row: Mapping[str, Any]) -> Override:
    data = dict(row)
    data["value"] = bool(data["value"])
    return Override(**data)


def _user_from_row(row: Mapping[str, Any]) -> User:
    return User(
        name=row["name"], role=row["role"], cohort=row["cohort"], created_at=row["created_at"]
    )


def _comment_json(conn: Connection, comment_id: int) -> dict[str, Any]:
    """A comment as the writer's transaction sees it, in `Comment.to_json` shape."""
    row = conn.execute(select(comments).where(comments.c.id == comment_id)).mappings().one()
    return Comment(**row).to_json()


class SQLSessionStore(SessionStore):
    """The session store in SQLite (`<data_dir>/sessions.db`, the default) or PostgreSQL."""

    def __init__(self, data_dir: Path, url: URL | None = None):
        super().__init__(data_dir)
        try:
            private_dir(self.data_dir)
            private_dir(self.sessions_dir)
        except OSError as exc:
            raise SessionError(
                f"cannot create the data directory {self.data_dir}: {exc.strerror}; "
                "choose another with --data-dir or VOICECOACH_DATA_DIR"
            ) from None
        self.url = url or URL.create("sqlite", database=str(self.data_dir / DB_FILENAME))
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.db_path = Path(self.url.database) if self.is_sqlite else None
        self.engine = make_engine(self.url)
        self._writer: _Writer | None = None
        if self.is_sqlite:
            self._open_sqlite()
            self._writer = _Writer(self.engine)
            self._keep_annotations_in_folders()
        else:
            self._open_postgres()
        if self.recovered:
            self.sync()
        self._index_pending_results()

    @property
    def location(self) -> str:
        """Where the index is, as it may be shown (a path, or a URL without its password)."""
        return str(self.db_path) if self.is_sqlite else hide_password(self.url)

    # opening
    def _open_postgres(self) -> None:
        try:
            migrate(self.engine)
        except DBAPIError as exc:
            self.engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise SessionError(
                f"cannot reach the database {self.location}: {reason}; check the server is "
                "running and the URL given by --database or VOICECOACH_DATABASE_URL"
            ) from None

    def _open_sqlite(self) -> None:
        try:
            self._open_index()
        except OperationalError as exc:  # locked, read-only, full: not damage
            raise SessionError(
                f"cannot open the session index {self.db_path}: {exc.orig}; "
                "check the folder is writable or choose another with --data-dir"
            ) from None
        except (SQLDatabaseError, _DamagedIndex) as exc:  # not a database, malformed
            reason = exc.orig if isinstance(exc, SQLDatabaseError) else exc
            self.engine.dispose()
            moved = self._move_index_aside("damaged")
            self._open_index()
            self.recovered = (
                f"the session index was damaged ({reason}): it was moved to {moved.name} "
                "and rebuilt from the session folders"
            )

    def _open_index(self) -> None:
        """Create or check `sessions.db` (0600, WAL), then migrate its schema."""
        try:
            _private_db_files(self.db_path)
        except OSError as exc:
            raise SessionError(
                f"cannot open the session index {self.db_path}: {exc.strerror}; "
                "check the folder is writable or choose another with --data-dir"
            ) from None
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")
            verdict = conn.exec_driver_sql("PRAGMA quick_check").scalar()
            if verdict != "ok":
                raise _DamagedIndex(f"integrity check: {verdict}")
        migrate(self.engine)

    def _move_index_aside(self, label: str) -> Path:
        """Rename `sessions.db` (and its -wal/-shm) to `sessions.db.<label>-<time>`."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        moved = self.db_path.with_name(f"{self.db_path.name}.{label}-{stamp}")
        for suffix in ("-wal", "-shm", ""):
            source = Path(f"{self.db_path}{suffix}")
            if source.exists():
                source.rename(f"{moved}{suffix}")
        return moved

    def _index_pending_results(self) -> None:
        """Read the result files of sessions indexed before results were kept (once).

        On PostgreSQL, servers starting together take turns (the migration's lock), so
        each session is read by one of them."""
        pending = select(sessions.c.id).where(sessions.c.results_indexed.is_(False))
        if not self._rows(pending.limit(1)):
            return

        def job(conn: Connection) -> None:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            for session_id in conn.execute(pending).scalars().all():
                _index_results(conn, session_id, read_call_results(self.folder(session_id)))

        self._write(job)

    def _keep_annotations_in_folders(self) -> None:
        """Once per SQLite index: copy annotations made before `annotations.jsonl` existed
        into it (comments at an infinite time, which older versions accepted, moved to 0 s)."""
        if self._scalar(text("PRAGMA user_version")) >= ANNOTATIONS_IN_FOLDERS_VERSION:
            return

        def finite_times(conn: Connection) -> None:
            """Infinite times, which older versions stored, broke every page of the session."""
            conn.execute(update(comments).where(func.abs(comments.c.t_s) > 1e308).values(t_s=0))
            conn.execute(
                update(comments).where(func.abs(comments.c.end_s) > 1e308).values(end_s=None)
            )

        self._write(finite_times)
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
        self._mark_annotations_in_folders()

    def _mark_annotations_in_folders(self) -> None:
        self._write(
            lambda conn: conn.exec_driver_sql(
                f"PRAGMA user_version = {ANNOTATIONS_IN_FOLDERS_VERSION}"
            )
        )

    def repair(self) -> RepairResult:
        accounts = {
            table: [dict(row) for row in self._rows(select(table))] for table in ACCOUNT_TABLES
        }
        if self.is_sqlite:
            self._writer.close()
            self.engine.dispose()
            moved = self._move_index_aside("before-repair") if self.db_path.exists() else None
            self._open_index()
            self._writer = _Writer(self.engine)
            self._mark_annotations_in_folders()

            def put_back(conn: Connection) -> None:
                for table, rows in accounts.items():
                    if rows:
                        conn.execute(insert(table), rows)

            self._write(put_back)
            old_index = str(moved) if moved else None
        else:
            old_index = self._set_tables_aside()
        self.sync(rescan=True)
        counts = [self._scalar(select(func.count()).select_from(t)) for t in ANNOTATION_TABLES]
        return RepairResult(*counts, old_index)

    def _set_tables_aside(self) -> str:
        """Copy the index tables to `<table>_before_repair_<time>` and empty them (PostgreSQL)."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d_%H%M%S")

        def job(conn: Connection) -> None:
            for table in ANNOTATION_TABLES:
                conn.exec_driver_sql(
                    f"CREATE TABLE {table.name}_before_repair_{stamp} AS TABLE {table.name}"
                )
            for table in reversed(ANNOTATION_TABLES):
                conn.execute(delete(table))

        self._write(job)
        return f"tables *_before_repair_{stamp} in {self.location}"

    def restore_annotations(self, session_id: str) -> None:
        found = read_annotations(self.folder(session_id))
        if not (found.comments or found.overrides or found.adjusted):
            return

        def job(conn: Connection) -> None:
            for comment in found.comments.values():
                if any(comment.get(key) is None for key in COMMENT_KEYS if key != "end_s"):
                    continue  # a line from an unknown version: nothing to rebuild it from
                values = {key: comment.get(key) for key in COMMENT_KEYS}
                owner = conn.execute(
                    select(comments.c.session_id).where(comments.c.id == comment["id"])
                ).scalar()
                if owner is None:
                    conn.execute(insert(comments).values(values))
                elif owner != session_id:  # its id was taken meanwhile: renumber
                    values.pop("id")
                    new_id = conn.execute(insert(comments).values(values)).inserted_primary_key[0]
                    self._log(session_id, "comment", comment=_comment_json(conn, new_id))
                    self._log(session_id, "comment_deleted", id=comment["id"])
            if not self.is_sqlite:  # ids given explicitly: move the id sequence past them
                conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('comments', 'id'), "
                    "GREATEST((SELECT MAX(id) FROM comments), 1))"
                )
            for override in found.overrides.values():
                conn.execute(
                    self._upsert(
                        overrides,
                        {
                            "session_id": session_id,
                            "item_id": override["item_id"],
                            "value": bool(override["value"]),
                            "reason": override["reason"],
                            "author": override["author"],
                            "created_at": override["created_at"],
                        },
                    )
                )
            if found.adjusted:
                score, verdict = found.adjusted
                conn.execute(
                    update(sessions)
                    .where(sessions.c.id == session_id)
                    .values(adjusted_score=score, adjusted_verdict=verdict)
                )

        self._write(job)

    def _log(self, session_id: str, op: str, **fields: Any) -> None:
        """Append an annotation change to the session folder (inside the write's transaction)."""
        folder = self.folder(session_id)
        try:
            append_annotation(folder, op, **fields)
        except OSError as exc:
            reason = "the session folder is gone" if not folder.is_dir() else exc.strerror
            raise SessionError(
                f"cannot save the annotation in {folder}: {reason}; nothing was changed"
            ) from None

    # plumbing
    def _write(self, job: Callable[[Connection], T]) -> T:
        """Run `job(conn)` as one transaction (on SQLite's writer thread)."""
        if self._writer is not None:
            return self._writer.run(job)
        with self.engine.begin() as conn:
            return job(conn)

    def write(self, job: Callable[[Connection], T]) -> T:
        """Run `job(conn)` as one write transaction, for modules that keep their own tables
        (workstations, uploads)."""
        return self._write(job)

    def rows(self, statement) -> list[Mapping[str, Any]]:
        """The rows `statement` selects, as mappings."""
        return self._rows(statement)

    def _rows(self, statement) -> list[Mapping[str, Any]]:
        with self.engine.connect() as conn:
            return list(conn.execute(statement).mappings())

    def _scalar(self, statement) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(statement).scalar()

    def _upsert(self, table, values: dict[str, Any]):
        """INSERT ... ON CONFLICT (primary key) DO UPDATE, in this database's dialect."""
        dialect = sqlite if self.is_sqlite else postgresql
        statement = dialect.insert(table).values(values)
        keys = [column.name for column in table.primary_key]
        return statement.on_conflict_do_update(
            index_elements=keys,
            set_={name: statement.excluded[name] for name in values if name not in keys},
        )

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.engine.dispose()

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
        self._write(
            lambda conn: conn.execute(
                insert(sessions).values(
                    id=session_id,
                    trainee=trainee,
                    scenario_id=scenario_id,
                    protocol=protocol,
                    started_at=info.started_at,
                    complete=False,
                    reason=info.reason,
                )
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
        results = read_call_results(self.folder(session_id))

        def job(conn: Connection) -> None:
            done = conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id)
                .values(
                    duration_s=duration_s,
                    outcome=outcome,
                    score=score,
                    verdict=verdict,
                    complete=bool(complete),
                    reason=reason,
                )
            )
            if done.rowcount == 0:
                raise unknown_session(session_id)
            _index_results(conn, session_id, results)

        self._write(job)
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
        values = {key: record.get(key) for key in INDEXED_FIELDS}
        values["complete"] = bool(values["complete"])
        results = read_call_results(self.folder(session_id))

        def job(conn: Connection) -> None:
            conn.execute(self._upsert(sessions, values))
            _index_results(conn, session_id, results)

        self._write(job)
        return self.get_session(session_id)

    def get_session(self, session_id: str) -> SessionInfo:
        check_session_id(session_id)
        rows = self._rows(select(*INFO_COLUMNS).where(sessions.c.id == session_id))
        if not rows:
            raise unknown_session(session_id)
        return _session_from_row(rows[0], self.sessions_dir)

    def list_sessions(
        self,
        where: SessionFilter = EVERY_SESSION,
        *,
        order: str = "date",
        descending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[SessionInfo]:
        if order not in ORDERS:
            raise SessionError(f"cannot order sessions by {order!r}; use one of {ORDERS}")
        c = sessions.c
        effective_score = func.coalesce(c.adjusted_score, c.score)
        query: Select = select(*INFO_COLUMNS).where(*_session_filters(where))
        if order == "date":
            query = query.order_by(c.started_at.desc() if descending else c.started_at.asc())
        else:
            query = query.order_by(
                effective_score.is_(None),
                effective_score.desc() if descending else effective_score.asc(),
                c.started_at.desc(),
            )
        query = query.order_by(c.id.desc() if descending else c.id.asc())  # pages never overlap
        if limit is not None:
            query = query.limit(int(limit))
        if offset:
            query = query.offset(int(offset))
        return [_session_from_row(row, self.sessions_dir) for row in self._rows(query)]

    def count_sessions(self, where: SessionFilter = EVERY_SESSION) -> int:
        count = select(func.count()).select_from(sessions).where(*_session_filters(where))
        return self._scalar(count)

    def call_results(self, session_ids: Iterable[str] | None = None) -> dict[str, CallResults]:
        s, i, m, o = sessions.c, session_items.c, session_measures.c, overrides.c
        chosen = select(s.id, s.typed, s.calm)
        item_rows = select(
            i.session_id, i.section, i.item_id, func.coalesce(o.value, i.value).label("value")
        ).outerjoin(overrides, (o.session_id == i.session_id) & (o.item_id == i.item_id))
        measure_rows = select(m.session_id, m.measure_id, m.value)
        if session_ids is not None:  # by primary key: an index scan whatever the table size
            ids = list(session_ids)
            chosen = chosen.where(s.id.in_(ids))
            item_rows = item_rows.where(i.session_id.in_(ids))
            measure_rows = measure_rows.where(m.session_id.in_(ids))
        with self.engine.connect() as conn:
            found = {
                row.id: CallResults(typed=bool(row.typed), calm=row.calm)
                for row in conn.execute(chosen)
            }
            for row in conn.execute(item_rows):
                section = found[row.session_id].items.setdefault(row.section, {})
                section[row.item_id] = bool(row.value)
            for row in conn.execute(measure_rows):
                found[row.session_id].measures[row.measure_id] = row.value
        return found

    def trainees(self) -> list[str]:
        rows = self._rows(select(sessions.c.trainee).distinct().order_by(sessions.c.trainee))
        return [row["trainee"] for row in rows]

    def set_adjusted_score(
        self, session_id: str, score: float | None, verdict: str | None
    ) -> SessionInfo:
        check_session_id(session_id)

        def job(conn: Connection) -> None:
            conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id)
                .values(adjusted_score=score, adjusted_verdict=verdict)
            )
            self._log(session_id, "adjusted_score", score=score, verdict=verdict)

        self._write(job)
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

        def job(conn: Connection) -> int:
            comment_id = conn.execute(
                insert(comments).values(
                    session_id=session_id,
                    t_s=t_s,
                    end_s=end_s,
                    text=text,
                    author=author,
                    created_at=stamp,
                    updated_at=stamp,
                    version=1,
                )
            ).inserted_primary_key[0]
            self._log(session_id, "comment", comment=_comment_json(conn, comment_id))
            return comment_id

        return self.get_comment(self._write(job))

    def get_comment(self, comment_id: int) -> Comment:
        rows = self._rows(select(comments).where(comments.c.id == comment_id))
        if not rows:
            raise SessionError(f"no comment {comment_id}; it may have been deleted")
        return Comment(**rows[0])

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

        def job(conn: Connection) -> None:
            done = conn.execute(
                update(comments)
                .where(comments.c.id == comment_id, comments.c.version == expected_version)
                .values(
                    text=new_text,
                    t_s=new_t_s,
                    end_s=new_end_s,
                    updated_at=now_iso(),
                    version=comments.c.version + 1,
                )
            )
            if done.rowcount == 0:
                raise self._conflict(conn, comment_id, expected_version)
            self._log(current.session_id, "comment", comment=_comment_json(conn, comment_id))

        self._write(job)
        return self.get_comment(comment_id)

    @staticmethod
    def _conflict(conn: Connection, comment_id: int, expected: int) -> SessionError:
        version = conn.execute(
            select(comments.c.version).where(comments.c.id == comment_id)
        ).scalar()
        if version is None:
            return SessionError(f"no comment {comment_id}; it may have been deleted")
        return CommentConflictError(
            f"comment {comment_id} was changed by someone else (version {version}, "
            f"you edited version {expected}); reload it and apply your edit again"
        )

    def delete_comment(self, comment_id: int, *, expected_version: int | None = None) -> None:
        def job(conn: Connection) -> None:
            owner = conn.execute(
                select(comments.c.session_id).where(comments.c.id == comment_id)
            ).scalar()
            statement = delete(comments).where(comments.c.id == comment_id)
            if expected_version is not None:
                statement = statement.where(comments.c.version == expected_version)
            if conn.execute(statement).rowcount == 0:
                raise self._conflict(conn, comment_id, expected_version or 0)
            self._log(owner, "comment_deleted", id=comment_id)

        self._write(job)

    def list_comments(self, session_id: str) -> list[Comment]:
        check_session_id(session_id)
        rows = self._rows(
            select(comments)
            .where(comments.c.session_id == session_id)
            .order_by(comments.c.t_s, comments.c.id)
        )
        return [Comment(**row) for row in rows]

    # overrides
    def set_override(
        self, session_id: str, item_id: str, value: bool, *, reason: str, author: str
    ) -> Override:
        self.get_session(session_id)
        item_id = check_text(item_id, "step or fault id")
        reason = check_text(reason, "override reason")
        author = check_text(author, "author name")
        override = Override(session_id, item_id, bool(value), reason, author, now_iso())

        def job(conn: Connection) -> None:
            conn.execute(self._upsert(overrides, override.to_json()))
            self._log(session_id, "override", override=override.to_json())

        self._write(job)
        return override

    def remove_override(self, session_id: str, item_id: str) -> None:
        check_session_id(session_id)

        def job(conn: Connection) -> None:
            conn.execute(
                delete(overrides).where(
                    overrides.c.session_id == session_id, overrides.c.item_id == item_id
                )
            )
            self._log(session_id, "override_removed", item_id=item_id)

        self._write(job)

    def list_overrides(self, session_id: str) -> list[Override]:
        check_session_id(session_id)
        rows = self._rows(
            select(overrides)
            .where(overrides.c.session_id == session_id)
            .order_by(overrides.c.created_at, overrides.c.item_id)
        )
        return [_override_from_row(row) for row in rows]

    # accounts
    def add_user(self, name: str, *, role: str, password: str, cohort: str | None = None) -> User:
        name = check_user_name(name)
        role = check_role(role)
        cohort = None if cohort is None else check_text(cohort, "cohort name")
        user = User(name=name, role=role, cohort=cohort, created_at=now_iso())
        values = {**user.to_json(), "password_hash": hash_password(password)}
        try:
            self._write(lambda conn: conn.execute(insert(users).values(values)))
        except IntegrityError:
            raise SessionError(
                f"there is already an account named {name!r}; see `voicecoach users list`"
            ) from None
        return user

    def get_user(self, name: str) -> User:
        rows = self._rows(select(users).where(users.c.name == name))
        if not rows:
            raise SessionError(f"no account named {str(name)[:70]!r}; see `voicecoach users list`")
        return _user_from_row(rows[0])

    def list_users(self, *, role: str | None = None, cohort: str | None = None) -> list[User]:
        query = select(users).order_by(users.c.name)
        if role is not None:
            query = query.where(users.c.role == check_role(role))
        if cohort is not None:
            query = query.where(users.c.cohort == cohort)
        return [_user_from_row(row) for row in self._rows(query)]

    def authenticate(self, name: str, password: str) -> User | None:
        rows = self._rows(select(users).where(users.c.name == name))
        if not rows or not password_matches(rows[0]["password_hash"], password):
            return None
        if needs_rehash(rows[0]["password_hash"]):
            fresh = hash_password(password)
            self._write(
                lambda conn: conn.execute(
                    update(users).where(users.c.name == name).values(password_hash=fresh)
                )
            )
        return _user_from_row(rows[0])

    def record_audit(
        self, actor: str, action: str, *, session_id: str | None = None, detail: str | None = None
    ) -> AuditEntry:
        values = {
            "at": now_iso(),
            "actor": check_text(actor, "actor name"),
            "action": check_text(action, "audit action"),
            "session_id": session_id,
            "detail": detail,
        }
        entry_id = self._write(
            lambda conn: conn.execute(insert(audit_log).values(values)).inserted_primary_key[0]
        )
        return AuditEntry(id=entry_id, **values)

    def list_audit(
        self,
        *,
        session_id: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc())
        if session_id is not None:
            query = query.where(audit_log.c.session_id == session_id)
        if actor is not None:
            query = query.where(audit_log.c.actor == actor)
        if limit is not None:
            query = query.limit(int(limit))
        return [AuditEntry(**row) for row in self._rows(query)]

    # signed-in browsers and failed sign-ins
    def create_login(self, user_name: str, *, now: datetime, ttl_s: float) -> tuple[str, str]:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        values = {
            "token_hash": _token_hash(token),
            "user_name": user_name,
            "csrf_token": csrf,
            "created_at": _iso(now),
            "expires_at": _iso(now + timedelta(seconds=ttl_s)),
        }

        def job(conn: Connection) -> None:
            conn.execute(delete(logins).where(logins.c.expires_at <= _iso(now)))
            conn.execute(insert(logins).values(values))

        self._write(job)
        return token, csrf

    def find_login(self, token: str, *, now: datetime) -> tuple[User, str] | None:
        query = (
            select(users, logins.c.csrf_token)
            .join(logins, logins.c.user_name == users.c.name)
            .where(logins.c.token_hash == _token_hash(token), logins.c.expires_at > _iso(now))
        )
        rows = self._rows(query)
        if not rows:
            return None
        return _user_from_row(rows[0]), rows[0]["csrf_token"]

    def end_login(self, token: str) -> None:
        gone = delete(logins).where(logins.c.token_hash == _token_hash(token))
        self._write(lambda conn: conn.execute(gone))

    def claim_login_attempt(
        self,
        keys: Collection[str],
        *,
        now: datetime,
        window_s: float,
        wait_s: Callable[[str, int, datetime], float],
    ) -> float:
        keys = sorted(keys)  # rows are locked in one order: no deadlock between servers
        quiet_since = _iso(now - timedelta(seconds=window_s))
        dialect = sqlite if self.is_sqlite else postgresql

        def rows(failures: int):
            return dialect.insert(login_failures).values(
                [{"key": key, "failures": failures, "last_at": _iso(now)} for key in keys]
            )

        count = rows(1).on_conflict_do_update(  # quiet rows are deleted first
            index_elements=["key"],
            set_={"failures": login_failures.c.failures + 1, "last_at": _iso(now)},
        )
        recent = (
            select(login_failures)
            .where(login_failures.c.key.in_(keys))
            .order_by(login_failures.c.key)
        )

        def claim(conn: Connection) -> float:
            conn.execute(delete(login_failures).where(login_failures.c.last_at <= quiet_since))
            if not self.is_sqlite:  # SQLite's writer already holds the whole database
                conn.execute(rows(0).on_conflict_do_nothing())  # rows to lock
                recent_rows = recent.with_for_update()
            else:
                recent_rows = recent
            longest = 0.0
            for row in conn.execute(recent_rows).mappings():
                at = datetime.fromisoformat(row["last_at"])
                longest = max(longest, wait_s(row["key"], row["failures"], at))
            if longest <= 0:
                conn.execute(count)
            return longest

        return self._write(claim)

    def forgive_login_attempt(self, key: str) -> None:
        take_back = (
            update(login_failures)
            .where(login_failures.c.key == key, login_failures.c.failures > 0)
            .values(failures=login_failures.c.failures - 1)
        )
        self._write(lambda conn: conn.execute(take_back))

    def login_failures(self, key: str) -> tuple[int, datetime] | None:
        rows = self._rows(select(login_failures).where(login_failures.c.key == key))
        if not rows:
            return None
        return rows[0]["failures"], datetime.fromisoformat(rows[0]["last_at"])

    def clear_login_failures(self, key: str) -> None:
        gone = delete(login_failures).where(login_failures.c.key == key)
        self._write(lambda conn: conn.execute(gone))


def _token_hash(token: str) -> str:
    """What the database keeps of a sign-in token (a leaked table signs nobody in)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(moment: datetime) -> str:
    """A UTC time as sortable ISO text with microseconds (the comparisons are textual)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
