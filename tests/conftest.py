"""Shared pytest fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture
def virtual_audio(tmp_path):
    """Virtual ALSA mic and speaker active in this process (see voicecoach.audio.virtual).

    `virtual_audio.set_microphone(y, sr)` sets what the next capture hears;
    `virtual_audio.played()` is what the latest playback sent to the speaker;
    `virtual_audio.env()` is the environment for a subprocess using them.
    """
    from voicecoach.audio.virtual import create_virtual_audio, use_virtual_audio

    audio = create_virtual_audio(tmp_path / "virtual-audio")
    with use_virtual_audio(audio.config_path):
        yield audio
