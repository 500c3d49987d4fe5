"""Delivery features on synthetic signals with known answers, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from delivery_signals import SR, silence, voice

from voicecoach.asr.base import Word
from voicecoach.delivery import NOT_ENOUGH_SPEECH, analyze_call, analyze_speech
from voicecoach.delivery import features as F


def test_loudness_of_a_sine_is_its_level_in_dbfs():
    t = np.arange(SR) / SR
    for amplitude, expected_db in [(1.0, 0.0), (0.1, -20.0), (0.01, -40.0)]:
        y = amplitude * np.sin(2 * np.pi * 440 * t)
        track = F.loudness_db_track(y, SR)
        assert np.median(track[10:-10]) == pytest.approx(expected_db, abs=0.2)


@pytest.mark.parametrize("f0_hz", [85.0, 150.0, 240.0, 420.0])
def test_median_pitch_of_a_steady_voice(f0_hz):
    result = analyze_speech(voice(f0_hz), SR)
    assert result.status == "ok"
    assert result.features.f0_median_hz == pytest.approx(f0_hz, rel=0.01)
    assert result.features.f0_spread_st < 0.15
    assert result.features.voiced_s > 2.5


def test_glide_gives_slope_and_range_in_semitones():
    feats = analyze_speech(voice(110.0, duration_s=2.0, glide_st=12.0), SR).features
    assert feats.f0_slope_st_per_s == pytest.approx(6.0, rel=0.05)
    assert feats.f0_range_st == pytest.approx(12.0 * 0.9, abs=0.6)  # 5th to 95th percentile


def test_vibrato_depth_is_the_pitch_spread():
    feats = analyze_speech(voice(200.0, vibrato_st=1.0, vibrato_hz=2.0), SR).features
    # half the 10-90 % range of a 1-semitone sine is sin(0.4 pi); the 64 ms F0 frame
    # smooths a 2 Hz vibrato by sinc(2 Hz * 32 ms)
    expected_st = np.sin(0.4 * np.pi) * np.sinc(2.0 * 0.032)
    assert feats.f0_spread_st == pytest.approx(expected_st, abs=0.05)
    assert feats.f0_median_hz == pytest.approx(200.0, rel=0.01)


def test_brightness_and_pitch_do_not_depend_on_the_recording_level():
    loud = analyze_speech(voice(180.0, level=0.5), SR).features
    quiet = analyze_speech(voice(180.0, level=0.05), SR).features
    assert quiet.loudness_median_db - loud.loudness_median_db == pytest.approx(-20.0, abs=0.3)
    assert quiet.high_band_ratio_db == pytest.approx(loud.high_band_ratio_db, abs=0.1)
    assert quiet.centroid_hz == pytest.approx(loud.centroid_hz, rel=0.01)
    assert quiet.f0_median_hz == pytest.approx(loud.f0_median_hz, rel=0.005)


def test_flatter_spectral_tilt_reads_brighter():
    dull = analyze_speech(voice(150.0, tilt_db_per_octave=-12.0), SR).features
    bright = analyze_speech(voice(150.0, tilt_db_per_octave=-6.0), SR).features
    assert bright.high_band_ratio_db > dull.high_band_ratio_db + 10.0
    assert bright.centroid_hz > 1.5 * dull.centroid_hz


def test_pauses_between_stretches_of_voice():
    y = np.concatenate(
        [
            voice(150.0, duration_s=1.0),
            silence(0.5),
            voice(150.0, duration_s=1.0),
            silence(0.8),
            voice(150.0, duration_s=1.0),
        ]
    )
    feats = analyze_speech(y, SR).features
    assert feats.pause_count == 2
    assert feats.pause_longest_s == pytest.approx(0.8, abs=0.06)
    assert feats.pause_mean_s == pytest.approx(0.65, abs=0.06)


@pytest.mark.parametrize("rate_per_s", [3.0, 5.0])
def test_syllable_rate_from_loudness_pulses(rate_per_s):
    feats = analyze_speech(voice(150.0, duration_s=4.0, syllables_per_s=rate_per_s), SR).features
    assert feats.pace_source == "syllables"
    assert feats.syllable_rate_per_s == pytest.approx(rate_per_s, rel=0.15)


def _words(texts: list[str], *, start_s: float = 0.0, step_s: float = 0.5) -> list[Word]:
    return [Word(w, start_s + i * step_s, start_s + i * step_s + 0.4) for i, w in enumerate(texts)]


def test_pace_articulation_and_fillers_from_word_times():
    words = _words(["please", "um", "hold", "the", "line", "uh", "for", "me"])
    words += _words(["thank", "you"], start_s=words[-1].end_s + 1.0)  # one 1 s pause
    span_s = words[-1].end_s - words[0].start_s
    assert F.speaking_rate_wpm(words) == pytest.approx(60 * 8 / span_s)
    assert F.articulation_rate_wpm(words) == pytest.approx(60 * 8 / (span_s - 1.0))
    assert F.filled_pause_count(words) == 2
    assert list(F.word_pauses_s(words)) == pytest.approx([1.0])


def test_words_are_placed_on_the_clip_clock_with_t0():
    y = voice(150.0, duration_s=4.0)
    words = _words(["a", "b", "c", "d", "e", "f"], start_s=10.0)  # call clock
    inside = analyze_speech(y, SR, words=words, t0_s=10.0).features
    outside = analyze_speech(y, SR, words=words).features  # words after the clip end
    assert inside.pace_source == "words"
    assert inside.speaking_rate_wpm == pytest.approx(60 * 6 / 2.9)
    assert outside.pace_source == "syllables"


def _assert_finite_json(result) -> None:
    text = json.dumps(result.to_json(tracks=True), allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text


@pytest.mark.parametrize(
    "name, y",
    [
        ("silence", silence(2.0)),
        ("empty", np.zeros(0, dtype=np.float32)),
        ("very short", voice(150.0, duration_s=0.15)),
        ("white noise", np.random.default_rng(1).normal(0, 0.2, 2 * SR)),
        ("rumble", np.cumsum(np.random.default_rng(2).normal(0, 0.01, 2 * SR))),
        ("hum", 0.3 * np.sign(np.sin(2 * np.pi * 50 * np.arange(2 * SR) / SR))),
        ("not a number", np.full(SR, np.nan)),
    ],
)
def test_bad_input_is_not_enough_speech_never_nan(name, y):
    result = analyze_speech(y, SR)
    assert result.calm is None
    assert result.status == NOT_ENOUGH_SPEECH
    assert result.problems
    _assert_finite_json(result)


def test_clipped_recording_is_refused_with_advice():
    y = np.clip(voice(150.0, level=1.0) * 4.0, -1.0, 1.0)
    result = analyze_speech(y, SR)
    assert result.calm is None
    assert any("clipped" in p and "gain" in p for p in result.problems)
    assert analyze_speech(voice(150.0, level=0.99), SR).calm is not None  # loud, not clipped


def test_other_sample_rates_and_stereo_give_the_same_answer():
    y = voice(150.0, sr=44100)
    mono = analyze_speech(y, 44100).features
    stereo = analyze_speech(np.stack([y, y], axis=1), 44100).features
    assert mono.f0_median_hz == pytest.approx(150.0, rel=0.01)
    assert stereo.f0_median_hz == pytest.approx(mono.f0_median_hz)
    pcm = analyze_speech((y * 32767).astype(np.int16), 44100).features
    assert pcm.loudness_median_db == pytest.approx(mono.loudness_median_db, abs=0.01)


def test_tracks_for_plots_line_up():
    result = analyze_speech(voice(150.0, duration_s=2.0), SR, t0_s=5.0)
    assert len(result.times_s) == len(result.f0_hz) == len(result.loudness_db)
    assert result.times_s[0] == pytest.approx(5.0)
    assert np.nanmedian(result.f0_hz) == pytest.approx(150.0, rel=0.01)
    _assert_finite_json(result)


def test_call_analysis_per_turn_and_whole():
    y = np.concatenate([voice(120.0, duration_s=2.0), silence(2.0), voice(180.0, duration_s=2.0)])
    call = analyze_call(y, SR, turns_s=[(0.0, 2.0), (4.0, 6.0), (2.2, 3.8)])
    medians = [t.features.f0_median_hz for t in call.turns[:2]]
    assert medians == pytest.approx([120.0, 180.0], rel=0.01)
    assert call.turns[2].status == NOT_ENOUGH_SPEECH
    assert call.whole.features.f0_slope_st_per_s > 0  # pitch rose over the call
    json.dumps(call.to_json(), allow_nan=False)
