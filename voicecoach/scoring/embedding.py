"""Sentence embeddings: static word vectors averaged, offline and CPU only.

The vectors and tokenizer are the ones the `wordllama` package ships inside
its wheel (l2_supercat, 256 dimensions, MIT): nothing is downloaded. A
sentence is the mean of its token vectors, unit length; similar meaning
gives a high dot product. Loading takes a fraction of a second once.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from voicecoach.errors import ModelError

_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_WEIGHTS = "weights/l2_supercat_256.safetensors"


class Embedder:
    """Unit-length sentence vectors from the packaged static embeddings."""

    def __init__(self, package_dir: Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        try:
            self._tokenizer = Tokenizer.from_file(str(package_dir / _TOKENIZER))
            self._vectors = load_file(str(package_dir / _WEIGHTS))["embedding.weight"]
        except (OSError, KeyError, Exception) as exc:  # tokenizers raises a bare Exception
            raise ModelError(
                f"the sentence embeddings in {package_dir} cannot be read ({exc}); "
                "reinstall with: bash scripts/install.sh"
            ) from None
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self.dim = int(self._vectors.shape[1])

    def token_vectors(self, text: str) -> np.ndarray:
        """(tokens, dim) float32 vectors of a text's tokens (none for an empty text); the
        table stays float16 in memory, arithmetic on float16 is several times slower."""
        ids = np.asarray(self._tokenizer.encode(text).ids, dtype=np.int64)
        return self._vectors[ids[(ids >= 0) & (ids < len(self._vectors))]].astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) unit mean vectors; an empty text gives a zero vector. One text at
        a time: the tokenizer's batch call stalls in its thread pool on a busy machine."""
        return self.mean_of([self.token_vectors(text) for text in texts])

    def mean_of(self, tokens: list[np.ndarray]) -> np.ndarray:
        """(len(tokens), dim) unit means of per-text token vectors (zero when none)."""
        out = np.zeros((len(tokens), self.dim), dtype=np.float32)
        for i, vectors in enumerate(tokens):
            if len(vectors):
                out[i] = _unit(vectors.mean(axis=0))
        return out

    def pooled(self, texts: list[str], *, whole: bool = False) -> np.ndarray:
        """`pool` of the texts' token vectors."""
        return self.pool([self.token_vectors(text) for text in texts], whole=whole)

    def pool(self, tokens: list[np.ndarray], *, whole: bool = False) -> np.ndarray:
        """(len(tokens), 3 * dim): the unit mean, max and min of each text's token vectors
        (max and min keep the strongest words that the mean blurs). Zero for an empty text.
        `whole` adds a last row for all the texts together."""
        if whole:
            tokens = [*tokens, np.vstack(tokens) if tokens else np.zeros((0, self.dim))]
        out = np.zeros((len(tokens), 3 * self.dim), dtype=np.float32)
        for i, vectors in enumerate(tokens):
            if len(vectors):
                out[i] = np.concatenate(
                    (vectors.mean(axis=0), vectors.max(axis=0), vectors.min(axis=0))
                )
        blocks = out.reshape(len(tokens), 3, self.dim)
        norms = np.sqrt(np.einsum("ijk,ijk->ij", blocks, blocks))[:, :, None]
        return (blocks / np.where(norms == 0, 1, norms)).reshape(len(tokens), -1)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.sqrt(vector @ vector))
    return vector / norm if norm else vector


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    """The shared embedder, loaded on first use."""
    spec = find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the 'wordllama' package is missing; install with: bash scripts/install.sh"
        )
    return Embedder(Path(next(iter(spec.submodule_search_locations))))
