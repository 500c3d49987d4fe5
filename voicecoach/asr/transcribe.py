"""Transcribing whole audio files through the streaming recogniser interface.

Files are decoded as the live call decodes the microphone: 16-bit PCM fed in
small chunks, each endpoint's utterance collected, so benchmark numbers
describe the live settings. The recogniser is first primed with the whole
file (`Recognizer.prime`), so the first words are decoded as well as the last.
Long files are cut at their quietest moments into pieces of at most
`MAX_PIECE_S` (Whisper's window is 30 s), each finished on its own, which
also lets a progress bar move.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecoach.asr.base import Recognition, Recognizer, Word

CHUNK_S = 0.1
MAX_PIECE_S = 28.0
MIN_PIECE_S = 10.0  # cut no sooner than this: the quietest moment after it
CUT_WINDOW_S = 0.3  # quietness is judged over this span
FRAME_S = 0.02
ProgressCallback = Callable[[float, float], None]  # (seconds done, seconds in all)


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


def quiet_cuts(y: np.ndarray, sr: int, *, max_piece_s: float = MAX_PIECE_S) -> list[int]:
    """Sample indices where to cut `y` into pieces of at most `max_piece_s`: each cut at
    the quietest `CUT_WINDOW_S` between `MIN_PIECE_S` and `max_piece_s` into the piece."""
    frame = max(1, int(FRAME_S * sr))
    n_frames = len(y) // frame
    if len(y) <= max_piece_s * sr or n_frames == 0:
        return []
    power = np.mean(np.square(y[: n_frames * frame].reshape(n_frames, frame)), axis=1)
    width = max(1, round(CUT_WINDOW_S / FRAME_S))
    smooth = np.convolve(power, np.ones(width) / width, mode="same")
    cuts: list[int] = []
    start = 0
    longest = int(max_piece_s / FRAME_S)
    while n_frames - start > longest:
        first = start + min(int(MIN_PIECE_S / FRAME_S), longest - 1)
        cut = first + int(np.argmin(smooth[first : start + longest]))
        cuts.append(cut * frame)
        start = cut
    return cuts


def recognize_samples(
    recognizer: Recognizer,
    y: np.ndarray,
    *,
    chunk_s: float = CHUNK_S,
    prime: bool = True,
    progress: ProgressCallback | None = None,
) -> Recognition:
    """Stream float samples (at the recogniser's rate) through it; all utterances joined.

    With `prime`, the recogniser first adapts to the whole recording. Long
    recordings are cut at quiet moments (`quiet_cuts`); `progress` hears after each piece.
    """
    from voicecoach.audio.io import float_to_pcm16

    sr = recognizer.sample_rate
    pcm = float_to_pcm16(y)
    if prime:
        recognizer.prime(pcm)
    chunk_bytes = 2 * max(1, int(chunk_s * sr))
    texts: list[str] = []
    words: list[Word] = []
    utterance_start_s = 0.0

    def take_final(fed_bytes: int) -> None:
        nonlocal utterance_start_s
        result = recognizer.final()
        if result.text.strip():
            texts.append(result.text.strip())
        words.extend(_shifted(result.words, utterance_start_s))
        utterance_start_s = fed_bytes / 2 / sr

    bounds = [0, *(2 * cut for cut in quiet_cuts(y, sr)), len(pcm)]
    for piece_start, piece_end in zip(bounds, bounds[1:], strict=False):
        for start in range(piece_start, piece_end, chunk_bytes):
            end = min(start + chunk_bytes, piece_end)
            if recognizer.accept(pcm[start:end]) and end < piece_end:
                take_final(end)
        take_final(piece_end)
        if progress is not None:
            progress(piece_end / 2 / sr, len(pcm) / 2 / sr)
    return Recognition(text=" ".join(texts), words=tuple(words))


def _shifted(words: tuple[Word, ...], offset_s: float) -> list[Word]:
    """Words moved from an utterance's clock onto the file's."""
    return [
        Word(w.word, round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3), w.conf)
        for w in words
    ]


def transcribe_file(
    path: str | Path,
    make: Callable[[int], Recognizer],
    *,
    sample_rate: int = 16000,
    progress: ProgressCallback | None = None,
) -> FileTranscript:
    """Load `path` (any wav/flac/ogg, resampled) and transcribe it with a fresh recogniser.

    `make(sample_rate)` builds the recogniser; AudioError names a bad file;
    `progress` as in `recognize_samples`.
    """
    from voicecoach.audio.io import load_audio

    y, sr = load_audio(path, sr=sample_rate)
    with make(sr) as recognizer:
        started = time.perf_counter()
        result = recognize_samples(recognizer, y, progress=progress)
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
