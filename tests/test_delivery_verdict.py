"""Calm verdicts against a speaker's own baseline, reasons and tips, stored baselines."""

from __future__ import annotations

import json

import numpy as np
import pytest
from delivery_signals import SR, voice

from voicecoach.asr.base import Word
from voicecoach.delivery import (
    Baseline,
    analyze_speech,
    baseline_path,
    load_baseline,
    save_baseline,
    start_warm_up,
    warm_up,
)
from voicecoach.delivery.calm_model import FEATURES, load_model
from voicecoach.delivery.verdict import BASELINE_TIPS
from voicecoach.delivery.vocabulary import measures
from voicecoach.errors import AudioError, BaselineError


def calm_voice(f0_hz: float, seed: int = 0, **kw):
    return voice(f0_hz, syllables_per_s=4.0, vibrato_st=0.5, vibrato_hz=1.5, seed=seed, **kw)


def tense_voice(f0_hz: float, **kw):
    """Higher (+5 st), brighter (flatter tilt), louder, with stronger peaks."""
    return voice(
        f0_hz * 2 ** (5 / 12),
        syllables_per_s=4.0,
        vibrato_st=1.5,
        vibrato_hz=1.5,
        tilt_db_per_octave=-7.0,
        peak_boost=1.5,
        **kw,
    )


@pytest.fixture(scope="module")
def baselines():
    return {
        sex: Baseline.from_audio(calm_voice(f0, seed=1, duration_s=4.0), SR, source=sex)
        for sex, f0 in [("male", 110.0), ("female", 210.0)]
    }


@pytest.mark.parametrize("sex, f0_hz", [("male", 110.0), ("female", 210.0)])
def test_own_calm_voice_is_calm_and_tense_voice_is_not(baselines, sex, f0_hz):
    calm = analyze_speech(calm_voice(f0_hz, seed=7, level=0.15), SR, baseline=baselines[sex])
    assert calm.calm is True and calm.reasons == () and calm.reference == "baseline"
    tense = analyze_speech(tense_voice(f0_hz), SR, baseline=baselines[sex])
    assert tense.calm is False
    by_feature = {r.feature: r for r in tense.reasons}
    pitch = by_feature["pitch_shift_st"]
    assert pitch.value == pytest.approx(5.0, abs=0.3)
    assert pitch.band == (None, pytest.approx(load_model().edge("pitch_shift_st", 0.5)))
    assert pitch.tip.startswith(f"lower your pitch: {pitch.value:+.1f} semitones above your calm")
    assert pitch.title == "Pitch compared with your calm voice"


def test_pitch_is_judged_relative_to_the_speaker_not_a_fixed_band(baselines):
    """A calm woman's voice is calm against her baseline, tense against a man's."""
    her_voice = calm_voice(210.0, seed=3)
    assert analyze_speech(her_voice, SR, baseline=baselines["female"]).calm is True
    against_him = analyze_speech(her_voice, SR, baseline=baselines["male"])
    assert against_him.calm is False
    assert against_him.reasons[0].feature == "pitch_shift_st"


def test_unsteady_pitch_gets_a_steadiness_tip(baselines):
    swinging = voice(110.0, syllables_per_s=4.0, vibrato_st=8.0, vibrato_hz=1.5)
    result = analyze_speech(swinging, SR, baseline=baselines["male"])
    assert result.calm is False
    steadiness = {r.feature: r for r in result.reasons}["pitch_range_shift_st"]
    assert steadiness.value > 6.0
    assert steadiness.tip.startswith("keep your pitch steady:")


def test_a_quieter_voice_is_calm_and_a_much_louder_one_is_vocal_effort(baselines):
    quiet = analyze_speech(calm_voice(110.0, seed=4, level=0.05), SR, baseline=baselines["male"])
    assert quiet.calm is True
    loud = analyze_speech(calm_voice(110.0, seed=4, level=0.95), SR, baseline=baselines["male"])
    assert loud.calm is False  # +10 dB on the same microphone
    assert loud.reasons[0].feature == "loudness_shift_db"
    assert loud.reasons[0].tip.startswith(f"lower your volume: {loud.reasons[0].value:+.1f} dB")
    assert loud.reasons[0].value > 8.0


def test_every_model_cue_has_a_plain_name_and_a_tip():
    assert set(BASELINE_TIPS) | {"pace_shift_pct"} == set(FEATURES)
    assert set(FEATURES) <= set(measures())


def test_without_a_baseline_population_values_are_used():
    calm = analyze_speech(calm_voice(110.0), SR)
    assert calm.reference == "population" and calm.calm is True
    pressed = analyze_speech(voice(110.0, tilt_db_per_octave=0.0, syllables_per_s=4.0), SR)
    assert pressed.calm is False
    assert pressed.reasons[0].feature == "high_band_ratio_db"
    assert "voicecoach calibrate" in pressed.reasons[0].tip


