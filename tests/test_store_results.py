"""Per-session results in the index: lists and progress pages without reading session files.

Every test runs on the default SQLite index and on a real PostgreSQL server.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.config import Config
from session_fixture import make_session
from sqlalchemy import text

from voicecoach.fileio import write_json_atomic
from voicecoach.results.progress import trainee_progress
from voicecoach.session.database import MIGRATIONS_DIR, database_url, make_engine
from voicecoach.session.review import apply_override, delivery_summary, load_json
from voicecoach.session.store import INDEXED_FIELDS, SessionFilter, open_store


@pytest.fixture
def store(tmp_path, store_backend):
    with open_store(tmp_path / "data") as opened:
        yield opened


def coach_items(made) -> dict[str, dict[str, bool]]:
    """The steps/checks/faults of the session's score.json, as the coach scored them."""
    return {
        section: {item_id: bool(item[key]) for item_id, item in made.score[section].items()}
        for section, key in (("steps", "met"), ("checks", "met"), ("faults", "present"))
        if made.score.get(section)
    }


def test_a_finished_session_keeps_its_results_in_the_index(store):
    made = make_session(store, trainee="amy")
    other = make_session(store, trainee="bo")
    found = store.call_results([made.info.id])
    assert list(found) == [made.info.id]
    results = found[made.info.id]
    assert results.items == coach_items(made)
    assert results.items["steps"] and results.items["faults"]
    delivery = delivery_summary(load_json(made.folder / "delivery.json"))
    assert results.calm == delivery["calm"]
    assert results.measures == pytest.approx(delivery["features"])
    assert results.typed is False and store.get_session(made.info.id).typed is False
    assert set(store.call_results()) == {made.info.id, other.info.id}


def test_progress_applies_instructor_overrides_without_reading_score_files(store):
    made = make_session(store, trainee="amy")
    step_id, met = next(iter(coach_items(made)["steps"].items()))
    apply_override(store, made.info.id, step_id, not met, reason="heard it", author="sam")
    for name in ("score.json", "delivery.json", "transcript.json"):
        (made.folder / name).unlink()  # the page must come from the index alone
    (row,) = trainee_progress(store, "amy")["sessions"]
    assert row["items"]["steps"][step_id] is (not met)
    others = {k: v for k, v in coach_items(made)["steps"].items() if k != step_id}
    assert {k: row["items"]["steps"][k] for k in others} == others
    assert row["items"]["faults"] == coach_items(made)["faults"]
    assert row["score"] == store.get_session(made.info.id).adjusted_score
    store.remove_override(made.info.id, step_id)
    (row,) = trainee_progress(store, "amy")["sessions"]
    assert row["items"]["steps"][step_id] is met


def test_a_typed_call_is_marked_in_the_list(store):
    info = store.create_session("amy", "double_billing", "upset_caller")
    (info.folder / "transcript.json").write_text(json.dumps({"input": "typed", "turns": []}))
    store.finish_session(
        info.id, duration_s=3.0, outcome="resolved", score=50, verdict="competent", complete=True
    )
    (listed,) = store.list_sessions()
    assert listed.typed is True
    assert store.call_results()[info.id].typed is True


def test_pages_of_a_list_cover_it_once_and_the_count_is_done_in_sql(store):
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    for n in range(7):
        info = store.create_session(
            "amy" if n % 2 else "bo", "double_billing", "upset_caller", started_at=start
        )  # the same start time: pages must still be stable (ties broken by id)
        store.finish_session(
            info.id,
            duration_s=60,
            outcome="resolved",
            score=50 + n,
            verdict="competent",
            complete=True,
        )
    every, amy = SessionFilter(), SessionFilter(trainee="amy")
    for where, order in (
        (every, "date"),
        (amy, "date"),
        (SessionFilter(verdict="competent"), "score"),
    ):
        whole = store.list_sessions(where, order=order)
        pages = [store.list_sessions(where, order=order, limit=3, offset=o) for o in (0, 3, 6)]
        assert [s.id for page in pages for s in page] == [s.id for s in whole]
        assert store.count_sessions(where) == len(whole)
    assert store.count_sessions(amy) == 3
    assert store.count_sessions(SessionFilter(since=start + timedelta(days=1))) == 0


def test_a_repair_indexes_the_results_again(store):
    made = make_session(store, trainee="amy")
    before = store.call_results()
    store.repair()
    assert store.call_results() == before
    assert before[made.info.id].items == coach_items(made)


def test_sessions_indexed_before_results_were_kept_are_read_once_on_opening(
    tmp_path, store_backend
):
    with open_store(tmp_path / "source", f"sqlite:///{tmp_path / 'source.db'}") as source:
        made = make_session(source, trainee="amy")
    data = tmp_path / "data"
    (data / "sessions").mkdir(parents=True)
    shutil.copytree(made.folder, data / "sessions" / made.info.id)
    url = database_url(None) or database_url(f"sqlite:///{data / 'sessions.db'}")
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:  # the index as the previous version (revision 0002) left it
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        row = {k: v for k, v in made.info.to_json().items() if k in INDEXED_FIELDS}
        conn.execute(
            text(f"INSERT INTO sessions ({', '.join(row)}) VALUES (:{', :'.join(row)})"), row
        )
    engine.dispose()
    with open_store(data) as store:
        results = store.call_results()[made.info.id]
        assert results.items == coach_items(made)
        assert results.measures
        (row,) = trainee_progress(store, "amy")["sessions"]
        assert row["items"]["steps"] == coach_items(made)["steps"]


def test_sync_reads_again_only_the_session_files_changed_since_the_last_sync(store):
    kept = make_session(store, trainee="amy")
    edited = make_session(store, trainee="bo")
    assert store.sync() == []
    path = edited.folder / "session.json"
    record = json.loads(path.read_text())
    write_json_atomic(path, record | {"outcome": "escalated"})  # a new file: noticed
    assert [info.id for info in store.sync()] == [edited.info.id]
    assert store.get_session(edited.info.id).outcome == "escalated"
    path = kept.folder / "session.json"
    before = path.stat()
    text_now = path.read_text()
    path.write_text(text_now.replace('"resolved"', '"declined"'))  # same inode and size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert store.sync() == []  # looks unchanged
    assert [info.id for info in store.sync(rescan=True)] == [kept.info.id]
    assert store.get_session(kept.info.id).outcome == "declined"
