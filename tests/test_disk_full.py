"""A disk that fills up mid-call: the session is saved incomplete with "disk full", one line.

The full disk is a file size limit (RLIMIT_FSIZE) on a subprocess: writes past
it fail with EFBIG exactly as a full disk fails with ENOSPC, it needs no root
and no mount, and every other file of the machine is untouched.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import soundfile as sf
from test_live_call import SCENARIO_ID, SCRIPT, VOICECOACH, write_quick_scenario

LIMIT_BYTES = 400_000  # 12.5 s of one side's audio; larger than any cached caller line


def limit_file_size() -> None:
    """In the child: writes past LIMIT_BYTES fail (EFBIG) instead of killing the process."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))


RECORD_PAST_THE_LIMIT = textwrap.dedent(
    """
    import json, sys
    from voicecoach.session.recorder import SessionRecorder
    from voicecoach.session.store import open_store

    failures = []
    with open_store(sys.argv[1]) as store:
        recorder = SessionRecorder(
            store, trainee="ana", scenario_id="double_billing", protocol="upset_caller",
            on_failure=failures.append,
        )
        for second in range(30):  # 30 s of microphone, 1 s of caller each second
            recorder.add_trainee_audio(bytes(range(256)) * 125)
            recorder.add_caller_audio(bytes(32000), at_s=second)
            recorder.event("partial", text="still talking")
        info = recorder.finish(outcome="incomplete", complete=True, score={"score": 1})
    print(json.dumps({"failures": [str(f) for f in failures], "reason": info.reason}))
    """
)


def test_the_recorder_keeps_the_audio_before_a_full_disk_and_saves_why(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", RECORD_PAST_THE_LIMIT, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size,
    )
    assert done.returncode == 0 and done.stderr == ""  # no thread traceback, no crash
    out = json.loads(done.stdout)
    assert len(out["failures"]) == 1 and out["failures"][0].startswith("disk full: ")
    assert out["reason"].startswith("disk full: could not write")
    (folder,) = (tmp_path / "data" / "sessions").iterdir()
    session = json.loads((folder / "session.json").read_text())
    assert session["complete"] is False and session["reason"] == out["reason"]
    for side in ("trainee.wav", "caller.wav"):
        audio, sr = sf.read(folder / side)  # playable up to the failure
        assert sr == 16000 and 11.0 < len(audio) / sr <= LIMIT_BYTES / 32000


def test_a_practice_call_on_a_full_disk_ends_saved_incomplete_with_one_error_line(tmp_path):
    from voicecoach.asr.whisper_weights import ensure_model
    from voicecoach.audio.virtual import virtual_alsa_config, virtual_env, write_microphone_file
    from voicecoach.live.scripted import festival_speech

    ensure_model()  # the recogniser was installed before the disk filled up
    write_quick_scenario(tmp_path / "scenarios")
    speech = festival_speech(SCRIPT[0])
    mic = write_microphone_file(
        np.concatenate([np.zeros(48000, np.float32), speech]), 16000, tmp_path / "mic.raw"
    )
    config = virtual_alsa_config(mic, tmp_path / "alsa", speaker_path=os.devnull)
    env = virtual_env(config) | {
        "VOICECOACH_SCENARIOS_DIR": str(tmp_path / "scenarios"),
        "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [VOICECOACH, "practice", "--scenario", SCENARIO_ID, "--trainee", "ana"],
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        preexec_fn=limit_file_size,
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Error: disk full: could not write") and "saved in" in line
    (folder,) = (tmp_path / "data" / "sessions").iterdir()
    session = json.loads((folder / "session.json").read_text())
    assert session["complete"] is False and session["reason"].startswith("disk full")
    audio, sr = sf.read(folder / "trainee.wav")
    assert len(audio) / sr > 10.0  # the call until the disk filled up
    assert Path(folder / "events.jsonl").read_text().count('"type": "caller_line"') >= 1
