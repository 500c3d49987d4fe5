"""Crash-safe, private file writes.

`write_atomic` goes through a temporary file in the same folder, then a rename:
a reader (or a crash) never sees half a file, either the old content or the new.
Files VoiceCoach writes about people (recordings, comments, scores, baselines)
are private whatever the umask: folders 0700 (`private_dir`), files 0600
(`write_atomic`, `open_private`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any

from voicecoach import jsonsafe

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_OPEN_FLAGS = {
    "wb": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "ab": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
}


def private_dir(path: str | Path) -> Path:
    """`path` as a folder only its owner can use (0700), made with any missing parents.

    An existing folder is narrowed to 0700 when it is ours. Raises OSError.
    """
    path = Path(path)
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    make_private(path, PRIVATE_DIR_MODE)
    return path


def make_private(path: str | Path, mode: int = PRIVATE_FILE_MODE) -> None:
    """Narrow `path` to `mode` (when it exists, is ours and is wider)."""
    try:
        stat = os.stat(path)
        if stat.st_mode & 0o777 & ~mode and stat.st_uid == os.getuid():
            os.chmod(path, mode)
    except FileNotFoundError:
        pass


def open_private(path: str | Path, mode: str = "wb", *, buffering: int = -1) -> IO[Any]:
    """Open `path` for writing ("wb") or appending ("ab", text "a"), created 0600."""
    fd = os.open(path, _OPEN_FLAGS[mode], PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        text = {} if "b" in mode else {"encoding": "utf-8"}
        return os.fdopen(fd, mode, buffering, **text)
    except BaseException:
        os.close(fd)
        raise


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
