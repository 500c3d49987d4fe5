"""Which alternatives of a detector pattern does the meaning layer already carry?

Drops one top-level alternative of a compiled pattern at a time (cumulatively, in order)
and keeps it dropped only when nothing gets worse:

- no new error on any labelled call (`../shared` transcripts, both proxy sets, the scoring
  fixtures; clean and with recogniser slips at 0.1 seed 0 and 0.15 seeds 1, 2, 3), on the
  adversarial calls, and with `--disclosure` on the development disclosure replies;
- the sentences the alternative matched, each scored alone after a stock caller line, are
  still found for the id (at least 2 of 3, up to 8 sentences);
- an alternative that matched nothing is dropped only when the id is found on at least 2
  of 3 strings generated from it (needs the `exrex` package, `.venv/bin/pip install exrex`;
  without it such alternatives are kept), and never for `confidentiality_breach`;
- empathize and clarify: the ESConv tuning half's balanced accuracy falls by at most 0.002.

The code is not edited: the script prints each verdict and the kept alternatives, and the
source is then changed by hand (and gated again: `--dump` before, `--against` after). The
development sets do not gate every family: see docs/scoring.md (2026-12-04) for a pattern
this passed that a held-out set rejected.

    .venv/bin/python bench/ablate_patterns.py rapport._EMPATHY=empathize
    .venv/bin/python bench/ablate_patterns.py --dump /tmp/before.json
    .venv/bin/python bench/ablate_patterns.py --against /tmp/before.json
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path

from disclosure import CALLERS, DEV_SET
from scoring import ESCONV_TASKS, esconv_half, label_ids, load_noisy, met_alone, predicted_ids
from shared_data import ROOT, shared_data_dir

SLIPS = [(0.0, 0), (0.1, 0), (0.15, 1), (0.15, 2), (0.15, 3)]
PROTOCOL_OF = {
    **dict.fromkeys(("setting", "perception", "invitation", "knowledge"), "spikes"),
    **dict.fromkeys(("strategy_summary",), "spikes"),
    **dict.fromkeys(("describe", "express", "specify", "consequences"), "desc"),
}
CALLER_LINE = {
    "upset_caller": "I've been on hold forever and my bill is wrong again.",
    "spikes": "Hi, you rang me about my appointment?",
    "desc": "Yeah, what did you want to talk to me about?",
}


def alternatives(pattern: re.Pattern) -> list[str]:
    """The top-level alternatives of an `rx` pattern (`\\b(?:a|b|c)\\b`)."""
    inner = pattern.pattern
    if not (inner.startswith(r"\b(?:") and inner.endswith(r")\b")):
        raise SystemExit(f"not an rx() pattern: {inner[:40]}...")
    inner = inner[5:-3]
    found, depth, current, i, in_class = [], 0, "", 0, False
    while i < len(inner):
        char = inner[i]
        if char == "\\":
            current, i = current + inner[i : i + 2], i + 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            found.append(current)
            current, i = "", i + 1
            continue
        current, i = current + char, i + 1
    return [*found, current]


def joined(alts: list[str], keep: list[int], flags: int) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(alts[i] for i in keep) + r")\b", flags)


class Case:
    """One call to score, with the verdicts it should get."""

    def __init__(self, key: str, transcript, truth: set[str] | None = None, expect=None):
        from voicecoach.scoring.text import NormText

        self.key, self.transcript, self.truth, self.expect = key, transcript, truth, expect
        self.texts: list[str] = []
        self.sentences: list[str] = []
        for turn in transcript.turns:
            norm = NormText(turn.text)
            self.texts += [norm.text, norm.lined_text]
            if turn.speaker == "trainee":
                self.sentences += [s for s in re.split(r"(?<=[.!?])\s+", turn.text) if s]

    def errors(self) -> frozenset[tuple[str, str]]:
        from voicecoach.scoring import score_transcript

        score = score_transcript(self.transcript).to_json()
        found = predicted_ids(score)
        if self.truth is not None:
            universe = set(score["steps"]) | set(score["checks"]) | set(score["faults"])
            truth = self.truth & universe
            return frozenset(
                {("fp", i) for i in found - truth} | {("fn", i) for i in truth - found}
            )
        missed = {("fn", i) for i in self.expect["present"] if i not in found}
        return frozenset(missed | {("fp", i) for i in self.expect["absent"] if i in found})


def load_cases(disclosure: bool) -> list[Case]:
    from voicecoach.scoring import load_transcript, transcript_from_json

    labelled = {
        "dev": shared_data_dir() / "transcripts",
        "proxy": ROOT / "bench" / "data" / "transcripts_proxy",
        "proxy2": ROOT / "bench" / "data" / "transcripts_proxy2",
        "fixtures": ROOT / "tests" / "fixtures" / "scoring",
    }
    cases = []
    for name, folder in labelled.items():
        for path in sorted(folder.glob("*.json")):
            truth = label_ids(json.loads(path.read_text())["labels"])
            for rate, seed in SLIPS:
                transcript = load_noisy(path, rate, seed) if rate else load_transcript(path)
                cases.append(Case(f"{name}/{path.stem}/{rate}/{seed}", transcript, truth=truth))
    for path in sorted((ROOT / "tests" / "fixtures" / "adversarial").glob("*.json")):
        data = json.loads(path.read_text())
        expect = data.pop("expect")
        cases.append(Case(f"adversarial/{path.stem}", transcript_from_json(data), expect=expect))
    if disclosure:
        rows = csv.DictReader(DEV_SET.open(encoding="utf-8"), delimiter="\t")
        ids = ["confidentiality_breach"]
        for n, row in enumerate(rows):
            for who, caller in CALLERS.items():
                turns = [
                    {"speaker": "caller", "text": caller.format(p=row["patient"])},
                    {"speaker": "trainee", "text": row["text"]},
                ]
                data = {"protocol": "upset_caller", "caller_name": "Jo Parker", "turns": turns}
                data["record_sensitive"] = True
                told = row["label"] == "1"
                expect = {"present": ids if told else [], "absent": [] if told else ids}
                transcript = transcript_from_json(data)
                cases.append(Case(f"disclosure/{n}/{who}", transcript, expect=expect))
    return cases


def found_alone(sentences: list[str], item: str) -> list[bool]:
    """Whether each sentence, the trainee's whole answer to a stock caller line, shows `item`."""
    from voicecoach.scoring import Scorer, Turn

    protocol = PROTOCOL_OF.get(item, "upset_caller")
    found = []
    for sentence in sentences:
        scorer = Scorer(protocol, caller_name="Sam Reed", record_sensitive=False)
        scorer.add_turn(Turn("caller", CALLER_LINE[protocol]))
        update = scorer.add_turn(Turn("trainee", sentence))
        found.append(item in {d.id for d in update.detections})
    return found


