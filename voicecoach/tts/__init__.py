"""Speech out: the caller's voice through pyttsx3 (espeak-ng), made reliable and cached."""

from voicecoach.tts.synth import Synthesizer, list_voices, synthesize, synthesize_to_file
from voicecoach.tts.voice import CALM_VOICE, VoiceSettings, agitated_voice

__all__ = [
    "CALM_VOICE",
    "Synthesizer",
    "VoiceSettings",
    "agitated_voice",
    "list_voices",
    "synthesize",
    "synthesize_to_file",
]
