"""The front-desk language model: corpus expansion and a small ARPA trigram builder.

The corpus (`frontdesk/corpus.txt`) is sentences with `{SLOT}` placeholders and
`@SLOT: a | b` filler lists. `build_arpa` expands it and writes an interpolated
Witten-Bell trigram model in ARPA format, which pocketsphinx mixes with its
stock English model (see `sphinx_engine`). Rebuild after editing the corpus:

    python -m voicecoach.asr.language_model

Recognition hints (the caller's name) become extra slot fillers: every
template with a hinted slot gets one more sentence with the hint in it, and
the model built from that is cached per hint set (`hinted_arpa`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from voicecoach.fileio import write_atomic

FRONTDESK_DIR = Path(__file__).resolve().parent / "frontdesk"
CORPUS_PATH = FRONTDESK_DIR / "corpus.txt"
ARPA_PATH = FRONTDESK_DIR / "frontdesk.lm"
ORDER = 3
MAX_VARIANTS_PER_TEMPLATE = 8
SENTENCE_START, SENTENCE_END = "<s>", "</s>"
_SLOT = re.compile(r"\{([A-Z]+)\}")


def expand_corpus(
    text: str, *, extra_fillers: dict[str, list[str]] | None = None
) -> list[list[str]]:
    """Sentences (as word lists) from corpus text, slots filled in rotation.

    Each template using a slot of `extra_fillers` also gets one sentence per
    extra filler, with that filler in the slot.
    """
    extra_fillers = {slot: values for slot, values in (extra_fillers or {}).items() if values}
    fillers: dict[str, list[str]] = {}
    templates: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            name, _, values = line[1:].partition(":")
            fillers[name.strip()] = [v.strip() for v in values.split("|") if v.strip()]
        else:
            templates.append(line)
    sentences = []
    for index, template in enumerate(templates):
        slots = _SLOT.findall(template)
        if not slots:
            sentences.append(template.split())
            continue
        unknown = [s for s in slots if s not in fillers]
        if unknown:
            raise ValueError(f"corpus line {template!r} uses undefined slot {unknown[0]}")
        n_variants = min(MAX_VARIANTS_PER_TEMPLATE, max(len(fillers[s]) for s in slots))
        for variant in range(n_variants):
            sentences.append(_fill(template, fillers, seed=index * 7 + variant * 3).split())
        hinted = [slot for slot in dict.fromkeys(slots) if slot in extra_fillers]
        for k in range(max((len(extra_fillers[slot]) for slot in hinted), default=0)):
            forced = {slot: [extra_fillers[slot][k % len(extra_fillers[slot])]] for slot in hinted}
            sentences.append(_fill(template, {**fillers, **forced}, seed=index * 7 + k).split())
    return sentences


def _fill(template: str, fillers: dict[str, list[str]], *, seed: int) -> str:
    """Replace each {SLOT} with a filler chosen by `seed`, repeated slots differing."""
    used: Counter[str] = Counter()

    def pick(match: re.Match) -> str:
        options = fillers[match.group(1)]
        choice = options[(seed + used[match.group(1)] * 5) % len(options)]
        used[match.group(1)] += 1
        return choice

    return _SLOT.sub(pick, template)


def count_ngrams(sentences: Iterable[list[str]], order: int = ORDER) -> list[Counter]:
    """N-gram counts (tuples) for orders 1..order, with sentence markers."""
    counts = [Counter() for _ in range(order)]
    for words in sentences:
        padded = [SENTENCE_START, *words, SENTENCE_END]
        for n in range(1, order + 1):
            for i in range(len(padded) - n + 1):
                gram = tuple(padded[i : i + n])
                if gram != (SENTENCE_START,):
                    counts[n - 1][gram] += 1
    return counts


def witten_bell_arpa(counts: list[Counter]) -> str:
    """An interpolated Witten-Bell backoff model in ARPA text format."""
    order = len(counts)
    vocab = sorted(g[0] for g in counts[0])  # every word that can follow, </s> included
    probs: list[dict[tuple, float]] = [{} for _ in range(order)]
    backoffs: list[dict[tuple, float]] = [{} for _ in range(order)]

    total = sum(counts[0].values())
    for word in vocab:  # Witten-Bell over a uniform floor; every word is seen, so add-one
        probs[0][(word,)] = (counts[0][(word,)] + 1) / (total + len(vocab))
    probs[0][(SENTENCE_START,)] = 1.0  # never predicted; written as -99 below

    for n in range(2, order + 1):
        context_total: Counter = Counter()
        context_types: Counter = Counter()
        for gram, c in counts[n - 1].items():
            context_total[gram[:-1]] += c
            context_types[gram[:-1]] += 1
        for gram, c in counts[n - 1].items():
            context = gram[:-1]
            lower = _backed_off(probs, backoffs, gram[1:])
            probs[n - 1][gram] = (c + context_types[context] * lower) / (
                context_total[context] + context_types[context]
            )
        for context, c_total in context_total.items():
            backoffs[n - 2][context] = context_types[context] / (c_total + context_types[context])

    lines = ["\\data\\"]
    lines += [f"ngram {n}={len(probs[n - 1])}" for n in range(1, order + 1)]
    for n in range(1, order + 1):
        lines += ["", f"\\{n}-grams:"]
        for gram in sorted(probs[n - 1]):
            logp = -99.0 if gram == (SENTENCE_START,) else math.log10(probs[n - 1][gram])
            fields = [f"{logp:.4f}", " ".join(gram)]
            if n < order:
                fields.append(f"{math.log10(backoffs[n - 1].get(gram, 1.0)):.4f}")
            lines.append("\t".join(fields))
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def _backed_off(probs: list[dict], backoffs: list[dict], gram: tuple) -> float:
    """P(last word | rest) from the lower orders already computed, with backoff."""
    if gram in probs[len(gram) - 1]:
        return probs[len(gram) - 1][gram]
    weight = backoffs[len(gram) - 2].get(gram[:-1], 1.0)
    return weight * _backed_off(probs, backoffs, gram[1:])


def build_arpa(corpus_path: Path = CORPUS_PATH, out_path: Path = ARPA_PATH) -> Path:
    """Expand the corpus, build the trigram model and write it; returns the path."""
    sentences = expand_corpus(corpus_path.read_text(encoding="utf-8"))
    out_path.write_text(witten_bell_arpa(count_ngrams(sentences)), encoding="utf-8")
    return out_path


def hinted_arpa(extra_fillers: dict[str, list[str]], cache: Path) -> Path:
    """The front-desk model with extra slot fillers, built once and cached under `cache`."""
    corpus = CORPUS_PATH.read_text(encoding="utf-8")
    key = repr((corpus, sorted(extra_fillers.items()))).encode()
    path = cache / f"frontdesk-{hashlib.sha256(key).hexdigest()[:16]}.lm"
    if not path.is_file():
        sentences = expand_corpus(corpus, extra_fillers=extra_fillers)
        cache.mkdir(parents=True, exist_ok=True)
        write_atomic(path, witten_bell_arpa(count_ngrams(sentences)))
    return path


if __name__ == "__main__":
    path = build_arpa()
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
