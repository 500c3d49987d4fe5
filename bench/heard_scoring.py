"""End to end: score labelled calls as written, then as heard through festival and a recogniser.

Every trainee turn of every labelled transcript is spoken by both Debian
festival voices (slt female HTS, kal male diphone; text in canonical spoken
form, audio cached under bench/out/festival/), recognised by `--engine`
(default: `auto`, whatever `voicecoach transcribe` uses; numbers normalised at
the recogniser's boundary) as the live call hears it (the caller's name as a
hint, the caller's line before the turn as `set_context`; `--no-context`
leaves that out), put back into the call, and the call scored. Each turn is
decoded as a file is (Whisper: a beam of 5; the live call's own decodes are greedy,
an unsure turn heard again as a file in the background, which `--live` measures). The
step/check/fault micro-F1 of the heard calls is compared with the written ones
(target: within 0.04), with bench/scoring.py's own metric code; the WER of the
heard turns is printed too. Recognised text is cached per engine and voice
(bench/out/heard/, with a hash of the recogniser code it came from: a note
says when that code has changed since) unless --fresh.

`--live` (Whisper) hears each turn as the live call does instead of as a file:
a live recogniser fed 20 ms chunks (0.3 s of silence first, as the call's
pre-roll, and 0.6 s after), waiting for each background decode before feeding
more, so every pause of 0.1 s is decoded as it ends (the most pause decodes
a turn can have); then `final()`, and the revision of an unsure turn when there is
one (the text the call saves and scores; the caller answered the first). Its cache
file is per recogniser code (bench/out/heard/whisper-live-VOICE-CODE.json).

Sets (each its own row, then all together):
  dev     ../shared/data/transcripts: the scorer was developed on these
  proxy   bench/data/transcripts_proxy: labelled proxies written for evaluation
  proxy2  bench/data/transcripts_proxy2: a second independent proxy set
The recogniser's caller-line context was chosen on `dev`, so for the recogniser
`proxy` + `proxy2` are held out; the written F1 of `dev` is a development figure for
the scorer.

    .venv/bin/python bench/heard_scoring.py [--engine auto] [--voices slt,kal] [--sets dev,proxy]
        [--no-hints] [--no-context]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from asr import word_errors
from festival import VOICES, synthesize_all
from scoring import _prf, label_ids, predicted_ids
from shared_data import shared_data_dir

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "dev": shared_data_dir() / "transcripts",
    "proxy": ROOT / "bench" / "data" / "transcripts_proxy",
    "proxy2": ROOT / "bench" / "data" / "transcripts_proxy2",
}
HEARD_DIR = ROOT / "bench" / "out" / "heard"
F1_GAP_TARGET = 0.04
LIVE_SR = 16000
LIVE_CHUNK_BYTES = 2 * 320  # 20 ms of 16-bit samples, as the live microphone hands them


@dataclasses.dataclass
class Tally:
    """True/false positives and negatives over ids, and word errors of the heard turns."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: int = 0
    words: int = 0

    def add_score(self, score: dict, labels: dict) -> None:
        universe = set(score["steps"]) | set(score["checks"]) | set(score["faults"])
        truth, pred = label_ids(labels) & universe, predicted_ids(score)
        self.tp += len(pred & truth)
        self.fp += len(pred - truth)
        self.fn += len(truth - pred)

    @property
    def f1(self) -> float:
        return _prf(self.tp, self.fp, self.fn)[2]

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 0.0


def load_calls(set_names: list[str], limit: int | None) -> list[tuple[str, Path, object, dict]]:
    """(set name, file, Transcript, labels) of each labelled call."""
    from voicecoach.scoring import load_transcript

    calls = []
    for name in set_names:
        files = sorted(SETS[name].glob("*.json"))[:limit]
        if not files:
            sys.exit(f"no .json transcripts in {SETS[name]}")
        for path in files:
            labels = json.loads(path.read_text(encoding="utf-8"))["labels"]
            calls.append((name, path, load_transcript(path), labels))
    return calls


Line = tuple[str, str, str]  # (trainee line in spoken form, caller-name hint, caller's line)


def trainee_lines(transcript, hints: bool, context: bool) -> list[Line]:
    """Each trainee turn of a call as heard: its canonical spoken form, the caller-name hint
    (or "") and the caller's line before it (or "", as `set_context` gets it live)."""
    from voicecoach.asr.normalize import normalize_text

    hint = transcript.caller_name if hints else ""
    lines, before = [], ""
    for turn in transcript.turns:
        if turn.speaker == "trainee":
            lines.append((normalize_text(turn.text), hint, before if context else ""))
        else:
            before = turn.text
    return lines


def spoken_lines(calls, hints: bool, context: bool) -> list[Line]:
    """The distinct trainee lines of all calls (`trainee_lines`)."""
    seen = {line: None for _, _, t, _ in calls for line in trainee_lines(t, hints, context)}
    return list(seen)


