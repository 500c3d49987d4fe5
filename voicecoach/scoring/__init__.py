"""Transcript scoring against the call-handling protocols, with evidence for every verdict.

    from voicecoach.scoring import load_transcript, score_transcript
    result = score_transcript(load_transcript("call.json"))
    result.to_json()   # the contract's score object

Live calls use `Scorer(protocol, caller_name=..., record_sensitive=...)` and
`add_turn(turn)` after each turn; instructors' overrides go through `rescore`.
"""

from voicecoach.scoring.scorer import (
    Detection,
    Scorer,
    ScoreResult,
    TurnUpdate,
    compute_score,
    rescore,
    score_transcript,
)
from voicecoach.scoring.transcript import (
    Transcript,
    Turn,
    TurnWord,
    load_transcript,
    transcript_from_json,
)

__all__ = [
    "Detection",
    "ScoreResult",
    "Scorer",
    "Transcript",
    "Turn",
    "TurnUpdate",
    "TurnWord",
    "compute_score",
    "load_transcript",
    "rescore",
    "score_transcript",
    "transcript_from_json",
]
