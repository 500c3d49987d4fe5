"""Speech-recognition benchmark: word error rate, real-time factor and peak memory.

Sets:
  real       ../shared/data/speech (26 read English utterances, MANIFEST.tsv)
  frontdesk  bench/frontdesk_sentences.txt, synthesised with festival text2wave
             (cached in bench/out/frontdesk/)

Engines (each in its own process, so peak memory is its own):
  pocketsphinx        the defaults `voicecoach transcribe` and the live call use
                      (stock English LM interpolated with the front-desk LM)
  pocketsphinx-stock  pocketsphinx's own defaults and stock English LM, for comparison
  vosk-ko             vosk with the Korean test model: real-time factor only

Files are decoded exactly as `transcribe` does (`recognize_samples`: the
recogniser primed with the file, then 0.1 s chunks, endpoints, a fresh
recogniser per file). Each pocketsphinx set runs twice:
  cold  the pooled decoder's CMN reset before every file: what
        `voicecoach transcribe one.wav` sees (a new process), and a live call
        before it has heard the trainee
  warm  the CMN left adapted to the files decoded before, as in a long
        `transcribe` run of many files or later turns of a live call
`--no-prime` skips the priming pass (the behaviour before it existed).
RTF (cold pass, priming included) is given from wall time and from process
CPU time; the machine is shared, so wall time is noisy and CPU time is the
fairer figure of the engine's cost.

    .venv/bin/python bench/asr.py [--sets real,frontdesk] [--engines ...] [--errors]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEECH_DIR = ROOT.parent / "shared" / "data" / "speech"
SENTENCES_PATH = ROOT / "bench" / "frontdesk_sentences.txt"
SYNTH_DIR = ROOT / "bench" / "out" / "frontdesk"
ENGINES = ("pocketsphinx", "pocketsphinx-stock", "vosk-ko")
TARGETS = {("pocketsphinx", "real"): 0.28, ("pocketsphinx", "frontdesk"): 0.05}
RTF_TARGET = 0.25

CONTRACTIONS = {
    "i'm": "i am",
    "you're": "you are",
    "we're": "we are",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "i'll": "i will",
    "we'll": "we will",
    "i've": "i have",
    "can't": "can not",
    "cannot": "can not",
    "don't": "do not",
    "didn't": "did not",
    "won't": "will not",
    "dr": "doctor",
    "mr": "mister",
}


def normalize(text: str) -> list[str]:
    """Lower case, no punctuation, contractions and titles spelled out."""
    text = re.sub(r"[^a-z' ]", " ", text.lower().replace("-", " "))
    words = []
    for word in text.split():
        word = word.strip("'")
        words += CONTRACTIONS.get(word, word).split()
    return words


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[:], i
        for j, h in enumerate(hyp, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (r != h))
    return row[-1]


def frontdesk_sentences() -> list[str]:
    lines = SENTENCES_PATH.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def real_items() -> list[tuple[Path, str]]:
    with open(SPEECH_DIR / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [(SPEECH_DIR / row["file"], row["transcript"]) for row in rows]


def frontdesk_items() -> list[tuple[Path, str]]:
    """The front-desk sentences as festival recordings (synthesised once, then cached)."""
    SYNTH_DIR.mkdir(parents=True, exist_ok=True)
    items = []
    for index, sentence in enumerate(frontdesk_sentences()):
        wav = SYNTH_DIR / f"{index:02d}.wav"
        text = SYNTH_DIR / f"{index:02d}.txt"
        if not wav.exists() or not text.exists() or text.read_text() != sentence:
            subprocess.run(["text2wave", "-o", str(wav)], input=sentence, text=True, check=True)
            text.write_text(sentence)
        items.append((wav, sentence))
    return items


SETS = {"real": real_items, "frontdesk": frontdesk_items}


def make_factory(engine: str):
    """A function sample_rate -> recogniser for a benchmark engine name."""
    from voicecoach.asr.models import korean_test_model
    from voicecoach.asr.sphinx_engine import STOCK_SETTINGS, SphinxRecognizer
    from voicecoach.asr.vosk_engine import VoskRecognizer

    if engine == "pocketsphinx":
        from voicecoach.asr.select import choose_engine, recognizer_for

        choice = choose_engine("pocketsphinx")
        return lambda sr: recognizer_for(choice, sample_rate=sr)
    if engine == "pocketsphinx-stock":
        return lambda sr: SphinxRecognizer(sample_rate=sr, settings=STOCK_SETTINGS)
    model = korean_test_model()
    return lambda sr: VoskRecognizer(model, sample_rate=sr)


def run_worker(engine: str, set_names: list[str], show_errors: bool, prime: bool) -> dict:
    """Decode every file of the sets with `engine`, cold then warm; returns the numbers."""
    factory = make_factory(engine)
    factory(16000).close()  # load the models before timing anything
    modes = ("cold",) if engine == "vosk-ko" else ("cold", "warm")
    out = {"engine": engine, "sets": {}}
    for set_name in set_names:
        items = SETS[set_name]()
        row = {"files": len(items)}
        for mode in modes:
            row[mode] = decode_set(engine, factory, items, mode, show_errors, prime)
        out["sets"][set_name] = row
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def decode_set(engine, factory, items, mode: str, show_errors: bool, prime: bool) -> dict:
    """WER and RTF of one pass over a set; `cold` resets pocketsphinx's CMN before each file."""
    from voicecoach.asr.sphinx_engine import reset_adaptation
    from voicecoach.asr.transcribe import recognize_samples
    from voicecoach.audio.io import load_audio

    errors = words = 0
    audio_s = wall_s = cpu_s = 0.0
    for path, reference in items:
        y, sr = load_audio(path)
        if mode == "cold":
            reset_adaptation()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        with factory(sr) as recognizer:
            text = recognize_samples(recognizer, y, prime=prime).text
        wall_s += time.perf_counter() - wall0
        cpu_s += time.process_time() - cpu0
        audio_s += len(y) / sr
        ref = normalize(reference)
        distance = edit_distance(ref, normalize(text))
        errors, words = errors + distance, words + len(ref)
        if show_errors and distance and engine != "vosk-ko":
            print(f"  [{engine} {mode}] {' '.join(ref)}\n    -> {text}", file=sys.stderr)
    return {
        "audio_s": audio_s,
        "wer": errors / words,
        "rtf_wall": wall_s / audio_s,
        "rtf_cpu": cpu_s / audio_s,
    }