def recognise_all(
    lines: list[Line], voice: str, engine: str, fresh: bool, live: bool = False
) -> dict[Line, str]:
    """Text heard for each line as the live call hears it: the call's caller name passed
    as `hints`, the caller's line before as `set_context`; numbers normalised (the raw
    text is cached in bench/out/heard/)."""
    from rich.progress import Progress

    from voicecoach.asr.normalize import normalize_text
    from voicecoach.asr.select import choose_engine
    from voicecoach.asr.transcribe import transcribe_file

    choice = choose_engine(engine)
    code = engine_fingerprint()
    cache_name = f"{choice.engine}-live-{voice}-{code}" if live else f"{choice.engine}-{voice}-raw"
    cache_path = HEARD_DIR / f"{cache_name}.json"
    cache = {} if fresh or not cache_path.exists() else json.loads(cache_path.read_text())
    heard = cache.get("heard", {})
    if heard and cache.get("engine_code") != code:
        print(f"  note: {cache_path.name} was recognised by older engine code; --fresh redoes it")
    texts = list(dict.fromkeys(text for text, _, _ in lines))
    wavs = dict(zip(texts, synthesize_all(texts, voice, description=f"{voice} voice"), strict=True))
    todo = [line for line in lines if _key(*line) not in heard]
    audio_s = busy_s = 0.0
    with Progress() as progress:
        task = progress.add_task(f"{choice.engine} hears {voice}", total=len(todo))
        for done, (text, hint, before) in enumerate(todo, 1):
            started = time.perf_counter()
            if live:
                heard[_key(text, hint, before)], duration_s = _heard_live(
                    wavs[text], engine, hint, before
                )
            else:
                result = transcribe_file(
                    wavs[text], lambda sr, h=hint, b=before: _engine_itself(engine, sr, h, b)
                )
                heard[_key(text, hint, before)], duration_s = result.text, result.duration_s
            busy_s += time.perf_counter() - started
            audio_s += duration_s
            progress.advance(task)
            if done % 20 == 0 or done == len(todo):
                code_of_all = code if not cache.get("heard") else cache.get("engine_code")
                cache = {"engine_code": code_of_all, "heard": heard}
                _save(cache_path, cache)
    if todo:
        print(
            f"  {choice.engine} on {voice}: {len(todo)} turns, {audio_s:.0f} s of audio, "
            f"RTF {busy_s / audio_s:.3f} (wall, shared machine)"
        )
    return {line: normalize_text(heard[_key(*line)]) for line in lines}


def _key(text: str, hint: str, before: str) -> str:
    key = f"{hint}\n{text}" if hint else text
    return f"{before}\n\n{key}" if before else key


def _engine_itself(engine: str, sample_rate: int, hint: str, before: str, *, live: bool = False):
    """The recogniser `make_recognizer` builds, without its number normalisation: the raw
    text is cached, and `normalize_text` is applied when scoring (so a change to
    normalize.py needs no new recognition; utterances are joined before, not after)."""
    from voicecoach.asr.normalize import NormalizingRecognizer
    from voicecoach.asr.select import make_recognizer

    hints = [hint] if hint else []
    recognizer = make_recognizer(engine, sample_rate=sample_rate, hints=hints, live=live)
    recognizer.set_context(before)
    return recognizer.engine if isinstance(recognizer, NormalizingRecognizer) else recognizer


def _heard_live(wav: Path, engine: str, hint: str, before: str) -> tuple[str, float]:
    """(text, seconds of speech) of one turn through a live recogniser (see `--live`)."""
    import numpy as np

    from voicecoach.audio.io import float_to_pcm16, load_audio

    y, sr = load_audio(wav, sr=LIVE_SR)
    lead, trail = np.zeros(int(0.3 * sr), np.float32), np.zeros(int(0.6 * sr), np.float32)
    pcm = float_to_pcm16(np.concatenate([lead, y, trail]))
    with _engine_itself(engine, sr, hint, before, live=True) as recognizer:
        for i in range(0, len(pcm), LIVE_CHUNK_BYTES):
            recognizer.accept(pcm[i : i + LIVE_CHUNK_BYTES])
            recognizer.wait_idle()
        text = recognizer.final().text
        recognizer.wait_revisions(60)
        revised = recognizer.revisions()
        return (revised[-1].result.text if revised else text), len(y) / sr


def engine_fingerprint() -> str:
    """A hash of the recogniser code and pinned weights list (voicecoach/asr/*.py, *.json,
    normalize.py aside) of the voicecoach package imported."""
    import voicecoach.asr

    folder = Path(voicecoach.asr.__file__).parent
    digest = hashlib.sha1()
    for path in sorted([*folder.glob("*.py"), *folder.glob("*.json")]):
        if path.name != "normalize.py":
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _save(path: Path, cache: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cache, indent=0, ensure_ascii=False), encoding="utf-8")


