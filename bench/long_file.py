"""`transcribe` on real speech: per-clip WER and the real-time factor of a ~10-minute file.

1. Every clip of ../shared/data/speech (26 read English utterances, 6+
   speakers) transcribed on its own as `voicecoach transcribe` does: word
   error rate (normalised as bench/asr.py does) and RTF (target WER <= 0.06).
2. The clips concatenated with 0.5 s gaps, repeated to about `--minutes`
   minutes, transcribed as one file (cut at quiet moments into pieces of at
   most 28 s): RTF from wall time and from process CPU time (target <= 0.3),
   WER of the whole, peak memory.

The machine is shared by several engineers: wall-clock RTF is noisy, CPU
time is the fairer figure of the engine's cost.

    .venv/bin/python bench/long_file.py [--engine auto] [--minutes 10] [--speech DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import asr
import numpy as np
from asr import real_items, word_errors

GAP_S = 0.5


def wer(pairs: list[tuple[str, str]]) -> float:
    counts = [word_errors(ref, hyp) for ref, hyp in pairs]
    return sum(e for e, _ in counts) / sum(n for _, n in counts)


def main() -> int:
    from voicecoach.asr.select import choose_engine, recognizer_for
    from voicecoach.asr.transcribe import recognize_samples, transcribe_file
    from voicecoach.audio.io import load_audio

    asr.SPEECH_DIR = Path(ARGS.speech)
    choice = choose_engine(ARGS.engine)
    print(choice.describe())

    def make(sr: int):
        return recognizer_for(choice, sample_rate=sr)

    items = real_items()
    pairs, rtfs = [], []
    for path, reference in items:
        result = transcribe_file(path, make)
        pairs.append((reference, result.text))
        rtfs.append(result.rtf)
    print(
        f"clips: n={len(items)}, WER {wer(pairs):.3f} (target <= 0.06), "
        f"RTF median {np.median(rtfs):.3f}"
    )
    clips = [load_audio(path)[0] for path, _ in items]
    gap = np.zeros(int(GAP_S * 16000), np.float32)
    one_pass = np.concatenate([np.concatenate([clip, gap]) for clip in clips])
    repeats = max(1, round(ARGS.minutes * 60 / (len(one_pass) / 16000)))
    y = np.concatenate([one_pass] * repeats)
    reference = " ".join([ref for _, ref in items] * repeats)
    duration_s = len(y) / 16000
    with make(16000) as recognizer:
        wall, cpu = time.perf_counter(), time.process_time()
        result = recognize_samples(recognizer, y)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"long file: {duration_s / 60:.1f} min ({repeats} x the clips), "
        f"RTF {wall / duration_s:.3f} wall, {cpu / duration_s:.3f} CPU (target <= 0.3), "
        f"WER {wer([(reference, result.text)]):.3f}"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak_mb:.0f} MB")
    return 0


PARSER = argparse.ArgumentParser(description=__doc__.splitlines()[0])
PARSER.add_argument("--engine", default="auto", help="auto, whisper, pocketsphinx or vosk")
PARSER.add_argument(
    "--speech", default=str(asr.SPEECH_DIR), help="the speech folder (../shared/data/speech)"
)
PARSER.add_argument("--minutes", type=float, default=10.0, help="length of the long file")

if __name__ == "__main__":
    ARGS = PARSER.parse_args()
    sys.exit(main())
