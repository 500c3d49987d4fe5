"""Refit the calm model (voicecoach/delivery/calm_model.json) from the emotion development set.

Logistic regression (plain numpy, L2-regularised, Newton steps) on the
baseline-relative shifts of every (neutral baseline clip, other clip) pair of
the same speaker, each shift also with its upward part max(shift, 0); every
speaker and both classes within it weigh the same. Every pair is used
three times with the recording level changed by a random amount of up to
+-3 dB (a trainee's microphone is never placed quite the same way twice), so
the model does not lean on loudness more than a small level change allows.
The decision threshold is 0.5: equal weight to a missed tense voice and a
false alarm. bench/calm.py judges the same recipe leave-one-speaker-out.

    .venv/bin/python bench/fit_calm.py [--data ../shared/data/emotion] [--dry-run]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
from calm_data import (
    DEFAULT_DATA,
    Judgement,
    judgements,
    measure_clips,
    pair_weights,
    read_manifest,
)

from voicecoach.delivery.calm_model import FEATURES, MODEL_FILE, CalmModel
from voicecoach.fileio import write_json_atomic

L2 = 0.01  # penalty on standardised coefficients, per unit of total sample weight
THRESHOLD = 0.5
LEVEL_JITTER_DB = 3.0
LEVEL_COPIES = 3


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, l2: float = L2) -> CalmModel:
    """Weighted L2 logistic regression; coefficients returned in the shifts' own units."""
    n = x.shape[1]
    x = np.column_stack([x, np.maximum(x, 0.0)])
    scale = np.maximum(x.std(axis=0), 1e-6)
    z = x / scale
    design = np.column_stack([np.ones(len(z)), z])
    w = w / w.sum()
    penalty = np.diag([0.0] + [l2 / x.shape[1]] * x.shape[1])
    beta = np.zeros(design.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        gradient = design.T @ (w * (p - y)) + penalty @ beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    raw = beta[1:] / scale
    return CalmModel(raw[:n], raw[n:], float(beta[0]), THRESHOLD)


def training_arrays(pairs: list[Judgement]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shifts, tense labels and weights of the usable pairs, with level-jittered copies."""
    usable = [p for p in pairs if p.usable]
    x = np.tile(np.array([p.x for p in usable]), (LEVEL_COPIES, 1))
    rng = np.random.default_rng(0)
    x[:, FEATURES.index("loudness_shift_db")] += rng.uniform(
        -LEVEL_JITTER_DB, LEVEL_JITTER_DB, len(x)
    )
    y = np.tile(np.array([p.clip.tense for p in usable], float), LEVEL_COPIES)
    return x, y, np.tile(pair_weights(usable), LEVEL_COPIES)


def fit(pairs: list[Judgement]) -> CalmModel:
    return fit_logistic(*training_arrays(pairs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="emotion data folder")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="model file to write")
    parser.add_argument("--dry-run", action="store_true", help="print the model, write nothing")
    args = parser.parse_args()
    clips = read_manifest(args.data)
    pairs = list(judgements(clips, measure_clips(args.data, clips)))
    model = fit(pairs)
    speakers = sorted({p.clip.speaker for p in pairs})
    data = model.to_json(
        fitted_on=f"{args.data.name}: {len(pairs)} pairs, {len(speakers)} speakers"
        f" ({', '.join(sorted({p.clip.corpus for p in pairs}))}), {date.today().isoformat()}",
        refit_with="bench/fit_calm.py",
    )
    for name in FEATURES:
        print(
            f"  {name:26} {data['coefficients'][name]:+.4f}"
            f" {data['rise_coefficients'][name]:+.4f} (rise) per unit,"
            f" calm up to {model.edge(name, 0.5):+.2f}"
        )
    print(f"  intercept {model.intercept:+.3f}, threshold {model.threshold}")
    if not args.dry_run:
        write_json_atomic(args.out, data)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
