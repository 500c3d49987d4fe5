"""load_audio on real files: every way a file can be unusable gives one clear AudioError."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from voicecoach.audio.io import load_audio
from voicecoach.errors import AudioError


def tone(freq_hz: float, duration_s: float, sr: int) -> np.ndarray:
    """A sine at `freq_hz`, half scale, `duration_s` long at `sr` Hz."""
    t = np.arange(int(duration_s * sr)) / sr
    return (0.5 * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def write(path, y: np.ndarray, sr: int):
    sf.write(str(path), y, sr, subtype="PCM_16")
    return path


def test_missing_file_is_named(tmp_path):
    with pytest.raises(AudioError, match=r"nothere\.wav: no such file"):
        load_audio(tmp_path / "nothere.wav")


def test_zero_byte_file_is_reported_empty(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty\.wav: the file is empty \(0 bytes\)"):
        load_audio(path)


def test_header_only_wav_is_reported_empty(tmp_path):
    path = write(tmp_path / "header.wav", np.zeros(0, dtype=np.float32), 16000)
    assert path.stat().st_size > 0
    with pytest.raises(AudioError, match=r"header\.wav: the file is empty \(a header but no"):
        load_audio(path)


def test_text_file_is_not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is a shopping list, not a recording\n")
    with pytest.raises(AudioError, match=r"notes\.wav: not a readable audio file"):
        load_audio(path)


def test_too_short_file_says_how_long_it_is(tmp_path):
    path = write(tmp_path / "blip.wav", tone(440, 0.05, 16000), 16000)
    with pytest.raises(AudioError, match=r"only 0\.05 s of audio; at least 0\.1 s"):
        load_audio(path)


@pytest.mark.parametrize("rate_hz", [4000, 96000])
def test_rate_outside_8_to_48_khz_is_refused(tmp_path, rate_hz):
    path = write(tmp_path / "odd.wav", tone(440, 0.5, rate_hz), rate_hz)
    with pytest.raises(AudioError, match=rf"sample rate {rate_hz} Hz is outside"):
        load_audio(path)


def test_stereo_is_mixed_to_mono(tmp_path):
    left = tone(440, 0.5, 16000)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    y, sr = load_audio(write(tmp_path / "stereo.wav", stereo, 16000))
    assert sr == 16000 and y.ndim == 1 and y.dtype == np.float32
    np.testing.assert_allclose(y, left / 2, atol=1e-4)


def test_resampling_keeps_duration_and_pitch(tmp_path):
    y, sr = load_audio(write(tmp_path / "cd.wav", tone(440, 1.0, 44100), 44100), sr=16000)
    assert sr == 16000 and len(y) == 16000
    spectrum = np.abs(np.fft.rfft(y))
    peak_hz = np.argmax(spectrum) * sr / len(y)
    assert abs(peak_hz - 440) <= 1.0
    kept, kept_sr = load_audio(tmp_path / "cd.wav", sr=None)
    assert kept_sr == 44100 and len(kept) == 44100
