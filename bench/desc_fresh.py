"""Score one-sentence DESC trainee turns, one step each (never fitted on):
python bench/desc_fresh.py [bench/data/desc_fresh2.tsv] [-v].

Columns: text, intent (the step judged), expected (1: the step is found, 0: it is not). Each
sentence is the trainee's second turn in a desc call, after an opener, so the first-turn
rules do not decide it."""

from __future__ import annotations

import csv
import sys
from collections import Counter

from voicecoach.scoring import Scorer
from voicecoach.scoring.transcript import Turn


def found_steps(text: str) -> dict[str, str]:
    scorer = Scorer("desc", caller_name="Sam Reid", record_sensitive=False)
    scorer.add_turn(Turn("caller", "You wanted a word?"))
    scorer.add_turn(Turn("trainee", "Yes, thanks for making time, Sam."))
    scorer.add_turn(Turn("caller", "Sure, what's up?"))
    return {d.id: d.found_by for d in scorer.add_turn(Turn("trainee", text)).detections}


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "-v"]
    path = args[0] if args else "bench/data/desc_fresh2.tsv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    right: Counter = Counter()
    total: Counter = Counter()
    for r in rows:
        found = found_steps(r["text"])
        got = r["intent"] in found
        ok = got == (r["expected"] == "1")
        key = (r["intent"], r["expected"])
        total[key] += 1
        right[key] += ok
        if "-v" in sys.argv:
            mark = "ok  " if ok else "MISS" if r["expected"] == "1" else "FP  "
            by = found.get(r["intent"], "-")
            print(f"{mark} {r['intent']:<12} {r['expected']} {by:<8} {r['text']}")
    for step in dict.fromkeys(r["intent"] for r in rows):
        print(
            f"{step:<12} positives {right[step, '1']}/{total[step, '1']}"
            f"  look-alikes {right[step, '0']}/{total[step, '0']}"
        )
    print(f"right {sum(right.values())} of {len(rows)}")


if __name__ == "__main__":
    main()
