"""One sync of a workstation's data folder: queue the finished sessions, send them, and
record what the server confirmed (`voicecoach sync`, and `practice --sync` after a call)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voicecoach.sync.client import ServerUnreachable, TokenRefused, UploadClient
from voicecoach.sync.queue import SyncQueue, sync_lock
from voicecoach.sync.uploader import (
    CHUNK_BYTES,
    RateLimit,
    SessionUpload,
    finished_sessions,
    folder_bytes,
    sync_folders,
)


def queue_finished(data_dir: Path, server: str) -> tuple[SyncQueue, list[Path]]:
    """Put every finished session the server has not confirmed in the queue (saved);
    returns the queue and those sessions' folders, oldest first."""
    queue = SyncQueue(data_dir, server)
    folders = [f for f in finished_sessions(data_dir) if not queue.is_confirmed(f.name)]
    for folder in folders:
        queue.enqueue(folder.name)
    queue.save()
    return queue, folders


def sync_data_dir(
    data_dir: Path,
    server: str,
    token: str,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    max_rate: int | None = None,
    on_total: Callable[[int], None] = lambda n: None,
    on_bytes: Callable[[int], None] = lambda n: None,
    on_result: Callable[[SessionUpload], None] = lambda r: None,
) -> list[SessionUpload]:
    """Send the queued sessions of `data_dir` to `server` (one sync per folder at a time).

    `on_total(bytes)` is told the size of what is to be sent, `on_bytes` the progress,
    `on_result` each session's outcome once the queue has recorded it. Raises
    ServerUnreachable / TokenRefused (what was not sent stays queued, and the message
    says so) and SyncError when another sync runs.
    """
    with sync_lock(data_dir):
        queue, folders = queue_finished(data_dir, server)
        if not folders:
            return []
        on_total(sum(folder_bytes(folder) for folder in folders))
        pending = {folder.name for folder in folders}

        def record(done: SessionUpload) -> None:
            pending.discard(done.session_id)
            if done.confirmed:
                queue.confirm(done.session_id, done.sha256)
            else:
                queue.failed(done.session_id, done.message or done.status)
            queue.save()
            on_result(done)

        with UploadClient(server, token) as client:
            try:
                return sync_folders(
                    client,
                    folders,
                    chunk_bytes=chunk_bytes,
                    on_bytes=on_bytes,
                    on_result=record,
                    pace=RateLimit(max_rate) if max_rate else lambda n: None,
                )
            except (ServerUnreachable, TokenRefused) as exc:
                for session_id in pending:
                    queue.failed(session_id, str(exc))
                queue.save()
                raise type(exc)(
                    f"{exc}; {len(pending)} session(s) stay queued for the next `voicecoach sync`"
                ) from None
