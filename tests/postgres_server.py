"""A throwaway PostgreSQL cluster for the tests: Debian's `initdb` + `postgres` in a temp folder.

`initdb` refuses to run as root, so as root (CI) the cluster belongs to the
`postgres` system user and its programs are started through `setpriv` (which
execs, so the Popen handle is the server itself and is stopped by its own pid).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

SERVER_USER = "voicecoach"
START_TIMEOUT_S = 60.0


def postgres_bin() -> Path:
    """The newest installed `/usr/lib/postgresql/<version>/bin` (Debian's `postgresql`)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: run `bash scripts/install.sh --dev` "
            "(it installs Debian's postgresql)"
        )
    return found[-1].parent


def _as_cluster_owner() -> tuple[list[str], int | None, int | None]:
    """The command prefix and uid/gid that run PostgreSQL's programs (not as root)."""
    if os.geteuid() != 0:
        return [], None, None
    owner = pwd.getpwnam("postgres")
    prefix = ["setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}", "--clear-groups"]
    return prefix, owner.pw_uid, owner.pw_gid


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """Start a cluster on a free loopback port; yield its base URL (no database name)."""
    bin_dir = postgres_bin()
    prefix, uid, gid = _as_cluster_owner()
    root = Path(tempfile.mkdtemp(prefix="voicecoach-pg-"))
    cluster, sockets = root / "cluster", root / "sockets"
    sockets.mkdir()
    if uid is not None:
        for path in (root, sockets):
            os.chown(path, uid, gid)
    server = None
    try:
        subprocess.run(
            [*prefix, str(bin_dir / "initdb"), "-D", str(cluster), "-U", SERVER_USER]
            + ["--auth=trust", "--encoding=UTF8", "--no-sync"],
            check=True,
            capture_output=True,
            cwd=root,
        )
        port = _free_port()
        server = subprocess.Popen(
            [*prefix, str(bin_dir / "postgres"), "-D", str(cluster), "-p", str(port)]
            + ["-h", "127.0.0.1", "-k", str(sockets), "-F", "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=root,
        )
        base = f"postgresql://{SERVER_USER}@127.0.0.1:{port}"
        _wait_until_ready(server, base)
        yield base
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)  # "fast" shutdown
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_ready(server: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited: {server.stderr.read().decode(errors='replace')}")
        try:
            psycopg.connect(f"{base}/postgres", connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def fresh_database(base: str, name: str) -> Iterator[str]:
    """Create database `name` in the cluster at `base`; yield its URL; drop it afterwards."""
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
