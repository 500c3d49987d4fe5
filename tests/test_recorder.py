"""Crash-safe session recording: files stay playable and honest about being incomplete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile as sf

from voicecoach.audio.io import float_to_pcm16
from voicecoach.errors import SessionError
from voicecoach.session.recorder import SessionRecorder
from voicecoach.session.store import SessionFilter, open_store

SR = 16000


def tone(seconds: float, freq_hz: float = 440.0) -> bytes:
    t = np.arange(int(seconds * SR)) / SR
    return float_to_pcm16(0.3 * np.sin(2 * np.pi * freq_hz * t))


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "data") as opened:
        yield opened


def make_recorder(store) -> SessionRecorder:
    return SessionRecorder(
        store, trainee="ana", scenario_id="double_billing", protocol="upset_caller"
    )


def test_a_finished_call_leaves_aligned_audio_mix_events_and_results(store):
    rec = make_recorder(store)
    rec.event("caller_line", t_s=0.0, text="I was charged twice!", mood=7)
    rec.add_caller_audio(tone(1.0, 300), at_s=0.5)
    for _ in range(100):  # 2 s of trainee audio in 20 ms chunks
        rec.add_trainee_audio(tone(0.02))
    rec.add_caller_audio(tone(0.5, 300), at_s=2.5)
    rec.event("turn", t_s=1.0, text="thank you for calling")
    score = {"protocol": "upset_caller", "score": 80, "verdict": "competent"}
    info = rec.finish(
        outcome="resolved",
        complete=True,
        transcript={"protocol": "upset_caller", "turns": []},
        score=score,
        delivery={"turns": []},
    )

    trainee, sr = sf.read(rec.folder / "trainee.wav")
    caller, _ = sf.read(rec.folder / "caller.wav")
    assert sr == SR and len(trainee) == 2 * SR
    # Caller padded with silence before each line: silent until 0.5 s, then the tone.
    assert np.abs(caller[: int(0.49 * SR)]).max() == 0
    assert np.abs(caller[int(0.5 * SR) : int(1.5 * SR)]).max() > 0.2
    assert len(caller) == 3 * SR
    mix, _ = sf.read(rec.folder / "call.wav")
    assert mix.shape == (3 * SR, 2)
    assert np.allclose(mix[: 2 * SR, 0], trainee, atol=1e-4)
    assert np.allclose(mix[:, 1], caller, atol=1e-4)

    events = [json.loads(line) for line in (rec.folder / "events.jsonl").read_text().splitlines()]
    assert [e["type"] for e in events] == ["caller_line", "turn", "end"]
    session = json.loads((rec.folder / "session.json").read_text())
    assert session["complete"] is True and session["outcome"] == "resolved"
    assert session["score"] == 80 and session["verdict"] == "competent"
    assert session["duration_s"] == pytest.approx(3.0)
    assert info.id == session["id"] == rec.folder.name
    (listed,) = store.list_sessions(SessionFilter(trainee="ana"))
    assert listed.complete and listed.score == 80 and listed.outcome == "resolved"
    for name in ("transcript.json", "score.json", "delivery.json"):
        json.loads((rec.folder / name).read_text())


def test_session_is_marked_incomplete_from_the_start(store):
    rec = make_recorder(store)
    session = json.loads((rec.folder / "session.json").read_text())
    assert session["complete"] is False and session["reason"]
    rec.finish(outcome="incomplete", complete=False, reason="interrupted (Ctrl-C)")
    session = json.loads((rec.folder / "session.json").read_text())
    assert session["complete"] is False and session["reason"] == "interrupted (Ctrl-C)"


RECORD_FOREVER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from voicecoach.session.recorder import SessionRecorder
    from voicecoach.session.store import open_store
    rec = SessionRecorder(open_store(sys.argv[1]), trainee="ana", scenario_id="x", protocol="desc")
    chunk = (b"\\x10\\x27" * 320)  # 20 ms of a constant non-zero sample
    n = 0
    while True:
        rec.add_trainee_audio(chunk)
        rec.add_caller_audio(chunk)
        n += 1
        if n % 50 == 0:
            rec.event("partial", text=f"second {n // 50}")
            rec.flush()
            print(n // 50, flush=True)
        time.sleep(0.004)
    """
)


def test_kill_9_mid_call_leaves_playable_audio_and_an_incomplete_session(tmp_path):
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-c", RECORD_FOREVER, str(data)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        seconds_reported = 0
        while seconds_reported < 3:
            seconds_reported = int(proc.stdout.readline())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    (folder,) = (data / "sessions").iterdir()
    for name in ("trainee.wav", "caller.wav"):
        audio, sr = sf.read(folder / name, dtype="int16")
        assert sr == SR
        # Everything up to the last flush (3 s reported) is there, and nothing invented.
        assert len(audio) >= 3 * SR
        assert np.all(audio == 10000)
    session = json.loads((folder / "session.json").read_text())
    assert session["complete"] is False
    with open_store(data) as store:
        (listed,) = store.list_sessions()
    assert listed.complete is False and "not finished" in listed.reason
    lines = (folder / "events.jsonl").read_text().splitlines()
    assert json.loads(lines[2])["text"] == "second 3"


def test_a_read_only_data_dir_refuses_the_call_saying_why(store):
    store.sessions_dir.chmod(0o555)
    try:
        if os.access(store.sessions_dir, os.W_OK):  # root ignores permissions: use a file
            store.sessions_dir.chmod(0o755)
            store.sessions_dir.rmdir()
            store.sessions_dir.write_text("not a folder")
        with pytest.raises(SessionError, match="not writable.*--data-dir"):
            make_recorder(store)
    finally:
        if store.sessions_dir.is_dir():
            store.sessions_dir.chmod(0o755)


def test_audio_arriving_after_the_end_is_not_recorded(store):
    rec = make_recorder(store)
    rec.add_trainee_audio(tone(0.1))
    rec.finish(outcome="resolved", complete=True)
    size = (rec.folder / "trainee.wav").stat().st_size
    rec.add_trainee_audio(tone(0.1))
    assert (rec.folder / "trainee.wav").stat().st_size == size
