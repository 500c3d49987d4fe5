"""Recognition hints (the caller's names) and priming, on festival speech."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from voicecoach.asr.hints import letter_to_sound, name_fillers, normalize_hints
from voicecoach.asr.language_model import CORPUS_PATH, expand_corpus
from voicecoach.asr.select import make_recognizer
from voicecoach.asr.sphinx_engine import reset_adaptation
from voicecoach.asr.transcribe import recognize_samples
from voicecoach.audio.io import float_to_pcm16, load_audio
from voicecoach.cli import cli

HINTS = ("Priya Raman", "Darnell Washington")
GREETING = "thank you for calling priya"
SURNAME = "mister washington i can help"


def model_phones() -> set[str]:
    """Every phone the stock dictionary uses (the acoustic model's phone set)."""
    import pocketsphinx

    lines = Path(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict")).read_text().splitlines()
    return {phone for line in lines for phone in line.split()[1:]}


@pytest.fixture(scope="session")
def name_speech(tmp_path_factory) -> dict[str, tuple[str, np.ndarray]]:
    """Festival saying sentences with the scenario names: {sentence: (wav path, samples)}."""
    folder = tmp_path_factory.mktemp("names")
    speech = {}
    for index, sentence in enumerate((GREETING, SURNAME)):
        path = folder / f"{index}.wav"
        subprocess.run(["text2wave", "-o", str(path)], input=sentence, text=True, check=True)
        speech[sentence] = (str(path), load_audio(path)[0])
    return speech


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CACHE_DIR", str(tmp_path / "cache"))


def transcribe(y: np.ndarray, hints=()) -> list[str]:
    with make_recognizer("pocketsphinx", hints=hints) as recognizer:
        return recognize_samples(recognizer, y).text.split()


def test_hints_are_normalised_names():
    assert normalize_hints(["Tomás Alvarez", " priya ", "", "Priya"]) == (
        ("tomas", "alvarez"),
        ("priya",),
    )
    assert name_fillers(normalize_hints(HINTS)) == {
        "NAME": ["priya", "darnell"],
        "SURNAME": ["raman", "washington"],
    }


@pytest.mark.parametrize(
    ("word", "phones"),
    [("priya", "P R IY Y AH"), ("okafor", "OW K AA F AO R"), ("becker", "B EH K ER")],
)
def test_letter_to_sound_spells_names_with_the_models_phones(word, phones):
    assert letter_to_sound(word) == phones
    assert set(letter_to_sound(word).split()) <= model_phones()


def test_hinted_corpus_uses_the_names_in_front_desk_sentences():
    corpus = CORPUS_PATH.read_text(encoding="utf-8")
    plain = {" ".join(s) for s in expand_corpus(corpus)}
    hinted = {
        " ".join(s)
        for s in expand_corpus(corpus, extra_fillers=name_fillers(normalize_hints(HINTS)))
    }
    assert plain < hinted
    assert any("priya" in s.split() for s in hinted - plain)
    assert any(s.startswith("mister washington") for s in hinted - plain)
    assert not any("priya" in s.split() for s in plain)


def test_names_are_recognised_with_hints_and_not_without(name_speech):
    _, greeting = name_speech[GREETING]
    _, surname = name_speech[SURNAME]
    assert "priya" not in transcribe(greeting)  # not in the stock dictionary
    assert transcribe(greeting, HINTS)[-2:] == ["calling", "priya"]
    assert transcribe(surname, HINTS)[:2] == ["mister", "washington"]


def test_transcribe_cli_takes_hints(name_speech):
    path, _ = name_speech[GREETING]
    result = CliRunner().invoke(
        cli, ["transcribe", "--engine", "pocketsphinx", "--hint", "Priya Raman", path]
    )
    assert result.exit_code == 0, result.output
    assert "calling priya" in result.output


def test_priming_adapts_a_cold_recogniser_without_producing_text(name_speech):
    _, greeting = name_speech[GREETING]
    pcm = float_to_pcm16(greeting)
    reset_adaptation()
    with make_recognizer("pocketsphinx", hints=HINTS, prime_pcm=pcm) as recognizer:
        decoder = recognizer._decoder
        assert recognizer.partial() == ""
        primed = np.array(decoder.get_cmn().split(","), dtype=float)
        assert recognizer.final().text == ""
        text = recognize_samples(recognizer, greeting, prime=False).text
        adapted = np.array(decoder.get_cmn().split(","), dtype=float)
    cold = np.zeros_like(adapted)  # the generic start: "40,3,-1", then zeros
    initial = np.array(decoder.config["cmninit"].split(","), dtype=float)
    cold[: len(initial)] = initial
    assert text.startswith("thank")  # pocketsphinx garbles festival here; the CMN is the point
    # Priming moved the mean most of the way to where decoding the audio takes it.
    assert np.linalg.norm(primed - adapted) < 0.5 * np.linalg.norm(cold - adapted)


def test_the_default_engine_spells_the_callers_name_from_the_hints(name_speech):
    """Whisper (the default) takes the hints as its prompt: "calling Priya", not "calling me"."""

    def heard(y: np.ndarray, hints=()) -> list[str]:
        with make_recognizer(hints=hints) as recognizer:
            assert recognizer.name == "whisper"
            text = recognize_samples(recognizer, y).text
        return [w.strip(".,?!").lower() for w in text.split()]

    _, greeting = name_speech[GREETING]
    _, surname = name_speech[SURNAME]
    assert "priya" not in heard(greeting)
    assert heard(greeting, HINTS)[-4:] == ["you", "for", "calling", "priya"]
    assert "washington" in heard(surname, HINTS)[:3]