def heard_transcript(transcript, heard: dict[Line, str], hints: bool, context: bool):
    """The call with every trainee turn replaced by what the recogniser heard."""
    from voicecoach.scoring import Turn

    lines = iter(trainee_lines(transcript, hints, context))
    turns = tuple(
        Turn(t.speaker, heard[next(lines)], start=t.start, end=t.end)
        if t.speaker == "trainee"
        else t
        for t in transcript.turns
    )
    return dataclasses.replace(transcript, turns=turns)


def evaluate(
    calls, heard_by_voice: dict, hints: bool, context: bool
) -> dict[tuple[str, str], Tally]:
    """Tallies keyed by (set, "written" or a voice)."""
    from voicecoach.scoring import score_transcript

    tallies: dict[tuple[str, str], Tally] = {}
    for set_name, _, transcript, labels in calls:
        for set_key in (set_name, "all"):
            tally = tallies.setdefault((set_key, "written"), Tally())
            tally.add_score(score_transcript(transcript).to_json(), labels)
        for voice, heard in heard_by_voice.items():
            call = heard_transcript(transcript, heard, hints, context)
            score = score_transcript(call).to_json()
            errors = words = 0
            for line in trainee_lines(transcript, hints, context):
                e, n = word_errors(line[0], heard[line])
                errors, words = errors + e, words + n
            for set_key in (set_name, "all"):
                for key in ((set_key, voice), (set_key, "both voices")):
                    tally = tallies.setdefault(key, Tally())
                    tally.add_score(score, labels)
                    tally.errors += errors
                    tally.words += words
    return tallies


def print_table(tallies: dict[tuple[str, str], Tally], set_names: list[str], engine: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Scoring written vs heard ({engine}); micro-F1 over steps/checks/faults")
    for column in ("set", "text", "micro-F1", "gap", "turn WER", "tp", "fp", "fn"):
        table.add_column(column, justify="left" if column in ("set", "text") else "right")
    for set_name in [*set_names, "all"]:
        written = tallies[(set_name, "written")]
        kinds = ["written", *(k for n, k in tallies if n == set_name and k != "written")]
        kinds.sort(key=lambda k: k == "both voices")  # written, each voice, both voices
        for kind in kinds:
            tally = tallies[(set_name, kind)]
            gap = written.f1 - tally.f1
            verdict = "" if kind == "written" else (" ok" if gap <= F1_GAP_TARGET else " > 0.04")
            table.add_row(
                set_name,
                kind if kind == "written" else f"heard, {kind}",
                f"{tally.f1:.3f}",
                "-" if kind == "written" else f"{gap:+.3f}{verdict}",
                "-" if kind == "written" else f"{tally.wer:.3f}",
                str(tally.tp),
                str(tally.fp),
                str(tally.fn),
            )
        table.add_section()
    Console(width=120).print(table)
    print(
        "dev: the scorer was developed on these calls (its written F1 is a development figure); "
        "proxy/proxy2 were written for evaluation. The recogniser's caller-line context was "
        "chosen on dev: the heard-vs-written gap on proxy + proxy2 is the held-out estimate."
    )
    print(f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} shared cores.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--engine",
        default="auto",
        help="auto (the default engine), pocketsphinx, vosk, or any engine make_recognizer knows",
    )
    parser.add_argument("--voices", default=",".join(VOICES), help="comma-separated: slt,kal")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated: dev,proxy,proxy2")
    parser.add_argument("--limit", type=int, help="only the first N calls of each set")
    parser.add_argument(
        "--no-hints",
        action="store_true",
        help="do not pass the caller's name as a recognition hint (the live call does)",
    )
    parser.add_argument(
        "--no-context",
        action="store_true",
        help="do not give the recogniser the caller's line before each turn (the live call does)",
    )
    parser.add_argument("--fresh", action="store_true", help="recognise again, ignore the cache")
    parser.add_argument(
        "--live",
        action="store_true",
        help="hear each turn as the live call does (Whisper: decodes in the background)",
    )
    args = parser.parse_args()
    set_names, voices = args.sets.split(","), args.voices.split(",")
    calls = load_calls(set_names, args.limit)
    hints, context = not args.no_hints, not args.no_context
    lines = spoken_lines(calls, hints, context)
    print(f"{len(calls)} calls, {len(lines)} distinct trainee turns, voices {', '.join(voices)}")
    heard = {
        voice: recognise_all(lines, voice, args.engine, args.fresh, args.live) for voice in voices
    }
    print_table(evaluate(calls, heard, hints, context), set_names, args.engine)


if __name__ == "__main__":
    main()
