"""The exceptions VoiceCoach raises for problems a user can fix.

Every message names the bad value and says what to do. The CLI turns these
into one line on stderr and a non-zero exit status; nothing else should print
tracebacks at a user.
"""

from __future__ import annotations


class VoiceCoachError(Exception):
    """Base class: a problem with input, environment or configuration."""

    exit_code = 2


class AudioError(VoiceCoachError):
    """Audio that cannot be read, is empty, too short, or not audio at all."""


class DeviceError(VoiceCoachError):
    """No usable audio input/output device, or the device is busy."""


class ModelError(VoiceCoachError):
    """A missing, invalid or corrupted speech-recognition model."""


class DownloadError(VoiceCoachError):
    """A model download failed, was truncated, or did not verify."""


class SynthesisError(VoiceCoachError):
    """Text-to-speech failed or an unknown voice was asked for."""


class TranscriptError(VoiceCoachError):
    """A transcript file that is not valid JSON or not of the contract's shape."""


class ScenarioError(VoiceCoachError):
    """A scenario file that fails its schema, or an unknown scenario id."""


class BaselineError(VoiceCoachError):
    """A missing or unreadable voice baseline, or a trainee name unfit for a file name."""


class SessionError(VoiceCoachError):
    """A session store problem: unwritable data directory, unknown session id."""


class RecordingError(SessionError):
    """Recording a call failed part-way (a full disk): what was recorded until then is kept."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason
