"""Voice settings for the synthesised caller, and how agitation changes them.

An upset caller talks faster, louder and higher. `agitated_voice(mood)` maps a
caller mood from 0 (calm) to 10 (furious) onto those three settings, in whole
steps so that lines spoken at the same mood share cache entries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from voicecoach.errors import SynthesisError

MIN_RATE_WPM = 80
MAX_RATE_WPM = 450
MAX_PITCH = 99
MAX_MOOD = 10


@dataclass(frozen=True)
class VoiceSettings:
    """How the caller sounds: espeak-ng voice id (None = default), speed, pitch, loudness."""

    voice_id: str | None = None
    rate_wpm: int = 165
    pitch: int = 50
    volume: float = 0.8

    def __post_init__(self) -> None:
        if not MIN_RATE_WPM <= self.rate_wpm <= MAX_RATE_WPM:
            raise SynthesisError(
                f"speaking rate {self.rate_wpm} wpm is outside {MIN_RATE_WPM}-{MAX_RATE_WPM} wpm"
            )
        if not 0 <= self.pitch <= MAX_PITCH:
            raise SynthesisError(f"pitch {self.pitch} is outside 0-{MAX_PITCH}")
        if not 0.0 <= self.volume <= 1.0:
            raise SynthesisError(f"volume {self.volume} is outside 0-1")

    def to_json(self) -> dict:
        return asdict(self)


CALM_VOICE = VoiceSettings()
FURIOUS_VOICE = VoiceSettings(rate_wpm=235, pitch=80, volume=1.0)


def agitated_voice(mood: float, base: VoiceSettings = CALM_VOICE) -> VoiceSettings:
    """Settings for a caller at `mood` (0 calm .. 10 furious), starting from `base`.

    Each step of mood adds 7 wpm, 3 pitch points and 0.02 volume, capped at the
    furious end; the mood is rounded to a whole step first.
    """
    step = min(max(round(mood), 0), MAX_MOOD)
    fraction = step / MAX_MOOD
    rate_wpm = base.rate_wpm + round(fraction * (FURIOUS_VOICE.rate_wpm - CALM_VOICE.rate_wpm))
    pitch = base.pitch + round(fraction * (FURIOUS_VOICE.pitch - CALM_VOICE.pitch))
    volume = base.volume + fraction * (FURIOUS_VOICE.volume - CALM_VOICE.volume)
    return replace(
        base,
        rate_wpm=min(rate_wpm, MAX_RATE_WPM),
        pitch=min(pitch, MAX_PITCH),
        volume=round(min(volume, 1.0), 2),
    )
