"""Speech synthesis through pyttsx3/espeak-ng: reliability, voice settings, cache."""

from __future__ import annotations

import hashlib
import subprocess
from itertools import pairwise

import numpy as np
import pytest
import soundfile as sf

from voicecoach.errors import SynthesisError
from voicecoach.tts.cache import SpeechCache
from voicecoach.tts.synth import Synthesizer
from voicecoach.tts.voice import CALM_VOICE, VoiceSettings, agitated_voice

FILLER = (
    "I have been waiting on hold for a very long time and nobody at this office "
    "will tell me why my bill is so much higher than last month"
)
LINE = "I have been on hold for forty minutes and I want to know why."


@pytest.fixture(scope="module")
def synthesizer():
    synth = Synthesizer(use_cache=False)
    yield synth
    synth.close()


def caller_line(i: int) -> str:
    """Line i: its number, then 2-6 filler words on even lines, 17-21 on odd ones."""
    return f"Caller line {i}. " + " ".join(FILLER.split()[: 2 + 15 * (i % 2) + (i * 3) % 5])


def caller_voice(i: int) -> VoiceSettings:
    """Settings that change from each line to the next (a dropped change shows)."""
    return VoiceSettings(
        voice_id="gmw/en",
        rate_wpm=(150, 230)[i % 2],
        pitch=(30, 50, 70)[i % 3],
        volume=(0.5, 1.0)[(i // 2) % 2],
    )


def espeak_cli_duration_s(text: str, voice: VoiceSettings) -> float:
    """How long espeak-ng's own command line takes to say `text` (an independent reference)."""
    wav = subprocess.run(
        ["espeak-ng", "-s", str(voice.rate_wpm), "-p", str(voice.pitch), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    frames = (len(wav) - 44) // 2
    return frames / 22050


def test_one_hundred_lines_in_a_row_each_land_in_their_own_complete_file(synthesizer, tmp_path):
    lines = [caller_line(i) for i in range(100)]
    voices = [caller_voice(i) for i in range(100)]
    paths = [
        synthesizer.synthesize_to_file(line, voice, tmp_path / f"line-{i:03d}.wav")
        for i, (line, voice) in enumerate(zip(lines, voices, strict=True))
    ]

    expected_s = [
        espeak_cli_duration_s(line, voice) for line, voice in zip(lines, voices, strict=True)
    ]
    assert min(abs(a - b) for a, b in pairwise(expected_s)) > 0.3, (
        "neighbouring lines must differ in length for the check below to catch mix-ups"
    )
    digests = set()
    for line, voice, path, duration_s in zip(lines, voices, paths, expected_s, strict=True):
        y, sr = sf.read(str(path), dtype="float32")
        assert sr == 22050, path.name
        assert abs(len(y) / sr - duration_s) < 0.15, f"{path.name} does not hold {line!r}"
        assert 0.6 < np.abs(y).max() / voice.volume < 1.0, f"{path.name}: volume not applied"
        digests.add(hashlib.sha256(y.tobytes()).hexdigest())
    assert len(digests) == 100, "two lines produced the same audio"


def pitch_hz(y: np.ndarray, sr: int) -> float:
    """Median autocorrelation pitch over the loud 40 ms frames (70-400 Hz)."""
    frame = int(0.04 * sr)
    frames = [y[i : i + frame] for i in range(0, len(y) - frame, frame)]
    loud = [f for f in frames if np.sqrt(np.mean(f**2)) > 0.3 * np.sqrt(np.mean(y**2))]
    lags = np.arange(sr // 400, sr // 70)
    estimates = []
    for f in loud:
        ac = np.correlate(f, f, "full")[frame - 1 :]
        estimates.append(sr / lags[np.argmax(ac[lags])])
    return float(np.median(estimates))


def test_an_agitated_caller_speaks_faster_louder_and_higher(synthesizer):
    calm, calm_sr = synthesizer.synthesize(LINE, agitated_voice(0))
    furious, furious_sr = synthesizer.synthesize(LINE, agitated_voice(10))
    assert len(furious) / furious_sr < 0.8 * len(calm) / calm_sr
    assert np.sqrt(np.mean(furious**2)) > 1.15 * np.sqrt(np.mean(calm**2))
    assert pitch_hz(furious, furious_sr) > 1.2 * pitch_hz(calm, calm_sr)


def test_voice_ids_names_and_short_ids_select_a_voice(synthesizer):
    american, _ = synthesizer.synthesize(LINE, VoiceSettings(voice_id="en-us"))
    by_name, _ = synthesizer.synthesize(LINE, VoiceSettings(voice_id="English (America)"))
    scottish, _ = synthesizer.synthesize(LINE, VoiceSettings(voice_id="gmw/en-gb-scotland"))
    assert abs(len(american) - len(by_name)) < 0.02 * len(american)
    assert abs(len(american) - len(scottish)) > 0.02 * len(american)
    assert "gmw/en-us" in {voice.id for voice in synthesizer.voices()}


def test_unknown_voice_and_empty_text_are_refused(synthesizer):
    with pytest.raises(SynthesisError, match="unknown voice 'robot9'.*--list-voices"):
        synthesizer.synthesize(LINE, VoiceSettings(voice_id="robot9"))
    with pytest.raises(SynthesisError, match="the text is empty"):
        synthesizer.synthesize("  \n ", CALM_VOICE)


def test_a_killed_worker_is_restarted_and_the_line_still_comes_out(synthesizer):
    synthesizer.synthesize("Warming up.", CALM_VOICE)
    synthesizer._worker._process.kill()
    y, sr = synthesizer.synthesize(LINE, CALM_VOICE)
    assert len(y) / sr > 2.0


def test_lines_are_cached_by_text_and_voice(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CACHE_DIR", str(tmp_path / "cache"))
    first = Synthesizer()
    try:
        y, sr = first.synthesize(LINE, agitated_voice(6))
        other, _ = first.synthesize(LINE, agitated_voice(7))
    finally:
        first.close()
    entries = sorted((tmp_path / "cache" / "tts").rglob("*"))
    wavs = [p for p in entries if p.suffix == ".wav"]
    assert len(wavs) == 2 and not [p for p in entries if p.name.endswith(".tmp")]
    assert len(other) != len(y)

    second = Synthesizer()
    try:
        cached, cached_sr = second.synthesize(LINE, agitated_voice(6))
        assert second._worker._process is None, "a cached line must not start the engine"
    finally:
        second.close()
    assert cached_sr == sr and np.array_equal(cached, y)


def test_a_damaged_cache_entry_is_synthesised_again(tmp_path):
    cache = SpeechCache(tmp_path)
    cache.put(LINE, CALM_VOICE, np.zeros(100, dtype=np.float32), 22050)
    cache.path_for(LINE, CALM_VOICE).write_bytes(b"RIFF not really")
    synth = Synthesizer(cache=cache)
    try:
        y, sr = synth.synthesize(LINE, CALM_VOICE)
    finally:
        synth.close()
    assert len(y) / sr > 2.0
    assert np.array_equal(cache.get(LINE, CALM_VOICE)[0], y)
