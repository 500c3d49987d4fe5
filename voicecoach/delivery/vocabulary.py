"""Plain-language names of delivery measures (`measures.yaml`), one vocabulary everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from voicecoach.errors import VoiceCoachError

MEASURES_FILE = Path(__file__).with_name("measures.yaml")


@dataclass(frozen=True)
class Measure:
    """A delivery measure as people read it: `title` ("Pitch steadiness"), `unit`, `help`."""

    id: str
    title: str
    unit: str
    help: str


@lru_cache(maxsize=1)
def measures() -> dict[str, Measure]:
    """Every known measure by id, from `measures.yaml`."""
    with MEASURES_FILE.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    out = {}
    for key, entry in data.items():
        missing = {"title", "unit", "help"} - set(entry or {})
        if missing:
            raise VoiceCoachError(f"{MEASURES_FILE}: measure {key!r} lacks {sorted(missing)}")
        out[key] = Measure(key, str(entry["title"]), str(entry["unit"]), str(entry["help"]))
    return out


def measure_title(measure_id: str) -> str:
    """The plain name of a measure; an unknown id reads as its words ("foo_bar" -> "Foo bar")."""
    known = measures().get(measure_id)
    return known.title if known else measure_id.replace("_", " ").capitalize()


def format_measure(measure_id: str, value: float | int) -> str:
    """'Pitch steadiness: 1.9 semitones': the plain name, the value and its unit."""
    known = measures().get(measure_id)
    unit = f" {known.unit}" if known else ""
    if isinstance(value, float) and not value.is_integer():
        digits = 0 if abs(value) >= 100 else 2 if abs(value) < 1 else 1
        shown = f"{value:.{digits}f}"
    else:
        shown = f"{value:g}"
    return f"{measure_title(measure_id)}: {shown}{unit}"


if __name__ == "__main__":
    for m in measures().values():
        print(f"{m.id:28} {m.title} ({m.unit})")
