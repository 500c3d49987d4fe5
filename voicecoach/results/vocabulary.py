"""One vocabulary for results: step, check and fault titles from the protocol rubric,
measure names from the delivery vocabulary. Every output (terminal, web pages, report,
`--json`) takes its words from here; JSON keeps the ids and adds the titles.

A fault has two titles, one per state: "Accusatory question" when present,
"No accusatory questions" when absent, so a tick is never shown beside a fault name.
"""

from __future__ import annotations

import copy
from typing import Any

from voicecoach.delivery.vocabulary import measure_title, measures
from voicecoach.errors import VoiceCoachError
from voicecoach.scoring.protocols import Rubric, load_rubric

SECTIONS = (("steps", "met"), ("checks", "met"), ("faults", "present"))


def _words(item_id: str) -> str:
    return item_id.replace("_", " ").capitalize()


def _rubric(protocol: str | None) -> Rubric | None:
    try:
        return load_rubric(protocol) if protocol else None
    except VoiceCoachError:  # a session whose protocol file is gone still reads
        return None


def item_titles(rubric: Rubric | None, section: str, item_id: str) -> tuple[str, str]:
    """How an item reads when hit (step met, check met, fault present) and when not."""
    if rubric is not None and section == "steps" and item_id in rubric.step_ids:
        title = rubric.step(item_id).title
        return title, title
    if rubric is not None and section == "checks" and item_id in rubric.check_titles:
        title = rubric.check_titles[item_id]
        return title, title
    if rubric is not None and section == "faults" and rubric.faults.get(item_id):
        rule = rubric.faults[item_id]
        present = rule.title or _words(item_id)
        return present, rule.absent_title or f"No {present.lower()}"
    if section == "faults":
        return _words(item_id), f"No {_words(item_id).lower()}"
    return _words(item_id), _words(item_id)


def item_good(section: str, item: dict) -> bool | None:
    """True when the item counts for the trainee (step/check met, fault absent);
    None for a check not met that was not required (nothing to judge)."""
    if section == "faults":
        return not item.get("present")
    if section == "checks" and not item.get("met") and item.get("required") is not True:
        return None  # a bonus check, or identity when the call touched no records
    return bool(item.get("met"))


def titled_score(score: dict | None) -> dict | None:
    """A copy of a score object with `title` on every item (its present state's wording),
    `title_hit`/`title_missed` (both wordings, for override buttons), `good`, and the
    protocol's title as `protocol_title`."""
    if not isinstance(score, dict):
        return score
    out = copy.deepcopy(score)
    rubric = _rubric(score.get("protocol"))
    if rubric is not None:
        out["protocol_title"] = rubric.title
    for section, key in SECTIONS:
        for item_id, item in (out.get(section) or {}).items():
            if not isinstance(item, dict):
                continue
            hit_title, missed_title = item_titles(rubric, section, item_id)
            item["title"] = hit_title if item.get(key) else missed_title
            item["title_hit"], item["title_missed"] = hit_title, missed_title
            item["good"] = item_good(section, item)
            if section == "faults" and rubric is not None and item_id in rubric.faults:
                item["critical"] = rubric.faults[item_id].critical
            if section == "checks" and rubric is not None and not item.get("tip"):
                tip = rubric.check_tips.get(item_id)
                if tip and not item.get("met"):
                    item["tip"] = tip.format_map({"name": "the caller", "full_name": "the caller"})
    if isinstance(out.get("original"), dict):
        out["original"] = titled_score({**out["original"], "protocol": score.get("protocol")})
    return out


def ordered_items(score: dict, section: str) -> list[tuple[str, dict]]:
    """A section's items, steps in the rubric's order (the order they belong in the call)."""
    items = list((score.get(section) or {}).items())
    rubric = _rubric(score.get("protocol"))
    if section != "steps" or rubric is None:
        return items
    rank = {step_id: i for i, step_id in enumerate(rubric.step_ids)}
    return sorted(items, key=lambda pair: rank.get(pair[0], len(rank)))


def measure_row(measure_id: str, value: Any) -> dict:
    """A delivery measure as shown: id, plain title, unit and value."""
    known = measures().get(measure_id)
    return {
        "id": measure_id,
        "title": measure_title(measure_id),
        "unit": known.unit if known else "",
        "value": value,
    }


def titled_reason(reason: dict) -> dict:
    """A delivery reason with its measure's plain `title` (kept when the analysis gave one)."""
    feature = str(reason.get("feature", ""))
    known = measures().get(feature)
    return {
        **reason,
        "title": reason.get("title") or measure_title(feature),
        "unit": reason.get("unit") or (known.unit if known else ""),
    }


def titled_delivery(delivery: dict | None) -> dict | None:
    """A delivery summary (or a live call's delivery) with measure titles added."""
    if not isinstance(delivery, dict):
        return delivery
    out = dict(delivery)
    if isinstance(out.get("reasons"), list):
        out["reasons"] = [titled_reason(r) for r in out["reasons"] if isinstance(r, dict)]
    if isinstance(out.get("features"), dict):
        out["measures"] = [
            measure_row(k, v) for k, v in out["features"].items() if isinstance(v, (int, float))
        ]
    return out


def mood_reason(protocol: str | None, reason: str) -> str:
    """A caller's mood-change reason with its cue id in words:
    "thank_caller: the caller was thanked" -> "Stay calm & thank: the caller was thanked"."""
    cue, sep, rest = reason.partition(": ")
    if not sep or " " in cue:
        return reason
    rubric = _rubric(protocol)
    if rubric is not None:
        known = {"steps": rubric.step_ids, "checks": rubric.check_titles, "faults": rubric.faults}
        for section, ids in known.items():
            if cue in ids:
                return f"{item_titles(rubric, section, cue)[0]}: {rest}"
    return f"{_words(cue)}: {rest}"
