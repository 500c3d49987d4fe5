"""A recorded session as an instructor reviews it: files, score after overrides, annotations.

Plain functions over a `SessionStore` and a session folder, shared by the web app,
`voicecoach report`, `voicecoach replay` and `voicecoach sessions show`.
Missing or damaged files (a killed call) give `None`, never an exception.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from voicecoach import jsonsafe
from voicecoach.errors import SessionError, VoiceCoachError
from voicecoach.results.vocabulary import mood_reason, titled_delivery, titled_score
from voicecoach.session.store import SessionInfo, SessionStore

MOOD_MAX = 10.0  # the dialogue's mood scale: calm < 4, upset < 7, angry up to 10
MOOD_LABELS = {"calm": 2.0, "neutral": 3.0, "upset": 5.5, "angry": 8.5, "furious": 10.0}
TRACK_STEP_S = 0.05
TRACK_KEYS = ("times_s", "f0_hz", "loudness_db")
SCORE_SECTIONS = (("steps", "met"), ("checks", "met"), ("faults", "present"))


def format_duration(seconds: float | None) -> str:
    """`93.2` -> `1:33`; unknown -> `-`."""
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def load_json(path: Path) -> Any | None:
    """A JSON file's content (NaN/Infinity read as None), or None when missing or not JSON."""
    try:
        return jsonsafe.finite(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, RecursionError):
        return None


def read_events(folder: Path) -> list[dict]:
    """The lines of `events.jsonl` that parse (a killed call may leave half a line)."""
    try:
        lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    events = []
    for line in lines:
        try:
            record = jsonsafe.finite(json.loads(line))
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict) and "t_s" in record:
            events.append(record)
    return events


def mood_level(mood: Any) -> float | None:
    """A caller mood on the dialogue's 0 (calm) to 10 (furious) scale; labels are placed on it."""
    if isinstance(mood, bool) or mood is None:
        return None
    if isinstance(mood, (int, float)):
        return float(mood)
    return MOOD_LABELS.get(str(mood).lower())


def mood_name(level: float | None) -> str | None:
    """The dialogue's band for a mood level: calm (< 4), upset (< 7) or angry."""
    if level is None:
        return None
    return "calm" if level < 4 else "upset" if level < 7 else "angry"


def mood_curve(events: list[dict]) -> list[dict]:
    """The caller's mood over call time: `{t_s, mood, level, reason, evidence}` points.

    Starts from the first caller line's mood, then follows each mood change.
    """
    points = []
    for event in events:
        kind = event.get("type")
        if kind == "mood":
            if not points and "old" in event:
                points.append(_mood_point(0.0, event["old"]))
            points.append(_mood_point(event["t_s"], event.get("new"), event))
        elif kind == "caller_line" and "mood" in event and not points:
            points.append(_mood_point(event["t_s"], event["mood"]))
    return points


def _mood_point(t_s: float, mood: Any, event: dict | None = None) -> dict:
    level = mood_level(mood)
    return {
        "t_s": float(t_s),
        "mood": mood if isinstance(mood, str) else mood_name(level),
        "level": level,
        "reason": (event or {}).get("reason"),
        "evidence": (event or {}).get("evidence"),
    }


def score_items(score: dict | None) -> dict[str, tuple[str, str]]:
    """Every step/check/fault id of a score mapped to (section, its boolean key)."""
    items: dict[str, tuple[str, str]] = {}
    for section, key in SCORE_SECTIONS:
        for item_id in (score or {}).get(section) or {}:
            items[item_id] = (section, key)
    return items


def rescored(score: dict | None, overrides: dict[str, bool]) -> dict | None:
    """The score with instructor overrides applied (the scorer's `rescore`)."""
    if score is None or not overrides:
        return score
    from voicecoach.scoring import rescore

    try:
        return rescore(score, overrides)
    except VoiceCoachError as exc:  # e.g. a protocol whose rubric is gone: show the coach's
        return {**score, "rescore_error": str(exc)}


def override_map(store: SessionStore, session_id: str) -> dict[str, bool]:
    """The instructor's overrides of a session: item id -> forced met/present."""
    return {o.item_id: o.value for o in store.list_overrides(session_id)}


def apply_override(
    store: SessionStore,
    session_id: str,
    item_id: str,
    value: bool | None,
    *,
    reason: str = "",
    author: str = "",
) -> dict | None:
    """Set (or with value=None remove) an override, rescore, and index the new score.

    Returns the recomputed score. Raises SessionError for an id the score lacks.
    """
    info = store.get_session(session_id)
    original = load_json(info.folder / "score.json")
    if original is None:
        raise SessionError(f"session {session_id} has no score.json: nothing to override")
    if item_id not in score_items(original):
        known = ", ".join(score_items(original))
        raise SessionError(f"{item_id!r} is not a step, check or fault of this score ({known})")
    overrides = override_map(store, session_id)
    if value is None:
        overrides.pop(item_id, None)
    else:
        overrides[item_id] = bool(value)
    from voicecoach.scoring import rescore

    if overrides:
        rescore(original, overrides)  # a score that cannot be recomputed raises before saving
    if value is None:
        store.remove_override(session_id, item_id)
    else:
        store.set_override(session_id, item_id, value, reason=reason, author=author)
    overrides = override_map(store, session_id)  # with anyone else's override saved meanwhile
    new_score = rescore(original, overrides) if overrides else original
    if overrides:
        store.set_adjusted_score(session_id, new_score.get("score"), new_score.get("verdict"))
    else:
        store.set_adjusted_score(session_id, None, None)
    return new_score


