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
`asks: true` (a question step) skips words after "I'm not going to ask" in the sentence;
`yields_to: [ids]`: a meaning-layer hit does not count in a sentence that one of these
ids' patterns reads as its own act ("what is your date of birth" is not `clarify`);
and also rejects pattern hits inside them.
Similarity is the cosine of sentence embeddings (`embedding.py`) after
removing the examples' common direction, so shared function words do not
make every sentence look alike. An intent with an adopted static head (`heads.py`)
is also met in a sentence the head accepts. An intent with an adopted contextual head
is judged, while it is not yet met in the call, by that head instead: the contextual
encoder (`encoder.py`) reads the turn's sentences as written, once per turn and only
when a detector asks for such an id (`TurnJudgement.get`); the turn shows the intent
when its sentences' mean probability reaches the head's threshold, the likeliest
sentence being the evidence. Without the encoder the examples and static heads decide.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
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
                    "asks": {"type": "boolean"},
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
    asks: bool = False  # a question: not asked after "I'm not going to ask (whether)..."


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
                bool(spec.get("asks", False)),
            )
        self._ids = list(self.intents)
        self._row = {intent_id: n for n, intent_id in enumerate(self._ids)}
        self._examples = [e for i in self._ids for e in self.intents[i].examples]
        self._positives, self._pos_index = _stacked([self.intents[i].vectors for i in self._ids])
        self._unlike, self._unlike_index = _stacked([self.intents[i].unlike for i in self._ids])
        self.heads = load_heads(HEADS_FILE, 3 * self._embedder.dim, known_intent_ids())
        self.context_heads: dict[str, IntentHead] = load_heads(
            CONTEXT_HEADS_FILE, DIM, known_intent_ids(), CONTEXT_FEATURES
        )

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
        originals: list[str] | None = None,
        unmet: Collection[str] | None = None,
        spans: Sequence[tuple[int, int]] | None = None,
    ) -> TurnJudgement:
        """Every intent's (or the `wanted` ones') verdict per sentence. One static embedding
        pass for all of them; sentences under `min_words` words are judged by the examples
        only. An `unmet` id (default: all) with an adopted contextual head, whose static head
        rates some sentence at least at the contextual head's `gate`, is judged by the
        contextual head when first asked for (`TurnJudgement.get`): the encoder then reads
        `originals` (the sentences as written, punctuation kept): all of them for a head that
        judges the turn's mean, only those at the gate for a head that takes "any" sentence
        (its gate was fitted per sentence; the others keep the static verdict), with the
        windows that overlap them (`spans`: each sentence's word range)."""
        ids = [i for i in self._ids if wanted is None or i in wanted]
        if not ids or not sentences:
            return TurnJudgement({i: [None] * len(sentences) for i in ids})
        tokens = [self._embedder.token_vectors(s) for s in sentences]
        long_enough = np.array([len(s.split()) >= min_words for s in sentences])
        vectors = self._centred(self._embedder.mean_of(tokens))
        rows = [self._row[i] for i in ids]
        pos_index = self._pos_index[rows]
        pos = _gathered(self._positives, vectors, pos_index)  # (intents, examples, units)
        unlike = _gathered(self._unlike, vectors, self._unlike_index[rows])
        neutral = np.stack([self._neutral @ v for v in vectors], axis=1)  # (neutral, units)
        against = np.concatenate(
            [unlike, np.broadcast_to(neutral, (len(ids), *neutral.shape))], axis=1
        )
        similarity = _top_means(pos)
        contrast = _top_means(against)
        nearest = pos_index[np.arange(len(ids))[:, None], np.argmax(pos, axis=1)].tolist()
        any_long = bool(long_enough.any())
        pooled = None  # static head features, pooled when first needed
        judgement = TurnJudgement({}, self, originals or sentences, long_enough)
        for i, intent_id in enumerate(ids):
            intent = self.intents[intent_id]
            by_examples = (similarity[i] >= intent.threshold) & (
                similarity[i] - contrast[i] >= intent.margin
            )
            examples = [self._examples[n] for n in nearest[i]]
            verdict = _Verdict(by_examples, similarity[i], contrast[i], examples)
            head, context = self.heads.get(intent_id), self.context_heads.get(intent_id)
            if head is not None and head.adopted and any_long:
                if pooled is None:
                    pooled = self._embedder.pool(tokens)
                static = head.probability(pooled)
                judgement.verdicts[intent_id] = verdict.with_head(
                    head, static, long_enough, False
                ).matches(intent_id)
                if (
                    context is not None
                    and context.adopted
                    and (unmet is None or intent_id in unmet)
                    and static[long_enough].max() >= context.gate
                ):
                    read = long_enough & (
                        _near(static >= context.gate, spans) if context.turn == "any" else True
                    )
                    judgement.pending[intent_id] = (verdict, context, read)
            else:
                judgement.verdicts[intent_id] = verdict.matches(intent_id)
        return judgement


