"""Synthetic test voices with known pitch, level, brightness and syllable rhythm."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

SR = 16000


def voice(
    f0_hz: float = 150.0,
    *,
    duration_s: float = 3.0,
    level: float = 0.3,
    tilt_db_per_octave: float = -12.0,
    vibrato_st: float = 0.0,
    vibrato_hz: float = 5.0,
    glide_st: float = 0.0,
    syllables_per_s: float = 0.0,
    peak_boost: float = 0.0,
    sr: int = SR,
    seed: int = 0,
) -> np.ndarray:
    """A harmonic "voice": F0 with vibrato and a linear glide (semitones over the clip),
    harmonics falling `tilt_db_per_octave`, optional syllable-rate loudness pulses
    (`peak_boost` makes every third pulse louder), scaled to peak `level`."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * sr)) / sr
    st = glide_st * t / duration_s + vibrato_st * np.sin(2 * np.pi * vibrato_hz * t)
    phase = 2 * np.pi * np.cumsum(f0_hz * 2 ** (st / 12)) / sr
    y = np.zeros_like(t)
    for k in range(1, int(4000 / (f0_hz * 2 ** (max(glide_st, 0) / 12 + vibrato_st / 12)))):
        gain = 10 ** (tilt_db_per_octave * np.log2(k) / 20)
        y += gain * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    if syllables_per_s:
        pulse = 0.5 - 0.5 * np.cos(2 * np.pi * syllables_per_s * t)
        if peak_boost:
            beat = np.floor(syllables_per_s * t) % 3 == 0
            pulse = pulse * np.where(beat, 1.0 + peak_boost, 1.0)
        y *= 0.05 + pulse
    return (level * y / np.max(np.abs(y))).astype(np.float32)


def silence(duration_s: float, sr: int = SR) -> np.ndarray:
    return np.zeros(int(duration_s * sr), dtype=np.float32)


def festival_wav(folder: Path, text: str, name: str = "speech") -> Path:
    """`text` read by festival's text2wave into `folder/name.wav` (natural English speech)."""
    (folder / f"{name}.txt").write_text(text)
    wav = folder / f"{name}.wav"
    subprocess.run(["text2wave", "-o", str(wav), str(folder / f"{name}.txt")], check=True)
    return wav
