"""Who is calling, learned: is the caller someone other than the patient?

`checks.caller_is_third_party` reads precise introductions by pattern ("I'm his manager",
"calling about my mother"); callers who introduce themselves in other words ("this is
Greenway Pharmacy calling about a patient", "I rent him the flat upstairs") need the
meaning. This is a logistic model over the vector of the whole caller turn: the contextual
encoder's vector of the turn as written (`caller_role_context.yaml`), or, when the encoder
is off or missing, the static word vectors' mean+max+min (`caller_role.yaml`), as the
intent heads do. Coefficients are data refitted by `bench/fit_caller_role.py` from our
own text only (`scenarios/protocols/intents/caller_roles/third_party_caller.yaml`: callers
in many roles, and patients who mention relatives, bosses or their own job); both kinds of
file are checked on load and errors name file and line. The model reads a caller turn once,
only while the call has no third party yet, and only when a trainee turn gives something
that would be a breach if the caller were not the patient (`place_callers`): most turns
of a call pay nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.errors import ScenarioError
from voicecoach.paths import PROJECT_DIR
from voicecoach.scoring.heads import (
    CONTEXT_FEATURES,
    SENTENCES_SCHEMA,
    STATIC_FEATURES,
    IntentHead,
    load_heads,
)
from voicecoach.scoring.text import NormText
from voicecoach.scoring.yamlcheck import line_of, load_checked

if TYPE_CHECKING:
    from voicecoach.scoring.detectors.base import CallState

ROLE = "third_party_caller"
STATIC_FILE = Path(__file__).with_name("caller_role.yaml")
CONTEXT_FILE = Path(__file__).with_name("caller_role_context.yaml")
TRAINING_FILE = (
    PROJECT_DIR / "scenarios" / "protocols" / "intents" / "caller_roles" / f"{ROLE}.yaml"
)
MIN_WORDS = 4  # "yes that's right" says nothing of who calls

TRAINING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["role", "positive", "negative"],
    "additionalProperties": False,
    "properties": {
        "role": {"type": "string"},
        "positive": SENTENCES_SCHEMA,
        "negative": SENTENCES_SCHEMA,
    },
}


@dataclass(frozen=True)
class RoleTraining:
    """Our own caller lines for fitting the caller-role model."""

    role: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]


def load_role_training(path: Path = TRAINING_FILE) -> RoleTraining:
    """The caller-role training file, checked (errors name the file and line)."""
    data, root = load_checked(path, TRAINING_SCHEMA)
    if data["role"] != ROLE:
        raise ScenarioError(f"{path}:{line_of(root, ['role'])}: role: expected {ROLE!r}")
    for label in ("positive", "negative"):
        seen: dict[str, int] = {}
        for i, text in enumerate(data[label]):
            if text in seen:
                line = line_of(root, [label, i])
                raise ScenarioError(f"{path}:{line}: {label}[{i}]: repeats {label}[{seen[text]}]")
            seen[text] = i
    both = set(data["positive"]) & set(data["negative"])
    if both:
        i = data["negative"].index(sorted(both)[0])
        line = line_of(root, ["negative", i])
        raise ScenarioError(f"{path}:{line}: negative[{i}]: also a positive")
    return RoleTraining(ROLE, tuple(data["positive"]), tuple(data["negative"]))


def canonical(text: str) -> str:
    """A caller turn as the static vectors read it (canonical tokens, no punctuation)."""
    return " ".join(NormText(text).tokens)


@dataclass(frozen=True)
class CallerRoleModel:
    """The adopted caller-role head and the vectors it reads."""

    head: IntentHead
    contextual: bool  # the encoder's vector (else the static mean+max+min)

    def probability(self, text: str) -> float:
        """P(the caller is not the patient) for one caller turn as written."""
        if self.contextual:
            from voicecoach.scoring.encoder import context_encoder

            encoder = context_encoder()
            assert encoder is not None
            features = encoder.encode(text)[None, :]
        else:
            from voicecoach.scoring.embedding import embedder

            features = embedder().pooled([canonical(text)])
        return float(self.head.probability(features)[0])

    def third_party(self, text: str) -> bool:
        """Whether a caller turn (as written) shows the caller is not the patient; turns under
        `MIN_WORDS` words are not judged."""
        if len(NormText(text).tokens) < MIN_WORDS:
            return False
        return self.probability(text) >= self.head.threshold


def load_role_head(path: Path, n_features: int, features: str) -> IntentHead | None:
    """The file's `third_party_caller` head, checked (None when the file is absent or the
    head is not adopted)."""
    head = load_heads(path, n_features, {ROLE}, features).get(ROLE)
    return head if head is not None and head.adopted else None


@lru_cache(maxsize=1)
def caller_role_model() -> CallerRoleModel | None:
    """The caller-role model the scorer uses: the contextual head when the encoder loads,
    else the static one; None when neither is adopted."""
    from voicecoach.scoring.embedding import embedder
    from voicecoach.scoring.encoder import DIM, context_encoder

    if context_encoder() is not None:
        head = load_role_head(CONTEXT_FILE, DIM, CONTEXT_FEATURES)
        if head is not None:
            return CallerRoleModel(head, contextual=True)
    head = load_role_head(STATIC_FILE, 3 * embedder().dim, STATIC_FEATURES)
    return CallerRoleModel(head, contextual=False) if head is not None else None


def place_callers(call: CallState) -> None:
    """Read the caller turns the patterns did not place with the caller-role model, each once:
    a caller it takes for someone other than the patient makes the call's third party, found
    by meaning."""
    unplaced, call.unplaced_callers = call.unplaced_callers, []
    if call.third_party or not unplaced:
        return
    model = caller_role_model()
    if model is not None and any(model.third_party(text) for text in unplaced):
        call.third_party = True
        call.third_party_by = "meaning"
