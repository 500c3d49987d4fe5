"""Refit the caller-role model (voicecoach/scoring/caller_role*.yaml) on our own text.

    .venv/bin/python bench/fit_caller_role.py [--check] [--adopt] [--lines FILE]

Training data is ours only: `scenarios/protocols/intents/caller_roles/third_party_caller.yaml`
(`positive`: caller turns by someone other than the patient; `negative`: the patient, a
parent of a young child, everyday caller lines). Each line is one row, as the scorer judges a
caller turn whole. Two heads, logistic regression, as for the intent heads:
  static  (caller_role.yaml): the static word vectors' mean+max+min (no encoder needed);
  context (caller_role_context.yaml): the contextual encoder's vector of the turn as written.
C and the threshold are chosen by 5-fold cross-validation (fixed folds: the fit repeats
exactly): the highest balanced accuracy that keeps cross-validated false positives on our
negatives at most MAX_FP (a patient taken for a third party turns their own record into a
breach). --check prints without writing; --adopt marks both heads for the scorer.
--lines FILE (tab-separated: 1 or 0, a caller line) prints the fitted heads' verdicts on
lines written after the fit (an estimate; never fitted on).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml
from fit_intents import cross_validated, run, with_recognised
from sklearn.linear_model import LogisticRegression

from voicecoach.scoring.caller_role import (
    CONTEXT_FILE,
    MIN_WORDS,
    ROLE,
    STATIC_FILE,
    canonical,
    load_role_training,
)
from voicecoach.scoring.embedding import embedder
from voicecoach.scoring.encoder import context_encoder
from voicecoach.scoring.heads import CONTEXT_FEATURES, STATIC_FEATURES
from voicecoach.scoring.text import NormText

THRESHOLDS = np.round(np.arange(0.3, 0.96, 0.05), 2)
MAX_FP = 0.03  # cross-validated share of our negatives the model may take for a third party


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print numbers, write nothing")
    parser.add_argument("--adopt", action="store_true", help="the scorer should use the heads")
    parser.add_argument("--lines", type=Path, help="score lines written after the fit")
    parser.add_argument(
        "--recognised",
        action="store_true",
        help="also fit the contextual head on recogniser-style copies of the lines (measured: "
        "cross-validated balanced accuracy 0.752 -> 0.690, lines written after the fit 16 -> 14 "
        "of 20, so not the default)",
    )
    args = parser.parse_args()
    if args.lines and not args.lines.is_file():
        parser.error(f"--lines: no such file: {args.lines}")
    own = load_role_training()
    texts = list(own.positive) + list(own.negative)
    y = np.array([1] * len(own.positive) + [0] * len(own.negative))
    encoder = context_encoder()
    if encoder is None:
        raise SystemExit("the contextual encoder does not load: run scripts/install.sh")

    def static(rows: list[str]) -> np.ndarray:
        return embedder().pooled([canonical(t) for t in rows])

    def contextual(rows: list[str]) -> np.ndarray:
        return encoder.encode_many(rows)  # one pass per text, so the fit repeats exactly

    later = []
    if args.lines:
        for line in args.lines.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                label, text = line.split("\t", 1)
                later.append((int(label), text))
    print(f"{len(own.positive)} positive, {len(own.negative)} negative lines")
    print(f"{'head':8} {'C':>5} {'thr':>5} {'bal.acc(cv)':>11} {'acc(cv)':>8} {'fp(cv)':>7}")
    typed, typed_y = texts, y
    for name, features, path, kind in (
        ("static", static, STATIC_FILE, STATIC_FEATURES),
        ("context", contextual, CONTEXT_FILE, CONTEXT_FEATURES),
    ):
        # with --recognised the encoder also reads each line as a recogniser writes it (a copy
        # shares its line's fold); the static vectors read canonical tokens, the same for both
        texts, y, groups = typed, typed_y, None
        if name == "context" and args.recognised:
            texts, y, groups = with_recognised(typed, typed_y)
        x = features(texts)
        c, threshold, score, cv = cross_validated(x, y, MAX_FP, THRESHOLDS, groups)
        yes = cv >= threshold
        print(
            f"{name:8} {c:5.1f} {threshold:5.2f} {score:11.3f} {(yes == (y == 1)).mean():8.3f} "
            f"{yes[y == 0].mean():7.3f}  ({len(y)} rows)"
        )
        if groups is not None:  # the lines as written and their copies apart
            typed_rows = np.arange(len(y)) < len(typed)
            for form, rows in (("as written", typed_rows), ("recogniser copies", ~typed_rows)):
                said, truth = yes[rows], y[rows] == 1
                print(
                    f"    {form}: recall {said[truth].mean():.3f}, "
                    f"false positives {said[~truth].mean():.3f}"
                )
        for text, p, truth in zip(texts, cv, y, strict=True):
            if (p >= threshold) != bool(truth):
                print(f"    cv {'FP' if not truth else 'FN'} {p:.2f}  {text}")
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x, y)
        if later:
            probs = model.predict_proba(features([t for _, t in later]))[:, 1]
            said = np.array(
                [
                    p >= threshold and len(NormText(t).tokens) >= MIN_WORDS
                    for p, (_, t) in zip(probs, later, strict=True)
                ]
            )
            truth = np.array([label == 1 for label, _ in later])
            print(
                f"    lines written after the fit: {int((said == truth).sum())} of {len(later)} "
                f"right (positives {int(said[truth].sum())}/{int(truth.sum())}, negatives "
                f"{int((~said[~truth]).sum())}/{int((~truth).sum())})"
            )
            for p, s, (label, text) in zip(probs, said, later, strict=True):
                print(f"    {'ok ' if s == bool(label) else 'BAD'} {label} {p:.2f}  {text}")
        if not args.check:
            entry = {
                "adopted": args.adopt,
                "threshold": round(float(threshold), 2),
                "bias": round(float(model.intercept_[0]), 5),
                "weights": [round(float(w), 5) for w in model.coef_[0]],
            }
            write_role(path, kind, entry)


def write_role(path: Path, features: str, entry: dict) -> None:
    doc = {
        "features": features,
        "fitted_on": "bench/fit_caller_role.py: weights from our own text only "
        "(scenarios/protocols/intents/caller_roles/); threshold by cross-validation on it",
        "heads": {ROLE: entry},
    }
    text = "# Written by bench/fit_caller_role.py; refit after changing the training lines.\n"
    text += yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    run(main)
