"""Where a live turn's gap goes: the Whisper decodes and endpoints around each turn end.

`DecodeTrace` wraps `WhisperModel.recognize` and `WhisperRecognizer.accept` at the class
level while a call runs (bench only) and records, on the wall clock (time.monotonic):
every decode (start, end, seconds of audio) and every change of the recogniser's
endpoint. `breakdown()` then splits each turn's gap, from the end of the trainee's voice:

- silence: the pause the endpoint policy asks for after the turn's text;
- decode wait: how much later the decode covering the speech was ready;
- then what the call timed after the turn left the pipeline (scoring, delivery, ...).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decode:
    """One Whisper decode: wall-clock start and end, seconds of audio, where it ran."""

    start: float
    end: float
    audio_s: float
    thread: str


@dataclass(frozen=True)
class TurnBreakdown:
    """One turn's gap split on the wall clock, in ms from the end of the trainee's voice."""

    needed_ms: float  # silence the policy asks for after the text
    ready_ms: float | None  # the recogniser's endpoint (a covering decode) held from here
    covering_start_ms: float | None  # the decode that covered the speech began...
    covering_took_ms: float | None  # ...and took this long...
    covering_audio_s: float | None  # ...on this much audio
    busy_from_ms: float | None  # a decode running at the voice's end began here (negative)...
    busy_until_ms: float | None  # ...and finished here
    detected_ms: float  # the turn left the pipeline
    after_ms: dict[str, float]  # scoring, delivery, dialogue, synthesis, playback

    @property
    def decode_wait_ms(self) -> float:
        """How long the turn waited for its covering decode after the silence had elapsed."""
        return max(0.0, self.detected_ms - self.needed_ms)


@dataclass
class DecodeTrace:
    """Records Whisper decodes and endpoint changes while installed (a context manager)."""

    decodes: list[Decode] = field(default_factory=list)
    endpoints: list[tuple[float, bool]] = field(default_factory=list)  # (wall, holds) on change
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> DecodeTrace:
        from voicecoach.asr.whisper_engine import WhisperRecognizer
        from voicecoach.asr.whisper_model import SAMPLE_RATE_HZ, WhisperModel

        recognize, accept = WhisperModel.recognize, WhisperRecognizer.accept
        self._originals = (recognize, accept)
        trace = self

        def traced_recognize(model, y, **kwargs):
            start = time.monotonic()
            try:
                return recognize(model, y, **kwargs)
            finally:
                span = Decode(
                    start,
                    time.monotonic(),
                    len(y) / SAMPLE_RATE_HZ,
                    threading.current_thread().name,
                )
                with trace._lock:
                    trace.decodes.append(span)

        def traced_accept(recognizer, pcm):
            holds = accept(recognizer, pcm)
            if not trace.endpoints or trace.endpoints[-1][1] != holds:
                trace.endpoints.append((time.monotonic(), holds))
            return holds

        WhisperModel.recognize, WhisperRecognizer.accept = traced_recognize, traced_accept
        return self

    def __exit__(self, *exc_info: object) -> None:
        from voicecoach.asr.whisper_engine import WhisperRecognizer
        from voicecoach.asr.whisper_model import WhisperModel

        WhisperModel.recognize, WhisperRecognizer.accept = self._originals

    def breakdown(self, speech_end: float, needed_s: float, timing) -> TurnBreakdown:
        """The turn whose voice ended at `speech_end` (wall) and left the pipeline as `timing`."""
        started = [d for d in self.decodes if d.start <= timing.detected]
        ready = next(
            (t for t, holds in self.endpoints if holds and speech_end < t <= timing.detected),
            None,
        )
        covering = max(
            (d for d in started if ready is not None and d.end <= ready + 0.005),
            key=lambda d: d.end,
            default=None,
        )
        busy = [d for d in started if d.start < speech_end < d.end]
        stage_ms = timing.stage_ms()

        def ms(t: float | None) -> float | None:
            return None if t is None else round(1000 * (t - speech_end), 1)

        return TurnBreakdown(
            needed_ms=round(1000 * needed_s, 1),
            ready_ms=ms(ready),
            covering_start_ms=ms(covering.start) if covering else None,
            covering_took_ms=round(1000 * (covering.end - covering.start), 1) if covering else None,
            covering_audio_s=covering.audio_s if covering else None,
            busy_from_ms=ms(min(d.start for d in busy)) if busy else None,
            busy_until_ms=ms(max(d.end for d in busy)) if busy else None,
            detected_ms=ms(timing.detected),
            after_ms={
                k: stage_ms[k] for k in ("scoring", "delivery", "dialogue", "synthesis", "playback")
            },
        )
