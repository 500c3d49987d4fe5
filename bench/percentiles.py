"""Order statistics shared by the benchmark scripts."""

from __future__ import annotations


def percentile(values: list[float], q_percent: float) -> float:
    """The nearest-rank `q_percent` percentile of `values` (0-100), one of the values."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q_percent / 100 * (len(ordered) - 1))))
    return ordered[index]
