"""VoiceCoach: offline voice role-play trainer for medical-office front-desk staff."""

__version__ = "0.1.0"
