"""Upload of a long session from a workstation to the school's server, over loopback.

Builds a workstation data dir holding one `--minutes`-long recorded session
(tests/session_fixture.py: trainee.wav, caller.wav 16 kHz mono, call.wav
stereo, events, transcript, score, delivery), starts the upload server as a
separate process (`voicecoach serve`), then:

1. runs `voicecoach sync` (a real subprocess) and prints the time and throughput;
2. from a second workstation holding a copy of that session under another id:
   starts `voicecoach sync`, kills it with SIGKILL once the server holds about
   half of the session, prints what the server had and that the session is not
   visible, runs `voicecoach sync` again and prints that it resumed and that the
   session is stored exactly once with every file's SHA-256 equal to the
   workstation's.

    .venv/bin/python bench/upload.py [--minutes 10] [--database URL] [--chunk-size 4M]

Timings on a shared 2-core machine are noisy: run it twice.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from session_fixture import make_session  # noqa: E402
from sqlalchemy import select  # noqa: E402

from voicecoach.session.store import open_store  # noqa: E402
from voicecoach.session.tables import uploads  # noqa: E402
from voicecoach.session.workstations import Workstations  # noqa: E402

VOICECOACH = str(ROOT / ".venv" / "bin" / "voicecoach")
KILL_AT_FRACTION = 0.5


def build_session(data_dir: Path, minutes: float) -> Path:
    """A workstation data dir with one `minutes`-long finished session; its folder."""
    with open_store(data_dir, database=f"sqlite:///{data_dir / 'sessions.db'}") as store:
        one_pass_s = make_session(store, trainee="warmup").duration_s
        for folder in store.sessions_dir.iterdir():  # only the long one is to be sent
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
        repeat = max(1, round(minutes * 60 / one_pass_s))
        return make_session(store, trainee="amy", repeat=repeat).folder


def start_server(data_dir: Path, database: str | None) -> tuple[subprocess.Popen, str]:
    """`voicecoach serve --port 0` on the server's data dir (the upload API included)."""
    command = [VOICECOACH, "serve", "--port", "0", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        command + (["--database", database] if database else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in process.stdout:
        found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        if found:
            return process, found.group(1)
    raise SystemExit("the server did not start: " + process.stdout.read())


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sync_command(data_dir: Path, url: str, chunk: str) -> list[str]:
    return [VOICECOACH, "sync", "--server", url, "--data-dir", str(data_dir), "--json"] + [
        "--chunk-size",
        chunk,
    ]


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def copy_session(folder: Path, desk: Path) -> Path:
    """The session in `folder` copied into workstation `desk` under a new id."""
    new_id = folder.name + "-copy"
    target = desk / "sessions" / new_id
    target.mkdir(parents=True)
    for path in folder.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    record = json.loads((target / "session.json").read_text())
    (target / "session.json").write_text(json.dumps({**record, "id": new_id}))
    return target


def timed_upload(desk: Path, url: str, token: str, chunk: str) -> None:
    start_s = time.perf_counter()
    done = subprocess.run(
        sync_command(desk, url, chunk),
        env={**os.environ, "VOICECOACH_SYNC_TOKEN": token},
        capture_output=True,
        text=True,
        check=True,
    )
    wall_s = time.perf_counter() - start_s
    result = json.loads(done.stdout.splitlines()[0])
    size_mb = result["size_bytes"] / 1e6
    print(
        f"upload ({chunk} chunks): {size_mb:.1f} MB in {result['seconds']:.2f} s "
        f"({size_mb / result['seconds']:.1f} MB/s; the whole command {wall_s:.2f} s, "
        f"{size_mb / wall_s:.1f} MB/s, including hashing and Python start-up), "
        f"status {result['status']}"
    )


def killed_then_resumed(desk: Path, folder: Path, url: str, token: str, store, chunk: str) -> None:
    env = {**os.environ, "VOICECOACH_SYNC_TOKEN": token}
    total = sum(p.stat().st_size for p in folder.iterdir())
    uploader = subprocess.Popen(sync_command(desk, url, chunk), env=env, stdout=subprocess.PIPE)
    partial = store.data_dir / "uploads"
    while sum(p.stat().st_size for p in partial.glob("*/files/*")) < KILL_AT_FRACTION * total:
        if uploader.poll() is not None:
            raise RuntimeError("the upload finished before it could be killed")
        time.sleep(0.005)
    uploader.send_signal(signal.SIGKILL)
    uploader.wait()
    had = sum(p.stat().st_size for p in partial.glob("*/files/*"))
    store.sync()
    visible = store.has_session(folder.name)
    print(
        f"kill -9 at {had / 1e6:.1f} of {total / 1e6:.1f} MB (exit {uploader.returncode}): "
        f"the session visible on the server: {visible}"
    )
    start_s = time.perf_counter()
    retry = subprocess.run(
        sync_command(desk, url, chunk), env=env, capture_output=True, text=True, check=True
    )
    wall_s = time.perf_counter() - start_s
    result = json.loads(retry.stdout.splitlines()[0])
    listed = [s for s in store.list_sessions() if s.id == folder.name]
    stored_rows = store.rows(
        select(uploads).where(uploads.c.session_id == folder.name, uploads.c.stored_at.isnot(None))
    )
    same = digests(store.folder(folder.name)) == digests(folder)
    print(
        f"retry: {result['status']}, resumed from {result['resumed_from_bytes'] / 1e6:.1f} MB, "
        f"sent {result['sent_bytes'] / 1e6:.1f} MB in {wall_s:.2f} s; index rows: {len(listed)}, "
        f"stored uploads: {len(stored_rows)}, every file's SHA-256 equal: {same}"
    )
    once = len(listed) == 1 and len(stored_rows) == 1 and same
    print("stored exactly once: " + ("yes" if once else "NO"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the session")
    parser.add_argument(
        "--database", default=None, help="the server's database URL (default: SQLite)"
    )
    parser.add_argument("--chunk-size", default="4M", help="as `voicecoach sync --chunk-size`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voicecoach-upload-bench-") as tmp:
        root = Path(tmp)
        desk = root / "desk"
        folder = build_session(desk, args.minutes)
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in folder.iterdir())
        print(f"session of {args.minutes:g} min: {sizes}")
        other = root / "desk-2"
        copy = copy_session(folder, other)
        store = open_store(root / "server", args.database)
        token = Workstations(store).add("bench-desk")[1]
        process, url = start_server(root / "server", args.database)
        try:
            timed_upload(desk, url, token, args.chunk_size)
            killed_then_resumed(other, copy, url, token, store, args.chunk_size)
        finally:
            stop(process)
            store.close()


if __name__ == "__main__":
    main()
