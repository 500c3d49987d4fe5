"""The whole spoken call, end to end, through the virtual microphone (`voicecoach demo`).

One short demo call (two trainee turns) runs as a subprocess with an audit
hook that logs every network use; the tests then check what a user and an
instructor would: the call ended, the session folder is complete and
playable, `sessions list` shows it, and nothing touched the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml
from click.testing import CliRunner

from voicecoach.cli import cli
from voicecoach.paths import PROJECT_DIR
from voicecoach.scoring.transcript import load_transcript

VOICECOACH = str(Path(sys.executable).with_name("voicecoach"))
SCENARIO_ID = "quick_refund"
SCRIPT = [
    "Thank you for calling, Mary. I'm listening, please tell me what happened.",
    "I will go ahead and reverse the duplicate charge right now. Will that work for you?",
    "Is there anything else I can help you with today?",  # not needed: the caller is satisfied
]

NETWORK_AUDIT = """
import os, socket, sys

_log = os.environ["NETWORK_AUDIT_LOG"]
_EVENTS = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo"}


def _hook(event, args):
    if event in _EVENTS:
        sock = args[0] if args and isinstance(args[0], socket.socket) else None
        family = sock.family.name if sock is not None else "-"
        with open(_log, "a") as out:
            out.write(f"{os.getpid()} {event} {family} {args[1:]!r}\\n")


with open(_log, "a") as _out:
    _out.write(f"{os.getpid()} audit-started {' '.join(sys.argv)[:80]}\\n")
