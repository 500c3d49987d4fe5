"""Learned intent heads: a logistic or kernel model per intent over a sentence's vector.

Where nearest-example similarity is too blunt (empathy and clarifying questions in
outside phrasing), an intent may have heads: weights, a bias and a probability threshold.
A kernel head (`kernel` in its entry) is a support-vector machine with an RBF kernel: its
support vectors and their weights are in a `.npz` file beside the heads file, and a sigmoid
(`platt`) turns its decision value into a probability.
A static head (`intent_heads.yaml`) weighs the mean, max and min of the sentence's static
token vectors (`Embedder.pooled`); a contextual head (`intent_heads_context.yaml`) weighs
the contextual encoder's vector of the sentence as written (`encoder.py`); its `gate` is
the static head's probability below which no sentence of a turn is worth the encoder. The
coefficients are data refitted by `bench/fit_intents.py` from our own text only: the
intent examples and the head training files (`scenarios/protocols/intents/heads/*.yaml`,
`load_training`); both kinds of file are checked on load and errors name file and line.
Only heads marked `adopted` take part in scoring."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from voicecoach.errors import ScenarioError
from voicecoach.paths import PROJECT_DIR
from voicecoach.scoring.yamlcheck import line_of, load_checked

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController

HEADS_FILE = Path(__file__).with_name("intent_heads.yaml")
CONTEXT_HEADS_FILE = Path(__file__).with_name("intent_heads_context.yaml")
STATIC_FEATURES = "wordllama l2_supercat_256 mean+max+min"
CONTEXT_FEATURES = "all-MiniLM-L6-v2 int8 mean"
TRAINING_DIR = PROJECT_DIR / "scenarios" / "protocols" / "intents" / "heads"

SENTENCES_SCHEMA = {"type": "array", "items": {"type": "string", "minLength": 2}, "minItems": 10}
TRAINING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["intent", "positive", "negative"],
    "additionalProperties": False,
    "properties": {
        "intent": {"type": "string"},
        "compatible": {"type": "array", "items": {"type": "string"}},
        "turn": {"enum": ["mean", "any"]},
        "positive": SENTENCES_SCHEMA,
        "negative": SENTENCES_SCHEMA,
    },
}

HEADS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["features", "heads"],
    "additionalProperties": False,
    "properties": {
        "features": {"enum": [STATIC_FEATURES, CONTEXT_FEATURES]},
        "fitted_on": {"type": "string"},
        "heads": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["adopted", "threshold", "bias"],
                "oneOf": [{"required": ["weights"]}, {"required": ["kernel"]}],
                "additionalProperties": False,
                "properties": {
                    "adopted": {"type": "boolean"},
                    "threshold": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                    "gate": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                    "turn": {"enum": ["mean", "any"]},
                    "bias": {"type": "number"},
                    "weights": {"type": "array", "items": {"type": "number"}},
                    "kernel": {
                        "type": "object",
                        "required": ["vectors", "gamma", "platt"],
                        "additionalProperties": False,
                        "properties": {
                            "vectors": {"type": "string", "pattern": "^[\\w.-]+\\.npz$"},
                            "gamma": {"type": "number", "exclusiveMinimum": 0},
                            "platt": {
                                "type": "array",
                                "items": {"type": "number"},
                                "minItems": 2,
                                "maxItems": 2,
                            },
                        },
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Kernel:
    """An RBF kernel head's support vectors and how its decision value becomes a probability:
    P = 1 / (1 + exp(a * decision + b)), (a, b) = `platt`."""

    support: np.ndarray  # (vectors, features)
    gamma: float
    platt: tuple[float, float]

    @cached_property
    def _support_norms(self) -> np.ndarray:
        return (self.support * self.support).sum(1)

    def similarity(self, features: np.ndarray) -> np.ndarray:
        """exp(-gamma * squared distance) of each row of `features` to each support vector."""
        with _blas().limit(limits=1, user_api="blas"):  # see `_blas`
            products = features @ self.support.T
        distance = (features * features).sum(1)[:, None] - 2.0 * products + self._support_norms
        return np.exp(-self.gamma * np.maximum(distance, 0.0))


@cache
def _blas() -> ThreadpoolController:
    """The BLAS thread pools: a kernel head's product (a few sentences by a thousand support
    vectors) is small, and BLAS threads spun up for it beside the encoder's own threads cost
    5 ms at the 95th percentile per turn on 2 cores; one thread does it in 0.2 ms. Imported
    when a kernel head is first read (20 ms), not at start-up."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@dataclass(frozen=True)
