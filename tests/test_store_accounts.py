"""Accounts, the audit log, schema migrations and the `--database` choice.

Store tests run on both backends (SQLite and a real PostgreSQL, see conftest);
the upgrade test opens an index written by the version before migrations.
"""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from voicecoach.cli import cli
from voicecoach.errors import SessionError
from voicecoach.session.database import MIGRATIONS_DIR, schema_revision
from voicecoach.session.store import open_store
from voicecoach.session.tables import metadata

OLD_SCHEMA = Path(__file__).parent / "fixtures" / "sessions_db_schema_v0.sql"


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


@pytest.fixture
def store(tmp_path, store_backend):
    with open_store(tmp_path / "data") as opened:
        yield opened


def test_accounts_keep_roles_and_cohorts_and_only_an_argon2_hash(store):
    amy = store.add_user("amy", role="trainee", password="first password", cohort="spring")
    store.add_user("sam", role="instructor", password="second password")
    assert amy.role == "trainee" and amy.cohort == "spring"
    assert store.authenticate("amy", "first password") == amy
    assert store.authenticate("amy", "second password") is None
    assert store.authenticate("nobody", "first password") is None
    assert [u.name for u in store.list_users()] == ["amy", "sam"]
    assert [u.name for u in store.list_users(role="instructor")] == ["sam"]
    assert [u.name for u in store.list_users(cohort="spring")] == ["amy"]
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users WHERE name = 'amy'")
        password_hash = stored.scalar()
    assert password_hash.startswith("$argon2id$") and "first password" not in password_hash


def test_bad_accounts_are_refused_with_a_reason(store):
    store.add_user("amy", role="trainee", password="first password")
    with pytest.raises(SessionError, match="already an account named 'amy'"):
        store.add_user("amy", role="admin", password="other password")
    with pytest.raises(SessionError, match="not a role"):
        store.add_user("bob", role="boss", password="first password")
    with pytest.raises(SessionError, match="too short"):
        store.add_user("bob", role="trainee", password="short")
    with pytest.raises(SessionError, match="not an account name"):
        store.add_user("../bob", role="trainee", password="first password")
    assert [u.name for u in store.list_users()] == ["amy"]


def test_the_audit_log_lists_who_did_what_newest_first(store):
    session = store.create_session("amy", "double_billing", "upset_caller")
    store.record_audit("sam", "played recording", session_id=session.id, detail="call.wav")
    store.record_audit("lee", "downloaded recording", session_id=session.id)
    store.record_audit("sam", "user added", detail="amy as trainee")
    log = store.list_audit()
    assert [(e.actor, e.action) for e in log] == [
        ("sam", "user added"),
        ("lee", "downloaded recording"),
        ("sam", "played recording"),
    ]
    assert [e.actor for e in store.list_audit(session_id=session.id)] == ["lee", "sam"]
    assert [e.action for e in store.list_audit(actor="sam", limit=1)] == ["user added"]


