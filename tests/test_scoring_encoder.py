"""The contextual sentence encoder: loaded from its installed packages, consulted by the
contextual heads, and a one-warning fallback to the static layer when it is missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voicecoach.errors import ScenarioError
from voicecoach.scoring import Scorer, Turn
from voicecoach.scoring.encoder import (
    DIM,
    MODEL_PACKAGE,
    context_encoder,
    load_context_encoder,
)
from voicecoach.scoring.heads import CONTEXT_FEATURES, CONTEXT_HEADS_FILE, load_heads
from voicecoach.scoring.intents import IntentModel, intent_files, known_intent_ids

# written for these tests, in no intent file: only the contextual head finds it
FRESH_EMPATHY = "I can only imagine how draining it has been to chase this for weeks."


@pytest.fixture
def encoder_off(monkeypatch):
    """Scoring as on a machine where the encoder is switched off (static layer only)."""
    monkeypatch.setenv("VOICECOACH_ENCODER", "off")
    context_encoder.cache_clear()
    yield
    monkeypatch.delenv("VOICECOACH_ENCODER")
    context_encoder.cache_clear()


def test_the_encoder_loads_from_its_packages_and_reads_meaning_in_context():
    encoder = context_encoder()
    assert encoder is not None
    anxious, worried, bank = (
        encoder.encode(t)
        for t in (
            "i can tell you are really anxious about all this",
            "you sound so worried",
            "you should phone your bank about the payment",
        )
    )
    assert anxious.shape == (DIM,) and abs(float(anxious @ anxious) - 1) < 1e-4
    assert anxious @ worried > anxious @ bank + 0.2


def test_a_missing_encoder_package_warns_once_and_returns_none(capsys):
    assert load_context_encoder(("voicecoach-no-such-model", "model.onnx")) is None
    assert load_context_encoder((MODEL_PACKAGE[0], "no/such/file.onnx")) is None
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and all(line.startswith("Warning: ") for line in lines)
    assert "voicecoach-no-such-model" in lines[0] and "static word vectors only" in lines[0]


def test_shipped_contextual_heads_fit_the_encoder_and_are_gated():
    model = IntentModel(intent_files())
    assert {"empathize", "clarify"} <= set(model.context_heads)
    for head in model.context_heads.values():
        assert len(head.weights) == DIM + 3 * model._embedder.dim
        assert 0 < head.gate < 1


def test_contextual_head_files_must_name_their_features(tmp_path: Path):
    path = tmp_path / "intent_heads_context.yaml"
    path.write_text(
        "features: wordllama l2_supercat_256 mean+max+min\nheads:\n  empathize:\n"
        "    adopted: true\n    threshold: 0.5\n    gate: 0.3\n    bias: 0.0\n    weights: [0.1]\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_heads(path, DIM + 768, known_intent_ids(), CONTEXT_FEATURES)
    assert f"{path}:1: features" in str(err.value)
    assert load_heads(CONTEXT_HEADS_FILE, DIM + 768, known_intent_ids(), CONTEXT_FEATURES)


def _empathy_found(text: str):
    scorer = Scorer("upset_caller", caller_name="", record_sensitive=False)
    update = scorer.add_turn(Turn("trainee", text))
    return next((d for d in update.detections if d.id == "empathize"), None)


def test_the_encoder_finds_empathy_the_static_layer_misses():
    found = _empathy_found(FRESH_EMPATHY)
    assert found is not None and found.found_by == "meaning"
    assert "draining" in found.quote


def test_without_the_encoder_scoring_keeps_to_the_static_layer(encoder_off, capsys):
    assert context_encoder() is None
    assert _empathy_found(FRESH_EMPATHY) is None
    found = _empathy_found("That must have been so frustrating for you.")
    assert found is not None and found.found_by == "pattern"
    assert capsys.readouterr().err == ""  # switched off on purpose: no warning


def test_the_encoder_reads_a_turn_once_for_both_heads():
    encoder = context_encoder()
    first = encoder.encode("so you were never told about the fee")
    assert encoder.encode("so you were never told about the fee") is first
    assert not np.array_equal(encoder.encode("a different turn entirely"), first)