def is_typed(transcript: Any) -> bool:
    """Whether a call was typed (`practice --text`): its transcript says so; it has no audio."""
    return isinstance(transcript, dict) and transcript.get("input") == "typed"


def session_is_typed(info: SessionInfo) -> bool:
    """Whether a listed session was a typed call (as indexed from its transcript)."""
    return info.typed


@lru_cache(maxsize=64)
def scenario_title(scenario_id: str) -> str:
    """The scenario's title ("Double billing"), or its id when the scenario is gone."""
    from voicecoach.dialogue import get_scenario

    try:
        return get_scenario(scenario_id).title
    except VoiceCoachError:
        return scenario_id


def audio_source(info: SessionInfo) -> str | None:
    """`call.wav` when the call was mixed, else `mix` when both sides exist, else one side."""
    if (info.folder / "call.wav").is_file():
        return "call.wav"
    have = [name for name in ("trainee.wav", "caller.wav") if (info.folder / name).is_file()]
    if len(have) == 2:
        return "mix"
    return have[0] if have else None


def session_view(
    store: SessionStore, session_id: str, *, measure_tracks: bool = True
) -> dict[str, Any]:
    """Everything a reviewer sees of one session, as one JSON-ready dict.

    Pitch/loudness tracks missing from delivery.json are measured from the audio
    (seconds for a long call) unless `measure_tracks=False`: then `tracks` is None.
    """
    info = store.get_session(session_id)
    folder = info.folder
    original = load_json(folder / "score.json")
    overrides = store.list_overrides(session_id)
    events = read_events(folder)
    transcript = load_json(folder / "transcript.json")
    if transcript is None:
        transcript = transcript_from_events(events, info)
    delivery = load_json(folder / "delivery.json")
    score = titled_score(rescored(original, {o.item_id: o.value for o in overrides}))
    return {
        "session": info.to_json()
        | {"folder": folder.name, "scenario_title": scenario_title(info.scenario_id)}
        | {"typed": is_typed(transcript)},
        "transcript": transcript,
        "score": score,
        "original_score": titled_score(original),
        "overrides": [o.to_json() for o in overrides],
        "comments": [c.to_json() for c in store.list_comments(session_id)],
        "delivery": titled_delivery(delivery_summary(delivery)),
        "tracks": delivery_tracks(delivery)
        or (computed_tracks(folder) if measure_tracks else None),
        "mood": [
            p | {"reason": mood_reason(info.protocol, p["reason"]) if p["reason"] else None}
            for p in mood_curve(events)
        ],
        "markers": markers(score),
        "audio": audio_source(info),
    }


def transcript_from_events(events: list[dict], info: SessionInfo) -> dict:
    """A contract-format transcript rebuilt from the events log (calls killed before the end);
    a trainee turn heard again (a "revision" event) keeps its second hearing."""
    turns = []
    revised = {e.get("start_s"): e for e in events if e.get("type") == "revision"}
    for event in events:
        start = event.get("start_s", event["t_s"])
        if event.get("type") == "caller_line":
            turns.append(
                {
                    "speaker": "caller",
                    "text": event.get("text", ""),
                    "start": start,
                    "end": event.get("end_s"),
                }
            )
        elif event.get("type") == "turn":
            second = revised.get(event.get("start_s"), {})
            event = {**event, **{k: second[k] for k in ("text", "words") if k in second}}
            words = [_contract_word(w) for w in event.get("words") or [] if isinstance(w, dict)]
            turns.append(
                {
                    "speaker": event.get("speaker", "trainee"),
                    "text": event.get("text", ""),
                    "start": start,
                    "end": event.get("end_s"),
                    "words": words,
                }
            )
    turns.sort(key=lambda turn: turn["start"])
    return {"protocol": info.protocol, "turns": turns, "rebuilt_from_events": True}


def _contract_word(word: dict) -> dict:
    """A recogniser word (`word`, `start_s`, `end_s`) in the transcript's shape (`w`, `start`)."""
    return {
        "w": word.get("w", word.get("word", "")),
        "start": word.get("start", word.get("start_s")),
        "end": word.get("end", word.get("end_s")),
        "conf": word.get("conf"),
    }