def test_users_and_audit_commands(tmp_path, store_backend):
    data = str(tmp_path / "data")
    added = invoke(
        "users", "add", "amy", "--role", "trainee", "--cohort", "spring",
        "--password-stdin", "--data-dir", data, stdin="a long password\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Added amy as trainee in cohort spring" in added.output
    again = invoke(
        "users", "add", "amy", "--role", "admin", "--password-stdin", "--data-dir", data,
        stdin="a long password\n",
    )  # fmt: skip
    assert again.exit_code == 2 and "already an account named 'amy'" in again.output
    prompted = invoke(
        "users", "add", "sam", "--role", "instructor", "--data-dir", data,
        stdin="typed twice here\ntyped twice here\n",
    )  # fmt: skip
    assert prompted.exit_code == 0 and "typed twice here" not in prompted.output
    listed = [
        json.loads(line)
        for line in invoke("users", "list", "--json", "--data-dir", data).output.splitlines()
    ]
    assert [(u["name"], u["role"], u["cohort"]) for u in listed] == [
        ("amy", "trainee", "spring"),
        ("sam", "instructor", None),
    ]
    assert all("password" not in key for u in listed for key in u)
    log = [
        json.loads(line)
        for line in invoke("audit", "--json", "--data-dir", data).output.splitlines()
    ]
    assert [(e["action"], e["detail"]) for e in log] == [
        ("user added", "sam as instructor"),
        ("user added", "amy as trainee"),
    ]
    table = invoke("audit", "--data-dir", data)
    assert table.exit_code == 0 and "sam as instructor" in table.output
    with open_store(data) as store:
        assert store.authenticate("sam", "typed twice here") is not None


def test_the_database_option_points_every_command_at_postgresql(tmp_path, postgres_url):
    data = tmp_path / "data"
    with open_store(data, postgres_url) as store:
        made = store.create_session("amy", "double_billing", "upset_caller")
    listed = invoke(
        "sessions", "list", "--json", "--data-dir", str(data), "--database", postgres_url
    )
    assert [json.loads(line)["id"] for line in listed.output.splitlines()] == [made.id]
    assert not (data / "sessions.db").exists()
    local = invoke("sessions", "list", "--json", "--data-dir", str(tmp_path / "other"))
    assert local.exit_code == 0 and local.output == ""  # without it: the local SQLite index


def test_an_index_from_before_migrations_is_upgraded_with_nothing_lost(tmp_path):
    data = tmp_path / "data"
    folder = data / "sessions" / "20261101-090000-abcd"
    folder.mkdir(parents=True)
    with sqlite3.connect(data / "sessions.db") as conn:  # as the previous version left it
        conn.executescript(OLD_SCHEMA.read_text())
        conn.execute(
            "INSERT INTO sessions (id, trainee, scenario_id, protocol, started_at, duration_s,"
            " outcome, score, verdict, complete, reason, adjusted_score, adjusted_verdict)"
            " VALUES (?, 'kim', 'late_results', 'spikes', '2026-11-01T09:00:00+00:00', 61.5,"
            " 'resolved', 66, 'competent', 1, NULL, 80, 'proficient')",
            (folder.name,),
        )
        conn.execute(
            "INSERT INTO comments (session_id, t_s, end_s, text, author, created_at, updated_at,"
            " version) VALUES (?, 3.5, 4.0, 'warm opening', 'sam', 'x', 'y', 2)",
            (folder.name,),
        )
        conn.execute(
            "INSERT INTO overrides VALUES (?, 'why_did_you', 0, 'said kindly', 'sam', 'z')",
            (folder.name,),
        )
        conn.execute("PRAGMA user_version = 1")
    with open_store(data) as store:
        info = store.get_session(folder.name)
        assert (info.trainee, info.complete, info.score, info.effective_score) == (
            "kim", True, 66, 80,
        )  # fmt: skip
        ((comment),) = store.list_comments(folder.name)
        assert (comment.text, comment.end_s, comment.version) == ("warm opening", 4.0, 2)
        ((override),) = store.list_overrides(folder.name)
        assert override.value is False and override.reason == "said kindly"
        assert schema_revision(store.engine) == newest_revision()
        assert set(inspect(store.engine).get_table_names()) >= set(metadata.tables)
        store.add_user("sam", role="instructor", password="a long password")
        added = store.add_comment(folder.name, t_s=9, text="new", author="sam")
        assert added.id > comment.id
    with open_store(data) as store:  # a second start finds nothing to migrate
        assert schema_revision(store.engine) == newest_revision()
        assert store.get_user("sam").role == "instructor"


def newest_revision() -> str:
    """The head of the migrations shipped (every store is migrated to it on opening)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_postgresql_gets_the_same_schema_revision(tmp_path, postgres_url):
    with open_store(tmp_path / "data", postgres_url) as store:
        assert schema_revision(store.engine) == newest_revision()
        assert set(inspect(store.engine).get_table_names()) >= set(metadata.tables)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path):
    url = f"postgresql://amy:s3cret-pw@127.0.0.1:{closed_port()}/school"
    result = invoke("sessions", "list", "--data-dir", str(tmp_path / "data"), "--database", url)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "cannot reach the database" in lines[0]
    assert "postgresql://amy:***@127.0.0.1" in lines[0] and "s3cret" not in result.output


def test_a_url_that_is_not_a_database_is_refused_without_the_password(tmp_path):
    result = invoke(
        "sessions", "list", "--data-dir", str(tmp_path / "data"),
        "--database", "mysql://amy:s3cret-pw@db/school",
    )  # fmt: skip
    assert result.exit_code == 2 and "not a PostgreSQL or SQLite database URL" in result.output
    assert "s3cret" not in result.output
