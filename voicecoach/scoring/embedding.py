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

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) unit vectors; an empty text gives a zero vector."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(
            texts
        ):  # one by one: the batch call's thread pool stalls under load
            ids = np.asarray(self._tokenizer.encode(text).ids, dtype=np.int64)
            ids = ids[(ids >= 0) & (ids < len(self._vectors))]
            if ids.size:
                mean = self._vectors[ids].mean(axis=0)
                norm = float(np.linalg.norm(mean))
                out[i] = mean / norm if norm else mean
        return out


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    """The shared embedder, loaded on first use."""
    spec = find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the 'wordllama' package is missing; install with: bash scripts/install.sh"
        )
    return Embedder(Path(next(iter(spec.submodule_search_locations))))
