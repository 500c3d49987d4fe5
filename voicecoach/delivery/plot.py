"""A picture of one delivery: pitch and loudness over time, with the calm verdict."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voicecoach.delivery.analysis import DeliveryResult
from voicecoach.delivery.baseline import Baseline
from voicecoach.errors import VoiceCoachError


def verdict_text(result: DeliveryResult) -> str:
    """ "calm", "tense" or "not enough speech"."""
    if result.calm is None:
        return result.status
    return "calm" if result.calm else "tense"


def plot_delivery(
    result: DeliveryResult,
    out_path: str | Path,
    *,
    title: str = "",
    baseline: Baseline | None = None,
) -> Path:
    """Write a PNG: F0 (Hz) above loudness (dBFS), the calm pitch marked when known.

    A missing folder is created; raises VoiceCoachError when it cannot be written.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise VoiceCoachError("plots need matplotlib: .venv/bin/pip install matplotlib") from None
    out_path = Path(out_path)
    fig, (pitch_ax, loud_ax) = plt.subplots(2, 1, sharex=True, figsize=(9, 5))
    pitch_ax.plot(result.times_s, result.f0_hz, ".", markersize=2, label="pitch (F0)")
    if baseline is not None and baseline.f0_median_hz > 0:
        pitch_ax.axhline(baseline.f0_median_hz, color="green", linestyle="--", label="calm pitch")
    pitch_ax.set_ylabel("F0 (Hz)")
    pitch_ax.legend(loc="upper right", fontsize="small")
    loud_ax.plot(result.times_s, np.maximum(result.loudness_db, -80.0), linewidth=0.8)
    loud_ax.set_ylabel("loudness (dBFS)")
    loud_ax.set_xlabel("time (s)")
    fig.suptitle(f"{title}  {verdict_text(result)}".strip())
    fig.tight_layout()
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out_path, dpi=100)
    except OSError as exc:
        raise VoiceCoachError(f"cannot write the plot {out_path}: {exc.strerror}") from None
    finally:
        plt.close(fig)
    return out_path
