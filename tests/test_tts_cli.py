"""`voicecoach speak`: to a file, to the (virtual) speaker, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from voicecoach.audio.virtual import create_virtual_audio, no_device_alsa_config, virtual_env
from voicecoach.cli import cli

VOICECOACH = [sys.executable, "-m", "voicecoach"]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CACHE_DIR", str(tmp_path / "cache"))


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["speak", *args])


def test_speak_writes_a_wav_file_and_options_change_it(tmp_path):
    slow, fast = tmp_path / "slow.wav", tmp_path / "fast.wav"
    assert run("Your appointment is on Tuesday.", "--out", str(slow)).exit_code == 0
    result = run(
        "Your appointment is on Tuesday.",
        *("--out", str(fast), "--rate", "260", "--pitch", "80", "--volume", "1"),
        "--voice",
        "en-us",
    )
    assert result.exit_code == 0 and str(fast) in result.output
    slow_info, fast_info = sf.info(str(slow)), sf.info(str(fast))
    assert slow_info.subtype == "PCM_16" and slow_info.samplerate == 22050
    assert fast_info.duration < 0.8 * slow_info.duration


def test_list_voices_prints_ids_and_names():
    result = run("--list-voices", "--json")
    voices = [json.loads(line) for line in result.output.splitlines()]
    assert {"id": "gmw/en-us", "name": "English (America)", "languages": ["en-us"]} in voices
    assert "gmw/en-us" in run("--list-voices").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Hello", "--voice", "martian"], "Error: unknown voice 'martian'"),
        (["Hello", "--rate", "5"], "Invalid value for '--rate'"),
        (["Hello", "--volume", "3"], "Invalid value for '--volume'"),
        (["   "], "Error: give the TEXT to say"),
    ],
)
def test_bad_input_gives_one_clear_line(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_speak_plays_on_the_speaker(tmp_path):
    audio = create_virtual_audio(tmp_path / "audio")
    reference = tmp_path / "reference.wav"
    assert run("Please hold the line.", "--out", str(reference)).exit_code == 0
    done = subprocess.run(
        [*VOICECOACH, "speak", "Please hold the line."],
        env=audio.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    expected, _ = sf.read(str(reference), dtype="float32")
    played = audio.played()
    start = int(np.flatnonzero(np.abs(played) > 1e-4)[0])
    lead = int(np.flatnonzero(np.abs(expected) > 1e-4)[0])
    segment = played[start - lead : start - lead + len(expected)]
    assert len(segment) == len(expected)
    assert np.max(np.abs(segment - expected)) < 1e-4


def test_speak_without_an_output_device_points_to_devices_and_out(tmp_path: Path):
    env = virtual_env(no_device_alsa_config(tmp_path))
    done = subprocess.run(
        [*VOICECOACH, "speak", "Hello"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Error: no audio output device found: run `voicecoach devices` to see the available "
        "devices (or write the speech to a file with --out FILE.wav)"
    ]
