"""The meaning layer: a trainee sentence compared with labelled intent examples.

Intent examples are data (`scenarios/protocols/intents/*.yaml`, schema-checked;
errors name file and line). Each intent id (a step, check or fault, or
`record_disclosure`) has example sentences that show it and `unlike` sentences
that look close but are not it; every file may add `neutral` sentences (plain
front-desk talk) that count against all intents. A sentence meets an intent
when its similarity to the intent's nearest examples reaches the intent's
`threshold` and beats the nearest `unlike`/neutral ones by `margin`.
`negatable: true` skips sentences that deny the act ("I'm not sorry");
`quotable: true` skips words quoted from others ("she told you to calm down")
and also rejects pattern hits inside them.
Similarity is the cosine of sentence embeddings (`embedding.py`) after
removing the examples' common direction, so shared function words do not
make every sentence look alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from voicecoach.errors import ScenarioError
from voicecoach.paths import PROJECT_DIR, scenarios_dir
from voicecoach.scoring.yamlcheck import load_checked

TOP_K = 3  # nearest examples averaged
EXTRA_INTENTS = ("record_disclosure",)  # used inside detectors, not rubric ids
# ids whose verdict depends on the call so far: their detectors consult the meaning layer
CONTEXT_IDS = frozenset({"confidentiality_breach", "knowledge", "record_disclosure"})

_SENTENCES = {"type": "array", "items": {"type": "string", "minLength": 3}}
INTENTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "neutral": _SENTENCES,
        "intents": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["threshold", "margin", "examples"],
                "additionalProperties": False,
                "properties": {
                    "threshold": {"type": "number", "minimum": 0, "maximum": 1},
                    "margin": {"type": "number", "minimum": -1, "maximum": 1},
                    "examples": {**_SENTENCES, "minItems": 3},
                    "unlike": _SENTENCES,
                    "negatable": {"type": "boolean"},
                    "quotable": {"type": "boolean"},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Intent:
    """One intent's examples as vectors and its decision rule."""

    id: str
    threshold: float
    margin: float
    examples: tuple[str, ...]
    vectors: np.ndarray  # (n, dim), centred and unit length
    against: np.ndarray  # unlike + neutral vectors
    negatable: bool  # a sentence denying the act does not show it ("I'm not sorry")
    quotable: bool  # words quoted from someone else do not show it ("she told you to...")


@dataclass(frozen=True)
class IntentMatch:
    """How close a sentence came to an intent, and to which example."""

    id: str
    similarity: float
    contrast: float  # similarity to the nearest unlike/neutral sentences
    example: str

    @property
    def margin(self) -> float:
        return self.similarity - self.contrast


class IntentModel:
    """All intents, ready to judge sentences."""

    def __init__(self, files: list[Path]):
        from voicecoach.scoring.embedding import embedder

        raw: dict[str, dict] = {}
        neutral: list[str] = []
        for path in files:
            data, root = load_checked(path, INTENTS_SCHEMA)
            neutral += data.get("neutral", [])
            for intent_id, spec in data.get("intents", {}).items():
                if intent_id not in known_intent_ids() or intent_id in raw:
                    line = _key_line(root, intent_id)
                    problem = "repeated" if intent_id in raw else "unknown"
                    raise ScenarioError(
                        f"{path}:{line}: intents.{intent_id}: {problem} intent id "
                        f"(known: {', '.join(sorted(known_intent_ids()))})"
                    )
                raw[intent_id] = spec
        self._embedder = embedder()
        every = neutral + [s for spec in raw.values() for s in spec["examples"]]
        self._centre = self._embedder.embed(every).mean(axis=0) if every else 0.0
        neutral_vectors = self.embed(neutral)
        self.intents: dict[str, Intent] = {}
        for intent_id, spec in raw.items():
            unlike = self.embed(spec.get("unlike", []))
            self.intents[intent_id] = Intent(
                intent_id,
                float(spec["threshold"]),
                float(spec["margin"]),
                tuple(spec["examples"]),
                self.embed(spec["examples"]),
                np.vstack([unlike, neutral_vectors]),
                bool(spec.get("negatable", False)),
                bool(spec.get("quotable", False)),
            )
        blocks, self._rows, row = [], {}, 0
        for intent_id, intent in self.intents.items():
            blocks += [intent.vectors, intent.against]
            n_pos, n_against = len(intent.vectors), len(intent.against)
            self._rows[intent_id] = (row, row + n_pos, row + n_pos + n_against)
            row += n_pos + n_against
        self._matrix = np.vstack(blocks) if blocks else np.zeros((0, self._embedder.dim))

    def embed(self, sentences: list[str]) -> np.ndarray:
        """Centred unit vectors for sentences."""
        if not sentences:
            return np.zeros((0, self._embedder.dim), dtype=np.float32)
        vectors = self._embedder.embed(sentences) - self._centre
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def judge(self, vectors: np.ndarray) -> dict[str, list[IntentMatch | None]]:
        """For every intent, per sentence vector: the match when it shows the intent."""
        sims = self._matrix @ vectors.T  # one product for every example of every intent
        out: dict[str, list[IntentMatch | None]] = {}
        for intent_id, intent in self.intents.items():
            a, b, c = self._rows[intent_id]
            pos, against = sims[a:b], sims[b:c]
            k = min(TOP_K, len(pos))
            top = np.sort(pos, axis=0)[-k:]
            similarity = top.mean(axis=0)
            contrast = _top_means(against) if c > b else np.full(len(vectors), -1.0)
            nearest = np.argmax(pos, axis=0)
            out[intent_id] = [
                IntentMatch(intent_id, float(s), float(ct), intent.examples[int(n)])
                if s >= intent.threshold and s - ct >= intent.margin
                else None
                for s, ct, n in zip(similarity, contrast, nearest, strict=True)
            ]
        return out


def _top_means(sims: np.ndarray) -> np.ndarray:
    """Per column, the mean of the TOP_K largest values."""
    k = min(TOP_K, len(sims))
    return np.partition(sims, len(sims) - k, axis=0)[-k:].mean(axis=0)


def _key_line(root: yaml.Node, intent_id: str) -> int:
    for key, value in root.value:
        if key.value == "intents":
            for k, _ in value.value:
                if k.value == intent_id:
                    return k.start_mark.line + 1
    return 1


def known_intent_ids() -> set[str]:
    from voicecoach.scoring.detectors import CHECK_DETECTORS, FAULT_DETECTORS, STEP_DETECTORS

    return set(STEP_DETECTORS) | set(CHECK_DETECTORS) | set(FAULT_DETECTORS) | set(EXTRA_INTENTS)


def intent_files() -> list[Path]:
    """The intent files: the scenarios folder's, else the built-in ones."""
    for folder in (
        scenarios_dir() / "protocols" / "intents",
        PROJECT_DIR / "scenarios" / "protocols" / "intents",
    ):
        files = sorted(folder.glob("*.yaml"))
        if files:
            return files
    return []


@lru_cache(maxsize=4)
def _model_for(files: tuple[tuple[Path, int], ...]) -> IntentModel:
    return IntentModel([path for path, _ in files])


def intent_model() -> IntentModel:
    """The intent model for the current intent files (reloaded when a file changes)."""
    return _model_for(tuple((p, p.stat().st_mtime_ns) for p in intent_files()))
