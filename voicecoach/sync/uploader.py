"""Sending a workstation's finished sessions to the school's server, resumably.

For each session not yet confirmed by the server: its manifest (every file's
SHA-256), then open the upload (the server answers with what it already has,
so an upload killed half-way goes on from there), send the missing bytes in
chunks (each with its checksum), and finish (the server verifies every file and
only then stores and indexes the session). A chunk or file that arrives damaged
is sent again. A session counts as finished once the call ended (its
`session.json` says how), or when a call that never finished has not written
anything for `ABANDONED_AFTER_S` (a killed call).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from voicecoach import jsonsafe
from voicecoach.session.store import NOT_FINISHED_REASON, SESSION_JSON, SESSIONS_DIRNAME
from voicecoach.sync.client import ServerRefused, UploadClient
from voicecoach.sync.manifest import manifest_of

ABANDONED_AFTER_S = 3600.0
CHUNK_BYTES = 4 * 1024 * 1024
ATTEMPTS = 3  # per chunk, and per session finish (a damaged file is sent again)


@dataclass(frozen=True)
class SessionUpload:
    """How sending one session went: `status` stored, already stored, conflict or failed."""

    session_id: str
    sha256: str
    status: str
    size_bytes: int
    sent_bytes: int
    resumed_from_bytes: int
    seconds: float
    message: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.status in ("stored", "already stored")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class RateLimit:
    """Keeps the average rate at or under `bytes_per_s` by sleeping between chunks."""

    def __init__(
        self,
        bytes_per_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.bytes_per_s = bytes_per_s
        self._clock, self._sleep = clock, sleep
        self._start_s: float | None = None
        self._sent = 0

    def __call__(self, sent_bytes: int) -> None:
        if self._start_s is None:
            self._start_s = self._clock()
        self._sent += sent_bytes
        ahead_s = self._sent / self.bytes_per_s - (self._clock() - self._start_s)
        if ahead_s > 0:
            self._sleep(ahead_s)


def is_finished(folder: Path, record: dict[str, Any], *, now_s: float) -> bool:
    """Whether the call in `folder` is over (ended, or silent for ABANDONED_AFTER_S)."""
    if record.get("complete") or record.get("reason") not in (None, NOT_FINISHED_REASON):
        return True
    newest_s = max((p.stat().st_mtime for p in folder.iterdir() if p.is_file()), default=0.0)
    return now_s - newest_s > ABANDONED_AFTER_S


def finished_sessions(data_dir: Path, *, now_s: float | None = None) -> list[Path]:
    """The folders of finished sessions under `data_dir`, oldest id first (unreadable
    `session.json` files are left out: `voicecoach sessions repair` deals with them)."""
    now_s = time.time() if now_s is None else now_s
    found = []
    for path in sorted((Path(data_dir) / SESSIONS_DIRNAME).glob(f"*/{SESSION_JSON}")):
        try:
            record = jsonsafe.loads(path.read_text(encoding="utf-8"))
            if record.get("id") == path.parent.name and is_finished(
                path.parent, record, now_s=now_s
            ):
                found.append(path.parent)
        except (OSError, ValueError, UnicodeDecodeError, AttributeError):
            continue
    return found


def folder_bytes(folder: Path) -> int:
    """The size of a session folder's files, for the progress bar."""
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def upload_session(
    client: UploadClient,
    folder: Path,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    on_bytes: Callable[[int], None] = lambda n: None,
    pace: Callable[[int], None] = lambda n: None,
) -> SessionUpload:
    """Send one session folder (going on from what the server has) and have it stored.

    `on_bytes(n)` is told of bytes done (sent, or found already on the server),
    `pace(n)` of bytes sent (a RateLimit). Raises ServerUnreachable and
    TokenRefused (stop: the session stays queued); a conflict or refusal is
    returned as the SessionUpload's status.
    """
    start_s = time.monotonic()
    try:
        manifest = manifest_of(folder)
    except OSError as exc:
        return SessionUpload(folder.name, "", "failed", 0, 0, 0, 0.0, _unreadable(folder, exc))
    sent = resumed = 0

    def result(status: str, message: str | None = None) -> SessionUpload:
        return SessionUpload(
            manifest.session_id,
            manifest.sha256,
            status,
            manifest.size,
            sent,
            resumed,
            round(time.monotonic() - start_s, 3),
            message,
        )

    try:
        for attempt in range(ATTEMPTS):
            state = client.open(manifest)
            have = {name: int(n) for name, n in state["received"].items()}
            if attempt == 0:
                resumed = sum(have.values())
                on_bytes(resumed)
            if state["state"] == "stored":
                return result("stored" if sent else "already stored")
            for entry in manifest.files:
                offset = have.get(entry.name, 0)
                if offset < entry.size:
                    sent += _send_file(
                        client, state["upload_id"], folder / entry.name, offset, entry.size,
                        chunk_bytes=chunk_bytes, on_bytes=on_bytes, pace=pace,
                    )  # fmt: skip
            try:
                client.finish(state["upload_id"])
                return result("stored")
            except ServerRefused as exc:
                if exc.code not in ("checksum", "incomplete", "unknown_upload"):
                    raise
                if attempt == ATTEMPTS - 1:
                    return result("failed", str(exc))
    except ServerRefused as exc:
        return result("conflict" if exc.code == "conflict" else "failed", str(exc))
    except OSError as exc:
        return result("failed", _unreadable(folder, exc))
    return result("failed", "the server did not store it")


def _unreadable(folder: Path, exc: OSError) -> str:
    return f"cannot read {folder}: {exc.strerror or exc}"


def _send_file(
    client: UploadClient,
    upload_id: str,
    path: Path,
    offset: int,
    size: int,
    *,
    chunk_bytes: int,
    on_bytes: Callable[[int], None],
    pace: Callable[[int], None],
) -> int:
    """Send `path` from `offset` to `size` in chunks; returns the bytes sent. A damaged
    chunk is sent again; an offset the server disagrees with is taken from the server."""
    sent = 0
    with open(path, "rb") as source:
        while offset < size:
            source.seek(offset)
            data = source.read(min(chunk_bytes, size - offset))
            if not data:
                raise OSError(f"{path.name} became shorter while it was sent")
            for attempt in range(ATTEMPTS):
                try:
                    received = client.put_chunk(upload_id, path.name, offset, data)
                except ServerRefused as exc:
                    if exc.code == "offset" and exc.offset is not None:
                        received = exc.offset  # the server has more (or less): go on from there
                        break
                    if exc.code != "bad_chunk" or attempt == ATTEMPTS - 1:
                        raise
                else:
                    sent += len(data)
                    pace(len(data))
                    break
            on_bytes(max(received - offset, 0))
            offset = received
    return sent


def sync_folders(
    client: UploadClient,
    folders: list[Path],
    *,
    chunk_bytes: int = CHUNK_BYTES,
    on_bytes: Callable[[int], None] = lambda n: None,
    on_result: Callable[[SessionUpload], None] = lambda r: None,
    pace: Callable[[int], None] = lambda n: None,
) -> list[SessionUpload]:
    """Send every folder in turn, telling `on_result` each outcome as it comes."""
    results = []
    for folder in folders:
        done = upload_session(client, folder, chunk_bytes=chunk_bytes, on_bytes=on_bytes, pace=pace)
        on_result(done)
        results.append(done)
    return results


if __name__ == "__main__":
    import sys

    for found_folder in finished_sessions(Path(sys.argv[1] if len(sys.argv) > 1 else os.curdir)):
        print(found_folder.name, folder_bytes(found_folder))
