"""Transcribing whole audio files through the streaming recogniser interface.

Files are decoded as the live call decodes the microphone: 16-bit PCM fed in
small chunks, each endpoint's utterance collected, so benchmark numbers
describe the live settings. The recogniser is first primed with the whole
file (`Recognizer.prime`), so the first words are decoded as well as the last.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecoach.asr.base import Recognition, Recognizer, Word, join_words

CHUNK_S = 0.1


@dataclass(frozen=True)
class FileTranscript:
    """One file's transcription, with the engine's real-time factor."""

    file: str
    engine: str
    text: str
    words: tuple[Word, ...]
    duration_s: float
    rtf: float

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "engine": self.engine,
            "text": self.text,
            "words": [w.to_json() for w in self.words],
            "duration_s": round(self.duration_s, 3),
            "rtf": round(self.rtf, 4),
        }


def recognize_samples(
    recognizer: Recognizer, y: np.ndarray, *, chunk_s: float = CHUNK_S, prime: bool = True
) -> Recognition:
    """Stream float samples (at the recogniser's rate) through it; all utterances joined.

    With `prime`, the recogniser first adapts to the whole recording.
    """
    from voicecoach.audio.io import float_to_pcm16

    pcm = float_to_pcm16(y)
    if prime:
        recognizer.prime(pcm)
    chunk_bytes = 2 * max(1, int(chunk_s * recognizer.sample_rate))
    words: list[Word] = []
    utterance_start_s = 0.0

    def take_final(fed_bytes: int) -> None:
        nonlocal utterance_start_s
        words.extend(_shifted(recognizer.final().words, utterance_start_s))
        utterance_start_s = fed_bytes / 2 / recognizer.sample_rate

    for start in range(0, len(pcm), chunk_bytes):
        chunk = pcm[start : start + chunk_bytes]
        if recognizer.accept(chunk):
            take_final(start + len(chunk))
    take_final(len(pcm))
    return Recognition(text=join_words(words), words=tuple(words))


def _shifted(words: tuple[Word, ...], offset_s: float) -> list[Word]:
    """Words moved from an utterance's clock onto the file's."""
    return [
        Word(w.word, round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3), w.conf)
        for w in words
    ]


def transcribe_file(
    path: str | Path, make: Callable[[int], Recognizer], *, sample_rate: int = 16000
) -> FileTranscript:
    """Load `path` (any wav/flac/ogg, resampled) and transcribe it with a fresh recogniser.

    `make(sample_rate)` builds the recogniser; AudioError names a bad file.
    """
    from voicecoach.audio.io import load_audio

    y, sr = load_audio(path, sr=sample_rate)
    with make(sr) as recognizer:
        started = time.perf_counter()
        result = recognize_samples(recognizer, y)
        elapsed_s = time.perf_counter() - started
    duration_s = len(y) / sr
    return FileTranscript(
        file=str(path),
        engine=recognizer.name,
        text=result.text,
        words=result.words,
        duration_s=duration_s,
        rtf=elapsed_s / duration_s,
    )
