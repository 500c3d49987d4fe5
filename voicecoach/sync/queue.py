"""The workstation's upload queue: `<data_dir>/sync_queue.json` (0600).

Per server (its address without a password): the sessions it confirmed
(`confirmed`: id -> session checksum and time) and those still waiting
(`queued`: id -> since when, attempts, the last error). A session is marked
confirmed only after the server said it stored it; nothing is ever deleted
from the session folders. An unreadable queue file is started afresh: at
worst finished sessions are offered again, and the server recognises what it
already stored.

Only one `voicecoach sync` runs per data folder at a time (`sync.lock`, an
flock released even by a kill -9).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from voicecoach import jsonsafe
from voicecoach.fileio import open_private, write_json_atomic
from voicecoach.session.store import now_iso
from voicecoach.sync.client import SyncError

QUEUE_FILE = "sync_queue.json"
LOCK_FILE = "sync.lock"


@contextlib.contextmanager
def sync_lock(data_dir: Path) -> Iterator[None]:
    """Hold `<data_dir>/sync.lock`; SyncError when another sync holds it."""
    with open_private(Path(data_dir) / LOCK_FILE, "ab") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncError(
                f"another `voicecoach sync` is running for {data_dir}; wait for it to end"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class SyncQueue:
    """What was sent where, and what still waits, for one server."""

    def __init__(self, data_dir: Path, server: str):
        self.path = Path(data_dir) / QUEUE_FILE
        self.server = server
        try:
            data = jsonsafe.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            data = None
        self._data: dict[str, Any] = data if isinstance(data, dict) else {}
        servers = self._data.setdefault("servers", {})
        if not isinstance(servers, dict):
            servers = self._data["servers"] = {}
        entry = servers.setdefault(server, {})
        if not isinstance(entry, dict):
            entry = servers[server] = {}
        self._confirmed: dict[str, Any] = self._section(entry, "confirmed")
        self._queued: dict[str, Any] = self._section(entry, "queued")

    @staticmethod
    def _section(entry: dict[str, Any], name: str) -> dict[str, Any]:
        section = entry.setdefault(name, {})
        if not isinstance(section, dict):
            section = entry[name] = {}
        return section

    def is_confirmed(self, session_id: str) -> bool:
        return session_id in self._confirmed

    def queued(self) -> dict[str, Any]:
        """The waiting sessions: id -> {since, attempts, last_error}."""
        return dict(self._queued)

    def enqueue(self, session_id: str) -> None:
        """Put a session in the queue (kept as it is when it already waits)."""
        if session_id not in self._confirmed:
            self._queued.setdefault(session_id, {"since": now_iso(), "attempts": 0})

    def failed(self, session_id: str, error: str) -> None:
        """Record a failed attempt; the session stays queued."""
        entry = self._queued.setdefault(session_id, {"since": now_iso(), "attempts": 0})
        entry["attempts"] = int(entry.get("attempts") or 0) + 1
        entry["last_error"] = error

    def confirm(self, session_id: str, sha256: str) -> None:
        """The server stored the session: out of the queue, into `confirmed`."""
        self._queued.pop(session_id, None)
        self._confirmed[session_id] = {"sha256": sha256, "at": now_iso()}

    def save(self) -> None:
        write_json_atomic(self.path, self._data)
