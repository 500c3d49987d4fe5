"""Delivery analysis: pace, pauses, pitch, loudness and a calm verdict against a baseline.

Public API: `analyze_speech`, `analyze_call`, `DeliveryResult`, `Baseline`,
`save_baseline`, `load_baseline`, `warm_up`, `start_warm_up`.
"""

from voicecoach.delivery.analysis import (
    NOT_ENOUGH_SPEECH,
    CallDelivery,
    DeliveryResult,
    analyze_call,
    analyze_speech,
)
from voicecoach.delivery.baseline import Baseline, baseline_path, load_baseline, save_baseline
from voicecoach.delivery.measure import DeliveryFeatures
from voicecoach.delivery.verdict import Reason
from voicecoach.delivery.warmup import start_warm_up, warm_up

__all__ = [
    "NOT_ENOUGH_SPEECH",
    "Baseline",
    "CallDelivery",
    "DeliveryFeatures",
    "DeliveryResult",
    "Reason",
    "analyze_call",
    "analyze_speech",
    "baseline_path",
    "load_baseline",
    "save_baseline",
    "start_warm_up",
    "warm_up",
]
