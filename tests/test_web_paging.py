"""The sessions list in pages over real HTTP, on SQLite and on PostgreSQL.

A store indexes 7 sessions of amy and 5 of bob (folders with a `session.json`
and an empty recording, as the list only reads the index); amy has a trainee
account, ada an admin one. Requests go through httpx to a uvicorn server in a thread.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from postgres_server import fresh_database
from session_fixture import running_server

from voicecoach.session.store import open_store

COUNTS = {"amy": 7, "bob": 5}
PASSWORD = "paging-correct-horse"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory):
    """The server's base URL, with every session id newest first."""
    root = tmp_path_factory.mktemp(f"paging-{request.param}")
    with contextlib.ExitStack() as stack:
        database = None
        if request.param == "postgresql":
            cluster = request.getfixturevalue("postgres_cluster")
            name = f"paging_{secrets.token_hex(6)}"
            database = stack.enter_context(fresh_database(cluster, name))
        store = open_store(root / "data", database)
        stack.callback(store.close)
        start = datetime(2026, 9, 1, 8, tzinfo=timezone.utc)
        n = 0
        for trainee, count in COUNTS.items():
            for _ in range(count):
                started = start + timedelta(hours=n)
                sid = f"{started:%Y%m%d-%H%M%S}-{n:04x}"
                folder = store.sessions_dir / sid
                folder.mkdir()
                (folder / "call.wav").touch()
                record = {
                    "id": sid,
                    "trainee": trainee,
                    "scenario_id": "double_billing",
                    "protocol": "upset_caller",
                    "started_at": started.isoformat(timespec="seconds"),
                    "duration_s": 60.0 + n,
                    "outcome": "resolved",
                    "score": 50.0 + n,
                    "verdict": "competent",
                    "complete": True,
                    "reason": None,
                }
                (folder / "session.json").write_text(json.dumps(record))
                n += 1
        store.sync()
        store.add_user("ada", role="admin", password=PASSWORD)
        store.add_user("amy", role="trainee", password=PASSWORD)
        newest_first = [s.id for s in store.list_sessions()]
        server = stack.enter_context(running_server(store))
        yield server.base_url, newest_first


@contextlib.contextmanager
def signed_in(base: str, name: str) -> Iterator[httpx.Client]:
    """An httpx client signed in as `name` (closed afterwards)."""
    client = httpx.Client(base_url=base, headers={"X-Forwarded-For": "192.0.2.9"}, timeout=60)
    csrf = re.search(r"name='csrf_token' value='([^']+)'", client.get("/login").text).group(1)
    answer = client.post(
        "/login",
        data={"csrf_token": csrf, "name": name, "password": PASSWORD, "next": "/sessions"},
        headers={"Origin": base},
    )
    assert answer.status_code == 303
    try:
        yield client
    finally:
        client.close()


def listed_ids(client: httpx.Client, query: str) -> tuple[dict, list[str]]:
    answer = client.get(f"/sessions.json?{query}")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    return data, [s["id"] for s in data["sessions"]]


def test_pages_follow_on_without_overlap_and_count_every_session(served):
    base, newest_first = served
    with signed_in(base, "ada") as ada:
        seen = []
        for page in (1, 2, 3):
            data, ids = listed_ids(ada, f"per_page=5&page={page}")
            assert (data["total"], data["page"], data["per_page"]) == (12, page, 5)
            assert set(data) >= {"sessions", "filters", "order"}
            seen += ids
        assert seen == newest_first  # 5 + 5 + 2, in order, none twice
        data, ids = listed_ids(ada, "")
        assert (data["total"], data["page"], data["per_page"]) == (12, 1, 50)
        assert ids == newest_first


def test_filters_and_order_page_with_their_own_count(served):
    base, _ = served
    with signed_in(base, "ada") as ada:
        everyone = listed_ids(ada, "trainee=bob&order=score&per_page=200")[1]
        first = listed_ids(ada, "trainee=bob&order=score&per_page=3")
        second = listed_ids(ada, "trainee=bob&order=score&per_page=3&page=2")
        assert first[0]["total"] == second[0]["total"] == 5
        assert first[1] + second[1] == everyone and len(everyone) == 5


def test_a_trainee_pages_through_only_their_own_sessions(served):
    base, newest_first = served
    with signed_in(base, "amy") as amy:
        first = listed_ids(amy, "per_page=4")
        second = listed_ids(amy, "per_page=4&page=2")
        assert first[0]["total"] == second[0]["total"] == COUNTS["amy"]
        assert len(first[1]) == 4 and len(second[1]) == 3
        assert set(first[1] + second[1]) == set(newest_first[COUNTS["bob"] :])  # amy's, older
        assert listed_ids(amy, "trainee=bob")[0]["total"] == 0
        page = amy.get("/sessions?per_page=4").text
        assert "(7)" in page and "page 1 of 2" in page and "bob" not in page


def test_the_page_links_keep_the_filters_and_the_page_size(served):
    base, _ = served
    with signed_in(base, "ada") as ada:
        html = ada.get("/sessions?trainee=amy&per_page=3&page=2").text
        found = re.findall(r"<a href='/sessions\?([^']*)' rel='(prev|next)'", html)
        links = {rel: query.replace("&amp;", "&") for query, rel in found}
        assert links == {
            "prev": "trainee=amy&order=date&per_page=3",
            "next": "trainee=amy&order=date&per_page=3&page=3",
        }
        assert "Showing 4–6 of 7" in html and "page 2 of 3" in html
        last = ada.get("/sessions?trainee=amy&per_page=3&page=3").text
        assert "rel='next'" not in last and "rel='prev'" in last
        assert "rel='prev'" not in ada.get("/sessions?per_page=3").text


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=two", "per_page=0", "page=1.5"])
def test_a_bad_page_number_is_a_clear_400(served, query):
    base, _ = served
    with signed_in(base, "ada") as ada:
        answer = ada.get(f"/sessions.json?{query}")
        assert answer.status_code == 400
        name = query.split("=")[0]
        assert answer.json()["error"].startswith(f"{name} must be a whole number from 1")


def test_past_the_last_page_shows_the_last_and_page_size_is_capped(served):
    base, newest_first = served
    with signed_in(base, "ada") as ada:
        data, ids = listed_ids(ada, "per_page=5&page=99")
        assert data["page"] == 3 and ids == newest_first[10:]
        data, ids = listed_ids(ada, "per_page=100000")
        assert data["per_page"] == 200 and ids == newest_first
        data, ids = listed_ids(ada, "verdict=not yet competent&page=4")
        assert (data["total"], data["page"], ids) == (0, 1, [])
