"""A recogniser that breaks mid-call: the call stops and is saved incomplete, with why."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import soundfile as sf
from test_live_call import SCENARIO_ID, SCRIPT, write_quick_scenario

from voicecoach.asr.base import Recognition, Recognizer


class RecognizerThatBreaks(Recognizer):
    """The real recogniser, until it has heard `fail_after_s` of audio; keeps the contexts
    the call gave it."""

    def __init__(self, real: Recognizer, *, fail_after_s: float):
        self.real = real
        self.name = real.name
        self.sample_rate = real.sample_rate
        self.bytes_left = int(fail_after_s * real.sample_rate * 2)
        self.contexts: list[str] = []

    def accept(self, pcm: bytes) -> bool:
        self.bytes_left -= len(pcm)
        if self.bytes_left < 0:
            raise RuntimeError("decoder state corrupted")
        return self.real.accept(pcm)

    def partial(self) -> str:
        return self.real.partial()

    def final(self) -> Recognition:
        return self.real.final()

    def set_context(self, text: str) -> None:
        self.contexts.append(text)
        self.real.set_context(text)


@pytest.fixture()
def call_env(tmp_path, monkeypatch):
    write_quick_scenario(tmp_path / "scenarios")
    monkeypatch.setenv("VOICECOACH_SCENARIOS_DIR", str(tmp_path / "scenarios"))
    monkeypatch.setenv("VOICECOACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_a_recogniser_failure_mid_call_saves_the_session_incomplete_with_the_reason(call_env):
    from voicecoach.asr import select
    from voicecoach.audio.virtual import (
        use_virtual_audio,
        virtual_alsa_config,
        write_microphone_file,
    )
    from voicecoach.live.run import run_live_call
    from voicecoach.live.scripted import festival_speech

    speech = festival_speech(SCRIPT[0])
    mic = write_microphone_file(
        np.concatenate([np.zeros(48000, np.float32), speech]), 16000, call_env / "mic.raw"
    )
    config = virtual_alsa_config(mic, call_env, speaker_path=os.devnull)
    real_make = select.make_recognizer

    made: list[RecognizerThatBreaks] = []

    def breaking_recognizer(*args, **kwargs):
        made.append(RecognizerThatBreaks(real_make(*args, **kwargs), fail_after_s=4.0))
        return made[-1]

    select.make_recognizer = breaking_recognizer
    try:
        with use_virtual_audio(config):
            result = run_live_call(SCENARIO_ID, trainee="ana", data_dir=call_env / "data")
    finally:
        select.make_recognizer = real_make

    assert result.complete is False
    assert "speech recognition failed" in result.reason and "corrupted" in result.reason
    folder = result.session.folder
    saved = json.loads((folder / "session.json").read_text())
    assert saved["complete"] is False and "speech recognition failed" in saved["reason"]
    trainee, sr = sf.read(folder / "trainee.wav")
    assert sr == 16000 and len(trainee) / sr >= 4.0  # everything heard until the failure
    events = [json.loads(line) for line in (folder / "events.jsonl").open()]
    assert any(e["type"] == "caller_line" for e in events)
    # The recogniser heard the trainee knowing what the caller had just said.
    assert made[0].contexts[0] == "Hello. I was charged twice for the same visit."
