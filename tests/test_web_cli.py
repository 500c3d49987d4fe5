"""`voicecoach serve`, `report` and `replay` as a user runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from session_fixture import make_session

from voicecoach.audio.virtual import create_virtual_audio, find_recording
from voicecoach.cli import cli
from voicecoach.session.store import open_store

VOICECOACH = Path(sys.executable).with_name("voicecoach")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-cli")
    with open_store(folder) as store:
        made = make_session(store, trainee="amy")
        store.add_comment(made.info.id, t_s=33.7, text="Firm ownership", author="sam")
    return {"dir": folder, "made": made}


def start_serve(*args):
    process = subprocess.Popen(
        [str(VOICECOACH), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        match = re.search(r"(http://\S+)", line)
        if match:
            return process, match.group(1), "".join(lines)
    process.kill()
    raise AssertionError("serve printed no address: " + "".join(lines))


def test_serve_prints_a_loopback_address_that_answers(data):
    process, url, printed = start_serve("--data-dir", str(data["dir"]))
    try:
        assert url.startswith("http://127.0.0.1:") and "token" not in url
        assert "1 session(s)" in printed
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"amy" in response.read()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_on_another_host_requires_the_printed_token(data):
    process, url, printed = start_serve("--host", "0.0.0.0", "--data-dir", str(data["dir"]))
    try:
        assert "?token=" in url and "keep the token secret" in printed
        port = re.search(r":(\d+)/", url).group(1)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sessions", timeout=10)
        assert refused.value.code == 401
        token = url.split("?token=")[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sessions?token={token}") as ok:
            assert ok.status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_report_writes_one_self_contained_file(data, tmp_path):
    out = tmp_path / "call.html"
    sid = data["made"].info.id
    result = CliRunner().invoke(
        cli, ["report", sid, "--out", str(out), "--data-dir", str(data["dir"])]
    )
    assert result.exit_code == 0, result.output
    assert "with audio" in result.output
    html = out.read_text()
    assert "data:audio/wav;base64," in html and "Firm ownership" in html
    assert 'src="/static' not in html and 'href="/static' not in html  # nothing to fetch
    assert "WaveSurfer" in html and "uPlot" in html
    small = tmp_path / "small.html"
    result = CliRunner().invoke(
        cli, ["report", sid, "--out", str(small), "--no-audio", "--data-dir", str(data["dir"])]
    )
    assert "without audio" in result.output
    assert "data:audio/wav" not in small.read_text()
    assert small.stat().st_size < out.stat().st_size / 2


def test_report_of_an_unknown_session_is_one_error_line(data, tmp_path):
    result = CliRunner().invoke(
        cli, ["report", "nope", "--out", str(tmp_path / "x.html"), "--data-dir", str(data["dir"])]
    )
    assert result.exit_code == 2 and "no session 'nope'" in result.output
    assert not (tmp_path / "x.html").exists()


def test_replay_prints_the_annotated_transcript(data):
    result = CliRunner().invoke(
        cli, ["replay", data["made"].info.id, "--no-audio", "--data-dir", str(data["dir"])]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Trainee: i will personally make sure" in out
    assert "Caller: i have been charged twice" in out
    assert "✓ Reassure & take responsibility" in out and "✗ Accusatory question" in out
    assert "take_ownership" not in out and "why_did_you" not in out
    assert "✎ sam: Firm ownership" in out
    assert "caller mood → calm" in out
    lines = out.splitlines()
    assert lines.index(next(x for x in lines if "✎ sam" in x)) > lines.index(
        next(x for x in lines if "personally make sure" in x)
    )


def replay_in_subprocess(data, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`voicecoach replay` of the fixture session in a subprocess (ALSA set up by `env`)."""
    result = subprocess.run(
        [str(VOICECOACH), "replay", data["made"].info.id],
        env={**env, "VOICECOACH_DATA_DIR": str(data["dir"])},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_replay_plays_the_call_on_an_output_device(data, tmp_path):
    audio = create_virtual_audio(tmp_path / "alsa")
    env = audio.env()
    env.pop("VOICECOACH_VIRTUAL_AUDIO")  # unpaced: the null device plays faster than real time
    result = replay_in_subprocess(data, env)
    assert "No sound" not in result.stderr and "Firm ownership" in result.stdout
    played = audio.played()
    import soundfile as sf

    stereo, _ = sf.read(data["made"].folder / "call.wav", dtype="int16")
    expected = np.clip(stereo.astype(np.float32).sum(axis=1) / 32768.0, -1, 1)
    assert find_recording(played, expected.astype(np.float32)) is not None


def test_replay_without_a_device_says_so_and_still_prints(data, tmp_path):
    from voicecoach.audio.virtual import no_device_alsa_config

    env = dict(os.environ, ALSA_CONFIG_PATH=str(no_device_alsa_config(tmp_path)))
    result = replay_in_subprocess(data, env)
    assert "No sound" in result.stderr and "voicecoach devices" in result.stderr
    assert "Firm ownership" in result.stdout


def test_serve_stays_quiet_when_browsers_hang_up(data):
    """Clients that reset mid-request or stop reading audio leave no traceback in the log."""
    import socket
    import struct
    import time

    process, url, _ = start_serve("--data-dir", str(data["dir"]))
    host, port = re.search(r"//([^:/]+):(\d+)", url).groups()
    audio_path = f"/sessions/{data['made'].info.id}/audio.wav"
    try:
        for request in (b"GET /sessions HTTP/1.1\r\nHo", f"GET {audio_path} HTTP/1.1\r\n".encode()):
            for _ in range(3):
                sock = socket.create_connection((host, int(port)), timeout=5)
                sock.sendall(
                    request + b"Host: 127.0.0.1\r\n\r\n" if b"audio" in request else request
                )
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()  # a reset, as a browser that navigates away
        time.sleep(0.5)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200  # still serving
    finally:
        process.terminate()
        log, _ = process.communicate(timeout=10)
    assert "Traceback" not in log and "ConnectionResetError" not in log, log
