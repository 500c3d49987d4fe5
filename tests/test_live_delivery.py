"""A tense voice in a live call makes the caller more upset, with the delivery reason logged.

The trainee's voice is festival's: its calm baseline is the calibration passage
read by festival, and the tense turn is one of its lines raised 4 semitones,
made brighter (pre-emphasis) and louder, played through the virtual microphone.
"""

from __future__ import annotations

import json
import os
import shutil

import librosa
import numpy as np
import pytest
import yaml
from delivery_signals import festival_wav
from rich.console import Console

from voicecoach.audio.io import load_audio
from voicecoach.delivery import analyze_speech, save_baseline
from voicecoach.delivery.calibration import baseline_from_recording
from voicecoach.paths import PROJECT_DIR

SR = 16000
SCENARIO_ID = "tense_voice"
LINE = "Thank you for calling, Mary. I'm listening, please tell me what happened."


def tense_version(y: np.ndarray) -> np.ndarray:
    """Higher (+4 semitones), brighter and louder: the same words said with vocal effort."""
    raised = librosa.effects.pitch_shift(y, sr=SR, n_steps=4.0)
    brighter = np.append(raised[0], raised[1:] - 0.6 * raised[:-1])
    return (0.9 * brighter / np.abs(brighter).max()).astype(np.float32)


@pytest.fixture
def festival_voice(tmp_path, monkeypatch):
    """Scenario and data folders for this test, festival's calm baseline stored for 'ana'."""
    from voicecoach.cli.calibrate import PASSAGE

    scenarios = tmp_path / "scenarios"
    shutil.copytree(PROJECT_DIR / "scenarios" / "protocols", scenarios / "protocols")
    doc = yaml.safe_load((PROJECT_DIR / "scenarios" / "double_billing.yaml").read_text())
    doc.update(id=SCENARIO_ID, title="Tense voice", max_turns=4)
    doc["caller"]["mood_start"] = 4
    doc["lines"]["opening"] = ["Hello. I was charged twice."]
    (scenarios / f"{SCENARIO_ID}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    for key, folder in [("SCENARIOS", scenarios), ("DATA", tmp_path / "data")]:
        monkeypatch.setenv(f"VOICECOACH_{key}_DIR", str(folder))
    wav = festival_wav(tmp_path, PASSAGE, "passage")
    baseline = baseline_from_recording(*load_audio(wav), source="festival passage")
    save_baseline("ana", baseline)
    return baseline


def test_a_tense_turn_raises_the_callers_mood_with_the_delivery_reason(festival_voice, tmp_path):
    from voicecoach.audio.virtual import (
        use_virtual_audio,
        virtual_alsa_config,
        write_microphone_file,
    )
    from voicecoach.live.run import run_live_call
    from voicecoach.live.scripted import festival_speech
    from voicecoach.live.view import print_summary

    calm = festival_speech(LINE)
    tense = tense_version(calm)
    assert analyze_speech(calm, SR, baseline=festival_voice).calm is True  # the same words calm
    mic = write_microphone_file(
        np.concatenate([np.zeros(4 * SR, np.float32), tense]), SR, tmp_path / "mic.raw"
    )
    config = virtual_alsa_config(mic, tmp_path, speaker_path=os.devnull)
    calls = []

    def stop_after_the_reply(line, final: bool) -> None:
        if calls and calls[0].caller.turns >= 1:  # the caller has answered the tense turn
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
    (delivery,) = [e for e in events if e["type"] == "delivery"]
    assert delivery["calm"] is False and delivery["reference"] == "baseline"
    assert delivery["reference_title"] == "your calm voice"
    titles = [r["title"] for r in delivery["reasons"]]
    assert titles and all("_" not in t for t in titles)
    moods = [e for e in events if e["type"] == "mood" and e["reason"].startswith("delivery_tense")]
    assert len(moods) == 1 and moods[0]["new"] > moods[0]["old"]
    assert titles[0] in moods[0]["evidence"]
    console = Console(record=True, width=200)
    print_summary(console, result.to_json())
    shown = console.export_text()
    assert "Voice: not always calm (0 of 1 turns calm, judged against your calm voice)" in shown
    assert delivery["reasons"][0]["tip"] in shown
