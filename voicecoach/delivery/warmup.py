"""Pay the first-use costs (numba compilation of librosa's YIN, FFT plans) up front.

Call `start_warm_up()` when a call starts so the first trainee turn is
analysed in milliseconds. The delivery code never uses `librosa.pyin`
(its JIT compile takes about 8 s): YIN plus a periodicity check is used instead.
"""

from __future__ import annotations

import threading
import time

import numpy as np


def warm_up() -> float:
    """Analyse one second of synthetic voice; returns the seconds it took."""
    from voicecoach.delivery.analysis import analyze_speech
    from voicecoach.delivery.features import ANALYSIS_SR_HZ

    started = time.perf_counter()
    t = np.arange(ANALYSIS_SR_HZ) / ANALYSIS_SR_HZ
    voice = sum(0.2 / k * np.sin(2 * np.pi * 150.0 * k * t) for k in range(1, 6))
    analyze_speech(voice.astype(np.float32), ANALYSIS_SR_HZ)
    return time.perf_counter() - started


def start_warm_up() -> threading.Thread:
    """Run `warm_up` in a daemon thread (join it, or not, before the first turn)."""
    thread = threading.Thread(target=warm_up, name="delivery-warm-up", daemon=True)
    thread.start()
    return thread
