"""`voicecoach serve` beyond loopback: a token always, at least 16 random characters.

The server runs as a real subprocess listening on every interface; requests
go over HTTP, so these tests hold for any server implementation.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from voicecoach.session.store import open_store

VOICECOACH = str(Path(sys.executable).with_name("voicecoach"))


def serve(data: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [VOICECOACH, "serve", "--port", "0", "--data-dir", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("token", ["", "x", "only-15-chars-x", "has space in it 12345", "a;b" * 8])
@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1"])
def test_an_empty_short_or_unsafe_token_is_refused_in_one_line(tmp_path, host, token):
    proc = serve(tmp_path / "data", "--host", host, "--token", token)
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"serve started with the token {token!r}")
    assert proc.returncode == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith("Error:") and "at least 16 characters" in line


def url_printed_by(proc: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if match := re.search(r"(http://\S+)", line):
            return match.group(1)
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"serve printed no address: {proc.stderr.read()}")


def get(port: int, path: str, headers: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.parametrize("given", [None, "a-long-enough-secret-token"], ids=["random", "given"])
def test_all_interfaces_always_need_the_token(tmp_path, given):
    open_store(tmp_path / "data").close()
    proc = serve(tmp_path / "data", "--host", "0.0.0.0", *(["--token", given] if given else []))
    try:
        url = urlsplit(url_printed_by(proc))
        (token,) = parse_qs(url.query)["token"]
        assert len(token) >= 16 and (given is None or token == given)
        assert get(url.port, "/sessions.json") == 401
        assert get(url.port, "/sessions.json?token=" + "x" * len(token)) == 401
        assert get(url.port, f"/sessions.json?token={token}") == 200
        assert get(url.port, "/sessions.json", {"Authorization": f"Bearer {token}"}) == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_two_random_tokens_differ():
    from voicecoach.web.server import make_server

    tokens = set()
    for _ in range(2):
        with open_store(None) as store:
            server = make_server(store, host="0.0.0.0", port=0)
            tokens.add(server.access_token)
            server.server_close()
    assert len(tokens) == 2 and all(len(t) >= 16 for t in tokens)
