"""A typed practice call (`practice --text`) saved as a session like a spoken one.

No audio: the folder holds `transcript.json` (marked `"input": "typed"`),
`score.json`, and `events.jsonl` whose `t_s` is the turn number (a typed call
has no clock), so the call is listed, replayed, scored and counted in progress.
"""

from __future__ import annotations

import json

from voicecoach.dialogue.text_call import INCOMPLETE, TextCallResult
from voicecoach.fileio import write_atomic, write_json_atomic
from voicecoach.session.store import SessionInfo, SessionStore

TYPED = "typed"
TYPED_FREE_BYTES = 1024 * 1024  # a typed call is a few kilobytes
ENDED_EARLY = "the trainee ended the typed call before the caller did"


def typed_events(result: TextCallResult) -> list[dict]:
    """The call's lines and mood changes as events, `t_s` being the turn number."""
    changes: dict[int, list] = {}
    for turn_index, change in result.mood_changes:
        changes.setdefault(turn_index, []).append(change)
    events: list[dict] = []
    mood_at = iter(result.mood_curve)
    for index, turn in enumerate(result.turns):
        if turn.speaker == "caller":
            events.append(
                {
                    "t_s": index,
                    "type": "caller_line",
                    "text": turn.text,
                    "mood": next(mood_at, None),
                }
            )
            continue
        events.append({"t_s": index, "type": "turn", "speaker": turn.speaker, "text": turn.text})
        for change in changes.get(index, []):
            events.append({"t_s": index, "type": "mood", **change.to_json()})
    events.append({"t_s": len(result.turns), "type": "end", "outcome": result.outcome})
    return events


def save_typed_call(
    store: SessionStore, result: TextCallResult, *, trainee: str, duration_s: float
) -> SessionInfo:
    """Save a typed call as a session (incomplete when it ended before the caller's
    ending); returns its index row."""
    scenario = result.scenario
    info = store.create_session(
        trainee, scenario.id, scenario.protocol, min_free_bytes=TYPED_FREE_BYTES
    )
    lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in typed_events(result))
    write_atomic(info.folder / "events.jsonl", lines)
    write_json_atomic(info.folder / "transcript.json", result.transcript_json() | {"input": TYPED})
    score = result.score.to_json()
    write_json_atomic(info.folder / "score.json", score)
    return store.finish_session(
        info.id,
        duration_s=round(duration_s, 1),
        outcome=result.outcome,
        score=score.get("score"),
        verdict=score.get("verdict"),
        complete=result.outcome != INCOMPLETE,
        reason=None if result.outcome != INCOMPLETE else ENDED_EARLY,
    )
