"""A disk cache of synthesised lines, keyed by text and voice settings.

Entries are 16-bit wav files (lossless for espeak-ng's 16-bit output) under
`cache_dir()/tts/`, written to a temporary name and renamed into place, so a
crash or a parallel writer never leaves a half-written entry behind.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import soundfile as sf

from voicecoach import paths
from voicecoach.fileio import write_atomic
from voicecoach.tts.voice import VoiceSettings

CACHE_FORMAT = 1


def cache_key(text: str, voice: VoiceSettings) -> str:
    """A stable hex key for `text` spoken with `voice`."""
    blob = json.dumps({"v": CACHE_FORMAT, "text": text, "voice": voice.to_json()}, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class SpeechCache:
    """Synthesised lines on disk; `folder` defaults to `cache_dir()/tts`."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder is not None else paths.cache_dir() / "tts"

    def path_for(self, text: str, voice: VoiceSettings) -> Path:
        key = cache_key(text, voice)
        return self.folder / key[:2] / f"{key}.wav"

    def get(self, text: str, voice: VoiceSettings) -> tuple[np.ndarray, int] | None:
        """The cached audio (float32, rate) or None; an unreadable entry counts as a miss."""
        path = self.path_for(text, voice)
        try:
            y, sr = sf.read(str(path), dtype="float32")
        except (OSError, sf.LibsndfileError, RuntimeError):
            return None
        return y, sr

    def put(self, text: str, voice: VoiceSettings, y: np.ndarray, sr: int) -> Path:
        """Store the audio atomically; returns the entry's path."""
        path = self.path_for(text, voice)
        path.parent.mkdir(parents=True, exist_ok=True)
        wav = io.BytesIO()
        sf.write(wav, y, sr, format="WAV", subtype="PCM_16")
        return write_atomic(path, wav.getvalue())
