"""The meaning layer: a trainee sentence compared with labelled intent examples.

Intent examples are data (`scenarios/protocols/intents/*.yaml`, schema-checked;
errors name file and line). Each intent id (a step, check or fault, or
`record_disclosure`) has example sentences that show it and `unlike` sentences
that look close but are not it; every file may add `neutral` sentences (plain
front-desk talk) that count against all intents. A sentence meets an intent
when its similarity to the intent's nearest examples reaches the intent's
`threshold` and beats the nearest `unlike`/neutral ones by `margin`.
`negatable: true` skips sentences that deny the act ("I'm not sorry");
`quotable: true` skips words quoted from others ("she told you to calm down");
`yields_to: [ids]`: a meaning-layer hit does not count in a sentence that one of these
ids' patterns reads as its own act ("what is your date of birth" is not `clarify`);
and also rejects pattern hits inside them.
Similarity is the cosine of sentence embeddings (`embedding.py`) after
removing the examples' common direction, so shared function words do not
make every sentence look alike. An intent with an adopted learned head
(`heads.py`) is also met when the examples do not reach it but the head,
judging the whole turn (the outside replies it learnt from are labelled as
wholes), does; the evidence is the turn's sentence the head rates highest. Where a
contextual head is adopted too, a turn the static head rates at least at the contextual
head's `gate` is read by the contextual encoder (`encoder.py`, loaded on first need)
and the contextual head decides; without the encoder the static head decides.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from voicecoach.errors import ScenarioError
from voicecoach.paths import PROJECT_DIR, scenarios_dir
from voicecoach.scoring.heads import (
    CONTEXT_FEATURES,
    CONTEXT_HEADS_FILE,
    HEADS_FILE,
    IntentHead,
    load_heads,
)
from voicecoach.scoring.yamlcheck import line_of, load_checked

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
                    "yields_to": {"type": "array", "items": {"type": "string"}},
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
    unlike: np.ndarray  # near misses (the shared neutral sentences count against it too)
    negatable: bool  # a sentence denying the act does not show it ("I'm not sorry")
    quotable: bool  # words quoted from someone else do not show it ("she told you to...")
    yields_to: tuple[str, ...] = ()  # ids whose pattern in the sentence overrides the meaning


@dataclass(frozen=True)
class IntentMatch:
    """How close a sentence came to an intent, and to which example."""

    id: str
    similarity: float  # to the nearest examples (for a head: its probability)
    contrast: float  # to the nearest unlike/neutral sentences (for a head: its threshold)
    example: str

    @property
    def margin(self) -> float:
        return self.similarity - self.contrast


class IntentModel:
    """All intents, ready to judge sentences."""

    def __init__(self, files: list[Path]):
        from voicecoach.scoring.embedding import embedder
        from voicecoach.scoring.encoder import DIM

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
                for other in spec.get("yields_to", []):
                    if other not in step_and_check_ids():
                        line = line_of(root, ["intents", intent_id, "yields_to"])
                        raise ScenarioError(
                            f"{path}:{line}: intents.{intent_id}.yields_to: {other!r} is not a "
                            "step or check id"
                        )
                raw[intent_id] = spec
        self._embedder = embedder()
        every = neutral + [s for spec in raw.values() for s in spec["examples"]]
        self._centre = self._embedder.embed(every).mean(axis=0) if every else 0.0
        self._neutral = self.embed(neutral)
        self.intents: dict[str, Intent] = {}
        for intent_id, spec in raw.items():
            unlike = self.embed(spec.get("unlike", []))
            self.intents[intent_id] = Intent(
                intent_id,
                float(spec["threshold"]),
                float(spec["margin"]),
                tuple(spec["examples"]),
                self.embed(spec["examples"]),
                unlike,
                bool(spec.get("negatable", False)),
                bool(spec.get("quotable", False)),
                tuple(spec.get("yields_to", [])),
            )
        self._ids = list(self.intents)
        self._examples = [e for i in self._ids for e in self.intents[i].examples]
        self._positives, self._pos_index = _stacked([self.intents[i].vectors for i in self._ids])
        self._unlike, self._unlike_index = _stacked([self.intents[i].unlike for i in self._ids])
        self.heads = load_heads(HEADS_FILE, 3 * self._embedder.dim, known_intent_ids())
        self.context_heads: dict[str, IntentHead] = load_heads(
            CONTEXT_HEADS_FILE, DIM + 3 * self._embedder.dim, known_intent_ids(), CONTEXT_FEATURES
        )

    def _head_verdict(
        self, intent_id: str, static: np.ndarray, whole: str, contextual: bool = True
    ) -> bool:
        """Whether the whole turn shows the intent by its learned heads: the contextual head
        when adopted, `contextual`, its gate passed and the encoder loads, else the static
        head."""
        head = self.heads[intent_id]
        p_static = float(head.probability(static)[0])
        context = self.context_heads.get(intent_id)
        if context is None or not context.adopted or not contextual:
            return p_static >= head.threshold
        if p_static < context.gate:
            return False
        from voicecoach.scoring.encoder import context_encoder

        encoder = context_encoder()
        if encoder is None:
            return p_static >= head.threshold
        features = np.concatenate((encoder.encode(whole), static[0]))
        return float(context.probability(features)) >= context.threshold

    def embed(self, sentences: list[str]) -> np.ndarray:
        """Centred unit vectors for sentences."""
        return self._centred(self._embedder.embed(sentences))

    def _centred(self, means: np.ndarray) -> np.ndarray:
        if not len(means):
            return np.zeros((0, self._embedder.dim), dtype=np.float32)
        vectors = means - self._centre
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def judge(
        self,
        sentences: list[str],
        wanted: Collection[str] | None = None,
        min_words: int = 0,
        whole: str | None = None,
        unmet: Collection[str] | None = None,
    ) -> dict[str, list[IntentMatch | None]]:
        """For every intent (or the `wanted` ones), per sentence: the match when it shows the
        intent, else None. One embedding pass for all of them. A head's evidence is a
        sentence of at least `min_words` words when there is one. `whole` is the turn's
        text for the contextual encoder (default: the sentences joined); the encoder is read
        only for `unmet` ids (default: all): a step found once needs no costly second look."""
        ids = [i for i in self._ids if wanted is None or i in wanted]
        out: dict[str, list[IntentMatch | None]] = {i: [None] * len(sentences) for i in ids}
        if not ids or not sentences:
            return out
        tokens = [self._embedder.token_vectors(s) for s in sentences]
        pooled: np.ndarray | None = None  # head features, computed when a head is consulted
        long_enough = np.array([len(s.split()) >= min_words for s in sentences])
        candidates = long_enough if long_enough.any() else ~long_enough
        vectors = self._centred(self._embedder.mean_of(tokens))
        rows = [self._ids.index(i) for i in ids]
        pos_index = self._pos_index[rows]
        pos = _gathered(self._positives, vectors, pos_index)  # (intents, examples, units)
        unlike = _gathered(self._unlike, vectors, self._unlike_index[rows])
        neutral = np.stack([self._neutral @ v for v in vectors], axis=1)  # (neutral, units)
        against = np.concatenate(
            [unlike, np.broadcast_to(neutral, (len(ids), *neutral.shape))], axis=1
        )
        similarity = _top_means(pos)
        contrast = _top_means(against)
        nearest = pos_index[np.arange(len(ids))[:, None], np.argmax(pos, axis=1)]
        for i, intent_id in enumerate(ids):
            intent, head = self.intents[intent_id], self.heads.get(intent_id)
            shows = (similarity[i] >= intent.threshold) & (
                similarity[i] - contrast[i] >= intent.margin
            )
            if head is not None and head.adopted and not shows.any():
                if pooled is None:
                    pooled = self._embedder.pool(tokens, whole=True)  # the whole turn last
                similarity[i] = head.probability(pooled[:-1])
                contrast[i] = head.threshold
                best = np.flatnonzero(candidates)[np.argmax(similarity[i][candidates])]
                shows[best] = self._head_verdict(
                    intent_id,
                    pooled[-1:],
                    whole if whole is not None else " ".join(sentences),
                    unmet is None or intent_id in unmet,
                )
            for u in np.flatnonzero(shows):
                out[intent_id][u] = IntentMatch(
                    intent_id,
                    float(similarity[i, u]),
                    float(contrast[i, u]),
                    self._examples[nearest[i, u]],
                )
        return out


def _stacked(blocks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All rows in one matrix, and per block its row numbers padded with -1."""
    width = max((len(b) for b in blocks), default=0)
    index = np.full((len(blocks), width), -1, dtype=np.int64)
    row = 0
    for i, block in enumerate(blocks):
        index[i, : len(block)] = np.arange(row, row + len(block))
        row += len(block)
    matrix = np.vstack(blocks) if row else np.zeros((0, 1), dtype=np.float32)
    return matrix.astype(np.float32), index


