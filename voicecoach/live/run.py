"""`run_live_call`: assemble a spoken practice call from its parts and hold it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.errors import BaselineError
from voicecoach.live.call import CallResult, LiveCall
from voicecoach.live.speaker import SpokenLine
from voicecoach.live.vad import DEFAULT_SILENCE_MS
from voicecoach.live.view import CallView

if TYPE_CHECKING:
    from voicecoach.dialogue import Scenario

CLINICIAN = re.compile(r"\bDr\.? [A-Z][a-zA-Z-]+")


def recognition_hints(scenario: Scenario) -> list[str]:
    """Names the recogniser should expect: the caller's, then clinicians the scenario names."""
    texts = [scenario.situation, *map(str, scenario.facts.get("details", []))]
    patient = (scenario.facts.get("patient") or {}).get("name")
    clinicians = [m.group(0) for text in texts for m in CLINICIAN.finditer(text)]
    return list(dict.fromkeys(n for n in [scenario.caller.name, patient, *clinicians] if n))


def run_live_call(
    scenario_id: str,
    *,
    trainee: str,
    engine: str = "auto",
    silence_ms: int = DEFAULT_SILENCE_MS,
    data_dir: str | Path | None = None,
    input_device: int | str | None = None,
    output_device: int | str | None = None,
    pace_capture: bool | None = None,
    view: CallView | None = None,
    seed: int = 0,
    on_start: Callable[[LiveCall], None] | None = None,
    on_caller_done: Callable[[SpokenLine, bool], None] | None = None,
) -> CallResult:
    """Hold a spoken call of scenario `scenario_id` with `trainee` on the audio devices.

    Raises VoiceCoachError before the call starts for an unknown scenario, a
    missing model, no microphone or an unwritable data dir; once it has
    started the call is always saved (incomplete, with the reason, when cut short).
    `on_start` receives the call before it runs (to `stop()` it from outside).
    `pace_capture=False` lets a virtual microphone that keeps its own time run unpaced.
    """
    started_s = time.monotonic()
    from voicecoach.asr.select import make_recognizer
    from voicecoach.audio.devices import Capture, Player
    from voicecoach.delivery import load_baseline
    from voicecoach.dialogue import get_scenario
    from voicecoach.session.store import open_store
    from voicecoach.tts.synth import default_synthesizer

    scenario = get_scenario(scenario_id)
    with open_store(data_dir) as store, ThreadPoolExecutor(1) as warmer:
        # The speech engine warms up while the recogniser loads. The recogniser loads
        # on this thread: a CTranslate2 model created by a thread that then ends
        # decodes several times slower.
        synthesizer = default_synthesizer()
        warming = warmer.submit(synthesizer.warm_up)
        recognizer = make_recognizer(engine, hints=recognition_hints(scenario), live=True)
        try:
            baseline = load_baseline(trainee)
        except BaselineError:
            baseline = None
        warming.result()
        call = LiveCall(
            scenario,
            trainee=trainee,
            store=store,
            recognizer=recognizer,
            synthesizer=synthesizer,
            capture=Capture(device=input_device, pace_realtime=pace_capture),
            player=Player(device=output_device),
            view=view,
            baseline=baseline,
            silence_ms=silence_ms,
            seed=seed,
            on_caller_done=on_caller_done,
            started_s=started_s,
        )
        if on_start is not None:
            on_start(call)
        return call.run()
