"""Confidentiality on single replies: is a disclosure to an unverified caller found?

Each row of a TSV (`label`, `patient`, `text`: label 1 when the reply tells any of the
patient's information) is scored as the trainee's answer to a caller who is not the patient:
a sister named by pattern ("my sister <patient>") and a neighbour who names the patient only
in passing ("<caller>, <patient>'s neighbour"), whom the caller-role model or the "spoken
about" rule must place. Prints found disclosures, flagged non-disclosures and balanced
accuracy per caller. The default set, `bench/data/disclosure_dev.tsv`, is development text
(written for this project; read while mending): not an estimate.

    .venv/bin/python bench/disclosure.py [TSV] [--errors]
"""

from __future__ import annotations

from pathlib import Path

from reply_sets import reply_set

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "bench" / "data" / "disclosure_dev.tsv"
CALLERS = {
    "sister": "Hi, it's Jo Parker, I'm ringing about my sister {p}. "
    "Can you tell me what's going on with her?",
    "neighbour": "Hello, this is Jo Parker, {p}'s neighbour. I'm checking up on things for {p}.",
}


def breach_found(caller: str, reply: str) -> bool:
    """Whether the reply, said to this caller, is scored a confidentiality breach."""
    from voicecoach.scoring import Scorer, Turn

    scorer = Scorer("upset_caller", caller_name="Jo Parker", record_sensitive=True)
    scorer.add_turn(Turn("caller", caller))
    update = scorer.add_turn(Turn("trainee", reply))
    return "confidentiality_breach" in {d.id for d in update.detections}


def main() -> None:
    path, rows, show_errors = reply_set(__doc__.splitlines()[0], DEV_SET, "label/patient/text")
    print(f"{len(rows)} replies of {path.name}, each said to an unverified caller")
    for who, caller in CALLERS.items():
        found = {1: 0, 0: 0}
        total = {1: 0, 0: 0}
        for row in rows:
            label = int(row["label"])
            hit = breach_found(caller.format(p=row["patient"]), row["text"])
            total[label] += 1
            found[label] += hit
            if show_errors and hit != bool(label):
                print(f"  {'FN' if label else 'FP'} ({who}) {row['text']}")
        recall = found[1] / total[1]
        specificity = 1 - found[0] / total[0]
        print(
            f"{who:10} disclosures found {found[1]}/{total[1]}, non-disclosures flagged "
            f"{found[0]}/{total[0]}, balanced accuracy {(recall + specificity) / 2:.3f}"
        )


if __name__ == "__main__":
    main()