@dataclass(frozen=True)
class _Verdict:
    """One intent's judgement of a turn's sentences (arrays over the sentences)."""

    shows: np.ndarray
    similarity: np.ndarray
    contrast: np.ndarray
    examples: list[str]  # the nearest example per sentence

    def with_head(
        self, head: IntentHead, probability: np.ndarray, judged: np.ndarray, decides: bool
    ) -> _Verdict:
        """The verdict with a head's: per sentence, added to the examples' (a static head), or
        for the turn, deciding every `judged` sentence (a contextual head: the turn shows the
        intent when its sentences' mean probability reaches the threshold, and the likeliest
        sentence is the evidence; outside replies labelled as wholes taught that a reply
        with one kind word before advice is advice; a head whose `turn` is "any" instead
        takes each sentence that reaches it, as a DESC step, a closing or a fault is one
        sentence of a long turn)."""
        if decides and head.turn == "any":  # each sentence on its own
            by_head = (probability >= head.threshold) & judged
        elif decides:
            by_head = np.zeros_like(judged)
            turn = float(probability[judged].mean())
            if turn >= head.threshold:
                by_head[np.flatnonzero(judged)[np.argmax(probability[judged])]] = True
                probability = np.where(by_head, turn, probability)
        else:
            by_head = (probability >= head.threshold) & judged
        shows = np.where(judged, by_head, self.shows) if decides else self.shows | by_head
        by_head &= decides | ~self.shows
        return _Verdict(
            shows,
            np.where(by_head, probability, self.similarity),
            np.where(by_head, head.threshold, self.contrast),
            self.examples,
        )

    def matches(self, intent_id: str) -> list[IntentMatch | None]:
        # lists, not arrays: a float32 scalar per sentence costs more than its float
        return [
            IntentMatch(intent_id, sim, con, example) if shown else None
            for shown, sim, con, example in zip(
                self.shows.tolist(),
                self.similarity.tolist(),
                self.contrast.tolist(),
                self.examples,
                strict=True,
            )
        ]


@dataclass
class TurnJudgement:
    """Per intent id, per sentence, its match or None (`get`, as a dict's). Contextual heads
    are `pending` until the id is asked for: the encoder then reads the sentences that id
    needs (not at all when the pattern detectors settled it, nor when the encoder is off or
    missing: the examples and static heads stand); the encoder keeps recent sentences'
    vectors, so ids asked later in the turn share them."""

    verdicts: dict[str, list[IntentMatch | None]]
    model: IntentModel | None = None
    originals: list[str] = field(default_factory=list)
    judged: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # per id: its examples' verdict, its contextual head, the sentences the head reads
    pending: dict[str, tuple[_Verdict, IntentHead, np.ndarray]] = field(default_factory=dict)

    def get(self, intent_id: str, default: Any = ()) -> Any:
        if intent_id in self.pending:
            self._read_in_context(intent_id)
        return self.verdicts.get(intent_id, default)

    def _read_in_context(self, intent_id: str) -> None:
        from voicecoach.scoring.encoder import DIM, context_encoder

        verdict, head, read = self.pending.pop(intent_id)
        encoder = context_encoder()
        if encoder is None:
            return
        vectors = np.zeros((len(self.originals), DIM), dtype=np.float32)
        rows = np.flatnonzero(read)
        vectors[rows] = encoder.encode_many([self.originals[u] for u in rows])
        in_context = verdict.with_head(head, head.probability(vectors), read, True)
        self.verdicts[intent_id] = [
            found if decided else static
            for found, static, decided in zip(
                in_context.matches(intent_id), self.verdicts[intent_id], read, strict=True
            )
        ]


def _near(marked: np.ndarray, spans: Sequence[tuple[int, int]] | None) -> np.ndarray:
    """The marked sentences, a long recognised sentence whole: it is read as windows that
    share words, and the static head may rate another window than the act's (`spans`: each
    sentence's word range; None, no windows)."""
    near = marked.copy()
    group = [0]  # per sentence, the first window of its sentence
    for i, ((_, end), (start, _)) in enumerate(itertools.pairwise(spans or ()), start=1):
        group.append(group[-1] if start < end else i)
    if spans:
        marked_groups = {g for g, m in zip(group, marked.tolist(), strict=True) if m}
        near |= np.array([g in marked_groups for g in group])
    return near


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
