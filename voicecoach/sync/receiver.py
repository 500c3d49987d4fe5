"""The server's side of a session upload, without HTTP: open, write chunks, finish.

An upload is keyed by (session id, session checksum). Its files grow in a
private folder `<data_dir>/uploads/<upload id>/files/`, each chunk appended at
the offset the server already has (so a killed uploader resumes where it
stopped) and on disk (fsync) before it is acknowledged. Finishing checks every
file's size and SHA-256 against the manifest, then renames the folder to
`<data_dir>/sessions/<id>/` and indexes it in the store: a half-uploaded
session is never visible, and an interrupted finish is completed by the next
attempt. The same session uploaded twice is stored once; different content
under a stored id is refused as a conflict, never overwritten. A stored
session whose folder was lost on the server is taken again; uploads left open
for a week are forgotten.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from voicecoach import jsonsafe
from voicecoach.errors import SessionError
from voicecoach.fileio import open_private, private_dir
from voicecoach.session.sql_store import SQLSessionStore
from voicecoach.session.store import SESSION_JSON, now_iso
from voicecoach.session.tables import uploads
from voicecoach.sync.manifest import Manifest, file_sha256, manifest_from_json, manifest_of

UPLOADS_DIRNAME = "uploads"
FREE_MARGIN_BYTES = 200 * 1024 * 1024  # room left for calls recorded on the server itself
STALE_UPLOAD_DAYS = 7


class UploadError(SessionError):
    """An upload request that cannot be done as asked; `code` names the kind for clients."""

    code = "invalid"


class UnknownUpload(UploadError):
    code = "unknown_upload"


class UploadConflict(UploadError):
    code = "conflict"


class BadChunk(UploadError):
    code = "bad_chunk"


class OffsetMismatch(UploadError):
    """A chunk for another offset than the end of what the server has."""

    code = "offset"

    def __init__(self, message: str, *, offset: int):
        super().__init__(message)
        self.offset = offset


class IncompleteUpload(UploadError):
    code = "incomplete"


class ChecksumMismatch(UploadError):
    """Files whose bytes are not what the manifest says: dropped, to be sent again."""

    code = "checksum"


class NoRoom(UploadError):
    code = "no_room"


@dataclass(frozen=True)
class UploadState:
    """What the server has of an upload: `received` bytes per file; state open or stored."""

    upload_id: str
    session_id: str
    sha256: str
    state: str
    received: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "session_id": self.session_id,
            "sha256": self.sha256,
            "state": self.state,
            "received": dict(self.received),
        }


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created 0600), held by this process until the block ends;
    other processes on this host (several app servers) wait for it."""
    with open_private(path, "ab") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Receiver:
    """Receives uploads into `store`'s data folder and indexes finished ones in `store`."""

    def __init__(self, store: SQLSessionStore):
        self.store = store
        self.uploads_dir = store.data_dir / UPLOADS_DIRNAME

    # where things are
    def _files_dir(self, upload_id: str) -> Path:
        return self.uploads_dir / upload_id / "files"

    def _upload_lock(self, upload_id: str) -> contextlib.AbstractContextManager[None]:
        return _locked(self.uploads_dir / upload_id / "lock")

    def _session_lock(self, session_id: str) -> contextlib.AbstractContextManager[None]:
        private_dir(self.uploads_dir)
        return _locked(self.uploads_dir / f"session-{session_id}.lock")

    def _row(self, upload_id: str) -> dict[str, Any]:
        rows = self.store.rows(select(uploads).where(uploads.c.id == str(upload_id)[:64]))
        if not rows:
            raise UnknownUpload(f"no upload {str(upload_id)[:64]!r}; start it again")
        return dict(rows[0])

    def _stored_row(self, session_id: str) -> dict[str, Any] | None:
        rows = self.store.rows(
            select(uploads).where(
                uploads.c.session_id == session_id, uploads.c.stored_at.isnot(None)
            )
        )
        return dict(rows[0]) if rows else None

    def _state(self, row: dict[str, Any]) -> UploadState:
        manifest = manifest_from_json(jsonsafe.loads(row["manifest"]))
        if row["stored_at"] is not None:
            received = {entry.name: entry.size for entry in manifest.files}
            return UploadState(row["id"], row["session_id"], row["sha256"], "stored", received)
        folder = self._files_dir(row["id"])
        received = {}
        for entry in manifest.files:
            path = folder / entry.name
            received[entry.name] = path.stat().st_size if path.exists() else 0
        return UploadState(row["id"], row["session_id"], row["sha256"], "open", received)

    # the three steps
    def open(self, workstation: str, manifest: Manifest) -> UploadState:
        """Start (or find again) the upload of `manifest`: a stored session with the same
        checksum comes back as stored, one with another checksum is an UploadConflict."""
        session_id, sha = manifest.session_id, manifest.sha256
        self._drop_stale_uploads()
        with self._session_lock(session_id):
            stored = self._stored_row(session_id)
            if stored is None:
                stored = self._adopt_existing_folder(workstation, manifest)
            if stored is not None:
                if stored["sha256"] != sha:
                    raise self._conflict(session_id, stored)
                if self.store.folder(session_id).is_dir():
                    return self._state(stored)
                return self._reopen(stored)  # its folder was lost on the server: take it again
            rows = self.store.rows(
                select(uploads).where(uploads.c.session_id == session_id, uploads.c.sha256 == sha)
            )
            if rows:
                return self._state(dict(rows[0]))
            free_bytes = shutil.disk_usage(self.store.data_dir).free
            if free_bytes < manifest.size + FREE_MARGIN_BYTES:
                raise NoRoom(
                    f"the server has {free_bytes / 1e6:.0f} MB free; session {session_id} "
                    f"needs {manifest.size / 1e6:.0f} MB: it stays queued on the workstation"
                )
            row = {
                "id": secrets.token_hex(16),
                "session_id": session_id,
                "sha256": sha,
                "workstation": workstation,
                "manifest": jsonsafe.dumps(manifest.to_json()),
                "created_at": now_iso(),
                "stored_at": None,
            }
            private_dir(self._files_dir(row["id"]))
            try:
                self.store.write(lambda conn: conn.execute(insert(uploads).values(row)))
            except IntegrityError:  # another server opened it meanwhile
                shutil.rmtree(self.uploads_dir / row["id"], ignore_errors=True)
                rows = self.store.rows(
                    select(uploads).where(
                        uploads.c.session_id == session_id, uploads.c.sha256 == sha
                    )
                )
                return self._state(dict(rows[0]))
            return self._state(row)

    def _reopen(self, row: dict[str, Any]) -> UploadState:
        """Take a stored session's upload again (its folder is gone from the server)."""
        private_dir(self._files_dir(row["id"]))
        self.store.write(
            lambda conn: conn.execute(
                update(uploads).where(uploads.c.id == row["id"]).values(stored_at=None)
            )
        )
        return self._state({**row, "stored_at": None})

    def _drop_stale_uploads(self) -> None:
        """Forget uploads left open for STALE_UPLOAD_DAYS (their uploader went away)."""
        cutoff = (datetime.now(timezone.utc) - timedelta(days=STALE_UPLOAD_DAYS)).isoformat(
            timespec="seconds"
        )
        stale = self.store.rows(
            select(uploads.c.id).where(uploads.c.stored_at.is_(None), uploads.c.created_at < cutoff)
        )
        for row in stale:
            self._drop(row["id"])

    def _drop(self, upload_id: str) -> None:
        """Delete an unfinished upload: its row and its partial files."""
        self.store.write(
            lambda conn: conn.execute(
                delete(uploads).where(uploads.c.id == upload_id, uploads.c.stored_at.is_(None))
            )
        )
        shutil.rmtree(self.uploads_dir / upload_id, ignore_errors=True)

    def state(self, upload_id: str) -> UploadState:
        """What the server has of an upload (UnknownUpload when there is none)."""
        return self._state(self._row(upload_id))

    def write_chunk(
        self, upload_id: str, name: str, offset: int, data: bytes, *, sha256: str
    ) -> int:
        """Append `data` to file `name` at `offset` (the end of what the server has), once
        its SHA-256 is `sha256`; returns the bytes the server now has of that file."""
        row = self._row(upload_id)
        entry = manifest_from_json(jsonsafe.loads(row["manifest"])).file(name)
        if row["stored_at"] is not None:
            return entry.size
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BadChunk(
                f"the chunk of {name} at byte {offset} was damaged on the way (its SHA-256 "
                "does not match); send it again"
            )
        upload_id = row["id"]
        with self._upload_lock(upload_id):
            path = private_dir(self._files_dir(upload_id)) / name
            have = path.stat().st_size if path.exists() else 0
            if offset != have:
                raise OffsetMismatch(
                    f"the server has {have} bytes of {name}, not {offset}; continue from there",
                    offset=have,
                )
            if offset + len(data) > entry.size:
                raise BadChunk(
                    f"{name} is {entry.size} bytes; a chunk ending at byte "
                    f"{offset + len(data)} goes past it"
                )
            with open_private(path, "ab") as target:
                target.write(data)
                target.flush()
                os.fsync(target.fileno())
            return offset + len(data)

    def finish(self, upload_id: str) -> UploadState:
        """Verify every file, move the session into `sessions/` and index it (once)."""
        row = self._row(upload_id)
        if row["stored_at"] is not None:
            return self._state(row)
        upload_id = row["id"]
        manifest = manifest_from_json(jsonsafe.loads(row["manifest"]))
        with self._session_lock(row["session_id"]), self._upload_lock(upload_id):
            row = self._row(upload_id)
            if row["stored_at"] is not None:
                return self._state(row)
            stored = self._stored_row(row["session_id"])
            if stored is not None:  # another content was stored first: this one never can be
                self._drop(upload_id)
                raise self._conflict(row["session_id"], stored)
            target = self.store.folder(manifest.session_id)
            if target.exists():  # moved by a finish that stopped before indexing
                if manifest_of(target).sha256 != manifest.sha256:
                    raise UploadConflict(
                        f"the server already has a different session {manifest.session_id}; "
                        "nothing was overwritten"
                    )
                record = self._session_record(target, manifest)
            else:
                folder = self._files_dir(upload_id)
                self._verify(folder, manifest)
                record = self._session_record(folder, manifest)
                os.rename(folder, target)
                _fsync_dir(target.parent)
            self._index(row, record)
            shutil.rmtree(self.uploads_dir / upload_id, ignore_errors=True)
            return self._state({**row, "stored_at": "now"})

    # helpers
    def _verify(self, folder: Path, manifest: Manifest) -> None:
        """Every file complete and with its checksum; damaged files are dropped so the
        uploader sends them again (ChecksumMismatch), short ones are IncompleteUpload."""
        short = []
        for entry in manifest.files:
            path = folder / entry.name
            have = path.stat().st_size if path.exists() else 0
            if have != entry.size:
                short.append(f"{entry.name} ({have} of {entry.size} bytes)")
        if short:
            raise IncompleteUpload(f"not all files arrived: {', '.join(short)}; send the rest")
        damaged = [e.name for e in manifest.files if file_sha256(folder / e.name) != e.sha256]
        for name in damaged:
            (folder / name).unlink()
        if damaged:
            raise ChecksumMismatch(
                f"{', '.join(damaged)} did not match its SHA-256 and was dropped; send it again"
            )

    def _session_record(self, folder: Path, manifest: Manifest) -> dict[str, Any]:
        """The uploaded `session.json`, which must describe this session."""
        try:
            record = jsonsafe.loads((folder / SESSION_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            raise UploadError(
                f"session {manifest.session_id} has no readable {SESSION_JSON}; "
                "it cannot be indexed"
            ) from None
        missing = (
            [
                key
                for key in ("trainee", "scenario_id", "protocol", "started_at")
                if not record.get(key)
            ]
            if isinstance(record, dict)
            else ["everything"]
        )
        if missing or record.get("id") != manifest.session_id:
            raise UploadError(
                f"the {SESSION_JSON} of session {manifest.session_id} does not describe it "
                f"(id {str(record.get('id') if isinstance(record, dict) else None)[:64]!r}, "
                f"lacking {', '.join(missing) or 'nothing'})"
            )
        return record

    def _index(self, row: dict[str, Any], record: dict[str, Any]) -> None:
        """Index the moved session (keeping an index row made earlier) and mark it stored."""
        session_id = row["session_id"]
        known = self.store.has_session(session_id)
        self.store.index_session(record)
        if not known:
            self.store.restore_annotations(session_id)

        def job(conn: Connection) -> None:
            conn.execute(
                update(uploads).where(uploads.c.id == row["id"]).values(stored_at=now_iso())
            )

        self.store.write(job)
        self.store.record_audit(
            f"workstation {row['workstation']}", "session uploaded", session_id=session_id
        )

    def _adopt_existing_folder(self, workstation: str, manifest: Manifest) -> dict | None:
        """A session folder the server has without a stored upload (a finish interrupted
        after its rename, or a session made on the server): recorded as stored when its
        bytes are the manifest's, else an UploadConflict."""
        target = self.store.folder(manifest.session_id)
        if not target.is_dir():
            if self.store.has_session(manifest.session_id):
                raise UploadConflict(
                    f"the server already indexes a session {manifest.session_id} (its folder "
                    "is missing); nothing was overwritten"
                )
            return None
        if manifest_of(target).sha256 != manifest.sha256:
            raise UploadConflict(
                f"the server already has a different session {manifest.session_id}; "
                "nothing was overwritten"
            )
        rows = self.store.rows(
            select(uploads).where(
                uploads.c.session_id == manifest.session_id, uploads.c.sha256 == manifest.sha256
            )
        )
        row = (
            dict(rows[0])
            if rows
            else {
                "id": secrets.token_hex(16),
                "session_id": manifest.session_id,
                "sha256": manifest.sha256,
                "workstation": workstation,
                "manifest": jsonsafe.dumps(manifest.to_json()),
                "created_at": now_iso(),
                "stored_at": None,
            }
        )
        if not rows:
            self.store.write(lambda conn: conn.execute(insert(uploads).values(row)))
        self._index(row, self._session_record(target, manifest))
        shutil.rmtree(self.uploads_dir / row["id"], ignore_errors=True)
        return {**row, "stored_at": "now"}

    @staticmethod
    def _conflict(session_id: str, stored: dict[str, Any]) -> UploadConflict:
        return UploadConflict(
            f"the server already has session {session_id} with different content (uploaded "
            f"by {stored['workstation']} at {stored['stored_at']}); nothing was overwritten"
        )