def generated(alt: str, n: int = 3) -> list[str]:
    """Up to n strings an alternative matches (plain words for \\w, no lookarounds)."""
    try:
        import exrex
    except ImportError:
        return []
    tame = re.sub(r"\(\?<?[!=](?:[^()]|\([^()]*\))*\)", "", alt)
    tame = tame.replace(r"\w+", "(?:really|just)").replace(r"\w*", "").replace(r"\w", "e")
    tame = tame.replace(r"\d+", "3").replace(r"\b", "").replace("^", "").replace("$", "")
    strings: set[str] = set()
    random.seed(alt)
    for _ in range(30):
        try:
            strings.add(re.sub(r"\s+", " ", exrex.getone(tame, limit=2)).strip())
        except Exception:  # noqa: BLE001 - exrex cannot read every pattern
            return []
        if len(strings) >= n:
            break
    return sorted(s for s in strings if s)


def esconv_found(rows: list[dict], item: str) -> dict[str, bool]:
    positive, negative = ESCONV_TASKS[item]
    return {
        row["text"]: item in met_alone(row["text"])
        for row in rows
        if row["strategy"] in positive | negative
    }


def balanced(rows: list[dict], item: str, found: dict[str, bool]) -> float:
    positive, negative = ESCONV_TASKS[item]
    pos = [found[r["text"]] for r in rows if r["strategy"] in positive]
    neg = [found[r["text"]] for r in rows if r["strategy"] in negative]
    return (sum(pos) / len(pos) + 1 - sum(neg) / len(neg)) / 2


