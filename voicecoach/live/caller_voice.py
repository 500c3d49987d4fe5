"""The caller's voice during a live call: synthesised lines, prepared ahead of time.

A reply must start within a fraction of a second of the trainee's last word,
so the scenario's lines are synthesised in the background when the call
starts (most likely first: those of the caller's current mood band) and
land in the speech cache. The voice changes with the mood band (calm, upset,
angry), so every line has one rendering per band.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import numpy as np

from voicecoach.dialogue.scenario import MOOD_BANDS, Scenario, mood_band
from voicecoach.tts import Synthesizer, VoiceSettings, agitated_voice

BAND_MOOD = {"calm": 2.0, "upset": 5.0, "angry": 8.0}


def band_voice(base: VoiceSettings, mood: float) -> VoiceSettings:
    """The caller's voice for the mood band `mood` falls in (faster, louder, higher when angry)."""
    return agitated_voice(BAND_MOOD[mood_band(mood)], base)


def scenario_lines(scenario: Scenario, band: str) -> Iterator[str]:
    """Every line the caller may say in `band`, placeholders filled (jargon terms expanded)."""
    fields = scenario.line_fields()
    terms = list(scenario.jargon) or ["that"]
    for variants in scenario.lines.values():
        for variant in variants.get(band, ()):
            for term in terms if "{term}" in variant else ["that"]:
                yield variant.format(**fields, term=term)


class CallerVoice:
    """Speaks the scenario's caller lines; `prepare()` pre-renders them in a background thread."""

    def __init__(self, scenario: Scenario, synthesizer: Synthesizer):
        self.scenario = scenario
        self.synthesizer = synthesizer
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def voice(self, mood: float) -> VoiceSettings:
        return band_voice(self.scenario.caller.voice, mood)

    def speak(self, text: str, mood: float) -> tuple[np.ndarray, int]:
        """The line as float samples and rate (from the cache when prepared)."""
        return self.synthesizer.synthesize(text, self.voice(mood))

    def prepare(self, mood: float, *, on_error: Callable[[Exception], None]) -> None:
        """Start rendering every line in the background, bands nearest `mood` first."""
        self._thread = threading.Thread(
            target=self._render_reporting, args=(mood, on_error), name="caller-voice", daemon=True
        )
        self._thread.start()

    def render_all(self, mood: float) -> int:
        """Render every line now (bands nearest `mood` first); returns how many."""
        start = MOOD_BANDS.index(mood_band(mood))
        bands = sorted(MOOD_BANDS, key=lambda band: abs(MOOD_BANDS.index(band) - start))
        count = 0
        for band in bands:
            voice = band_voice(self.scenario.caller.voice, BAND_MOOD[band])
            for line in dict.fromkeys(scenario_lines(self.scenario, band)):
                if self._stop.is_set():
                    return count
                self.synthesizer.synthesize(line, voice)
                count += 1
        return count

    def _render_reporting(self, mood: float, on_error: Callable[[Exception], None]) -> None:
        try:
            self.render_all(mood)
        except Exception as exc:  # noqa: BLE001 - reported, the call speaks lines on demand
            on_error(exc)

    def close(self) -> None:
        """Stop preparing lines (the current one finishes)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
