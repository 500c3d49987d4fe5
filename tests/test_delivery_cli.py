"""`voicecoach analyze` and `voicecoach calibrate` on festival speech, files and a virtual mic."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from delivery_signals import SR, festival_wav, voice

from voicecoach.audio.io import load_audio, write_wav
from voicecoach.cli import cli

SENTENCE = (
    "Thank you for calling the clinic. I understand the wait has been frustrating, "
    "and I will check the schedule for you right now."
)
SENTENCE_WORDS = 23


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory) -> str:
    """Natural English speech from festival's text2wave (about 7 s)."""
    return str(festival_wav(tmp_path_factory.mktemp("speech"), SENTENCE, "line"))


@pytest.fixture(scope="session")
def passage_wav(tmp_path_factory) -> str:
    """The calibration passage read by festival (about 27 s, 13 s of it voiced)."""
    from voicecoach.cli.calibrate import PASSAGE

    return str(festival_wav(tmp_path_factory.mktemp("passage"), PASSAGE, "passage"))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_analyze_speech_file_json(speech_wav):
    result = run("analyze", speech_wav, "--json")
    assert result.exit_code == 0, result.output
    (data,) = json_lines(result.output)
    assert data["file"] == speech_wav
    assert data["status"] == "ok" and data["calm"] is True
    assert data["reference"] == "population"
    assert {r["feature"] for r in data["reasons"]} <= {"speaking_rate_wpm"}  # festival is quick
    feats = data["features"]
    assert feats["pace_source"] == "syllables"
    assert 120 < feats["speaking_rate_wpm"] < 260
    assert 80 < feats["f0_median_hz"] < 300
    assert feats["voiced_s"] > 2.0


def test_analyze_with_word_times_counts_words(speech_wav, tmp_path):
    y, sr = load_audio(speech_wav)
    duration_s = len(y) / sr
    step_s = (duration_s - 1.0) / SENTENCE_WORDS
    words = [
        {"word": w, "start_s": 0.5 + i * step_s, "end_s": 0.5 + (i + 0.9) * step_s, "conf": 1}
        for i, w in enumerate(SENTENCE.split())
    ]
    words_json = tmp_path / "words.json"
    words_json.write_text(json.dumps({"words": words}))
    result = run("analyze", speech_wav, "--words", str(words_json), "--json")
    (data,) = json_lines(result.output)
    span_s = words[-1]["end_s"] - words[0]["start_s"]
    assert data["features"]["pace_source"] == "words"
    assert data["features"]["speaking_rate_wpm"] == pytest.approx(60 * 23 / span_s, rel=1e-3)
    assert data["features"]["filled_pause_count"] == 0


