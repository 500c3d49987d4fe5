"""Crash-safe file writes: a temporary file in the same folder, then a rename.

A reader (or a crash) never sees half a file: either the old content or the new.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from voicecoach import jsonsafe


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write `data` (bytes, or text as UTF-8) to `path` through a temporary file + rename.

    The temporary name is unique, so concurrent writers of the same path never mix
    their bytes; the last rename wins. Raises OSError (the temporary file removed).
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write `data` as indented UTF-8 JSON to `path` (never half-written)."""
    return write_atomic(path, jsonsafe.dumps(data, ensure_ascii=False, indent=2) + "\n")
