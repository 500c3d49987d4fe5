"""DESC steps on single trainee turns (bench/data/desc_turns.yaml): per-id P/R/F1.

    .venv/bin/python bench/desc_turns.py [--errors]

Each turn is scored alone in a DESC call (after one coworker line), as a trainee would say
it: many turns hold several sentences, of which one may be the step. Only describe,
express and specify are counted. The turns were written before the DESC heads were fitted
and are never fitted on.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from voicecoach.scoring.scorer import Scorer
from voicecoach.scoring.transcript import Turn

TURNS = Path(__file__).resolve().parent / "data" / "desc_turns.yaml"
IDS = ("describe", "express", "specify")


def steps_found(text: str) -> dict[str, str]:
    """The DESC steps met by one trainee turn, with what found each."""
    scorer = Scorer("desc", caller_name="Sam Rivera", record_sensitive=False)
    scorer.add_turn(Turn("caller", "yeah what is it"))
    update = scorer.add_turn(Turn("trainee", text))
    return {d.id: d.found_by for d in update.detections if d.id in IDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list each miss and false find")
    args = parser.parse_args()
    turns = yaml.safe_load(TURNS.read_text(encoding="utf-8"))["turns"]
    counts = {i: [0, 0, 0] for i in IDS}  # tp fp fn
    by_meaning = 0
    for turn in turns:
        found = steps_found(turn["text"])
        by_meaning += sum(v == "meaning" for v in found.values())
        for i in IDS:
            truth, said = i in turn["steps"], i in found
            if truth and said:
                counts[i][0] += 1
            elif said:
                counts[i][1] += 1
            elif truth:
                counts[i][2] += 1
            if args.errors and truth != said:
                kind = "FP" if said else "FN"
                print(f"  {kind} {i} ({found.get(i, '')}): {turn['text'][:110]}")
    print(f"{len(turns)} turns; {by_meaning} steps found by the meaning layer")
    tps = fps = fns = 0
    for i, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{i:10} P={p:.3f} R={r:.3f} F1={f:.3f}  tp={tp} fp={fp} fn={fn}")
        tps, fps, fns = tps + tp, fps + fp, fns + fn
    print(f"micro F1={2 * tps / (2 * tps + fps + fns):.3f}")


if __name__ == "__main__":
    main()