def test_readable_report_and_plot(speech_wav, tmp_path):
    out = tmp_path / "plot.png"
    result = run("analyze", speech_wav, "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert ": calm (tension" in result.output
    assert "Pace:" in result.output and "Pitch steadiness:" in result.output
    assert "f0_spread_st" not in result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_baseline_file_judges_tense_voice(tmp_path):
    calm = write_wav(tmp_path / "calm.wav", voice(120.0, syllables_per_s=4.0), SR)
    tense = write_wav(
        tmp_path / "tense.wav",
        voice(120.0 * 2 ** (6 / 12), tilt_db_per_octave=-8.0, syllables_per_s=4.0),
        SR,
    )
    result = run("analyze", str(calm), str(tense), "--baseline", str(calm), "--json")
    assert result.exit_code == 0, result.output
    first, second = json_lines(result.output)
    assert first["calm"] is True and second["calm"] is False
    pitch = {r["feature"]: r for r in second["reasons"]}["pitch_shift_st"]
    assert pitch["value"] == pytest.approx(6.0, abs=0.2)
    assert pitch["tip"].startswith(f"lower your pitch: {pitch['value']:+.1f} semitones above")


def test_silent_file_is_not_enough_speech(tmp_path):
    silent = write_wav(tmp_path / "silent.wav", np.zeros(SR * 2, dtype=np.float32), SR)
    result = run("analyze", str(silent), "--json")
    assert result.exit_code == 0
    (data,) = json_lines(result.output)
    assert data["calm"] is None and data["status"] == "not enough speech"


def test_unreadable_file_is_one_error_line(tmp_path, speech_wav):
    junk = tmp_path / "junk.wav"
    junk.write_text("not audio")
    result = run("analyze", str(junk))
    assert result.exit_code == 2
    assert result.output.strip().startswith("Error:") and "junk.wav" in result.output
    assert len(result.output.strip().splitlines()) == 1
    several = run("analyze", str(junk), speech_wav, "--json")  # the good file still analysed
    assert several.exit_code == 2
    assert [d["file"] for d in json_lines(several.output)] == [speech_wav]


def test_conflicting_options_are_usage_errors(speech_wav, tmp_path):
    assert run("analyze", speech_wav, "--baseline", speech_wav, "--trainee", "x").exit_code == 2
    bad_words = tmp_path / "w.json"
    bad_words.write_text('[{"word": "hi"}]')
    result = run("analyze", speech_wav, "--words", str(bad_words))
    assert result.exit_code == 2 and "start_s" in result.output


def test_calibrate_from_file_then_analyze_by_trainee(passage_wav, speech_wav, data_dir):
    result = run("calibrate", "--trainee", "sam", "--file", passage_wav)
    assert result.exit_code == 0, result.output
    assert "Stored the baseline of sam" in result.output
    assert "Voice pitch:" in result.output and "Voiced speech:" in result.output
    stored = json.loads((data_dir / "baselines" / "sam.json").read_text())
    assert 80 < stored["f0_median_hz"] < 300 and stored["voiced_s"] >= 10
    result = run("analyze", speech_wav, "--trainee", "sam", "--json")
    (data,) = json_lines(result.output)
    assert data["reference"] == "baseline" and data["calm"] is True
    assert data["reference_title"] == "your calm voice"


def _bad_baselines(passage: np.ndarray) -> dict[str, np.ndarray]:
    t = np.arange(SR * 20) / SR
    return {
        "a pure tone": 0.5 * np.sin(2 * np.pi * 220 * t),
        "noise": np.random.default_rng(0).normal(0, 0.1, SR * 20),
        "silence": np.zeros(SR * 20),
        "clipped": np.clip(passage * 8, -1, 1),
        "1 s": passage[SR * 2 : SR * 3],
        "0.7 s": passage[SR * 2 : int(SR * 2.7)],
    }


def test_a_poor_recording_is_refused_in_one_line_and_the_old_baseline_kept(
    passage_wav, data_dir, tmp_path
):
    assert run("calibrate", "--trainee", "sam", "--file", passage_wav).exit_code == 0
    before = (data_dir / "baselines" / "sam.json").read_bytes()
    passage, _ = load_audio(passage_wav)
    expected = {
        "a pure tone": "steady tone, not speech",
        "noise": "voiced speech",
        "silence": "no sound was heard",
        "clipped": "clipped",
        "1 s": "at least 10 s",
        "0.7 s": "at least 10 s",
    }
    for name, y in _bad_baselines(passage).items():
        bad = write_wav(tmp_path / f"{name}.wav", y.astype(np.float32), SR)
        result = run("calibrate", "--trainee", "sam", "--file", str(bad))
        assert result.exit_code == 2, name
        (line,) = result.output.strip().splitlines()
        assert line.startswith("Error:") and expected[name] in line, line
        assert line.endswith("(your previous baseline is kept)"), line
        assert (data_dir / "baselines" / "sam.json").read_bytes() == before, name


def test_a_folder_given_as_audio_is_named_as_a_folder(tmp_path, data_dir):
    for args in (
        ["analyze", str(tmp_path)],
        ["calibrate", "--trainee", "x", "--file", str(tmp_path)],
    ):
        result = run(*args)
        assert result.exit_code == 2
        assert "is a folder, not an audio file" in result.output
        assert "no such file" not in result.output


def test_plot_into_a_missing_folder_creates_it_and_says_where(speech_wav, tmp_path):
    out = tmp_path / "new" / "plots" / "turn.png"
    result = run("analyze", speech_wav, "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert f"plot written to {out} (created the folder {out.parent})" in result.output
    assert out.read_bytes()[:4] == b"\x89PNG"
    again = run("analyze", speech_wav, "--plot", str(out), "--json")
    assert json_lines(again.output)[0]["plot"] == str(out)


def test_analyze_unknown_trainee_says_how_to_calibrate(speech_wav, data_dir):
    result = run("analyze", speech_wav, "--trainee", "nobody")
    assert result.exit_code == 2
    assert "voicecoach calibrate --trainee 'nobody'" in result.output


def test_calibrate_records_the_microphone(virtual_audio, passage_wav, data_dir):
    y, sr = load_audio(passage_wav)
    virtual_audio.set_microphone(y, sr)
    result = run("calibrate", "--trainee", "mic user", "--seconds", "27", "--json")
    assert result.exit_code == 0, result.output
    assert "Read this aloud" in result.output
    assert "Recording in 3..." in result.output and "Recording in 1..." in result.output
    (stored,) = json_lines(result.output)
    assert stored["source"] == "microphone"
    assert stored["voiced_s"] >= 10
    assert (data_dir / "baselines" / "mic user.json").is_file()


def test_the_level_meter_tells_too_quiet_from_too_loud():
    from voicecoach.cli.calibrate import level_meter

    quiet, good = voice(150.0, level=0.003), voice(150.0, level=0.3)
    assert "speak up" in level_meter(quiet)
    assert level_meter(good).count("█") > level_meter(quiet).count("█")
    assert "speak up" not in level_meter(good) and "too loud" not in level_meter(good)
    assert "too loud!" in level_meter(np.clip(good * 10, -1, 1))
