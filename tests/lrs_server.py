"""A real Learning Record Store for the tests: Ralph (PyPI `ralph-malph`) on the filesystem backend.

Ralph runs from its own virtualenv, made once under the user's cache folder
(`VOICECOACH_TEST_LRS_VENV` to move it): its LRS extra pins exact versions of
FastAPI, Starlette and uvicorn, and its CLI extra `click<8.2.1`, which would hold
back (or clash with) VoiceCoach's own pins if it shared `.venv`.
`start_lrs(folder)` writes a basic-auth user, starts the ASGI app with uvicorn on a
free loopback port (one process: Ralph's `runserver` adds a reloader child; see LAUNCH
for the one storage default changed) and waits until it answers; `LrsServer.stop()`
ends that process by its pid.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import platformdirs

RALPH_REQUIREMENTS = ("ralph-malph[backend-fs,lrs]==5.1.0", "requests>=2")
HOME_PAGE = "https://school.example"
START_TIMEOUT_S = 60.0
# Ralph's filesystem backend writes its one statements file in CREATE mode, so a second
# POST fails ("already exists and overwrite is not allowed"); APPEND is the mode it
# supports for an existing file. Only that storage default is changed: the xAPI API
# (validation, authentication, duplicate detection, queries) is Ralph's own.
LAUNCH = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="info")
"""


def ralph_venv() -> Path:
    """Ralph's virtualenv, created (about a minute, from PyPI) the first time."""
    folder = Path(
        os.environ.get("VOICECOACH_TEST_LRS_VENV")
        or Path(platformdirs.user_cache_dir("voicecoach-tests")) / "ralph-malph-5.1.0"
    )
    python = folder / "bin" / "python"
    ready = folder / ".installed"
    if not ready.is_file():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *RALPH_REQUIREMENTS],
            check=True,
            capture_output=True,
        )
        ready.write_text(" ".join(RALPH_REQUIREMENTS))
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LrsServer:
    """A running Ralph LRS: its URL, the one user it accepts, its process."""

    url: str
    user: str
    password: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _auth_file(python: Path, path: Path, user: str, password: str) -> None:
    """Ralph's auth file: one user with a bcrypt hash, allowed everything."""
    hashed = subprocess.run(
        [
            str(python),
            "-c",
            "import bcrypt,sys; print(bcrypt.hashpw(sys.argv[1].encode(), "
            "bcrypt.gensalt(4)).decode())",
            password,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    agent = {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": user}}
    record = [{"username": user, "hash": hashed, "scopes": ["all"], "agent": agent}]
    path.write_text(json.dumps(record))


def start_lrs(folder: Path, *, user: str = "coach", password: str = "lrs-secret-1") -> LrsServer:
    """Ralph on a free loopback port, keeping its statements under `folder`."""
    venv = ralph_venv()
    python = venv / "bin" / "python"
    folder.mkdir(parents=True, exist_ok=True)
    _auth_file(python, folder / "auth.json", user, password)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "RALPH_APP_DIR": str(folder / "app"),
        "RALPH_AUTH_FILE": str(folder / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "statements"),
    }
    log = folder / "ralph.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(python), "-c", LAUNCH, "127.0.0.1", str(port)],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LrsServer(f"http://127.0.0.1:{port}", user, password, process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Ralph exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(f"{server.url}/__heartbeat__", timeout=1.0)
            return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(
        f"Ralph did not answer within {START_TIMEOUT_S} s: {log.read_text()[-2000:]}"
    )
