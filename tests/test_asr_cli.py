"""`voicecoach transcribe`: real files through the real engines, and clear errors on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from voicecoach.asr.models import korean_test_model
from voicecoach.audio.io import load_audio, resample
from voicecoach.cli import cli

SENTENCE = "please bring your insurance card to your appointment on tuesday"


@pytest.fixture(scope="module")
def audio_files(tmp_path_factory):
    """The sentence as a 16 kHz mono wav and a 44.1 kHz stereo flac."""
    folder = tmp_path_factory.mktemp("audio")
    wav = folder / "sentence.wav"
    subprocess.run(["text2wave", "-o", str(wav)], input=SENTENCE, text=True, check=True)
    y, sr = load_audio(wav)
    y44 = resample(np.concatenate([np.zeros(4000, np.float32), y]), orig_sr=sr, target_sr=44100)
    flac = folder / "stereo 44k.flac"
    sf.write(str(flac), np.stack([y44, 0.5 * y44], axis=1), 44100)
    return wav, flac


@pytest.fixture(autouse=True)
def no_installed_models(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("VOICECOACH_VOSK_MODEL", raising=False)


def run(*args: str):
    return CliRunner().invoke(cli, ["transcribe", *args])


def test_json_lines_for_wav_and_stereo_flac_with_timed_words(audio_files):
    result = run("--json", *map(str, audio_files))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(p) for p in audio_files]
    for line in lines:
        assert set(line) == {"file", "engine", "text", "words", "duration_s", "rtf"}
        assert line["engine"] == "whisper"
        heard = [w.strip(".,?!").lower() for w in line["text"].split()]
        assert sum(w in heard for w in SENTENCE.split()) >= 0.8 * len(SENTENCE.split())
        starts = [w["start_s"] for w in line["words"]]
        assert starts == sorted(starts) and starts[-1] < line["duration_s"]
        assert set(line["words"][0]) == {"word", "start_s", "end_s", "conf"}
        assert line["rtf"] > 0
    assert lines[1]["words"][0]["start_s"] > lines[0]["words"][0]["start_s"]  # 0.25 s lead-in
    assert "speech recognition: whisper" in result.stderr


def test_readable_output_and_vosk_with_the_korean_model(tmp_path):
    korean = tmp_path / "korean.wav"
    korean_text = "예약을 확인해 드리겠습니다"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(korean), korean_text], check=True)
    result = run("--engine", "vosk", "--model", str(korean_test_model()), str(korean))
    assert result.exit_code == 0, result.output
    assert str(korean) in result.stdout and "vosk" in result.stdout
    assert "speech recognition: vosk" in result.stderr


def test_bad_files_are_one_line_each_and_the_good_one_still_runs(audio_files, tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    short = tmp_path / "short.wav"
    sf.write(str(short), np.zeros(400, np.float32), 16000)
    missing = tmp_path / "missing.ogg"
    result = run("--json", str(text), str(empty), str(short), str(audio_files[0]), str(missing))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    assert json.loads(result.stdout)["file"] == str(audio_files[0])
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 5
    for bad in (text, empty, short, missing):
        assert sum(str(bad) in line for line in errors) == 1
    assert "0.03 s" in next(line for line in errors if str(short) in line)
    assert "4 of 5 files" in errors[-1]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("engine", ["auto", "vosk"])
def test_missing_or_invalid_model_dir_is_one_line_as_a_real_command(tmp_path, engine):
    env = {**os.environ, "VOICECOACH_MODELS_DIR": str(tmp_path)}
    env.pop("VOICECOACH_VOSK_MODEL", None)
    for model in (tmp_path / "does-not-exist", tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "voicecoach", "transcribe", "--engine", engine,
             "--model", str(model), "any.wav"],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error:")
        assert str(model) in result.stderr and "vosk model" in result.stderr
