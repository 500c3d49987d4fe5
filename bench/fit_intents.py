"""Refit the learned intent heads (voicecoach/scoring/intent_heads.yaml).

    .venv/bin/python bench/fit_intents.py [--esconv TSV] [--check]

Per head id (the ESConv tasks in bench/scoring.py): logistic regression over the pooled
sentence embedding of canonical text, trained on the id's intent examples (positives),
its `unlike` sentences, the neutral sentences and the other ids' examples (negatives),
and the TUNING half of ESConv only (each reply as one text, as the scorer judges a
turn's whole text with a head). The threshold maximises the balanced accuracy of
5-fold cross-validated predictions on the tuning half. Prints tuning (cross-validated and
in-sample) and held-out balanced accuracy of the head alone; held-out is the estimate.
--check prints the numbers without writing the file; --adopt ID... marks the heads the
scorer uses (the others are written for measurement only).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import yaml
from scoring import ESCONV, ESCONV_TASKS, esconv_half
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from voicecoach.scoring.embedding import embedder
from voicecoach.scoring.heads import HEADS_FILE, HEADS_SCHEMA
from voicecoach.scoring.intents import intent_files
from voicecoach.scoring.text import NormText

C = 3.0  # inverse regularisation: chosen on the tuning half (1, 3, 10, 30 tried)
EXAMPLE_WEIGHT = 3.0  # an intent example or near miss counts as three outside replies
THRESHOLDS = np.arange(0.2, 0.96, 0.05)
MAX_FRONT_DESK_FP = 0.05  # cross-validated share of front-desk negatives a head may accept


def canonical(text: str) -> str:
    """The text as the scorer embeds it (canonical tokens, no punctuation)."""
    return " ".join(NormText(text).tokens)


def balanced_accuracy(truth: np.ndarray, predicted: np.ndarray) -> float:
    return float((predicted[truth].mean() + (1 - predicted[~truth].mean())) / 2)


def training_set(step: str, intents: dict, neutral: list[str], replies: list[dict]):
    """(texts, labels, weights): intent data first, then the tuning replies."""
    positive, negative = ESCONV_TASKS[step]
    rows = [(t, 1, EXAMPLE_WEIGHT) for t in intents[step]["examples"]]
    rows += [(t, 0, EXAMPLE_WEIGHT) for t in intents[step].get("unlike", [])]
    rows += [(t, 0, EXAMPLE_WEIGHT) for t in neutral]
    rows += [(t, 0, EXAMPLE_WEIGHT) for i, s in intents.items() if i != step for t in s["examples"]]
    rows += [
        (r["text"], int(r["strategy"] in positive), 1.0)
        for r in replies
        if r["strategy"] in positive | negative
    ]
    texts, labels, weights = zip(*rows, strict=True)
    return [canonical(t) for t in texts], np.array(labels), np.array(weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--esconv", type=Path, default=ESCONV, help="ESConv strategy TSV")
    parser.add_argument("--check", action="store_true", help="print numbers, write nothing")
    parser.add_argument(
        "--adopt", nargs="*", default=[], metavar="ID", help="heads the scorer should use"
    )
    args = parser.parse_args()
    intents, neutral = {}, []
    for path in intent_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        neutral += data.get("neutral", [])
        intents.update(data.get("intents", {}))
    replies = list(csv.DictReader(args.esconv.open(encoding="utf-8"), delimiter="\t"))
    tuning = [r for r in replies if esconv_half(r["text"]) == "tuning"]
    held_out = [r for r in replies if esconv_half(r["text"]) == "held-out"]
    pool = embedder().pooled
    heads = {}
    print(f"{'id':10} {'threshold':>9} {'tuning(cv)':>10} {'tuning':>7} {'held-out':>8}")
    for step, (positive, negative) in ESCONV_TASKS.items():
        texts, labels, weights = training_set(step, intents, neutral, tuning)
        features = pool(texts)
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
        replies_used = [r for r in tuning if r["strategy"] in positive | negative]
        n_data = len(texts) - len(replies_used)
        every = np.zeros(len(texts))
        for train, test in KFold(5, shuffle=True, random_state=0).split(texts):
            model.fit(features[train], labels[train], sample_weight=weights[train])
            every[test] = model.predict_proba(features[test])[:, 1]
        cv, truth_cv = every[n_data:], labels[n_data:].astype(bool)
        front_desk_fp = every[:n_data][labels[:n_data] == 0]
        scores = [
            balanced_accuracy(truth_cv, cv >= t)
            if (front_desk_fp >= t).mean() <= MAX_FRONT_DESK_FP
            else 0.0
            for t in THRESHOLDS
        ]
        threshold = float(THRESHOLDS[int(np.argmax(scores))])
        model.fit(features, labels, sample_weight=weights)
        figures = [max(scores)]
        for half in (tuning, held_out):
            rows = [r for r in half if r["strategy"] in positive | negative]
            truth = np.array([r["strategy"] in positive for r in rows])
            prob = model.predict_proba(pool([canonical(r["text"]) for r in rows]))[:, 1]
            figures.append(balanced_accuracy(truth, prob >= threshold))
        print(f"{step:10} {threshold:9.2f} " + " ".join(f"{f:10.3f}" for f in figures))
        heads[step] = {
            "adopted": step in args.adopt,
            "threshold": round(threshold, 2),
            "bias": round(float(model.intercept_[0]), 5),
            "weights": [round(float(w), 5) for w in model.coef_[0]],
        }
    if args.check:
        return
    doc = {
        "features": HEADS_SCHEMA["properties"]["features"]["const"],
        "fitted_on": "bench/fit_intents.py: intent examples + ESConv dev, tuning half only",
        "heads": heads,
    }
    text = "# Written by bench/fit_intents.py; refit after changing intent examples.\n"
    text += yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)
    HEADS_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {HEADS_FILE}")


if __name__ == "__main__":
    main()
