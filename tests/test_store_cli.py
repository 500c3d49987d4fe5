"""`voicecoach sessions list|show` in-process with click's CliRunner."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from session_fixture import make_session

from voicecoach.cli import cli
from voicecoach.session.store import open_store


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-data")
    with open_store(folder) as store:
        amy = make_session(
            store, trainee="amy", started_at=datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
        )
        bob = make_session(
            store,
            trainee="bob",
            finished=False,
            started_at=datetime(2026, 11, 3, 9, tzinfo=timezone.utc),
        )
        store.add_comment(amy.info.id, t_s=18.9, text="Warm and clear", author="sam")
    return {"dir": folder, "amy": amy, "bob": bob}


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_list_shows_every_session_newest_first(data):
    result = run("sessions", "list", "--data-dir", str(data["dir"]))
    assert result.exit_code == 0
    assert "2 session(s)" in result.output
    assert result.output.index("bob") < result.output.index("amy")
    assert "incomplete" in result.output and "resolved" in result.output


def test_list_json_filters_by_trainee(data):
    result = run("sessions", "list", "--trainee", "amy", "--json", "--data-dir", str(data["dir"]))
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in rows] == [data["amy"].info.id]
    assert rows[0]["score"] == data["amy"].score["score"] and rows[0]["complete"] is True


def test_list_reads_the_data_dir_variable_and_says_when_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path))
    result = run("sessions", "list")
    assert result.exit_code == 0 and "No sessions yet" in result.output


def test_show_prints_score_evidence_delivery_and_comments(data):
    result = run("sessions", "show", data["amy"].info.id, "--data-dir", str(data["dir"]))
    assert result.exit_code == 0
    out = result.output
    assert "amy" in out and "Charged twice for one visit" in out  # the scenario's title
    assert f"Score {data['amy'].score['score']:g}/100" in out
    assert "Empathize" in out and "i can understand how frustrating" in out
    assert "✗ Accusatory question" in " ".join(out.split())  # a fault present is a cross
    assert "why_did_you" not in out and "✓ No dismissive remarks" in " ".join(out.split())
    assert "Voice:" in out and "Slow down" in out
    assert "Warm and clear" in out and "sam" in out


def test_show_json_is_one_object_with_the_whole_session(data):
    result = run("sessions", "show", data["bob"].info.id, "--json", "--data-dir", str(data["dir"]))
    view = json.loads(result.output)
    assert view["session"]["complete"] is False and view["score"] is None
    assert view["transcript"]["rebuilt_from_events"] is True
    assert view["transcript"]["turns"][1]["words"][0]["w"] == "thank"


def test_an_unknown_id_is_one_error_line(data):
    result = CliRunner().invoke(
        cli, ["sessions", "show", "20990101-000000-dead", "--data-dir", str(data["dir"])]
    )
    assert result.exit_code == 2
    assert "no session '20990101-000000-dead'" in result.output
    assert "Traceback" not in result.output
