"""A finished session's result files reduced to what the index keeps for lists and progress.

`read_call_results(folder)` reads `score.json` (each step, check and fault: met or
present, as the coach scored it), `delivery.json` (the calm verdict and the numeric
delivery measures) and `transcript.json` (typed or spoken) once, when the store
indexes the session; pages then read the index instead of every session's files.
Missing or damaged files give empty results, never an exception.
"""

from __future__ import annotations

import math
from pathlib import Path

from voicecoach.session.review import (
    SCORE_SECTIONS,
    delivery_summary,
    is_typed,
    load_json,
)
from voicecoach.session.store import CallResults


def score_results(score: object) -> dict[str, dict[str, bool]]:
    """Section -> item id -> met (steps, checks) or present (faults), from a score object."""
    if not isinstance(score, dict):
        return {}
    items = {}
    for section, key in SCORE_SECTIONS:
        found = score.get(section)
        if isinstance(found, dict):
            items[section] = {
                str(item_id): bool(item.get(key))
                for item_id, item in found.items()
                if isinstance(item, dict)
            }
    return items


def read_call_results(folder: Path) -> CallResults:
    """The results the index keeps for the session in `folder`."""
    delivery = delivery_summary(load_json(folder / "delivery.json")) or {}
    features = delivery.get("features")
    measures = {
        str(name): float(value)
        for name, value in (features.items() if isinstance(features, dict) else ())
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    }
    calm = delivery.get("calm")
    return CallResults(
        typed=is_typed(load_json(folder / "transcript.json")),
        calm=calm if isinstance(calm, bool) else None,
        items=score_results(load_json(folder / "score.json")),
        measures=measures,
    )


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:]:
        print(arg, read_call_results(Path(arg)))