def corpus_overlap() -> int:
    """How many benchmark sentences appear verbatim in the expanded LM corpus (should be 0)."""
    from voicecoach.asr.language_model import CORPUS_PATH, expand_corpus

    corpus = {" ".join(s) for s in expand_corpus(CORPUS_PATH.read_text(encoding="utf-8"))}
    return sum(" ".join(normalize(s)) in corpus for s in frontdesk_sentences())


def print_table(results: list[dict], prime: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    priming = "primed with each file" if prime else "NOT primed (--no-prime)"
    table = Table(
        title=f"ASR benchmark, {priming} (RTF: cold pass, lower is faster; target <= 0.25)"
    )
    columns = ("engine", "set", "files", "audio s", "WER cold", "WER warm", "RTF wall", "RTF cpu")
    for column in (*columns, "peak MB"):
        table.add_column(column, justify="left" if column in ("engine", "set") else "right")
    for result in results:
        for set_name, row in result["sets"].items():
            cold = row["cold"]
            table.add_row(
                result["engine"],
                set_name,
                str(row["files"]),
                f"{cold['audio_s']:.0f}",
                wer_cell(result["engine"], set_name, cold),
                wer_cell(result["engine"], set_name, row.get("warm")),
                f"{cold['rtf_wall']:.3f}",
                f"{cold['rtf_cpu']:.3f}",
                f"{result['peak_rss_mb']:.0f}",
            )
    Console(width=120).print(table)
    print(
        "`voicecoach transcribe FILE` on one file matches the cold column (a new process); "
        "later files of one run and later turns of a live call are closer to warm."
    )
    load = os.getloadavg()[0]
    print(
        f"Load average {load:.1f} on {os.cpu_count()} cores shared with other users: wall-time "
        "RTF is noisy; CPU-time RTF is the engine's own cost."
    )
    print(f"Benchmark sentences found verbatim in the LM corpus: {corpus_overlap()}")


def wer_cell(engine: str, set_name: str, numbers: dict | None) -> str:
    """The WER with its verdict against the target, or why there is none."""
    if numbers is None:
        return "-"
    if engine == "vosk-ko":
        return "n/a (Korean)"
    cell = f"{numbers['wer']:.3f}"
    target = TARGETS.get((engine, set_name))
    if target is not None:
        cell += " ok" if numbers["wer"] <= target else f" > {target}"
    return cell


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sets", default="real,frontdesk", help="comma-separated: real,frontdesk")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines")
    parser.add_argument("--errors", action="store_true", help="print each misrecognised sentence")
    parser.add_argument(
        "--no-prime", action="store_true", help="skip priming the recogniser with each file"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    set_names = args.sets.split(",")
    if args.worker:
        print(json.dumps(run_worker(args.worker, set_names, args.errors, not args.no_prime)))
        return
    frontdesk_items()  # synthesise once, before any timing
    results = []
    for engine in args.engines.split(","):
        command = [sys.executable, __file__, "--worker", engine, "--sets", args.sets]
        command += [
            flag for flag in ("--errors", "--no-prime") if getattr(args, flag[2:].replace("-", "_"))
        ]
        output = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print_table(results, not args.no_prime)


if __name__ == "__main__":
    main()
