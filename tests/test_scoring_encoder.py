"""The contextual sentence encoder: loaded from its installed packages, consulted by the
contextual heads, and a one-warning fallback to the static layer when it is missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from voicecoach.errors import ScenarioError
from voicecoach.scoring import Scorer, Turn
from voicecoach.scoring import encoder as encoder_module
from voicecoach.scoring.encoder import (
    DIM,
    MODEL_PACKAGE,
    context_encoder,
    eight_bit,
    load_context_encoder,
    packaged_file,
)
from voicecoach.scoring.heads import (
    CONTEXT_FEATURES,
    CONTEXT_HEADS_FILE,
    HEADS_FILE,
    head_training_files,
    load_heads,
    load_training,
)
from voicecoach.scoring.intents import IntentModel, intent_files, known_intent_ids

# written for these tests, in no intent file: only the contextual head finds it
FRESH_EMPATHY = "Chasing a refund for weeks on end must feel like shouting into the void."


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


def test_shipped_contextual_heads_fit_the_encoder_and_were_fitted_on_our_own_text():
    model = IntentModel(intent_files())
    assert {"empathize", "clarify"} <= set(model.context_heads)
    for head in model.context_heads.values():
        width = len(head.weights) if head.kernel is None else head.kernel.support.shape[1]
        assert width == DIM and 0 < head.threshold < 1
    assert model.context_heads["empathize"].kernel is not None  # an RBF support-vector machine
    for path in (CONTEXT_HEADS_FILE, HEADS_FILE):
        assert "our own text only" in yaml.safe_load(path.read_text())["fitted_on"]


def test_contextual_head_files_must_name_their_features(tmp_path: Path):
    path = tmp_path / "intent_heads_context.yaml"
    path.write_text(
        "features: wordllama l2_supercat_256 mean+max+min\nheads:\n  empathize:\n"
        "    adopted: true\n    threshold: 0.5\n    bias: 0.0\n    weights: [0.1]\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_heads(path, DIM, known_intent_ids(), CONTEXT_FEATURES)
    assert f"{path}:1: features" in str(err.value)
    assert load_heads(CONTEXT_HEADS_FILE, DIM, known_intent_ids(), CONTEXT_FEATURES)


def test_the_kernel_empathy_head_tells_an_acknowledgement_from_a_look_alike():
    head = IntentModel(intent_files()).context_heads["empathize"]
    encoder = context_encoder()
    assert encoder is not None
    said = ["What a rotten week you've had.", "i would need to check with the lab too"]
    kind, task = head.probability(encoder.encode_many(said))
    assert kind >= head.threshold > task


KERNEL_ENTRY = (
    "features: all-MiniLM-L6-v2 int8 mean\nheads:\n  empathize:\n    adopted: true\n"
    "    threshold: 0.5\n    bias: 0.1\n    kernel:\n      vectors: {name}\n"
    "      gamma: 1.0\n      platt: [-2.0, 0.0]\n"
)


def test_a_kernel_head_reads_its_support_vectors_beside_the_heads_file(tmp_path: Path):
    path = tmp_path / "heads.yaml"
    path.write_text(KERNEL_ENTRY.format(name="empathize.npz"))
    support = np.eye(2, DIM, dtype=np.float32)
    np.savez(tmp_path / "empathize.npz", support=support, weights=np.array([1.0, -1.0]))
    head = load_heads(path, DIM, known_intent_ids(), CONTEXT_FEATURES)["empathize"]
    near_first, near_second = head.probability(support)
    assert near_first > 0.5 > near_second  # like its positive vector, unlike its negative


@pytest.mark.parametrize(
    ("arrays", "expected"),
    [
        (None, "cannot read empathize.npz"),
        ({"support": np.ones((2, 3)), "weights": np.ones(2)}, "expected (n, 384) and (n,)"),
        ({"support": np.ones((2, DIM))}, "cannot read empathize.npz"),
    ],
)
def test_a_kernel_head_without_usable_vectors_names_the_file_and_line(
    tmp_path: Path, arrays: dict | None, expected: str
):
    path = tmp_path / "heads.yaml"
    path.write_text(KERNEL_ENTRY.format(name="empathize.npz"))
    if arrays is not None:
        np.savez(tmp_path / "empathize.npz", **arrays)
    with pytest.raises(ScenarioError) as err:
        load_heads(path, DIM, known_intent_ids(), CONTEXT_FEATURES)
    assert f"{path}:8: heads.empathize.kernel.vectors: " in str(err.value)
    assert expected in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("intent: empathize\npositive: [a]\n", ":1: (top level): 'negative' is a required"),
        ("intent: smalltalk\npositive: []\nnegative: []\n", ":3: negative: []"),
        (
            "intent: smalltalk\n" + "positive: [" + ", ".join(["ab"] * 10) + "]\n"
            "negative: [" + ", ".join(["cd"] * 10) + "]\n",
            ":1: intent: unknown intent id",
        ),
        (
            "intent: clarify\ncompatible: [clarify]\n"
            + "positive: ["
            + ", ".join(["ab"] * 10)
            + "]\nnegative: ["
            + ", ".join(["cd"] * 10)
            + "]\n",
            ":2: compatible: 'clarify' is not another intent id",
        ),
    ],
)
def test_head_training_file_errors_name_file_and_line(tmp_path: Path, text, expected):
    path = tmp_path / "heads.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_training(path)
    assert str(err.value).startswith(f"{path}{expected}")


def test_shipped_head_training_files_load_and_hold_many_sentences_per_side():
    files = head_training_files()
    desc = {"describe", "express", "specify", "consequences"}
    any_sentence = desc | {
        "close_call",
        "dismissive",
        "propose_solution",
        "help_me_understand",
        "confirm_next_step",
        "thank_caller",
        "perception",
        "invitation",
        "record_disclosure",
    }
    assert {load_training(p).intent for p in files} == {"empathize", "clarify"} | any_sentence
    for path in files:
        training = load_training(path)
        least = 100 if training.intent in {"empathize", "clarify"} else 60
        assert len(training.positive) >= least and len(training.negative) >= least
        # a DESC step, a closing, a proposal, a fault or a help-me-understand is one sentence
        # of a long turn: its contextual head takes any sentence
        assert training.turn == ("any" if training.intent in any_sentence else "mean")


# written for these tests, in no intent or head file: steps the DESC patterns miss, each
# one sentence of a turn of several
FRESH_DESC = [
    (
        "Morning. So, the recall letters for March were still in the outbox on Friday, "
        "all thirty of them. Anyway, coffee?",
        "describe",
    ),
    (
        "Okay, I'll just say it. Most afternoons I'm running the window and the phones by "
        "myself and honestly it's wearing me out. That's all.",
        "express",
    ),
    (
        "Right. What would really make a difference is if we took the late callbacks in "
        "turns, you on Mondays and me on Tuesdays. Does that sound okay?",
        "specify",
    ),
]


@pytest.mark.parametrize("text,step", FRESH_DESC, ids=[s for _, s in FRESH_DESC])
def test_the_desc_heads_find_a_step_in_one_sentence_of_a_long_turn(text, step):
    scorer = Scorer("desc", caller_name="Sam Rivera", record_sensitive=False)
    scorer.add_turn(Turn("caller", "yeah what is it"))
    update = scorer.add_turn(Turn("trainee", text))
    found = {d.id: d.found_by for d in update.detections}
    assert found.get(step) == "meaning"


def test_desc_heads_are_not_judged_outside_a_desc_call():
    model = IntentModel(intent_files())
    assert {"describe", "express", "specify"} <= {
        i for i, h in model.context_heads.items() if h.adopted and h.turn == "any"
    }
    scorer = Scorer("upset_caller", caller_name="", record_sensitive=False)
    update = scorer.add_turn(Turn("trainee", FRESH_DESC[1][0]))
    assert not {"describe", "express", "specify"} & update.ids()


def _empathy_found(text: str):
    scorer = Scorer("upset_caller", caller_name="", record_sensitive=False)
    update = scorer.add_turn(Turn("trainee", text))
    return next((d for d in update.detections if d.id == "empathize"), None)


def test_the_encoder_finds_empathy_the_static_layer_misses():
    found = _empathy_found(FRESH_EMPATHY)
    assert found is not None and found.found_by == "meaning"
    assert "void" in found.quote


def test_without_the_encoder_scoring_keeps_to_the_static_layer(encoder_off, capsys):
    assert context_encoder() is None
    assert _empathy_found(FRESH_EMPATHY) is None
    found = _empathy_found("That must have been so frustrating for you.")
    assert found is not None and found.found_by == "pattern"
    assert capsys.readouterr().err == ""  # switched off on purpose: no warning


def test_the_encoder_reads_a_turn_in_one_batch_and_keeps_its_vectors():
    encoder = context_encoder()
    texts = ["so you were never told about the fee", "a different turn entirely, and longer"]
    batch = encoder.encode_many(texts)
    assert batch.shape == (2, DIM)
    assert float(batch[0] @ batch[1]) < 0.9
    assert np.array_equal(encoder.encode(texts[1]), batch[1])  # kept, not read again
    encoder._cache.clear()
    alone = encoder.encode(texts[1])  # padding and the batch change the 8-bit scales a little
    assert float(alone @ batch[1]) > 0.98


def test_a_full_vector_cache_starts_afresh_without_losing_the_texts_asked_for(monkeypatch):
    encoder = context_encoder()
    monkeypatch.setattr(encoder_module, "CACHE_TEXTS", 3)
    encoder._cache.clear()
    kept = ["her scan came back clear", "the bill is paid in full"]
    encoder.encode_many(kept)
    # one text kept, two new: over the limit, so the cache is emptied and all three are read
    batch = encoder.encode_many([kept[0], "he is booked for tuesday", "we open at eight"])
    assert batch.shape == (3, DIM)
    assert float(batch[0] @ encoder.encode(kept[0])) > 0.999


def test_the_eight_bit_model_is_made_once_into_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CACHE_DIR", str(tmp_path))
    source = packaged_file(*MODEL_PACKAGE)
    made = eight_bit(source)
    assert made.parent == tmp_path / "encoder" and made.stat().st_size < source.stat().st_size * 2
    stamp = made.stat().st_mtime_ns
    assert eight_bit(source) == made and made.stat().st_mtime_ns == stamp
    assert [p.name for p in made.parent.iterdir()] == [made.name]  # no temporary left
