"""Transcripts in the contract's interchange format: load, validate, name the bad path.

A transcript is JSON with `protocol`, `caller_name`, `record_sensitive` and
`turns` (speaker, text, optional start/end seconds and timed words). Extra
keys ("labels", "note", "jargon") are allowed. Problems raise
`TranscriptError` naming the file and the JSON path, e.g. `$.turns[3].text`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicecoach import jsonsafe
from voicecoach.errors import TranscriptError

SPEAKERS = ("trainee", "caller")


@dataclass(frozen=True)
class TurnWord:
    """A recognised word inside a turn with its time span in seconds."""

    w: str
    start: float | None = None
    end: float | None = None
    conf: float | None = None


@dataclass(frozen=True)
class Turn:
    """One speaker turn; `start`/`end` are seconds from the start of the call."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    words: tuple[TurnWord, ...] = ()

    def to_json(self) -> dict:
        out: dict[str, Any] = {"speaker": self.speaker, "text": self.text}
        if self.start is not None:
            out["start"] = self.start
        if self.end is not None:
            out["end"] = self.end
        if self.words:
            out["words"] = [{k: v for k, v in vars(w).items() if v is not None} for w in self.words]
        return out


@dataclass(frozen=True)
class Transcript:
    """A whole call: which protocol it is scored against, whom, and what was said."""

    protocol: str
    caller_name: str
    record_sensitive: bool
    turns: tuple[Turn, ...]
    jargon: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {
            "protocol": self.protocol,
            "caller_name": self.caller_name,
            "record_sensitive": self.record_sensitive,
            "turns": [t.to_json() for t in self.turns],
        }
        if self.jargon:
            out["jargon"] = dict(self.jargon)
        return out


def _fail(source: str, path: str, problem: str) -> TranscriptError:
    return TranscriptError(f"{source}: {path}: {problem}")


def _expect(value: Any, kinds: type | tuple[type, ...], source: str, path: str, what: str) -> Any:
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in _as_tuple(kinds))
    if not ok:
        raise _fail(source, path, f"expected {what}, got {json.dumps(value)[:40]}")
    return value


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _optional_seconds(raw: Mapping, key: str, source: str, path: str) -> float | None:
    if raw.get(key) is None:
        return None
    value = _expect(raw[key], (int, float), source, f"{path}.{key}", "a number of seconds")
    if value < 0:
        raise _fail(source, f"{path}.{key}", f"expected seconds >= 0, got {value}")
    return float(value)


def _parse_words(raw: Any, source: str, path: str) -> tuple[TurnWord, ...]:
    words = []
    for i, item in enumerate(_expect(raw, list, source, path, "a list of words")):
        wpath = f"{path}[{i}]"
        _expect(item, dict, source, wpath, 'an object like {"w": "thank", "start": 4.6}')
        text = item.get("w", item.get("word"))
        _expect(text, str, source, f"{wpath}.w", "the word as a string")
        conf = item.get("conf")
        if conf is not None:
            _expect(conf, (int, float), source, f"{wpath}.conf", "a confidence 0-1")
        words.append(
            TurnWord(
                text,
                _optional_seconds(item, "start", source, wpath),
                _optional_seconds(item, "end", source, wpath),
                conf,
            )
        )
    return tuple(words)


def _parse_turn(raw: Any, index: int, source: str) -> Turn:
    path = f"$.turns[{index}]"
    _expect(raw, dict, source, path, 'an object like {"speaker": "trainee", "text": "..."}')
    speaker = raw.get("speaker")
    if speaker not in SPEAKERS:
        raise _fail(source, f"{path}.speaker", f"expected 'trainee' or 'caller', got {speaker!r}")
    text = _expect(raw.get("text"), str, source, f"{path}.text", "the turn's text as a string")
    if not text.strip():
        raise _fail(source, f"{path}.text", "the text is empty")
    words = _parse_words(raw["words"], source, f"{path}.words") if raw.get("words") else ()
    return Turn(
        speaker,
        text,
        _optional_seconds(raw, "start", source, path),
        _optional_seconds(raw, "end", source, path),
        words,
    )


def transcript_from_json(data: Any, source: str = "<transcript>") -> Transcript:
    """Validate a parsed JSON object and build a Transcript (errors name `source`)."""
    from voicecoach.scoring.protocols import protocol_names

    _expect(data, dict, source, "$", "a JSON object with protocol, caller_name and turns")
    protocol = data.get("protocol")
    _expect(protocol, str, source, "$.protocol", "a protocol name")
    known = protocol_names()
    if protocol not in known:
        raise _fail(
            source, "$.protocol", f"unknown protocol {protocol!r} (known: {', '.join(known)})"
        )
    caller_name = _expect(
        data.get("caller_name", ""), str, source, "$.caller_name", "the caller's name as a string"
    )
    record_sensitive = _expect(
        data.get("record_sensitive", False), bool, source, "$.record_sensitive", "true or false"
    )
    raw_turns = _expect(data.get("turns"), list, source, "$.turns", "a list of turns")
    turns = tuple(_parse_turn(t, i, source) for i, t in enumerate(raw_turns))
    if not any(t.speaker == "trainee" for t in turns):
        raise _fail(source, "$.turns", "no trainee turns: nothing to score")
    jargon = data.get("jargon") or {}
    _expect(jargon, dict, source, "$.jargon", "an object mapping term to plain words")
    for term, plain in jargon.items():
        _expect(plain, str, source, f"$.jargon.{term}", "the plain words as a string")
    return Transcript(protocol, caller_name.strip(), record_sensitive, turns, dict(jargon))


def load_transcript(path: str | Path) -> Transcript:
    """Read and validate a transcript file; raise TranscriptError naming file and JSON path."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TranscriptError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"{source}: cannot read it ({exc})") from None
    try:
        data = jsonsafe.loads(raw)
    except json.JSONDecodeError as exc:
        raise _fail(
            source, "$", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except ValueError as exc:  # NaN/Infinity, a number beyond float range, too deep
        raise _fail(source, "$", f"not valid JSON ({exc})") from None
    return transcript_from_json(data, source)
