"""Barge-in: the trainee starts speaking while the caller is talking."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from voicecoach.pipeline.messages import BargeIn, Message, SpeechStarted
from voicecoach.pipeline.stage import Stage


class BargeInDetector(Stage):
    """Emits a `BargeIn` system message ahead of SpeechStarted while the caller is playing.

    `caller_playing` tells whether caller audio is coming out of the speaker now
    (the glue passes the player's state; tests pass a plain function).
    """

    def __init__(self, caller_playing: Callable[[], bool]):
        self.caller_playing = caller_playing

    def process(self, message: Message) -> Iterable[Message]:
        if isinstance(message, SpeechStarted) and self.caller_playing():
            return (BargeIn(t_s=message.t_s), message)
        return (message,)