def ablate(target: str, item: str, cases: list[Case], base: dict, rows: list[dict]) -> None:
    from voicecoach.scoring import detectors
    from voicecoach.scoring.text import NormText

    module_name, attr = target.split(".")
    module = getattr(detectors, module_name)
    pattern: re.Pattern = getattr(module, attr)
    alts = alternatives(pattern)
    keep = list(range(len(alts)))
    esconv = esconv_found(rows, item) if item in ESCONV_TASKS else None
    esconv_start = esconv and balanced(rows, item, esconv)
    for k, alt in enumerate(alts):
        trial = [i for i in keep if i != k]
        alone = re.compile(r"\b(?:" + alt + r")\b", pattern.flags | re.MULTILINE)
        matched = [c for c in cases if any(alone.search(t) for t in c.texts)]
        sentences = sorted(
            {s for c in matched for s in c.sentences if alone.search(NormText(s).lined_text)}
        )
        random.Random(k).shuffle(sentences)
        found_now = found_alone(sentences[:8], item)
        shown = [s for s, f in zip(sentences[:8], found_now, strict=True) if f]
        setattr(module, attr, joined(alts, trial, pattern.flags))
        worse = [(c.key, sorted(c.errors() - base[c.key])) for c in matched]
        worse = [w for w in worse if w[1]]
        if matched and not worse and item != "confidentiality_breach" and shown:
            still = sum(found_alone(shown, item))
            if still * 3 < len(shown) * 2:
                worse.append(("alone", f"{still}/{len(shown)}"))
        if not matched:
            strings = [] if item == "confidentiality_breach" else generated(alt)
            still = sum(found_alone(strings, item))
            if not strings or still * 3 < len(strings) * 2:
                worse.append(("unmatched", f"{still}/{len(strings)} generated strings found"))
        if not worse and esconv is not None:
            rows_hit = [
                r
                for r in rows
                if r["text"] in esconv and alone.search(NormText(r["text"]).lined_text)
            ]
            if rows_hit:
                trial_found = {**esconv, **esconv_found(rows_hit, item)}
                if balanced(rows, item, trial_found) < esconv_start - 0.002:
                    worse.append(("esconv", f"{balanced(rows, item, trial_found):.3f}"))
                else:
                    esconv = trial_found
        if not worse:
            keep = trial
        setattr(module, attr, joined(alts, keep, pattern.flags))
        verdict = f"KEEP {worse[:2]}" if worse else f"DROP ({len(matched)} calls matched)"
        print(f"{target} [{k}] {verdict} :: {alt[:100]}", flush=True)
    dropped = sorted(set(range(len(alts))) - set(keep))
    print(f"{target}: {len(keep)} of {len(alts)} kept; dropped: {dropped}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="MODULE.PATTERN=ID")
    parser.add_argument("--disclosure", action="store_true", help="gate on disclosure_dev.tsv too")
    parser.add_argument("--dump", type=Path, help="write every case's errors to this JSON file")
    parser.add_argument("--against", type=Path, help="list cases whose errors differ from a dump")
    args = parser.parse_args()
    cases = load_cases(args.disclosure or bool(args.against or args.dump))
    errors = {c.key: c.errors() for c in cases}
    print(f"{len(cases)} cases, {sum(map(len, errors.values()))} errors", flush=True)
    if args.dump:
        args.dump.write_text(json.dumps({k: sorted(v) for k, v in errors.items()}))
    if args.against:
        before = {k: {tuple(e) for e in v} for k, v in json.loads(args.against.read_text()).items()}
        for key, now in errors.items():
            if now - before.get(key, set()):
                print(f"  new   {key}: {sorted(now - before.get(key, set()))}")
            if before.get(key, set()) - now:
                print(f"  fixed {key}: {sorted(before.get(key, set()) - now)}")
    esconv = shared_data_dir() / "empathy" / "esconv_dev.tsv"
    rows = [
        r
        for r in csv.DictReader(esconv.open(encoding="utf-8"), delimiter="\t")
        if esconv_half(r["text"]) == "tuning"
    ]
    for target in args.targets:
        name, _, item = target.partition("=")
        if not item:
            parser.error(f"{target}: say which id the pattern finds (MODULE.PATTERN=ID)")
        ablate(name, item, cases, errors, rows)


if __name__ == "__main__":
    sys.exit(main())
