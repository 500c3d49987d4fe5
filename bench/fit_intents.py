"""Refit the learned intent heads (voicecoach/scoring/intent_heads*.yaml).

    .venv/bin/python bench/fit_intents.py [--esconv TSV] [--check]

Per head id (the ESConv tasks in bench/scoring.py): logistic regression over the pooled
sentence embedding of canonical text, trained on the id's intent examples (positives),
its `unlike` sentences, the neutral sentences and the other ids' examples (negatives),
and the TUNING half of ESConv only (each reply as one text, as the scorer judges a
turn's whole text with a head). The threshold maximises the balanced accuracy of
5-fold cross-validated predictions on the tuning half. The contextual head (the
encoder's vector, then the static features) is fitted on the same rows; its gate is the
highest static-head probability (GATES) whose cross-validated balanced accuracy is within
GATE_TOLERANCE of the best, so the encoder runs on as few turns as possible. Prints
tuning (cross-validated and in-sample) and held-out balanced accuracy of each head alone;
held-out is the estimate.
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
from voicecoach.scoring.encoder import context_encoder
from voicecoach.scoring.heads import (
    CONTEXT_FEATURES,
    CONTEXT_HEADS_FILE,
    HEADS_FILE,
    STATIC_FEATURES,
)
from voicecoach.scoring.intents import intent_files
from voicecoach.scoring.text import NormText

C = 3.0  # inverse regularisation: chosen on the tuning half (1, 3, 10, 30 tried)
C_CONTEXT = 1.0  # the same for the contextual heads (0.3, 1, 3, 10 tried)
GATES = np.arange(0.0, 0.51, 0.05)  # static-head probabilities tried as the encoder's gate
GATE_TOLERANCE = 0.01  # cross-validated balanced accuracy a higher gate may cost
EXAMPLE_WEIGHT = 3.0  # an intent example or near miss counts as three outside replies
THRESHOLDS = np.arange(0.2, 0.96, 0.05)
MAX_FRONT_DESK_FP = 0.05  # cross-validated share of front-desk negatives a head may accept
# the same for the contextual heads: 0.05 cost them 0.05-0.08 held-out, 0.10 keeps the
# dev transcripts and intent tests (measured with bench/scoring.py and tests/)
MAX_FRONT_DESK_FP_CONTEXT = 0.10


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


def cross_validated(features, labels, weights, c: float) -> tuple[np.ndarray, LogisticRegression]:
    """5-fold cross-validated probabilities, and the model fitted on everything."""
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    every = np.zeros(len(labels))
    for train, test in KFold(5, shuffle=True, random_state=0).split(features):
        model.fit(features[train], labels[train], sample_weight=weights[train])
        every[test] = model.predict_proba(features[test])[:, 1]
    model.fit(features, labels, sample_weight=weights)
    return every, model


def best_threshold(
    prob: np.ndarray,
    truth: np.ndarray,
    front_desk: np.ndarray,
    gated_in: np.ndarray | None = None,
    max_fp: float = MAX_FRONT_DESK_FP,
) -> tuple[float, float]:
    """(threshold, cross-validated balanced accuracy) of `prob >= threshold` (rows: data
    first, then the replies; only rows `gated_in` when given) among thresholds accepting at
    most `max_fp` of the front-desk negatives."""
    n_data = len(front_desk)
    scores = []
    for t in THRESHOLDS:
        yes = prob >= t if gated_in is None else (prob >= t) & gated_in
        fp = yes[:n_data][~front_desk].mean()
        scores.append(balanced_accuracy(truth, yes[n_data:]) if fp <= max_fp else 0.0)
    return float(THRESHOLDS[int(np.argmax(scores))]), max(scores)


def head_entry(model: LogisticRegression, threshold: float, adopted: bool, **extra) -> dict:
    return {
        "adopted": adopted,
        "threshold": round(threshold, 2),
        **{k: round(float(v), 2) for k, v in extra.items()},
        "bias": round(float(model.intercept_[0]), 5),
        "weights": [round(float(w), 5) for w in model.coef_[0]],
    }


def write_heads(path: Path, features: str, heads: dict) -> None:
    doc = {
        "features": features,
        "fitted_on": "bench/fit_intents.py: intent examples + ESConv dev, tuning half only",
        "heads": heads,
    }
    text = "# Written by bench/fit_intents.py; refit after changing intent examples.\n"
    text += yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


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
    encoder = context_encoder()
    if encoder is None:
        raise SystemExit("the contextual encoder does not load: run scripts/install.sh")
    vectors: dict[str, np.ndarray] = {}

    def contextual(texts: list[str]) -> np.ndarray:
        for t in texts:
            if t not in vectors:
                vectors[t] = encoder.encode(t)
        return np.hstack([np.stack([vectors[t] for t in texts]), pool(texts)])

    static_heads, context_heads = {}, {}
    print(
        f"{'id':10} {'head':7} {'threshold':>9} {'gate':>5} {'tuning(cv)':>10} {'tuning':>7} "
        f"{'held-out':>8}  share gated in (tuning replies / front-desk)"
    )
    for step, (positive, negative) in ESCONV_TASKS.items():
        texts, labels, weights = training_set(step, intents, neutral, tuning)
        n_data = len(texts) - sum(r["strategy"] in positive | negative for r in tuning)
        front_desk = labels[:n_data].astype(bool)
        truth_cv = labels[n_data:].astype(bool)
        static_x = pool(texts)
        cv_static, static = cross_validated(static_x, labels, weights, C)
        threshold, cv_score = best_threshold(cv_static, truth_cv, front_desk)
        cv_context, context = cross_validated(contextual(texts), labels, weights, C_CONTEXT)
        gated = []  # (gate, threshold, cv score): the highest gate within GATE_TOLERANCE
        for gate in GATES:
            t_g, s_g = best_threshold(
                cv_context, truth_cv, front_desk, cv_static >= gate, MAX_FRONT_DESK_FP_CONTEXT
            )
            gated.append((gate, t_g, s_g))
        top = max(s for _, _, s in gated)
        gate, c_threshold, c_score = max(g for g in gated if g[2] >= top - GATE_TOLERANCE)
        for name, model, features, cv in (
            ("static", static, pool, cv_score),
            ("context", context, contextual, c_score),
        ):
            figures = [cv]
            for half in (tuning, held_out):
                rows = [r for r in half if r["strategy"] in positive | negative]
                truth = np.array([r["strategy"] in positive for r in rows])
                canon = [canonical(r["text"]) for r in rows]
                p_static = static.predict_proba(pool(canon))[:, 1]
                prob = model.predict_proba(features(canon))[:, 1]
                if name == "static":
                    accepted = prob >= threshold
                else:
                    accepted = (p_static >= gate) & (prob >= c_threshold)
                figures.append(balanced_accuracy(truth, accepted))
            shares = ""
            if name == "context":
                shares = f"  {(cv_static[n_data:] >= gate).mean():.2f} / "
                shares += f"{(cv_static[:n_data] >= gate).mean():.2f}"
            shown_gate = f"{gate:5.2f}" if name == "context" else " " * 5
            print(
                f"{step:10} {name:7} {threshold if name == 'static' else c_threshold:9.2f} "
                f"{shown_gate} " + " ".join(f"{f:10.3f}" for f in figures) + shares
            )
        static_heads[step] = head_entry(static, threshold, step in args.adopt)
        context_heads[step] = head_entry(context, c_threshold, step in args.adopt, gate=gate)
    if args.check:
        return
    write_heads(HEADS_FILE, STATIC_FEATURES, static_heads)
    write_heads(CONTEXT_HEADS_FILE, CONTEXT_FEATURES, context_heads)


if __name__ == "__main__":
    main()
