"""The held-out front-desk benchmark set stays independent of what recognisers were fitted to."""

from __future__ import annotations

import re
from pathlib import Path

from voicecoach.asr.language_model import CORPUS_PATH, expand_corpus
from voicecoach.asr.normalize import normalize_text

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "bench" / "data" / "frontdesk_heldout.txt"
DEV_SET = ROOT / "bench" / "frontdesk_sentences.txt"
DEV2_SET = ROOT / "bench" / "data" / "frontdesk_dev2.txt"  # Whisper's decoding was chosen on it
DEV3_SET = ROOT / "bench" / "data" / "frontdesk_dev3.txt"  # ...and checked on it
ASR_PACKAGE = ROOT / "voicecoach" / "asr"
RUN = 6  # a held-out sentence may share no run of this many words with fitted text


def _words(text: str) -> list[str]:
    spoken = normalize_text(text).lower().replace("’", "'")
    return re.sub(r"[^a-z0-9' ]", " ", spoken.replace("-", " ")).split()


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def _sentences(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _fitted_texts() -> dict[str, list[list[str]]]:
    """Word sequences of everything a recogniser was fitted to or prompted with."""
    texts = {
        "expanded LM corpus": [list(s) for s in expand_corpus(CORPUS_PATH.read_text("utf-8"))],
        DEV_SET.name: [_words(s) for s in _sentences(DEV_SET)],
        DEV2_SET.name: [_words(s) for s in _sentences(DEV2_SET)],
        DEV3_SET.name: [_words(s) for s in _sentences(DEV3_SET)],
    }
    for path in sorted(ASR_PACKAGE.rglob("*")):  # corpus, dictionaries, prompts, hint lists, code
        if path.is_file() and path.suffix not in (".pyc", ".bin", ".gz", ".onnx"):
            text = path.read_text(encoding="utf-8", errors="replace")
            texts[str(path.relative_to(ROOT))] = [_words(line) for line in text.splitlines()]
    return texts


def test_the_heldout_set_is_large_and_has_names_dates_times_and_money():
    sentences = _sentences(HELDOUT)
    assert len(sentences) >= 60
    assert len(set(sentences)) == len(sentences)
    text = "\n".join(sentences)
    assert re.search(r"\$\d", text) and re.search(r"\d:\d\d", text)  # money, clock times
    assert re.search(r"\d(?:st|nd|rd|th)\b", text) and re.search(r"\b(?:19|20)\d\d\b", text)
    assert re.search(r"Doctor [A-Z]", text)  # names


def test_no_heldout_sentence_comes_from_text_a_recogniser_was_fitted_to():
    fitted = _fitted_texts()
    assert len(fitted["expanded LM corpus"]) > 400
    shared = []
    for source, lines in fitted.items():
        text = "".join(f" {' '.join(line)} \n" for line in lines)
        runs = set().union(*map(_runs, lines))
        for sentence in _sentences(HELDOUT):
            words = _words(sentence)
            common = _runs(words) & runs
            if f" {' '.join(words)} " in text or common:
                shared.append(f"{sentence!r} shares words with {source}: {sorted(common)[:1]}")
    assert not shared, "\n".join(shared)


def test_the_independence_check_catches_a_near_copy_of_the_corpus():
    near_copy = "Is there anything else I can help you with this afternoon?"
    corpus = [list(s) for s in expand_corpus(CORPUS_PATH.read_text("utf-8"))]
    assert _runs(_words(near_copy)) & set().union(*map(_runs, corpus))
