"""Choosing the recognition engine: `auto` prefers an English vosk model, else pocketsphinx.

Where the vosk model comes from, first match wins: `--model DIR`, the
`VOICECOACH_VOSK_MODEL` variable, then English models installed under
`models_dir()`. `auto` only takes a vosk model whose language is English (a
Korean test model would recognise nothing useful); `--engine vosk` takes any.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from voicecoach.asr.base import Recognizer
from voicecoach.asr.models import (
    InstalledModel,
    check_model_dir,
    find_english_model,
    installed_models,
    model_language,
)
from voicecoach.asr.normalize import NormalizingRecognizer
from voicecoach.errors import ModelError
from voicecoach.paths import models_dir

ENGINES = ("auto", "vosk", "pocketsphinx")
MODEL_ENV = "VOICECOACH_VOSK_MODEL"


@dataclass(frozen=True)
class EngineChoice:
    """The engine to use, its model directory (vosk) and why it was chosen."""

    engine: str
    model: Path | None
    reason: str

    def describe(self) -> str:
        """The one line the CLI prints about which recogniser runs."""
        where = f" model {self.model}" if self.model else ""
        return f"speech recognition: {self.engine}{where} ({self.reason})"


def choose_engine(engine: str = "auto", *, model: str | Path | None = None) -> EngineChoice:
    """Resolve `engine` and `model` to an EngineChoice, or raise ModelError saying why not."""
    if engine not in ENGINES:
        raise ModelError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "pocketsphinx":
        if model is not None:
            raise ModelError(
                "--model is for the vosk engine; pocketsphinx uses its built-in English model"
            )
        return EngineChoice("pocketsphinx", None, "asked for")
    explicit = _explicit_model(model)
    if engine == "vosk":
        if explicit:
            reason = f"{explicit.origin}, language {_lang(explicit)}"
            return EngineChoice("vosk", explicit.path, reason)
        installed = find_english_model() or next(iter(installed_models()), None)
        if installed is None:
            raise ModelError(
                f"no vosk model found in {models_dir()}: run `voicecoach models download`, "
                f"pass --model DIR or set {MODEL_ENV}"
            )
        return EngineChoice("vosk", installed.path, f"installed, language {_lang(installed)}")
    if explicit:
        if explicit.is_english:
            return EngineChoice("vosk", explicit.path, f"{explicit.origin}, English")
        return EngineChoice(
            "pocketsphinx",
            None,
            f"the vosk model from {explicit.origin} is not English (language {_lang(explicit)}); "
            "use --engine vosk to force it",
        )
    english = find_english_model()
    if english:
        return EngineChoice("vosk", english.path, "English vosk model installed")
    return EngineChoice(
        "pocketsphinx",
        None,
        f"built-in English; no English vosk model in {models_dir()}, "
        "`voicecoach models download` adds one",
    )


@dataclass(frozen=True)
class _ExplicitModel(InstalledModel):
    origin: str = "--model"


def _explicit_model(model: str | Path | None) -> _ExplicitModel | None:
    """The model named by the caller or the environment, checked, or None."""
    if model is not None:
        origin, raw = "--model", str(model)
    elif os.environ.get(MODEL_ENV):
        origin, raw = MODEL_ENV, os.environ[MODEL_ENV]
    else:
        return None
    try:
        path = check_model_dir(raw)
    except ModelError as exc:
        raise ModelError(f"{origin}: {exc}") from None
    return _ExplicitModel(path.name, path, model_language(path), origin)


def _lang(model: InstalledModel) -> str:
    return model.language or "unknown"


def recognizer_for(
    choice: EngineChoice,
    *,
    sample_rate: int = 16000,
    hints: Sequence[str] = (),
    prime_pcm: bytes | None = None,
) -> Recognizer:
    """A new recogniser for an EngineChoice (engines are imported only here), its
    numbers normalised to one spoken form (`voicecoach.asr.normalize`).

    `hints` are names or words to expect (pocketsphinx adds them to its
    dictionary and language model; vosk's compiled graphs cannot take new
    words, so it ignores them). `prime_pcm` (16-bit mono at `sample_rate`)
    adapts the recogniser to the speaker before the first utterance.
    """
    if choice.engine == "vosk":
        from voicecoach.asr.vosk_engine import VoskRecognizer

        recognizer: Recognizer = VoskRecognizer(choice.model, sample_rate=sample_rate)
    else:
        from voicecoach.asr.hints import normalize_hints
        from voicecoach.asr.sphinx_engine import DEFAULT_SETTINGS, SphinxRecognizer

        settings = replace(DEFAULT_SETTINGS, hints=normalize_hints(hints))
        recognizer = SphinxRecognizer(sample_rate=sample_rate, settings=settings)
    if prime_pcm:
        recognizer.prime(prime_pcm)
    return NormalizingRecognizer(recognizer)


def make_recognizer(
    engine: str = "auto",
    *,
    model: str | Path | None = None,
    sample_rate: int = 16000,
    hints: Sequence[str] = (),
    prime_pcm: bytes | None = None,
) -> Recognizer:
    """A streaming recogniser: `engine` is auto, vosk or pocketsphinx (see module doc).

    `hints` and `prime_pcm` as in `recognizer_for`.
    """
    choice = choose_engine(engine, model=model)
    return recognizer_for(choice, sample_rate=sample_rate, hints=hints, prime_pcm=prime_pcm)


if __name__ == "__main__":
    print(choose_engine().describe())
