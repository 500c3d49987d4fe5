"""Benchmark the transcript scorer: per-id precision/recall/F1 and speed.

    .venv/bin/python bench/scoring.py [DIR] [--errors] [--repeat N] [--asr-noise RATE]

DIR holds labelled transcripts (default ../shared/data/transcripts): each file's
"labels" lists steps_met, checks_met and faults_present. Prints per-id P/R/F1,
micro and macro F1, then speed: ms per trainee turn in the incremental API,
ms for a whole 20-turn call through `voicecoach score` after start-up, and
start-up time of the command. Timings on a shared machine are noisy.
--asr-noise RATE rescoring with simulated recogniser slips on trainee turns
(homophones, split and lost words, fillers) measures robustness.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from shared_data import shared_data_dir

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = shared_data_dir()
DEFAULT_DIR = SHARED_DATA / "transcripts"
ESCONV = SHARED_DATA / "empathy" / "esconv_dev.tsv"
CONTRACT_LABELS = [  # two readers, each blind to the other, to ESConv's labels and the scorer
    ROOT / "bench" / "data" / "esconv_contract_labels.tsv",
    ROOT / "bench" / "data" / "esconv_contract_labels_b.tsv",
]
# Outside text: which ESConv strategies stand for a step, and which stand against it.
ESCONV_TASKS = {
    "empathize": ({"Reflection of feelings"}, {"Information", "Providing Suggestions"}),
    "clarify": ({"Restatement or Paraphrasing", "Questions"}, {"Providing Suggestions"}),
}


def predicted_ids(score: dict) -> set[str]:
    """The ids a score object says were met / present."""
    ids = {k for k, v in score["steps"].items() if v["met"]}
    ids |= {k for k, v in score["checks"].items() if v["met"]}
    ids |= {k for k, v in score["faults"].items() if v["present"]}
    return ids


def label_ids(labels: dict) -> set[str]:
    return (
        set(labels.get("steps_met", []))
        | set(labels.get("checks_met", []))
        | set(labels.get("faults_present", []))
    )


# Recogniser slips applied by --asr-noise: homophones, words split in two, fillers, lost words.
_HOMOPHONES = {
    "hear": "here",
    "you're": "your",
    "youre": "your",
    "they're": "their",
    "theyre": "there",
    "there": "their",
    "too": "to",
    "where": "wear",
    "we're": "were",
    "know": "no",
    "right": "write",
    "whole": "hole",
    "for": "four",
    "would": "wood",
}
_SPLITS = {
    "anything": "any thing",
    "myself": "my self",
    "tomorrow": "to morrow",
    "understand": "under stand",
    "someone": "some one",
    "today": "to day",
    "everything": "every thing",
    "appointment": "a point meant",
    "frustrating": "frustrate ing",
}
_KEEP = {"not", "no", "never", "but", "why", "you", "i"}


def asr_noise(text: str, rng: random.Random, rate: float) -> str:
    """The text as a weak recogniser might write it: lower case, no punctuation or
    apostrophes, and with probability `rate` per word a homophone, a split word, a lost
    word or an inserted filler. The first name may be split in two ("to bias")."""
    words = []
    for word in re.findall(r"[\w'’]+", text.lower()):
        roll = rng.random()
        if roll < rate and word in _HOMOPHONES:
            word = _HOMOPHONES[word]
        elif roll < rate and word in _SPLITS:
            word = _SPLITS[word]
        elif roll < rate / 2 and word not in _KEEP:
            continue  # a word lost
        elif roll < rate and len(word) >= 6 and word.isalpha():
            cut = rng.randint(2, len(word) - 3)
            word = word[:cut] + " " + word[cut:]
        if rng.random() < rate / 2:
            words.append(rng.choice(["um", "uh"]))
        words.append(word.replace("'", "").replace("’", ""))
    return " ".join(words)


def load_noisy(path: Path, rate: float, seed: int):
    """A transcript with `asr_noise` applied to every trainee turn (same seed, same noise)."""
    from voicecoach.scoring import Turn, load_transcript

    transcript = load_transcript(path)
    rng = random.Random(f"{seed}:{path.name}")
    turns = tuple(
        Turn(t.speaker, asr_noise(t.text, rng, rate), start=t.start, end=t.end)
        if t.speaker == "trainee"
        else t
        for t in transcript.turns
    )
    return dataclasses.replace(transcript, turns=turns)


def accuracy(files: list[Path], show_errors: bool, noise_rate: float = 0.0, seed: int = 0) -> None:
    from voicecoach.errors import VoiceCoachError
    from voicecoach.scoring import load_transcript, score_transcript

    tp, fp, fn = Counter(), Counter(), Counter()
    for path in files:
        try:
            transcript = load_noisy(path, noise_rate, seed) if noise_rate else load_transcript(path)
            score = score_transcript(transcript).to_json()
        except VoiceCoachError as exc:
            print(f"  skipped: {exc}")
            continue
        universe = set(score["steps"]) | set(score["checks"]) | set(score["faults"])
        truth = label_ids(json.loads(path.read_text())["labels"]) & universe
        pred = predicted_ids(score)
        for item in universe:
            if item in pred and item in truth:
                tp[item] += 1
            elif item in pred:
                fp[item] += 1
                if show_errors:
                    print(f"  FP {path.name} {item}: {_evidence(score, item)}")
            elif item in truth:
                fn[item] += 1
                if show_errors:
                    print(f"  FN {path.name} {item}")
    print(f"\nAccuracy over {len(files)} files in {files[0].parent if files else '-'}")
    print(f"{'id':24} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    f1s = []
    for item in sorted(set(tp) | set(fp) | set(fn)):
        p, r, f = _prf(tp[item], fp[item], fn[item])
        f1s.append(f)
        print(f"{item:24} {p:6.3f} {r:6.3f} {f:6.3f} {tp[item]:4d} {fp[item]:4d} {fn[item]:4d}")
    p, r, f = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    print(f"micro: P={p:.3f} R={r:.3f} F1={f:.3f}")
    print(f"macro F1={statistics.mean(f1s):.3f}  lowest id F1={min(f1s):.3f}")


def _evidence(score: dict, item: str) -> str:
    for section in ("steps", "checks", "faults"):
        if item in score[section]:
            ev = score[section][item]["evidence"]
            return f"({ev[0].get('found_by', '?')}) {ev[0]['quote']}" if ev else ""
    return ""


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def esconv_half(text: str) -> str:
    """A fixed split of the ESConv sentences (the file has no conversation ids): by a hash
    of the text, "tuning" (intent examples may be written looking at it) or "held-out"."""
    return "tuning" if hashlib.sha1(text.encode()).digest()[0] % 2 == 0 else "held-out"


def met_alone(text: str) -> dict:
    """What a reply scored alone, as the one trainee turn of an upset-caller call, meets: a
    detection per id."""
    from voicecoach.scoring import Scorer, Turn

    scorer = Scorer("upset_caller", caller_name="", record_sensitive=False)
    return {d.id: d for d in scorer.add_turn(Turn("trainee", text)).detections}


def esconv(path: Path, show_errors: bool, held_out: bool = False) -> None:
    """Balanced accuracy of steps on outside peer-support replies, each scored as one turn:
    the tuning half, and with `held_out` the held-out half too (the estimate: look rarely)."""
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    print(f"\nOutside text: {path.name}, {len(rows)} replies, each scored as one trainee turn")
    found: dict[tuple[str, str], Counter] = {}
    outcome: dict[str, dict[str, list[tuple[bool, bool]]]] = {}
    halves = ("tuning", "held-out") if held_out else ("tuning",)
    for row in rows:
        text, strategy = row["text"], row["strategy"]
        half = esconv_half(text)
        if half not in halves:
            continue
        met = met_alone(text)
        for step, (positive, negative) in ESCONV_TASKS.items():
            if strategy not in positive | negative:
                continue
            truth, pred = strategy in positive, step in met
            outcome.setdefault(step, {}).setdefault(half, []).append((truth, pred))
            if pred:
                found.setdefault((step, half), Counter())[met[step].found_by] += 1
            if show_errors and half == "tuning" and truth != pred:
                print(f"  {'FN' if truth else 'FP'} {step}: {text}")
    print(f"{'id':12} {'half':9} {'n':>5} {'TPR':>6} {'TNR':>6} {'bal.acc':>8}  found by")
    for step, by_half in outcome.items():
        for half in halves:
            pairs = by_half.get(half, [])
            pos = [p for t, p in pairs if t]
            neg = [p for t, p in pairs if not t]
            tpr = sum(pos) / len(pos) if pos else 0.0
            tnr = 1 - sum(neg) / len(neg) if neg else 0.0
            by = dict(found.get((step, half), Counter()))
            bal = (tpr + tnr) / 2
            print(f"{step:12} {half:9} {len(pairs):5d} {tpr:6.3f} {tnr:6.3f} {bal:8.3f}  {by}")
    if held_out:
        print("(held-out is the estimate: no intent example was written looking at it)")


def contract_labels(path: Path, readings: list[Path], held_out: bool = False) -> None:
    """Replies read against the contract itself: each of `readings` (sha1 of the text, then
    0/1 for empathize and clarify, written blind to the strategy labels and to the scorer by
    reading each reply as the contract defines the step; one reader each) against ESConv's
    strategies (how far a reader faithful to the contract agrees with them: a ceiling for the
    ESConv figures) and the scorer against each reading; with two readings, how far the
    readers agree (Cohen's kappa). The tuning half, and with `held_out` the held-out half too."""
    from sklearn.metrics import cohen_kappa_score

    marks = [
        {
            row["sha1"]: {step: row[step] == "1" for step in ESCONV_TASKS}
            for row in csv.DictReader(labels.open(encoding="utf-8"), delimiter="\t")
        }
        for labels in readings
    ]
    rows = [
        row
        for row in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")
        if hashlib.sha1(row["text"].encode()).hexdigest() in marks[0]
    ]
    print(f"\nContract readings: {len(rows)} of {len(marks[0])} replies found")
    print(f"{'id':12} {'half':9} {'vs':34} {'n':>4} {'TPR':>6} {'TNR':>6} {'bal.acc':>8}")
    pairs: dict[tuple[str, str, str], list[tuple[bool, bool]]] = {}
    for row in rows:
        sha1 = hashlib.sha1(row["text"].encode()).hexdigest()
        half = esconv_half(row["text"])
        if half == "held-out" and not held_out:
            continue
        met = met_alone(row["text"])
        for step, (positive, negative) in ESCONV_TASKS.items():
            for labels, reading in zip(readings, marks, strict=True):
                mark = reading[sha1][step]
                pairs.setdefault((step, half, f"scorer vs {labels.stem}"), []).append(
                    (mark, step in met)
                )
                if row["strategy"] in positive | negative:
                    pairs.setdefault((step, half, f"{labels.stem} vs ESConv"), []).append(
                        (row["strategy"] in positive, mark)
                    )
            if len(marks) > 1:
                pairs.setdefault((step, half, "kappa"), []).append(
                    (marks[0][sha1][step], marks[1][sha1][step])
                )
    for (step, half, versus), outcome in sorted(pairs.items()):
        if versus == "kappa":
            print(
                f"{step:12} {half:9} {'readers agree, Cohen kappa':34} {len(outcome):4d} "
                f"{'':13} {cohen_kappa_score(*zip(*outcome, strict=True)):8.3f}"
            )
            continue
        pos = [p for t, p in outcome if t]
        neg = [p for t, p in outcome if not t]
        tpr, tnr = sum(pos) / len(pos), 1 - sum(neg) / len(neg)
        print(
            f"{step:12} {half:9} {versus:34} {len(outcome):4d} {tpr:6.3f} {tnr:6.3f} "
            f"{(tpr + tnr) / 2:8.3f}"
        )


ENCODER_CALL = [
    {"speaker": "caller", "text": "I've been chasing this refund for three weeks now."},
    {"speaker": "trainee", "text": "I can only imagine how draining it has been to chase it."},
]


def twenty_turn_call(files: list[Path]) -> dict:
    """A 20-turn call made of the longest transcript's turns (repeated if needed)."""
    data = max((json.loads(p.read_text()) for p in files), key=lambda d: len(d["turns"]))
    turns = (data["turns"] * 3)[:20]
    data = dict(data, turns=turns)
    return data


def speed(files: list[Path], repeat: int) -> None:
    from voicecoach.scoring import Scorer, load_transcript
    from voicecoach.scoring.encoder import MODEL_PACKAGE, context_encoder, eight_bit, packaged_file

    transcripts = [load_transcript(p) for p in files]
    encoder = context_encoder()
    passes: list[tuple[int, float]] = []  # (new sentences, ms) per trainee turn that read any
    turn_reads = [0, 0.0]  # the current turn's new sentences and encoder ms
    if encoder is not None:
        encode_many = encoder.encode_many

        def timed(texts: list[str]):
            turn_reads[0] += len([t for t in dict.fromkeys(texts) if t not in encoder._cache])
            t0 = time.perf_counter()
            vectors = encode_many(texts)
            turn_reads[1] += (time.perf_counter() - t0) * 1000
            return vectors

        encoder.encode_many = timed
    per_turn_ms = []
    for _ in range(repeat):
        for t in transcripts:
            if encoder is not None:
                encoder._cache.clear()  # a new call's sentences are new text
            scorer = Scorer.for_transcript(t)
            for turn in t.turns:
                turn_reads[:] = [0, 0.0]
                t0 = time.perf_counter()
                scorer.add_turn(turn)
                if turn.speaker == "trainee":
                    per_turn_ms.append((time.perf_counter() - t0) * 1000)
                    if turn_reads[0]:
                        passes.append((turn_reads[0], turn_reads[1]))
            scorer.result()
    per_turn_ms.sort()
    print(
        f"\nIncremental API: {len(per_turn_ms)} trainee turns, "
        f"median {statistics.median(per_turn_ms):.3f} ms, "
        f"p95 {per_turn_ms[int(0.95 * len(per_turn_ms))]:.3f} ms, max {max(per_turn_ms):.3f} ms "
        f"per trainee turn (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    if passes:
        ms = sorted(m for _, m in passes)
        per_sentence = sorted(m / n for n, m in passes)
        print(
            f"Contextual encoder: reads {len(passes) / len(per_turn_ms):.0%} of trainee turns, "
            f"{sum(n for n, _ in passes) / len(passes):.1f} new sentences each; per such turn "
            f"median {statistics.median(ms):.2f} ms, p95 {ms[int(0.95 * len(ms))]:.2f} ms; per "
            f"sentence median {statistics.median(per_sentence):.2f} ms"
        )

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["VOICECOACH_CACHE_DIR"] = tmp
        t0 = time.perf_counter()
        eight_bit(packaged_file(*MODEL_PACKAGE))
        print(f"Encoder's 8-bit model made (once per machine): {time.perf_counter() - t0:.1f} s")
        del os.environ["VOICECOACH_CACHE_DIR"]

    exe = Path(sys.executable).with_name("voicecoach")  # the command of this interpreter's venv
    with tempfile.TemporaryDirectory() as tmp:
        call = Path(tmp) / "call20.json"
        call.write_text(json.dumps(twenty_turn_call(files)))
        short = Path(tmp) / "call2.json"  # its empathy is in words only the encoder reads
        short.write_text(json.dumps(dict(twenty_turn_call(files), turns=ENCODER_CALL)))
        startup, whole, with_encoder = [], [], []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([str(exe), "--help"], capture_output=True, check=True)
            startup.append(time.perf_counter() - t0)
            for path, times in ((call, whole), (short, with_encoder)):
                t0 = time.perf_counter()
                subprocess.run(
                    [str(exe), "score", "--json", str(path)], capture_output=True, check=True
                )
                times.append(time.perf_counter() - t0)
        code = (
            "import time,sys;t0=time.perf_counter();"
            "from voicecoach.cli.score import score_files;import voicecoach.cli.common;"
            "from voicecoach.scoring.protocols import load_rubric;"
            "[load_rubric(p) for p in ('upset_caller','spikes','desc')];"
            "t1=time.perf_counter();score_files([sys.argv[1]], as_json=True);"
            "t2=time.perf_counter();"
            "print(f'{(t1-t0)*1000:.1f} {(t2-t1)*1000:.1f}', file=sys.stderr)"
        )
        runs = [
            subprocess.run(
                [sys.executable, "-c", code, str(call)],
                capture_output=True,
                text=True,
                check=True,
            ).stderr.split()
            for _ in range(3)
        ]
        inner = [statistics.median(float(r[i]) for r in runs) for i in (0, 1)]
    print(f"CLI start-up (voicecoach --help): median {statistics.median(startup) * 1000:.0f} ms")
    print(
        f"CLI `voicecoach score --json` on a 20-turn call, whole process: "
        f"median {statistics.median(whole) * 1000:.0f} ms"
    )
    print(
        f"CLI `voicecoach score --json` on a 2-turn call that needs the encoder, whole process: "
        f"median {statistics.median(with_encoder) * 1000:.0f} ms"
    )
    print(
        f"In-process start-up (imports, rubric validation, pattern compilation): "
        f"median {inner[0]:.0f} ms; then a 20-turn call (load + score + print JSON): "
        f"median {inner[1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=DEFAULT_DIR,
        help="folder of labelled transcript JSON files",
    )
    parser.add_argument("--errors", action="store_true", help="list each false positive/negative")
    parser.add_argument("--repeat", type=int, default=5, help="passes for the speed measurement")
    parser.add_argument("--no-speed", action="store_true", help="accuracy only")
    parser.add_argument(
        "--asr-noise",
        type=float,
        default=0.0,
        metavar="RATE",
        help="score trainee turns after simulated recogniser slips (per-word rate, e.g. 0.1): "
        "lower case, no punctuation, homophones, split or lost words, fillers",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for --asr-noise")
    parser.add_argument(
        "--esconv",
        type=Path,
        nargs="?",
        const=ESCONV,
        default=None,
        metavar="TSV",
        help="also measure empathize/clarify on outside replies (default ../shared esconv_dev.tsv)",
    )
    parser.add_argument(
        "--contract-labels",
        type=Path,
        nargs="*",
        default=None,
        metavar="TSV",
        help="with --esconv, also the replies read against the contract (default: the two "
        "readings bench/data/esconv_contract_labels*.tsv): their agreement with ESConv and "
        "with each other, and the scorer's",
    )
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="with --esconv, also the held-out half (the estimate: run it rarely, count the runs)",
    )
    args = parser.parse_args()
    if args.contract_labels == []:
        args.contract_labels = CONTRACT_LABELS
    for given in (args.esconv, *(args.contract_labels or [])):
        if given is not None and not given.is_file():
            parser.error(f"{given} is not a file (a folder of transcripts goes first)")
    files = sorted(args.directory.glob("*.json"))
    if not files:
        sys.exit(f"no .json transcripts in {args.directory}")
    accuracy(files, args.errors, args.asr_noise, args.seed)
    if args.esconv:
        esconv(args.esconv, args.errors, args.held_out)
        if args.contract_labels:
            contract_labels(args.esconv, args.contract_labels, args.held_out)
    if not args.no_speed:
        speed(files, args.repeat)


if __name__ == "__main__":
    main()