def _even_words(n: int, span_s: float, fillers: int = 0) -> list[Word]:
    step_s = span_s / n
    texts = ["um"] * fillers + ["word"] * (n - fillers)
    return [Word(t, i * step_s, (i + 0.8) * step_s) for i, t in enumerate(texts)]


def test_pace_tips_name_the_band_that_judged_and_come_only_with_a_tense_verdict(baselines):
    y = calm_voice(110.0, duration_s=6.0)
    fast_words = _even_words(24, 6.0)  # 240 wpm
    typical = analyze_speech(y, SR, words=fast_words)
    assert typical.calm is False and typical.reference == "population"
    pace = {r.feature: r for r in typical.reasons}["speaking_rate_wpm"]
    assert pace.value == pytest.approx(24 * 60 / 5.96, rel=0.01)
    assert pace.band == (130.0, 170.0)
    assert pace.tip == f"slow down: {pace.value:.0f} wpm, typical calm voices speak 130-170"
    steady = analyze_speech(y, SR, words=_even_words(15, 6.0))
    assert steady.calm is True and steady.reasons == ()
    own = analyze_speech(y, SR, words=fast_words, baseline=baselines["male"])
    assert own.calm is True and own.reasons == ()  # the trainee's own calm pace and voice


def test_result_json_has_the_contract_fields(baselines):
    result = analyze_speech(tense_voice(110.0), SR, baseline=baselines["male"])
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert data["calm"] is False and data["status"] == "ok"
    assert data["reference_title"] == "your calm voice"
    assert set(data["reasons"][0]) == {"feature", "title", "value", "band", "unit", "tip"}
    assert data["features"]["f0_median_hz"] == pytest.approx(110 * 2 ** (5 / 12), rel=0.02)


def test_baseline_round_trip_and_errors(tmp_path, monkeypatch, baselines):
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path))
    path = save_baseline("Dana K", baselines["female"])
    assert path == tmp_path / "baselines" / "Dana K.json"
    assert load_baseline("Dana K") == baselines["female"]
    with pytest.raises(BaselineError, match="voicecoach calibrate"):
        load_baseline("nobody")
    for bad in ["", "../escape", "a/b", "x" * 80]:
        with pytest.raises(BaselineError, match="not usable"):
            baseline_path(bad)
    path.write_text('{"f0_median_hz": "high"}')
    with pytest.raises(BaselineError, match="Dana K.json"):
        load_baseline("Dana K")
    path.write_text("not json")
    with pytest.raises(BaselineError, match="unreadable"):
        load_baseline("Dana K")


def test_baseline_needs_voiced_speech():
    with pytest.raises(AudioError, match="voiced speech"):
        Baseline.from_audio(voice(150.0, duration_s=0.3), SR)


def test_warm_up_runs_in_the_background():
    thread = start_warm_up()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert warm_up() < 5.0  # already warm: no JIT compile left


def test_a_broken_calm_model_file_is_refused_naming_the_file_and_field(tmp_path):
    from voicecoach.delivery.calm_model import MODEL_FILE, ModelFileError

    good = json.loads(MODEL_FILE.read_text())
    cases = {
        "not json": "unreadable calm model",
        json.dumps({**good, "threshold": 1.5}): "'threshold'",
        json.dumps({**good, "coefficients": {"pitch_shift_st": 1.0}}): "'coefficients'",
        json.dumps({**good, "intercept": 50.0}): "calm voice itself would be judged tense",
    }
    for i, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"model{i}.json"
        path.write_text(text)
        with pytest.raises(ModelFileError, match=message) as err:
            load_model(path)
        assert str(path) in str(err.value)


def test_a_call_calm_in_every_turn_has_no_tips():
    """Brisk but calm turns (190 wpm, above the typical band, below 'tense') give no tips."""
    from voicecoach.delivery import analyze_call
    from voicecoach.live.call import summarise_delivery
    from voicecoach.session.review import delivery_summary

    y = np.concatenate([calm_voice(110.0, duration_s=6.0, seed=s) for s in range(3)])
    words = [
        Word(w.word, w.start_s + 6.0 * turn, w.end_s + 6.0 * turn)
        for turn in range(3)
        for w in _even_words(19, 6.0)
    ]
    call = analyze_call(y, SR, turns_s=[(0, 6), (6, 12), (12, 18)], words=words)
    assert all(t.calm is True for t in call.turns)
    assert all(t.features.speaking_rate_wpm > 170 for t in call.turns)
    assert all(t.reasons == () for t in call.turns)
    summary = summarise_delivery([t.to_json() for t in call.turns])
    assert summary["calm_turns"] == 3 and summary["tips"] == []
    assert delivery_summary(summary)["tips"] == []  # what replay, web and report show
    assert summary["reference_title"] == "typical voices"
