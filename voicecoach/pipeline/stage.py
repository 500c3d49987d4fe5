"""A stage turns messages into messages; a pipeline chains stages.

Stages are synchronous and hold no threads, so each can be tested alone by
feeding messages in and asserting what comes out (see `run_stage`). The live
call's threaded glue lives in `voicecoach.live`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from voicecoach.pipeline.messages import Message, SystemMessage


class Stage:
    """Base stage: passes everything through unchanged."""

    def process(self, message: Message) -> Iterable[Message]:
        """Handle one message and return the messages to send downstream."""
        return (message,)

    def close(self) -> Iterable[Message]:
        """Flush anything held back at the end of the stream."""
        return ()


class Pipeline(Stage):
    """Stages in order; each output of one stage is the input of the next.

    System messages waiting between stages are delivered before data ones.
    """

    def __init__(self, stages: Sequence[Stage]):
        self.stages = list(stages)

    def process(self, message: Message) -> list[Message]:
        return self._push(0, [message])

    def close(self) -> list[Message]:
        out: list[Message] = []
        for index, stage in enumerate(self.stages):
            out = self._push(index + 1, [*out, *stage.close()])
        return out

    def _push(self, start: int, messages: list[Message]) -> list[Message]:
        for stage in self.stages[start:]:
            pending = deque(sorted(messages, key=lambda m: not isinstance(m, SystemMessage)))
            messages = []
            while pending:
                messages.extend(stage.process(pending.popleft()))
        return messages


def run_stage(stage: Stage, messages: Iterable[Message]) -> list[Message]:
    """Feed `messages` through `stage`, close it, and return everything it emitted."""
    out: list[Message] = []
    for message in messages:
        out.extend(stage.process(message))
    out.extend(stage.close())
    return out