sys.addaudithook(_hook)
"""


def write_quick_scenario(folder: Path) -> None:
    """A copy of the double-billing call that a calm caller resolves after two good turns."""
    shutil.copytree(PROJECT_DIR / "scenarios" / "protocols", folder / "protocols")
    doc = yaml.safe_load((PROJECT_DIR / "scenarios" / "double_billing.yaml").read_text())
    doc.update(
        id=SCENARIO_ID,
        title="Quick refund",
        record_sensitive=False,
        max_turns=4,
        resolution={"requires": ["propose_solution"], "closing_step": None},
        model_call=SCRIPT,
    )
    doc["caller"]["mood_start"] = 4
    doc["lines"]["opening"] = ["Hello. I was charged twice for the same visit."]
    (folder / f"{SCENARIO_ID}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("live")
    write_quick_scenario(root / "scenarios")
    (root / "audit").mkdir()
    (root / "audit" / "sitecustomize.py").write_text(NETWORK_AUDIT)
    return {
        **os.environ,
        "VOICECOACH_SCENARIOS_DIR": str(root / "scenarios"),
        "VOICECOACH_CACHE_DIR": str(root / "cache"),
        "VOICECOACH_DATA_DIR": str(root / "data"),
        "PYTHONPATH": str(root / "audit"),
        "NETWORK_AUDIT_LOG": str(root / "network.log"),
        "ROOT": str(root),
    }


@pytest.fixture(scope="module")
def demo(demo_env) -> dict:
    """Run `voicecoach demo --json` once; returns its JSON summary."""
    done = subprocess.run(
        [VOICECOACH, "demo", "--scenario", SCENARIO_ID, "--json"],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_demo_call_is_resolved_by_the_scripted_trainee(demo):
    assert demo["outcome"] == "resolved" and demo["complete"] is True
    trainee_turns = [t for t in demo["transcript"]["turns"] if t["speaker"] == "trainee"]
    assert len(trainee_turns) == 2
    heard = [re.sub(r"[^\w' ]", "", t["text"].lower()) for t in trainee_turns]  # words only
    assert "thank you for calling mary" in heard[0]
    assert "reverse the duplicate charge" in heard[1]
    assert demo["score"]["steps"]["propose_solution"]["met"] is True


def test_the_session_folder_holds_playable_aligned_audio_and_every_record(demo):
    folder = Path(demo["folder"])
    trainee, sr = sf.read(folder / "trainee.wav")
    caller, caller_sr = sf.read(folder / "caller.wav")
    mix, mix_sr = sf.read(folder / "call.wav")
    assert sr == caller_sr == mix_sr == 16000
    assert mix.shape == (max(len(trainee), len(caller)), 2)
    turns = load_transcript(folder / "transcript.json").turns
    # Each side's audio is loud where its turns are, on the same clock.
    for turn in turns:
        side = trainee if turn.speaker == "trainee" else caller
        span = side[int(turn.start * sr) : int(turn.end * sr)]
        assert np.sqrt(np.mean(span**2)) > 0.01, turn
    first_trainee = next(t for t in turns if t.speaker == "trainee")
    assert np.abs(trainee[: int(first_trainee.start * sr) - 1600]).max() < 0.01
    assert first_trainee.words and first_trainee.words[0].start >= first_trainee.start - 0.3

    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    kinds = {event["type"] for event in events}
    assert {"caller_line", "partial", "turn", "detection", "delivery", "end"} <= kinds
    assert all(e["t_s"] <= events[-1]["t_s"] + 0.01 for e in events)
    score = json.loads((folder / "score.json").read_text())
    assert score["score"] == demo["score"]["score"] and score["verdict"]
    delivery = json.loads((folder / "delivery.json").read_text())
    assert len(delivery["turns"]) == 2
    # Each turn keeps its pitch and loudness tracks, on the call's clock, for the replay's plots.
    trainee_turns = [t for t in turns if t.speaker == "trainee"]
    for turn, record in zip(trainee_turns, delivery["turns"], strict=True):
        times = record["tracks"]["times_s"]
        assert len(times) == len(record["tracks"]["loudness_db"]) > 10
        assert turn.start - 0.1 <= times[0] and times[-1] <= turn.end + 0.1
    session = json.loads((folder / "session.json").read_text())
    assert session["complete"] is True and session["outcome"] == "resolved"
    assert session["duration_s"] == pytest.approx(len(mix) / sr, abs=0.05)


def test_sessions_list_shows_the_demo_call(demo, demo_env):
    result = CliRunner().invoke(
        cli, ["sessions", "list", "--data-dir", demo_env["VOICECOACH_DATA_DIR"], "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    (row,) = [r for r in rows if r["id"] == demo["session_id"]]
    assert row["outcome"] == "resolved" and row["complete"] is True
    assert row["scenario_id"] == SCENARIO_ID


def test_a_practice_call_opens_no_network_connection(demo, demo_env):
    log = Path(demo_env["NETWORK_AUDIT_LOG"]).read_text().splitlines()
    # The hook ran in the call's process and in the speech worker it started.
    assert sum("audit-started" in line for line in log) >= 2
    # ALSA/PortAudio may talk over local AF_UNIX sockets; anything else leaves the machine.
    network = [line for line in log if "audit-started" not in line and " AF_UNIX " not in line]
    assert network == []


def test_kill_9_mid_call_leaves_playable_audio_and_an_incomplete_session(demo, demo_env):
    data = Path(demo_env["ROOT"]) / "killed"
    proc = start_demo_and_wait_for_first_turn(demo_env, data)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    (folder,) = (data / "sessions").iterdir()
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    first_turn = next(e for e in events if e["type"] == "turn")
    trainee, sr = sf.read(folder / "trainee.wav")
    assert sr == 16000 and len(trainee) / sr >= first_turn["end_s"]
    spoken = trainee[int(first_turn["start_s"] * sr) : int(first_turn["end_s"] * sr)]
    assert np.sqrt(np.mean(spoken**2)) > 0.01
    result = CliRunner().invoke(cli, ["sessions", "list", "--data-dir", str(data), "--json"])
    (row,) = [json.loads(line) for line in result.output.splitlines()]
    assert row["complete"] is False and row["reason"]


def start_demo_and_wait_for_first_turn(env: dict[str, str], data: Path) -> subprocess.Popen:
    """Start `voicecoach demo` (Ctrl-C deliverable) and return once a trainee turn is logged."""
    proc = subprocess.Popen(
        [VOICECOACH, "demo", "--scenario", SCENARIO_ID],
        env={**env, "VOICECOACH_DATA_DIR": str(data)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        logs = list(data.glob("sessions/*/events.jsonl"))
        if logs and '"type": "turn"' in logs[0].read_text():
            return proc
    proc.kill()
    raise AssertionError("the demo logged no trainee turn within 60 s")


def test_ctrl_c_saves_the_call_as_incomplete_with_the_reason(demo, demo_env):
    data = Path(demo_env["ROOT"]) / "interrupted"
    proc = start_demo_and_wait_for_first_turn(demo_env, data)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1 and "Traceback" not in err
    assert "saved incomplete: interrupted (Ctrl-C)" in " ".join(out.split())
    (folder,) = (data / "sessions").iterdir()
    session = json.loads((folder / "session.json").read_text())
    assert session["complete"] is False and session["reason"] == "interrupted (Ctrl-C)"
    mix, sr = sf.read(folder / "call.wav")
    assert mix.shape[1] == 2 and len(mix) / sr > 3.0
    assert load_transcript(folder / "transcript.json").turns[1].speaker == "trainee"


def test_practice_with_no_microphone_points_to_voicecoach_devices(demo_env, tmp_path):
    from voicecoach.audio.virtual import no_device_alsa_config

    env = {**demo_env, "ALSA_CONFIG_PATH": str(no_device_alsa_config(tmp_path))}
    env["VOICECOACH_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [VOICECOACH, "practice", "--scenario", SCENARIO_ID, "--trainee", "ana"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "voicecoach devices" in done.stderr and "Traceback" not in done.stderr
    assert not list((tmp_path / "data").glob("sessions/*"))


def test_an_unwritable_data_dir_refuses_the_call_saying_why(demo_env, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = subprocess.run(
        [
            VOICECOACH,
            "practice",
            "--scenario",
            SCENARIO_ID,
            "--trainee",
            "ana",
            "--data-dir",
            str(blocker / "data"),
        ],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "data directory" in done.stderr and "--data-dir" in done.stderr


def test_speaking_over_the_caller_stops_it_and_the_turn_still_counts(
    demo, demo_env, tmp_path, monkeypatch
):
    """The trainee starts talking 1 s into the caller's opening line (a file as microphone)."""
    from voicecoach.audio.virtual import (
        use_virtual_audio,
        virtual_alsa_config,
        write_microphone_file,
    )
    from voicecoach.live.run import run_live_call
    from voicecoach.live.scripted import festival_speech

    for key in ("VOICECOACH_SCENARIOS_DIR", "VOICECOACH_CACHE_DIR"):
        monkeypatch.setenv(key, demo_env[key])
    speech = festival_speech(SCRIPT[0])  # rendered by the demo already
    mic = write_microphone_file(
        np.concatenate([np.zeros(16000, np.float32), speech]), 16000, tmp_path / "mic.raw"
    )
    config = virtual_alsa_config(mic, tmp_path, speaker_path=os.devnull)
    calls = []

    def stop_after_the_reply(line, final: bool) -> None:
        if not line.stopped:
            calls[0].stop("test over")

    with use_virtual_audio(config):
        result = run_live_call(
            SCENARIO_ID,
            trainee="ana",
            data_dir=tmp_path / "data",
            on_start=calls.append,
            on_caller_done=stop_after_the_reply,
        )
    events = [json.loads(line) for line in (result.session.folder / "events.jsonl").open()]
    (barge_in,) = [e for e in events if e["type"] == "barge_in"]
    opening, reply = [e for e in events if e["type"] == "caller_line"][:2]
    assert barge_in["t_s"] == pytest.approx(1.0, abs=0.15)
    assert opening["stopped"] is True and opening["end_s"] < barge_in["t_s"] + 0.3
    assert reply["stopped"] is False
    turn = next(e for e in events if e["type"] == "turn")
    assert "listening" in turn["text"].lower() and reply["start_s"] > turn["end_s"]
    caller, sr = sf.read(result.session.folder / "caller.wav")
    # The caller's side holds only what was played: silence from the barge-in to the reply.
    gap = caller[int((opening["end_s"] + 0.05) * sr) : int((reply["start_s"] - 0.05) * sr)]
    assert len(gap) > sr and np.abs(gap).max() == 0
    assert result.reason == "test over" and result.complete is False
