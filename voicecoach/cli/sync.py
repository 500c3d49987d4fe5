"""`voicecoach sync --server URL`: send finished sessions to the school's server."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from voicecoach.cli.common import console, download_progress, echo_json, report_error
from voicecoach.sync.manifest import MAX_CHUNK_BYTES
from voicecoach.textsafe import markup as safe

SERVER_ENV = "VOICECOACH_SYNC_SERVER"
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[iI]?[bB]?\s*")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class ByteSize(click.ParamType):
    """A number of bytes: 4194304, 512K, 4M, 1.5G (binary units)."""

    name = "bytes"

    def __init__(self, *, maximum: int | None = None):
        self.maximum = maximum

    def convert(self, value, param, ctx) -> int:
        found = _SIZE.fullmatch(str(value))
        size = int(float(found.group(1)) * _UNITS[found.group(2).lower()]) if found else 0
        if size <= 0:
            self.fail(f"{value!r} is not a size such as 512K, 4M or 1G", param, ctx)
        if self.maximum is not None and size > self.maximum:
            self.fail(f"{value!r} is more than {self.maximum // 1024**2}M", param, ctx)
        return size


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def _describe(done) -> str:
    """One line about one session's upload, for the terminal."""
    name = safe(done.session_id)
    if done.status == "already stored":
        return f"{name}: already on the server"
    rate = f", {done.sent_bytes / 1e6 / done.seconds:.1f} MB/s" if done.seconds > 0 else ""
    resumed = f", resumed after {_mb(done.resumed_from_bytes)}" if done.resumed_from_bytes else ""
    return f"{name}: stored ({_mb(done.size_bytes)} in {done.seconds:.1f} s{rate}{resumed})"


@click.command(name="sync")
@click.option(
    "--server",
    metavar="URL",
    envvar=SERVER_ENV,
    required=True,
    help=f"The school's server, e.g. https://voicecoach.school.lan (env {SERVER_ENV}).",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read this workstation's token from FILE (mode 0600). Default: "
    "VOICECOACH_SYNC_TOKEN, else the token saved with --token-stdin.",
)
@click.option(
    "--token-stdin",
    is_flag=True,
    help="Read the token from the first line of stdin and keep it for later syncs "
    "(<data dir>/sync_token, 0600).",
)
@click.option(
    "--max-rate",
    type=ByteSize(),
    default=None,
    metavar="BYTES",
    help="Send at most this many bytes per second (e.g. 2M) to spare a shared network.",
)
@click.option(
    "--chunk-size",
    type=ByteSize(maximum=MAX_CHUNK_BYTES),
    default="4M",
    show_default=True,
    metavar="BYTES",
    help="Bytes per request; an interrupted upload goes on from the last whole chunk.",
)
@click.option("--dry-run", is_flag=True, help="List the queued sessions; send nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per session.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="VOICECOACH_DATA_DIR",
    help="The workstation's data folder (default: the user data folder).",
)
def command(
    server: str,
    token_file: Path | None,
    token_stdin: bool,
    max_rate: int | None,
    chunk_size: int,
    dry_run: bool,
    as_json: bool,
    data_dir: Path | None,
) -> None:
    """Upload finished sessions to the school's server with this workstation's token.

    Resumable (an interrupted upload goes on where it stopped), verified by SHA-256,
    stored once however often it is sent. Sessions wait in a queue while the server
    cannot be reached and go with the next sync; nothing is deleted here.
    """
    from voicecoach import paths
    from voicecoach.sync.client import SyncError, server_address
    from voicecoach.sync.credentials import load_token, save_token
    from voicecoach.sync.queue import sync_lock
    from voicecoach.sync.run import queue_finished, sync_data_dir

    server = server_address(server)
    data_dir = data_dir or paths.data_dir()
    if token_stdin:
        save_token(data_dir, sys.stdin.readline())
    if dry_run:
        with sync_lock(data_dir):
            queue, _ = queue_finished(data_dir, server)
        _show_queue(queue.queued(), as_json)
        return
    token = load_token(data_dir, token_file)

    def on_result(done) -> None:
        if as_json:
            echo_json(done.to_json())
        elif done.confirmed:
            console.print(_describe(done), highlight=False)
        else:
            report_error(f"{done.session_id}: {done.message}")

    with download_progress() as bar:
        task = bar.add_task("Uploading", total=None)
        results = sync_data_dir(
            data_dir,
            server,
            token,
            chunk_bytes=chunk_size,
            max_rate=max_rate,
            on_total=lambda n: bar.update(task, total=n),
            on_bytes=lambda n: bar.advance(task, n),
            on_result=on_result,
        )
    if not results and not as_json:
        console.print(f"Nothing to send: {safe(server)} has every finished session.")
    refused = [r for r in results if not r.confirmed]
    if refused:
        raise SyncError(
            f"{len(refused)} of {len(results)} session(s) were not stored (see above); "
            "they stay queued"
        )


def _show_queue(queued: dict, as_json: bool) -> None:
    if as_json:
        for session_id, entry in sorted(queued.items()):
            echo_json({"session_id": session_id, **entry})
        return
    if not queued:
        console.print("The queue is empty: every finished session was confirmed.")
        return
    for session_id, entry in sorted(queued.items()):
        error = f" (last error: {safe(entry['last_error'])})" if entry.get("last_error") else ""
        console.print(f"{safe(session_id)}: queued since {entry['since']}{error}", highlight=False)


def sync_settings(data_dir: Path | None) -> tuple[Path, str, str]:
    """The data folder, server (VOICECOACH_SYNC_SERVER) and token `practice --sync` uses;
    SyncError before the call starts when one is missing."""
    import os

    from voicecoach import paths
    from voicecoach.sync.client import SyncError, server_address
    from voicecoach.sync.credentials import load_token

    if not os.environ.get(SERVER_ENV):
        raise SyncError(f"--sync needs the school's server in {SERVER_ENV}")
    data_dir = data_dir or paths.data_dir()
    return data_dir, server_address(os.environ[SERVER_ENV]), load_token(data_dir)


def sync_after_call(settings: tuple[Path, str, str]) -> None:
    """Send finished sessions now; when that fails, one warning line: they stay queued."""
    from voicecoach.cli.common import err_console
    from voicecoach.sync.client import SyncError
    from voicecoach.sync.run import sync_data_dir

    data_dir, server, token = settings
    try:
        results = sync_data_dir(data_dir, server, token)
    except SyncError as exc:
        err_console.print(f"[yellow]warning:[/] not sent now: {safe(str(exc))}", highlight=False)
        return
    stored = sum(r.confirmed for r in results)
    line = f"Sent {stored} session(s) to {safe(server)}"
    if stored < len(results):
        line += f"; {len(results) - stored} refused, queued (see `voicecoach sync`)"
    err_console.print(line, highlight=False)