def delivery_tracks(delivery: dict | None) -> dict | None:
    """The frame tracks (`times_s`, `f0_hz`, `loudness_db`) wherever delivery.json keeps them:
    top level, under "whole", or per turn (joined in call time)."""
    if not isinstance(delivery, dict):
        return None
    holders = [delivery.get("tracks"), (delivery.get("whole") or {}).get("tracks")]
    for holder in holders:
        if isinstance(holder, dict) and holder.get("times_s"):
            return {key: holder.get(key) or [] for key in TRACK_KEYS}
    per_turn = [t.get("tracks") for t in delivery.get("turns") or [] if isinstance(t, dict)]
    per_turn = [t for t in per_turn if isinstance(t, dict) and t.get("times_s")]
    if not per_turn:
        return None
    joined: dict[str, list] = {key: [] for key in TRACK_KEYS}
    for turn in sorted(per_turn, key=lambda t: t["times_s"][0]):
        if joined["times_s"]:  # a gap point, so plots do not join one turn to the next
            joined["times_s"].append(round((joined["times_s"][-1] + turn["times_s"][0]) / 2, 3))
            joined["f0_hz"].append(None)
            joined["loudness_db"].append(None)
        for key in TRACK_KEYS:
            values = turn.get(key) or []
            joined[key].extend(values if values else [None] * len(turn["times_s"]))
    return joined


def computed_tracks(folder: Path) -> dict | None:
    """Pitch and loudness tracks measured from `trainee.wav` (for calls saved without them).

    Seconds of work for a long call: cached per file version.
    """
    path = folder / "trainee.wav"
    try:
        stat = path.stat()
    except OSError:
        return None
    return _computed_tracks(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _computed_tracks(path: str, _mtime_ns: int, _size: int) -> dict | None:
    import numpy as np

    from voicecoach.delivery.features import frame_tracks
    from voicecoach.web.audio import read_wav_pcm16

    try:
        pcm = read_wav_pcm16(Path(path))
    except (OSError, SessionError):
        return None
    if pcm.duration_s < 0.2:
        return None
    y = pcm.samples[:, 0].astype(np.float32) / 32768.0
    tracks = frame_tracks(y, pcm.sr)
    step = max(1, round(TRACK_STEP_S / float(tracks.times_s[1] - tracks.times_s[0])))
    return {
        "times_s": np.round(tracks.times_s[::step], 3).tolist(),
        "f0_hz": [None if np.isnan(f) else round(float(f), 1) for f in tracks.f0_hz[::step]],
        "loudness_db": np.round(tracks.loudness_db[::step], 1).tolist(),
    }


def delivery_summary(delivery: dict | None) -> dict | None:
    """Calm verdict, measures and tips, from a whole-call analysis or the live call's turns."""
    if not isinstance(delivery, dict):
        return None
    whole = delivery.get("whole") if isinstance(delivery.get("whole"), dict) else delivery
    turns = [t for t in delivery.get("turns") or [] if isinstance(t, dict)]
    reasons = list(whole.get("reasons") or [])
    tips = list(delivery.get("tips") or [])
    calm = whole.get("calm")
    features = whole.get("features") or {}
    if "calm" not in whole and turns:
        judged = [t for t in turns if t.get("calm") is not None]
        calm = all(t["calm"] for t in judged) if judged else None
        for turn in judged:
            reasons.extend(
                r | {"turn": turn.get("turn"), "start_s": turn.get("start_s")}
                for r in turn.get("reasons") or []
            )
        features = _mean_features([t.get("features") or {} for t in judged])
    tips = tips or list(dict.fromkeys(r.get("tip") for r in reasons if r.get("tip")))
    return {
        "calm": calm,
        "judged_turns": delivery.get("judged_turns"),
        "calm_turns": delivery.get("calm_turns"),
        "reference_title": delivery.get("reference_title") or whole.get("reference_title"),
        "features": features,
        "reasons": reasons,
        "tips": tips,
    }


def _mean_features(rows: list[dict]) -> dict:
    from statistics import fmean

    names = {k for row in rows for k, v in row.items() if isinstance(v, (int, float))}
    return {
        name: round(fmean(row[name] for row in rows if name in row), 3) for name in sorted(names)
    }


def markers(score: dict | None) -> list[dict]:
    """One timeline marker per evidence of a step/check met or a fault present."""
    out = []
    for section, key in SCORE_SECTIONS:
        for item_id, item in ((score or {}).get(section) or {}).items():
            if not item.get(key):
                continue
            for evidence in item.get("evidence") or []:
                if evidence.get("start") is None:
                    continue
                out.append(
                    {
                        "t_s": float(evidence["start"]),
                        "end_s": evidence.get("end"),
                        "id": item_id,
                        "title": item.get("title", item_id),
                        "kind": "fault" if section == "faults" else "step",
                        "quote": evidence.get("quote", ""),
                        "turn": evidence.get("turn"),
                    }
                )
    return sorted(out, key=lambda m: m["t_s"])
