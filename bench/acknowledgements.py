"""Empathy on single replies: is an acknowledgement of the caller's feelings found?

Each row of a TSV (`caller`, `reply`, `empathize`: 1 when the reply acknowledges the
caller's feelings) is scored as an upset caller's line and the trainee's whole answer to it
in the upset-caller protocol. Prints acknowledgements found, other replies taken for one and
balanced accuracy. The default set, `bench/data/acknowledgements_dev.tsv`, is development
text (written blind to the scorer for this project, then read while mending): not an
estimate.

    .venv/bin/python bench/acknowledgements.py [TSV] [--errors]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "bench" / "data" / "acknowledgements_dev.tsv"


def empathy_found(caller: str, reply: str) -> str | None:
    """How the reply, said to this caller, meets `empathize` ("pattern" / "meaning"), or None."""
    from voicecoach.scoring import Scorer, Turn

    scorer = Scorer("upset_caller", caller_name="", record_sensitive=False)
    scorer.add_turn(Turn("caller", caller))
    update = scorer.add_turn(Turn("trainee", reply))
    return next((d.found_by for d in update.detections if d.id == "empathize"), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", type=Path, nargs="?", default=DEV_SET, help="caller/reply/empathize")
    parser.add_argument("--errors", action="store_true", help="list each missed or wrong reply")
    args = parser.parse_args()
    rows = list(csv.DictReader(args.tsv.open(encoding="utf-8"), delimiter="\t"))
    found = {True: 0, False: 0}
    total = {True: 0, False: 0}
    by = {"pattern": 0, "meaning": 0}
    for row in rows:
        truth = row["empathize"] == "1"
        how = empathy_found(row["caller"], row["reply"])
        total[truth] += 1
        found[truth] += how is not None
        if how is not None and truth:
            by[how] += 1
        if args.errors and (how is not None) != truth:
            print(f"  {'FN' if truth else 'FP'} {row['reply']}")
    recall = found[True] / total[True]
    specificity = 1 - found[False] / total[False]
    print(
        f"{args.tsv.name}: acknowledgements found {found[True]}/{total[True]} "
        f"(pattern {by['pattern']}, meaning {by['meaning']}), other replies taken for one "
        f"{found[False]}/{total[False]}, balanced accuracy {(recall + specificity) / 2:.3f}"
    )


if __name__ == "__main__":
    main()
