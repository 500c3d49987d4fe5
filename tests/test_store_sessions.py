"""The session store: index, folders, comments, overrides, one writer, folder sync.

Every test taking `store` or `store_backend` runs twice: on the default SQLite
index and on a real PostgreSQL server (a throwaway cluster, see conftest).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

import pytest

from voicecoach.errors import SessionError
from voicecoach.session.store import (
    EVERY_SESSION,
    NOT_FINISHED_REASON,
    CommentConflictError,
    SessionFilter,
    SessionStore,
    open_store,
)


@pytest.fixture
def store(tmp_path, store_backend):
    with open_store(tmp_path / "data") as opened:
        yield opened


def started(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=timezone.utc)


def finish(store, info, score, verdict="competent", outcome="resolved"):
    return store.finish_session(
        info.id, duration_s=60.0, outcome=outcome, score=score, verdict=verdict, complete=True
    )


def test_the_interface_is_abstract_so_other_backends_must_implement_it():
    with pytest.raises(TypeError):
        SessionStore("/tmp")  # type: ignore[abstract]


def test_a_new_session_gets_a_folder_and_an_unfinished_row(store, tmp_path, store_backend):
    info = store.create_session("amy", "double_billing", "upset_caller")
    assert info.folder == tmp_path / "data" / "sessions" / info.id
    assert info.folder.is_dir()
    assert info.folder.stat().st_mode & 0o777 == 0o700  # recordings are private
    if store_backend == "sqlite":
        assert store.db_path == tmp_path / "data" / "sessions.db"
    else:
        assert store.db_path is None and not (tmp_path / "data" / "sessions.db").exists()
    got = store.get_session(info.id)
    assert (got.trainee, got.scenario_id, got.protocol) == ("amy", "double_billing", "upset_caller")
    assert got.complete is False and got.reason == NOT_FINISHED_REASON
    on_disk = json.loads((info.folder / "session.json").read_text())
    assert on_disk["id"] == info.id and on_disk["complete"] is False


def test_finishing_records_the_outcome_in_the_index_and_session_json(store):
    info = store.create_session("amy", "double_billing", "upset_caller")
    done = store.finish_session(
        info.id,
        duration_s=93.25,
        outcome="hung_up",
        score=41,
        verdict="not yet competent",
        complete=False,
        reason="recogniser crashed",
    )
    assert (done.duration_s, done.outcome, done.score) == (93.25, "hung_up", 41)
    assert done.complete is False and done.reason == "recogniser crashed"
    on_disk = json.loads((info.folder / "session.json").read_text())
    assert on_disk["outcome"] == "hung_up" and on_disk["reason"] == "recogniser crashed"


def test_unknown_and_unsafe_ids_are_refused_with_a_clear_message(store):
    with pytest.raises(SessionError, match="no session 'nope'"):
        store.get_session("nope")
    for bad in ("../etc", "a/b", "..", "", "x" * 80, "a\x00b", "abc\n"):
        with pytest.raises(SessionError, match="not a session id"):
            store.get_session(bad)
    with pytest.raises(SessionError, match="not a session id"):
        store.folder("../../etc")


def test_list_filters_and_orders(store):
    a = finish(
        store, store.create_session("amy", "billing", "upset_caller", started_at=started(1)), 80
    )
    b = finish(
        store,
        store.create_session("amy", "cancel", "spikes", started_at=started(3)),
        55,
        verdict="not yet competent",
        outcome="escalated",
    )
    c = finish(
        store, store.create_session("bob", "billing", "upset_caller", started_at=started(5)), 90
    )
    d = store.create_session("bob", "billing", "upset_caller", started_at=started(7))

    def ids(where=EVERY_SESSION, **options):
        return [s.id for s in store.list_sessions(where, **options)]

    assert ids() == [d.id, c.id, b.id, a.id]
    assert ids(SessionFilter(trainee="amy")) == [b.id, a.id]
    assert ids(SessionFilter(scenario="billing")) == [d.id, c.id, a.id]
    assert ids(SessionFilter(since="2026-11-03", until="2026-11-05")) == [c.id, b.id]
    assert ids(SessionFilter(outcome="escalated")) == [b.id]
    assert ids(SessionFilter(verdict="competent")) == [c.id, a.id]
    assert ids(SessionFilter(trainee_in={"bob"})) == [d.id, c.id]
    assert ids(order="score") == [c.id, a.id, b.id, d.id]
    assert ids(order="date", descending=False, limit=2) == [a.id, b.id]
    assert store.trainees() == ["amy", "bob"]
    with pytest.raises(SessionError, match="YYYY-MM-DD"):
        store.list_sessions(SessionFilter(since="last tuesday"))
    with pytest.raises(SessionError, match="order"):
        store.list_sessions(order="name")


def test_adjusted_score_is_what_lists_filter_and_sort_on(store):
    low = finish(
        store,
        store.create_session("amy", "s", "upset_caller", started_at=started(1)),
        40,
        verdict="not yet competent",
    )
    high = finish(
        store, store.create_session("amy", "s", "upset_caller", started_at=started(2)), 70
    )
    adjusted = store.set_adjusted_score(low.id, 95, "competent")
    assert adjusted.score == 40 and adjusted.effective_score == 95
    assert [s.id for s in store.list_sessions(order="score")] == [low.id, high.id]
    competent = store.list_sessions(SessionFilter(verdict="competent"))
    assert {s.id for s in competent} == {low.id, high.id}


def test_a_call_cannot_start_without_room_or_a_writable_folder(store):
    with pytest.raises(SessionError, match="MB free"):
        store.create_session("amy", "s", "upset_caller", min_free_bytes=10**18)
    store.sessions_dir.rmdir()
    store.sessions_dir.write_text("a file where the sessions folder should be")
    with pytest.raises(SessionError, match="not writable"):
        store.create_session("amy", "s", "upset_caller")


def test_an_unusable_data_dir_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SessionError, match="cannot create the data directory.*--data-dir"):
        open_store(blocker / "data")


def test_comments_add_edit_delete_keep_author_times_and_versions(store):
    info = store.create_session("amy", "s", "upset_caller")
    first = store.add_comment(info.id, t_s=12.5, text="Good empathy", author="sam")
    span = store.add_comment(info.id, t_s=3.0, end_s=7.5, text="Rushed opening", author="lee")
    assert [c.id for c in store.list_comments(info.id)] == [span.id, first.id]
    assert first.version == 1 and first.created_at == first.updated_at
    edited = store.update_comment(first.id, expected_version=1, text="Great empathy")
    assert (edited.text, edited.version, edited.author, edited.t_s) == (
        "Great empathy",
        2,
        "sam",
        12.5,
    )
    moved = store.update_comment(span.id, expected_version=1, t_s=4.0, end_s=8.0)
    assert (moved.t_s, moved.end_s, moved.text) == (4.0, 8.0, "Rushed opening")
    store.delete_comment(span.id, expected_version=2)
    assert [c.id for c in store.list_comments(info.id)] == [first.id]


def test_a_stale_edit_is_refused_and_neither_edit_is_lost(store):
    info = store.create_session("amy", "s", "upset_caller")
    comment = store.add_comment(info.id, t_s=1.0, text="original", author="sam")
    store.update_comment(comment.id, expected_version=1, text="sam's edit")
    with pytest.raises(CommentConflictError, match="changed by someone else"):
        store.update_comment(comment.id, expected_version=1, text="lee's edit")
    assert store.get_comment(comment.id).text == "sam's edit"
    with pytest.raises(CommentConflictError):
        store.delete_comment(comment.id, expected_version=1)
    store.update_comment(comment.id, expected_version=2, text="sam's edit + lee's edit")
    assert store.get_comment(comment.id).version == 3


def test_racing_edits_of_one_comment_let_exactly_one_win(store):
    info = store.create_session("amy", "s", "upset_caller")
    comment = store.add_comment(info.id, t_s=1.0, text="original", author="sam")
    outcomes, barrier = [], threading.Barrier(6)

    def edit(n):
        barrier.wait()
        try:
            store.update_comment(comment.id, expected_version=1, text=f"edit {n}")
            outcomes.append("ok")
        except CommentConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"]
    assert store.get_comment(comment.id).version == 2


def test_many_concurrent_writers_lose_nothing(store):
    info = store.create_session("amy", "s", "upset_caller")

    def write(n):
        for i in range(15):
            store.add_comment(info.id, t_s=i, text=f"writer {n} #{i}", author=f"w{n}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.list_comments(info.id)) == 8 * 15


def test_bad_comments_are_refused_with_a_reason(store):
    info = store.create_session("amy", "s", "upset_caller")
    with pytest.raises(SessionError, match="comment is empty"):
        store.add_comment(info.id, t_s=1, text="  ", author="sam")
    with pytest.raises(SessionError, match="author name is empty"):
        store.add_comment(info.id, t_s=1, text="hi", author="")
    with pytest.raises(SessionError, match="not a span"):
        store.add_comment(info.id, t_s=5, end_s=2, text="hi", author="sam")
    with pytest.raises(SessionError, match="not a number"):
        store.add_comment(info.id, t_s="soon", text="hi", author="sam")
    with pytest.raises(SessionError, match="no session"):
        store.add_comment("20990101-000000-beef", t_s=1, text="hi", author="sam")


def test_overrides_replace_each_other_and_can_be_removed(store):
    info = store.create_session("amy", "s", "upset_caller")
    store.set_override(info.id, "empathize", True, reason="said it in other words", author="sam")
    store.set_override(info.id, "why_did_you", False, reason="a real question", author="sam")
    store.set_override(info.id, "empathize", False, reason="on second listen, no", author="lee")
    overrides = {o.item_id: o for o in store.list_overrides(info.id)}
    assert set(overrides) == {"empathize", "why_did_you"}
    assert overrides["empathize"].value is False and overrides["empathize"].author == "lee"
    with pytest.raises(SessionError, match="reason is empty"):
        store.set_override(info.id, "empathize", True, reason="", author="sam")
    store.remove_override(info.id, "empathize")
    assert [o.item_id for o in store.list_overrides(info.id)] == ["why_did_you"]


def test_sync_indexes_folders_recorded_without_the_store(store):
    kept = store.create_session("amy", "s", "upset_caller")
    folder = store.sessions_dir / "20261101-090000-abcd"
    folder.mkdir()
    record = {
        "id": folder.name,
        "trainee": "kim",
        "scenario_id": "late_results",
        "protocol": "spikes",
        "started_at": "2026-11-01T09:00:00+00:00",
        "duration_s": 12.0,
        "outcome": None,
        "score": None,
        "verdict": None,
        "complete": False,
        "reason": "call in progress",
    }
    (folder / "session.json").write_text(json.dumps(record))
    (store.sessions_dir / "20261101-090000-bad0").mkdir()
    (store.sessions_dir / "20261101-090000-bad0" / "session.json").write_text("{half")
    other = store.sessions_dir / "20261101-090000-0ther"
    other.mkdir()
    (other / "session.json").write_text(json.dumps(record))  # id does not match its folder

    changed = store.sync()
    assert [s.id for s in changed] == [folder.name]
    got = store.get_session(folder.name)
    assert (got.trainee, got.complete, got.reason) == ("kim", False, "call in progress")
    assert store.sync() == []  # nothing new
    record.update(complete=True, reason=None, outcome="resolved", score=66, verdict="competent")
    (folder / "session.json").write_text(json.dumps(record))
    store.set_adjusted_score(folder.name, 80, "competent")
    assert [s.id for s in store.sync()] == [folder.name]
    got = store.get_session(folder.name)
    assert (got.complete, got.score, got.adjusted_score) == (True, 66, 80)
    assert store.get_session(kept.id).trainee == "amy"


def test_the_index_survives_reopening(tmp_path, store_backend):
    with open_store(tmp_path) as first:
        info = first.create_session("amy", "s", "upset_caller")
        first.add_comment(info.id, t_s=1, text="kept", author="sam")
    with open_store(tmp_path) as second:
        assert second.get_session(info.id).trainee == "amy"
        assert [c.text for c in second.list_comments(info.id)] == ["kept"]


def test_default_location_follows_the_data_dir_variable(tmp_path, monkeypatch, store_backend):
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path / "env-data"))
    with open_store() as store:
        info = store.create_session("amy", "s", "upset_caller")
    assert info.folder.parent == tmp_path / "env-data" / "sessions"
