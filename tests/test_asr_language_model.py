"""The front-desk language model: built from its corpus, a proper distribution, honest."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.asr.language_model import (
    ARPA_PATH,
    CORPUS_PATH,
    count_ngrams,
    expand_corpus,
    witten_bell_arpa,
)

BENCH_SENTENCES = Path(__file__).resolve().parent.parent / "bench" / "frontdesk_sentences.txt"


def arpa_sections(text: str) -> dict[int, dict[tuple[str, ...], tuple[float, float]]]:
    sections: dict[int, dict] = {}
    order = 0
    for line in text.splitlines():
        if line.startswith("\\") and line.endswith("-grams:"):
            order = int(line[1])
            sections[order] = {}
        elif order and line.strip() and not line.startswith("\\"):
            fields = line.split("\t")
            backoff = float(fields[2]) if len(fields) > 2 else 0.0
            sections[order][tuple(fields[1].split())] = (float(fields[0]), backoff)
    return sections


def test_committed_model_is_the_one_the_corpus_builds():
    corpus = CORPUS_PATH.read_text(encoding="utf-8")
    built = witten_bell_arpa(count_ngrams(expand_corpus(corpus)))
    assert ARPA_PATH.read_text(encoding="utf-8") == built, (
        "run python -m voicecoach.asr.language_model"
    )


def test_slots_expand_and_probabilities_sum_to_one():
    sentences = expand_corpus("@DAY: monday | friday\nsee you {DAY}\nsee you {DAY} or {DAY}\nbye\n")
    assert ["see", "you", "monday"] in sentences and ["see", "you", "friday"] in sentences
    assert any(s[2] != s[4] for s in sentences if len(s) == 5)  # repeated slots differ
    model = arpa_sections(witten_bell_arpa(count_ngrams(sentences)))
    unigram_mass = sum(10**logp for gram, (logp, _) in model[1].items() if gram != ("<s>",))
    assert unigram_mass == pytest.approx(1.0, abs=1e-3)
    # P(. | see) over seen words plus the backed-off rest sums to one.
    seen = {g[1]: 10**p for g, (p, _) in model[2].items() if g[0] == "see"}
    backoff = 10 ** model[1][("see",)][1]
    rest = sum(10**p for g, (p, _) in model[1].items() if g[0] not in seen and g != ("<s>",))
    assert sum(seen.values()) + backoff * rest == pytest.approx(1.0, abs=1e-3)


def test_benchmark_sentences_are_not_in_the_corpus():
    corpus = {" ".join(s) for s in expand_corpus(CORPUS_PATH.read_text(encoding="utf-8"))}
    lines = BENCH_SENTENCES.read_text(encoding="utf-8").splitlines()
    bench = [line for line in lines if line.strip() and not line.startswith("#")]
    assert len(bench) >= 40
    normalised = [" ".join(w.strip(".,?!").lower() for w in line.split()) for line in bench]
    assert not [line for line in normalised if line in corpus]
