"""Speech-recognition benchmark: word error rate per set and voice, real-time factor, memory.

Sets:
  real     ../shared/data/speech: 26 read English utterances (MANIFEST.tsv). Held out.
  heldout  bench/data/frontdesk_heldout.txt: 70 front-desk sentences written for this
           benchmark only (names, dates, times, money), each spoken by both festival
           voices. No language model, prompt or hint list was fitted to them
           (tests/test_asr_bench_set.py checks). The HELD-OUT front-desk estimate.
  dev      bench/frontdesk_sentences.txt: 45 front-desk sentences the pocketsphinx
           language model was written alongside: a DEVELOPMENT (fitted) figure, kept
           for comparison with earlier numbers, not an estimate.
  dev2     bench/data/frontdesk_dev2.txt: 78 more front-desk sentences Whisper's
           decoding settings were chosen on (bench/asr_decoding.py): DEVELOPMENT.
  dev3     bench/data/frontdesk_dev3.txt: 60 more, written to check those choices
           before the held-out set is run: DEVELOPMENT.
The real-time factor of `transcribe` on a ~10-minute file is bench/long_file.py's.

Engines are names `make_recognizer` takes (`auto` is the default engine, whatever it
is now); each runs in its own process, so its peak memory is its own. Files are
decoded exactly as `voicecoach transcribe` does (`transcribe_file`: a fresh
recogniser per file, primed with the file, 0.1 s chunks, numbers normalised at the
recogniser's boundary); pocketsphinx's pooled decoders forget their adaptation
before each file (a cold start, like a new process). Festival speaks the canonical
spoken form of each sentence (`voicecoach.asr.normalize`: "$180" as "one hundred
eighty dollars"), and both reference and recognised text are normalised the same
way before counting word errors. Timing figures are wall clock and process CPU on a
2-core machine shared with other work: noisy, CPU time is the fairer one.

    .venv/bin/python bench/asr.py [--engines auto,pocketsphinx] [--sets real,heldout,dev]
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

from festival import VOICES, synthesize_all
from shared_data import shared_data_dir

ROOT = Path(__file__).resolve().parent.parent
SPEECH_DIR = shared_data_dir() / "speech"
HELDOUT_PATH = ROOT / "bench" / "data" / "frontdesk_heldout.txt"
DEV_PATH = ROOT / "bench" / "frontdesk_sentences.txt"
DEV2_PATH = ROOT / "bench" / "data" / "frontdesk_dev2.txt"
DEV3_PATH = ROOT / "bench" / "data" / "frontdesk_dev3.txt"
SETS = ("real", "heldout", "dev", "dev2", "dev3")
WER_TARGETS = {"real": 0.06, "heldout": 0.05}

CONTRACTIONS = {
    "i'm": "i am",
    "you're": "you are",
    "we're": "we are",
    "they're": "they are",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "what's": "what is",
    "i'll": "i will",
    "we'll": "we will",
    "you'll": "you will",
    "she'll": "she will",
    "i've": "i have",
    "we've": "we have",
    "you've": "you have",
    "i'd": "i would",
    "you'd": "you would",
    "can't": "can not",
    "cannot": "can not",
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "won't": "will not",
    "isn't": "is not",
    "let's": "let us",
    "ok": "okay",
    "alright": "all right",
    "dr": "doctor",
    "mr": "mister",
}


def wer_words(text: str) -> list[str]:
    """Words for WER: numbers in canonical spoken form, lower case, no punctuation,
    contractions and titles spelled out (so "I'm" vs "I am" is no error)."""
    from voicecoach.asr.normalize import normalize_text

    text = normalize_text(text).lower().replace("-", " ").replace("’", "'")
    words = []
    for word in re.sub(r"[^a-z0-9' ]", " ", text).split():
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


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words) between two texts after `wer_words`."""
    ref = wer_words(reference)
    return edit_distance(ref, wer_words(hypothesis)), len(ref)


