"""Offline speech recognition behind one streaming interface.

`make_recognizer` (in `voicecoach.asr.select`) builds a `Recognizer`; the
engines themselves are imported only when one is made.
"""

from voicecoach.asr.base import Recognition, Recognizer, Word

__all__ = ["Recognition", "Recognizer", "Word"]
