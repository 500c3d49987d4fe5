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

from pathlib import Path

from reply_sets import reply_set

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
    path, rows, show_errors = reply_set(__doc__.splitlines()[0], DEV_SET, "caller/reply/empathize")
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
        if show_errors and (how is not None) != truth:
            print(f"  {'FN' if truth else 'FP'} {row['reply']}")
    recall = found[True] / total[True]
    specificity = 1 - found[False] / total[False]
    print(
        f"{path.name}: acknowledgements found {found[True]}/{total[True]} "
        f"(pattern {by['pattern']}, meaning {by['meaning']}), other replies taken for one "
        f"{found[False]}/{total[False]}, balanced accuracy {(recall + specificity) / 2:.3f}"
    )


if __name__ == "__main__":
    main()
