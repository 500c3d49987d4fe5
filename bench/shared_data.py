"""Where ../shared/data is: beside the checkout, or beside its worktree folder.

`VOICECOACH_SHARED_DATA` overrides. Benchmarks only: tests never read it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """The shared data folder (../shared/data of the checkout, or of a worktree's parent)."""
    if os.environ.get("VOICECOACH_SHARED_DATA"):
        return Path(os.environ["VOICECOACH_SHARED_DATA"])
    candidates = [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
    return next((p for p in candidates if p.is_dir()), candidates[0])
