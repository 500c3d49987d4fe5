"""Annotations live in the session folders too: a lost or damaged index loses nothing.

Comments, overrides and adjusted scores are made through the real store and
review code; then `sessions.db` is deleted, corrupted or repaired, and the
commands an instructor uses show everything again. Sessions whose recording
was deleted by hand are marked as such in the list, the summary and the web.
"""

from __future__ import annotations

import http.client
import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from session_fixture import make_session, running_server

from voicecoach.cli import cli
from voicecoach.errors import SessionError
from voicecoach.session.review import apply_override
from voicecoach.session.store import open_store
from voicecoach.session.tables import comments, sessions


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def annotate(data):
    """Two sessions with comments (one edited, one deleted), an override and an adjusted score."""
    with open_store(data) as store:
        first = make_session(store, trainee="amy").info.id
        second = make_session(store, trainee="bob").info.id
        kept = store.add_comment(first, t_s=1.0, text="good opening", author="sam")
        store.update_comment(kept.id, expected_version=1, text="good opening, warm tone")
        gone = store.add_comment(first, t_s=2.0, text="typo", author="sam")
        store.delete_comment(gone.id)
        store.add_comment(second, t_s=3.0, end_s=4.5, text="interrupted here", author="lee")
        apply_override(store, first, "why_did_you", False, reason="said kindly", author="sam")
        return first, second, snapshot(store)


def snapshot(store) -> dict:
    """Everything an instructor annotated, as the index holds it now."""
    return {
        info.id: {
            "comments": [c.to_json() for c in store.list_comments(info.id)],
            "overrides": [o.to_json() for o in store.list_overrides(info.id)],
            "adjusted": (info.adjusted_score, info.adjusted_verdict),
        }
        for info in store.list_sessions()
    }


def remove_index(data) -> None:
    for suffix in ("", "-wal", "-shm"):
        (data / f"sessions.db{suffix}").unlink(missing_ok=True)


def test_a_deleted_index_comes_back_with_every_annotation(tmp_path):
    data = tmp_path / "data"
    first, _, before = annotate(data)
    assert before[first]["adjusted"][0] is not None and before[first]["overrides"]
    remove_index(data)
    shown = invoke("sessions", "show", first, "--data-dir", str(data), "--json")
    view = json.loads(shown.output)
    assert [c["text"] for c in view["comments"]] == ["good opening, warm tone"]
    assert view["overrides"][0]["reason"] == "said kindly"
    with open_store(data) as store:
        assert snapshot(store) == before


def test_a_corrupt_index_is_moved_aside_rebuilt_and_the_user_told(tmp_path):
    data = tmp_path / "data"
    _, _, before = annotate(data)
    (data / "sessions.db").write_bytes(b"this is not a database " * 500)
    listed = CliRunner().invoke(cli, ["sessions", "list", "--data-dir", str(data)])
    assert listed.exit_code == 0
    assert "session index was damaged" in listed.output and "rebuilt" in listed.output
    assert list(data.glob("sessions.db.damaged-*"))
    with open_store(data) as store:
        assert store.recovered is None and snapshot(store) == before


def test_sessions_repair_rebuilds_the_index_and_keeps_the_old_one(tmp_path, store_backend):
    data = tmp_path / "data"
    first, _, before = annotate(data)
    with open_store(data) as store:
        store.add_user("sam", role="instructor", password="correct horse")
        store.record_audit("sam", "played", session_id=first)
        with store.engine.begin() as conn:  # damage the index's content
            conn.execute(comments.delete())
            conn.execute(sessions.delete().where(sessions.c.id == first))
    repaired = invoke("sessions", "repair", "--data-dir", str(data))
    assert repaired.exit_code == 0
    text = " ".join(repaired.output.split())
    assert "2 session(s) with 2 comment(s) and 1 override(s)" in text
    if store_backend == "sqlite":
        assert list(data.glob("sessions.db.before-repair-*"))
    else:
        assert "_before_repair_" in text and "***" not in text
    with open_store(data) as store:
        assert snapshot(store) == before
        assert store.authenticate("sam", "correct horse") is not None  # accounts are kept
        assert [entry.session_id for entry in store.list_audit()] == [first]
        added = store.add_comment(first, t_s=5.0, text="after the repair", author="sam")
        assert added.id not in {c["id"] for s in before.values() for c in s["comments"]}