def _gathered(matrix: np.ndarray, vectors: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Similarities of each vector to the rows of each block: (blocks, width, vectors), padding
    -inf. One matrix-vector product per sentence (faster than a matrix product on a busy
    machine, where threaded BLAS stalls)."""
    sims = np.stack([matrix @ v for v in vectors.astype(np.float32)], axis=1)
    sims = np.vstack([sims, np.full((1, len(vectors)), -np.inf, dtype=np.float32)])
    return sims[index]


def _top_means(sims: np.ndarray) -> np.ndarray:
    """Mean of the TOP_K largest along axis 1 (padding is -inf, so fewer rows give -inf)."""
    k = min(TOP_K, sims.shape[1])
    if k == 0:
        return np.full((sims.shape[0], sims.shape[2]), -np.inf, dtype=np.float32)
    return np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:, :].mean(axis=1)


def _key_line(root: yaml.Node, intent_id: str) -> int:
    for key, value in root.value:
        if key.value == "intents":
            for k, _ in value.value:
                if k.value == intent_id:
                    return k.start_mark.line + 1
    return 1


def step_and_check_ids() -> set[str]:
    from voicecoach.scoring.detectors import CHECK_DETECTORS, STEP_DETECTORS

    return set(STEP_DETECTORS) | set(CHECK_DETECTORS)


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
