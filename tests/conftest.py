"""Shared pytest fixtures."""

from __future__ import annotations

import secrets

import pytest
from postgres_server import fresh_database, running_postgres


@pytest.fixture(autouse=True, scope="session")
def private_user_folders(tmp_path_factory):
    """Keep every test (and the subprocesses it starts) out of the user's real data and cache."""
    patch = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("user")
    patch.setenv("VOICECOACH_DATA_DIR", str(root / "data"))
    patch.setenv("VOICECOACH_CACHE_DIR", str(root / "cache"))
    patch.delenv("VOICECOACH_DATABASE_URL", raising=False)
    yield root
    patch.undo()


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL server for this test run; its base URL (see postgres_server)."""
    with running_postgres() as base:
        yield base


@pytest.fixture
def postgres_url(postgres_cluster):
    """The URL of an empty PostgreSQL database of its own for one test."""
    with fresh_database(postgres_cluster, f"test_{secrets.token_hex(6)}") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request, monkeypatch):
    """Run a test on both store backends: the default SQLite file, and PostgreSQL chosen
    by VOICECOACH_DATABASE_URL (as every command and `open_store` read it)."""
    if request.param == "postgresql":
        monkeypatch.setenv("VOICECOACH_DATABASE_URL", request.getfixturevalue("postgres_url"))
    return request.param


@pytest.fixture
def virtual_audio(tmp_path):
    """Virtual ALSA mic and speaker active in this process (see voicecoach.audio.virtual).

    `virtual_audio.set_microphone(y, sr)` sets what the next capture hears;
    `virtual_audio.played()` is what the latest playback sent to the speaker;
    `virtual_audio.env()` is the environment for a subprocess using them.
    """
    from voicecoach.audio.virtual import create_virtual_audio, use_virtual_audio

    audio = create_virtual_audio(tmp_path / "virtual-audio")
    with use_virtual_audio(audio.config_path):
        yield audio


# ---- the web tests' browser: Debian's chromium driven by Playwright ----
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def browser():
    """One headless chromium per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh browser context per test; any uncaught JavaScript error fails the test."""
    # bypass_csp lets Playwright evaluate its wait predicates; the app itself needs no eval
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    context.close()
    assert errors == [], errors