def sentences(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def real_items() -> list[tuple[Path, str]]:
    with open(SPEECH_DIR / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [(SPEECH_DIR / row["file"], row["transcript"]) for row in rows]


def spoken_items(path: Path, voice: str) -> list[tuple[Path, str]]:
    """The sentences of `path` spoken by festival `voice` (cached), with their written text."""
    from voicecoach.asr.normalize import normalize_text

    texts = sentences(path)
    wavs = synthesize_all([normalize_text(t) for t in texts], voice, description=path.name)
    return list(zip(wavs, texts, strict=True))


def set_groups(set_name: str) -> dict[str, list[tuple[Path, str]]]:
    """The files of a set, grouped by voice where festival speaks them."""
    if set_name == "real":
        return {"real speakers": real_items()}
    paths = {"heldout": HELDOUT_PATH, "dev": DEV_PATH, "dev2": DEV2_PATH, "dev3": DEV3_PATH}
    path = paths[set_name]
    return {voice: spoken_items(path, voice) for voice in VOICES}


def run_worker(engine: str, set_names: list[str], show_errors: bool) -> dict:
    """Decode every file of the sets with `engine`; returns the numbers."""
    from voicecoach.asr.select import choose_engine, make_recognizer

    choice = choose_engine(engine)
    make_recognizer(engine).close()  # load the model before timing anything
    out = {"engine": engine, "describe": choice.describe(), "rows": []}
    for set_name in set_names:
        for group, items in set_groups(set_name).items():
            row = decode(engine, choice.engine, items, show_errors)
            out["rows"].append({"set": set_name, "voice": group, **row})
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def decode(engine: str, resolved: str, items: list[tuple[Path, str]], show_errors: bool) -> dict:
    """WER and RTF of one pass over files, each through `transcribe_file` as the CLI does."""
    from voicecoach.asr.select import make_recognizer
    from voicecoach.asr.transcribe import transcribe_file

    errors = words = 0
    audio_s = wall_s = cpu_s = 0.0
    for path, reference in items:
        if resolved == "pocketsphinx":
            from voicecoach.asr.sphinx_engine import reset_adaptation

            reset_adaptation()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        result = transcribe_file(path, lambda sr: make_recognizer(engine, sample_rate=sr))
        wall_s += time.perf_counter() - wall0
        cpu_s += time.process_time() - cpu0
        audio_s += result.duration_s
        distance, n = word_errors(reference, result.text)
        errors, words = errors + distance, words + n
        if show_errors and distance:
            print(
                f"  [{engine}] {' '.join(wer_words(reference))}\n    -> {result.text}",
                file=sys.stderr,
            )
    return {
        "files": len(items),
        "audio_s": audio_s,
        "errors": errors,
        "words": words,
        "rtf_wall": wall_s / audio_s,
        "rtf_cpu": cpu_s / audio_s,
    }


def corpus_overlap() -> int:
    """How many held-out sentences appear verbatim in the expanded LM corpus (should be 0)."""
    from voicecoach.asr.language_model import CORPUS_PATH, expand_corpus

    corpus = {" ".join(s) for s in expand_corpus(CORPUS_PATH.read_text(encoding="utf-8"))}
    return sum(" ".join(wer_words(s)) in corpus for s in sentences(HELDOUT_PATH))


def print_table(results: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ASR benchmark (WER after number normalisation; RTF wall and CPU)")
    columns = ("engine", "set", "voice", "files", "audio s", "WER", "RTF wall", "RTF cpu")
    for column in (*columns, "peak MB"):
        table.add_column(column, justify="left" if column in columns[:3] else "right")
    for result in results:
        by_set: dict[str, list[dict]] = {}
        for row in result["rows"]:
            by_set.setdefault(row["set"], []).append(row)
        for set_name, rows in by_set.items():
            if len(rows) > 1:
                rows = [*rows, _combined(rows)]
            for row in rows:
                table.add_row(
                    result["engine"],
                    _set_label(set_name),
                    row["voice"],
                    str(row["files"]),
                    f"{row['audio_s']:.0f}",
                    _wer_cell(set_name, row),
                    f"{row['rtf_wall']:.3f}",
                    f"{row['rtf_cpu']:.3f}",
                    f"{result['peak_rss_mb']:.0f}",
                )
        table.add_section()
    Console(width=130).print(table)
    for result in results:
        print(f"{result['engine']}: {result['describe']}")
    print(
        "held-out: real and heldout (no recogniser, LM or prompt was fitted to them); "
        "development: dev (the pocketsphinx LM was written alongside it), dev2 (Whisper's "
        "decoding settings were chosen on it), dev3 (those choices were checked on it)."
    )
    load = os.getloadavg()[0]
    print(f"Load average {load:.1f} on {os.cpu_count()} cores shared with other users.")
    print(f"Held-out sentences found verbatim in the LM corpus: {corpus_overlap()}")


def _combined(rows: list[dict]) -> dict:
    audio_s = sum(r["audio_s"] for r in rows)
    return {
        "voice": "both voices",
        "files": sum(r["files"] for r in rows),
        "audio_s": audio_s,
        "errors": sum(r["errors"] for r in rows),
        "words": sum(r["words"] for r in rows),
        "rtf_wall": sum(r["rtf_wall"] * r["audio_s"] for r in rows) / audio_s,
        "rtf_cpu": sum(r["rtf_cpu"] * r["audio_s"] for r in rows) / audio_s,
    }


def _set_label(set_name: str) -> str:
    fitted = {"dev": "dev (fitted)", "dev2": "dev2 (fitted)", "dev3": "dev3 (fitted)"}
    return fitted.get(set_name, set_name)


def _wer_cell(set_name: str, row: dict) -> str:
    wer = row["errors"] / row["words"]
    target = WER_TARGETS.get(set_name)
    verdict = "" if target is None else (" ok" if wer <= target else f" > {target}")
    return f"{wer:.3f}{verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated: {','.join(SETS)}")
    parser.add_argument(
        "--engines",
        "--engine",
        default="auto,pocketsphinx",
        help="comma-separated engine names make_recognizer takes (auto = the default engine)",
    )
    parser.add_argument("--errors", action="store_true", help="print each misrecognised sentence")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    set_names = args.sets.split(",")
    unknown = [s for s in set_names if s not in SETS]
    if unknown:
        parser.error(f"unknown set {unknown[0]!r}; choose from {', '.join(SETS)}")
    if args.worker:
        print(json.dumps(run_worker(args.worker, set_names, args.errors)))
        return
    for set_name in set_names:
        set_groups(set_name)  # synthesise and build files once, before any timing
    results = []
    for engine in args.engines.split(","):
        command = [sys.executable, __file__, "--worker", engine, "--sets", args.sets]
        command += ["--errors"] if args.errors else []
        output = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print_table(results)


if __name__ == "__main__":
    main()