def test_annotations_made_before_the_folder_log_existed_are_copied_into_it(tmp_path):
    data = tmp_path / "data"
    first, _, before = annotate(data)
    for log in data.glob("sessions/*/annotations.jsonl"):
        log.unlink()
    with sqlite3.connect(data / "sessions.db") as conn:
        conn.execute("PRAGMA user_version = 0")  # an index from before annotations.jsonl
    open_store(data).close()
    assert (data / "sessions" / first / "annotations.jsonl").is_file()
    remove_index(data)
    with open_store(data) as store:
        store.sync()
        assert snapshot(store) == before


def test_a_comment_stored_at_infinity_by_an_older_version_is_moved_to_the_start(tmp_path):
    data = tmp_path / "data"
    with open_store(data) as store:
        sid = make_session(store).info.id
    with sqlite3.connect(data / "sessions.db") as conn:  # as the old server let it in
        conn.execute(
            "INSERT INTO comments (session_id, t_s, end_s, text, author, created_at, updated_at)"
            " VALUES (?, 9e999, -9e999, 'hidden', 'sam', 'x', 'x')",
            (sid,),
        )
        conn.execute("PRAGMA user_version = 0")
    view = json.loads(invoke("sessions", "show", sid, "--json", "--data-dir", str(data)).output)
    ((comment),) = view["comments"]
    assert comment["text"] == "hidden" and comment["t_s"] == 0 and comment["end_s"] is None


def test_annotating_a_session_whose_folder_is_gone_is_refused_and_stores_nothing(
    tmp_path, store_backend
):
    data = tmp_path / "data"
    with open_store(data) as store:
        sid = make_session(store).info.id
        shutil.rmtree(store.folder(sid))
        with pytest.raises(SessionError, match="session folder is gone"):
            store.add_comment(sid, t_s=1.0, text="hello", author="sam")
        assert store.list_comments(sid) == []


@pytest.fixture()
def lost_recordings(tmp_path, store_backend):
    """One session whose folder was deleted by hand, one whose audio files were."""
    data = tmp_path / "data"
    with open_store(data) as store:
        no_folder = make_session(store, trainee="amy").info
        no_audio = make_session(store, trainee="bob").info
        whole = make_session(store, trainee="cai").info
    shutil.rmtree(no_folder.folder)
    for name in ("call.wav", "trainee.wav", "caller.wav"):
        (no_audio.folder / name).unlink()
    return data, no_folder.id, no_audio.id, whole.id


def test_sessions_with_missing_recordings_are_marked_in_list_and_show(lost_recordings):
    data, no_folder, no_audio, whole = lost_recordings
    rows = {
        row["id"]: row
        for row in map(
            json.loads,
            invoke("sessions", "list", "--json", "--data-dir", str(data)).output.splitlines(),
        )
    }
    assert rows[no_folder]["missing"] == "folder missing"
    assert rows[no_audio]["missing"] == "audio missing"
    assert rows[whole]["missing"] is None
    listed = " ".join(invoke("sessions", "list", "--data-dir", str(data)).output.split())
    assert "(folder" in listed and "(audio" in listed  # the table may wrap "missing)"
    shown = invoke("sessions", "show", no_folder, "--data-dir", str(data))
    assert shown.exit_code == 0 and "recording: folder missing" in shown.output


def test_the_web_pages_mark_sessions_whose_recording_is_gone(lost_recordings):
    data, no_folder, no_audio, _ = lost_recordings
    with open_store(data) as store, running_server(store) as server:
        port = server.server_address[1]

        def get(path: str) -> tuple[int, str]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode()

        status, page = get("/sessions")
        assert status == 200 and page.count("recording folder missing") == 1
        assert page.count("recording audio missing") == 1
        status, page = get(f"/sessions/{no_folder}")
        assert status == 200 and "Recording folder missing." in page
        status, body = get(f"/sessions/{no_audio}.json")
        assert status == 200 and json.loads(body)["session"]["missing"] == "audio missing"
