"""Choosing the recognition engine: `auto` is Whisper base, else pocketsphinx.

`auto` takes, first match wins: an English vosk model named explicitly
(`--model DIR` or `VOICECOACH_VOSK_MODEL`), Whisper base (installed with the
package, `whisper_weights.py`), then pocketsphinx. When the Whisper weights
are missing, corrupt or fail to load (an unsupported CPU), `auto` falls back
to pocketsphinx and says why in one line, once; `--engine whisper` raises
that line as a ModelError. `--engine vosk` takes any vosk model (explicit,
then installed English, then any installed); `auto` only an English one (a
Korean test model would recognise nothing useful).
"""

from __future__ import annotations

import os
import sys
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

ENGINES = ("auto", "whisper", "pocketsphinx", "vosk")
MODEL_ENV = "VOICECOACH_VOSK_MODEL"


@dataclass(frozen=True)
class EngineChoice:
    """The engine to use, its model directory (vosk) and why it was chosen."""

    engine: str
    model: Path | None
    reason: str
    fallback: str | None = None  # why the preferred engine could not be used

    def describe(self) -> str:
        """The one line the CLI prints about which recogniser runs."""
        where = f" model {self.model}" if self.model else ""
        return f"speech recognition: {self.engine}{where} ({self.reason})"


_WARNED: set[str] = set()


def warn_fallback_once(choice: EngineChoice) -> None:
    """Print the fallback reason on stderr, once per process and reason."""
    if choice.fallback and choice.fallback not in _WARNED:
        _WARNED.add(choice.fallback)
        sys.stderr.write(f"Warning: {choice.fallback}\n")
        sys.stderr.flush()


def whisper_problem() -> str | None:
    """None when Whisper base loads, else the one-line reason it cannot (ModelError text)."""
    from voicecoach.asr.whisper_engine import shared_model

    try:
        shared_model()
    except ModelError as exc:
        return str(exc)
    return None


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
    if engine == "whisper":
        if model is not None:
            raise ModelError(
                "--model is for the vosk engine; Whisper base is installed with VoiceCoach"
            )
        problem = whisper_problem()
        if problem:
            raise ModelError(problem)
        return EngineChoice("whisper", None, "asked for")
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
    if explicit and explicit.is_english:
        return EngineChoice("vosk", explicit.path, f"{explicit.origin}, English")
    ignored = (
        f"; the vosk model from {explicit.origin} is not English (language {_lang(explicit)}), "
        "use --engine vosk to force it"
        if explicit
        else ""
    )
    problem = whisper_problem()
    if problem is None:
        return EngineChoice("whisper", None, "Whisper base, installed with VoiceCoach" + ignored)
    return EngineChoice(
        "pocketsphinx",
        None,
        "fallback: built-in English" + ignored,
        fallback=f"{problem}; using pocketsphinx instead (less accurate)",
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
    live: bool = False,
) -> Recognizer:
    """A new recogniser for an EngineChoice (engines are imported only here), its
    numbers normalised to one spoken form (`voicecoach.asr.normalize`).

    `hints` are names or words to expect (Whisper takes them as its initial
    prompt; pocketsphinx adds them to its dictionary and language model;
    vosk's compiled graphs cannot take new words, so it ignores them).
    `prime_pcm` (16-bit mono at `sample_rate`) adapts the recogniser to the
    speaker before the first utterance. `live` lets Whisper decode the growing
    utterance in the background (captions, quick turn ends); files leave it off.
    """
    if choice.engine == "whisper":
        from voicecoach.asr.whisper_engine import WhisperRecognizer

        recognizer: Recognizer = WhisperRecognizer(sample_rate=sample_rate, hints=hints, live=live)
    elif choice.engine == "vosk":
        from voicecoach.asr.vosk_engine import VoskRecognizer

        recognizer = VoskRecognizer(choice.model, sample_rate=sample_rate)
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
    live: bool = False,
) -> Recognizer:
    """A streaming recogniser: `engine` is auto, whisper, pocketsphinx or vosk (see module doc).

    `hints`, `prime_pcm` and `live` as in `recognizer_for`; a fallback is announced once.
    """
    choice = choose_engine(engine, model=model)
    warn_fallback_once(choice)
    return recognizer_for(
        choice, sample_rate=sample_rate, hints=hints, prime_pcm=prime_pcm, live=live
    )


if __name__ == "__main__":
    print(choose_engine().describe())
