"""The workstation's upload token: given in a file, the environment, or saved once (0600).

Where it comes from, first found wins: `--token-file FILE` (which must not be
readable by others, as ssh insists for its keys), `VOICECOACH_SYNC_TOKEN`,
else `<data_dir>/sync_token`, saved by `voicecoach sync --token-stdin`.
"""

from __future__ import annotations

import os
from pathlib import Path

from voicecoach.fileio import private_dir, write_atomic
from voicecoach.sync.client import SyncError

TOKEN_ENV = "VOICECOACH_SYNC_TOKEN"
TOKEN_FILE = "sync_token"
MAX_TOKEN_CHARS = 200


def _clean(token: str, source: str) -> str:
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_CHARS or any(c.isspace() for c in token):
        raise SyncError(f"{source} does not hold a workstation token (one line, no spaces)")
    return token


def save_token(data_dir: Path, token: str) -> Path:
    """Keep `token` in `<data_dir>/sync_token` (0600) for later syncs."""
    private_dir(data_dir)
    return write_atomic(Path(data_dir) / TOKEN_FILE, _clean(token, "the input") + "\n")


def read_token_file(path: Path) -> str:
    """The token in `path`; SyncError when missing or readable by others."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise SyncError(
                f"the token file {path} can be read by others (mode {mode:04o}); "
                f"run `chmod 600 {path}`"
            )
        first_line = path.read_text(encoding="utf-8").partition("\n")[0]
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not text"
        raise SyncError(f"cannot read the token file {path}: {reason}") from None
    return _clean(first_line, f"the token file {path}")


def load_token(data_dir: Path, token_file: Path | None = None) -> str:
    """The workstation's token from `token_file`, VOICECOACH_SYNC_TOKEN or the saved one."""
    if token_file is not None:
        return read_token_file(token_file)
    if os.environ.get(TOKEN_ENV):
        return _clean(os.environ[TOKEN_ENV], TOKEN_ENV)
    saved = Path(data_dir) / TOKEN_FILE
    if saved.exists():
        return read_token_file(saved)
    raise SyncError(
        "no workstation token: give it once with `voicecoach sync --server URL --token-stdin` "
        f"(it is kept in {saved}, 0600), or use --token-file FILE or {TOKEN_ENV}"
    )
