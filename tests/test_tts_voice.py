"""Voice settings and the agitation mapping."""

from __future__ import annotations

from itertools import pairwise

import pytest

from voicecoach.errors import SynthesisError
from voicecoach.tts.voice import CALM_VOICE, VoiceSettings, agitated_voice


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate_wpm", 20, "speaking rate 20 wpm is outside 80-450"),
        ("pitch", 120, "pitch 120 is outside 0-99"),
        ("volume", 1.5, "volume 1.5 is outside 0-1"),
    ],
)
def test_out_of_range_settings_are_refused_with_the_bad_value(field, value, message):
    with pytest.raises(SynthesisError, match=message):
        VoiceSettings(**{field: value})


def test_agitation_makes_the_voice_faster_louder_and_higher():
    voices = [agitated_voice(mood) for mood in range(11)]
    assert voices[0] == CALM_VOICE
    for calmer, angrier in pairwise(voices):
        assert angrier.rate_wpm > calmer.rate_wpm
        assert angrier.pitch > calmer.pitch
        assert angrier.volume > calmer.volume
    assert voices[10] == VoiceSettings(rate_wpm=235, pitch=80, volume=1.0)


def test_agitation_is_clamped_rounded_and_keeps_the_base_voice():
    base = VoiceSettings(voice_id="gmw/en-us", rate_wpm=400, pitch=90, volume=0.9)
    assert agitated_voice(-3, base) == base
    assert agitated_voice(4.4) == agitated_voice(4)
    furious = agitated_voice(99, base)
    assert furious.voice_id == "gmw/en-us"
    assert (furious.rate_wpm, furious.pitch, furious.volume) == (450, 99, 1.0)