class IntentHead:
    """One intent's model: P(intent) = sigmoid(weights . features + bias), or for a kernel head
    its support vectors' similarities weighed by `weights` (their dual coefficients)."""

    id: str
    weights: np.ndarray  # (features,), or (support vectors,) for a kernel head
    bias: float
    threshold: float  # the probability at which a sentence shows the intent
    adopted: bool  # used by the scorer (false: fitted and measured, not yet trusted)
    gate: float = 0.0  # contextual head: the static head's probability that calls for it
    # contextual head: how it judges a turn, by its sentences' "mean" probability (a reply
    # labelled as a whole) or by "any" sentence (a DESC step said in one sentence of a long
    # turn, a closing, a fault)
    turn: str = "mean"
    kernel: Kernel | None = None

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(intent) per row of (sentences, features)."""
        if self.kernel is None:
            return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))
        decision = self.kernel.similarity(features) @ self.weights + self.bias
        a, b = self.kernel.platt
        return 1.0 / (1.0 + np.exp(a * decision + b))


def load_heads(
    path: Path, n_features: int, known: set[str], features: str = STATIC_FEATURES
) -> dict[str, IntentHead]:
    """The heads in a file, checked: the `features` named, known intent ids, `n_features`
    weights each."""
    if not path.exists():
        return {}
    data, root = load_checked(path, HEADS_SCHEMA)
    if data["features"] != features:
        raise ScenarioError(
            f"{path}:{line_of(root, ['features'])}: features: {data['features']!r}, "
            f"expected {features!r}"
        )
    heads = {}
    heads_node = next(v for k, v in root.value if k.value == "heads")
    key_lines = {k.value: k.start_mark.line + 1 for k, _ in heads_node.value}
    for intent_id, spec in data["heads"].items():
        if intent_id not in known:
            raise ScenarioError(
                f"{path}:{key_lines[intent_id]}: heads.{intent_id}: unknown intent id"
            )
        kernel = None
        if "kernel" in spec:
            kernel, weights = _kernel(path, root, intent_id, spec["kernel"], n_features)
        else:
            weights = np.asarray(spec["weights"], dtype=np.float32)
            if len(weights) != n_features:
                line = line_of(root, ["heads", intent_id, "weights"])
                raise ScenarioError(
                    f"{path}:{line}: heads.{intent_id}.weights: {len(weights)} weights, the "
                    f"embeddings give {n_features} features (refit with bench/fit_intents.py)"
                )
        heads[intent_id] = IntentHead(
            intent_id,
            weights,
            float(spec["bias"]),
            float(spec["threshold"]),
            bool(spec["adopted"]),
            float(spec.get("gate", 0.0)),
            spec.get("turn", "mean"),
            kernel,
        )
    return heads


def _kernel(
    path: Path, root: Any, intent_id: str, spec: dict, n_features: int
) -> tuple[Kernel, np.ndarray]:
    """A kernel head's support vectors and their weights, read from its `.npz` file (arrays
    `support`, (vectors, features), and `weights`, (vectors,)), checked against the entry."""
    vectors = path.with_name(spec["vectors"])
    line = line_of(root, ["heads", intent_id, "kernel", "vectors"])
    where = f"{path}:{line}: heads.{intent_id}.kernel.vectors"
    try:
        with np.load(vectors) as data:
            support = data["support"].astype(np.float32)
            weights = data["weights"].astype(np.float32)
    except (OSError, KeyError, ValueError) as error:
        raise ScenarioError(f"{where}: cannot read {vectors.name}: {error}") from None
    if support.ndim != 2 or support.shape[1] != n_features or weights.shape != support.shape[:1]:
        raise ScenarioError(
            f"{where}: {vectors.name} holds support {support.shape} and weights "
            f"{weights.shape}; expected (n, {n_features}) and (n,) (refit with "
            "bench/fit_intents.py)"
        )
    a, b = spec["platt"]
    return Kernel(support, float(spec["gamma"]), (float(a), float(b))), weights


@dataclass(frozen=True)
class HeadTraining:
    """Our own sentences for fitting one intent's heads (`bench/fit_intents.py`)."""

    intent: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    # ids whose intent examples may also show this intent, so they are not its negatives
    # ("walk me through what happened" is `invite_and_listen` and also `clarify`)
    compatible: tuple[str, ...] = ()
    # how its contextual head judges a turn: "mean" of the sentences or "any" sentence
    turn: str = "mean"


def head_training_files() -> list[Path]:
    """The head training files (`scenarios/protocols/intents/heads/*.yaml`)."""
    return sorted(TRAINING_DIR.glob("*.yaml"))


def load_training(path: Path) -> HeadTraining:
    """A head training file, checked (errors name the file and line)."""
    from voicecoach.scoring.intents import known_intent_ids

    data, root = load_checked(path, TRAINING_SCHEMA)
    if data["intent"] not in known_intent_ids():
        raise ScenarioError(f"{path}:{line_of(root, ['intent'])}: intent: unknown intent id")
    for other in data.get("compatible", []):
        if other not in known_intent_ids() or other == data["intent"]:
            line = line_of(root, ["compatible"])
            raise ScenarioError(f"{path}:{line}: compatible: {other!r} is not another intent id")
    return HeadTraining(
        data["intent"],
        tuple(data["positive"]),
        tuple(data["negative"]),
        tuple(data.get("compatible", [])),
        data.get("turn", "mean"),
    )
