"""Where VoiceCoach keeps things: models, scenarios, caches and session data.

Each location can be overridden with an environment variable so tests and
training schools can point them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "voicecoach"
PROJECT_DIR = Path(__file__).resolve().parent.parent


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def models_dir() -> Path:
    """Folder holding downloaded speech models (`VOICECOACH_MODELS_DIR`, else `models/`)."""
    return _env_path("VOICECOACH_MODELS_DIR") or PROJECT_DIR / "models"


def scenarios_dir() -> Path:
    """Folder holding scenario and rubric files (`VOICECOACH_SCENARIOS_DIR`, else `scenarios/`)."""
    return _env_path("VOICECOACH_SCENARIOS_DIR") or PROJECT_DIR / "scenarios"


def data_dir() -> Path:
    """Per-user data: sessions, baselines (`VOICECOACH_DATA_DIR`, else the platform's)."""
    return _env_path("VOICECOACH_DATA_DIR") or Path(platformdirs.user_data_dir(APP_NAME))


def cache_dir() -> Path:
    """Per-user cache: synthesised caller lines (`VOICECOACH_CACHE_DIR`, else the platform's)."""
    return _env_path("VOICECOACH_CACHE_DIR") or Path(platformdirs.user_cache_dir(APP_NAME))
