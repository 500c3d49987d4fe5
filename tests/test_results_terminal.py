"""Results in the terminal as a trainee reads them: typed calls kept as sessions, one
vocabulary in every command, whole words when piped, and what to run next."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from voicecoach.dialogue import get_scenario

VOICECOACH = Path(sys.executable).with_name("voicecoach")
SCENARIO = "double_billing"


def run(*args: str, data_dir: Path, columns: int | None = None) -> subprocess.CompletedProcess:
    """The command as a user pipes it (stdout is not a terminal; COLUMNS only if given)."""
    env = {k: v for k, v in __import__("os").environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    env["VOICECOACH_DATA_DIR"] = str(data_dir)
    result = subprocess.run(
        [str(VOICECOACH), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    """A typed call with an accusatory question, saved as trainee 'lee'."""
    folder = tmp_path_factory.mktemp("typed")
    lines = list(get_scenario(SCENARIO).model_call)
    lines.insert(1, "Why didn't you call us before the charge went through?")
    script = folder / "script.txt"
    script.write_text("\n".join(lines) + "\n")
    data_dir = folder / "data"
    result = run(
        "practice",
        "--text",
        "--no-speak",
        "--scenario",
        SCENARIO,
        "--script",
        str(script),
        "--trainee",
        "lee",
        data_dir=data_dir,
    )
    [session_id] = [p.name for p in (data_dir / "sessions").iterdir()]
    return {"dir": data_dir, "id": session_id, "output": result.stdout}


def test_a_typed_call_ends_with_its_session_and_the_next_commands(typed):
    out = typed["output"]
    assert f"Session saved: {typed['id']}" in out
    for command in (
        f"voicecoach replay {typed['id']}",
        f"voicecoach report {typed['id']}",
        "voicecoach serve",
        "voicecoach progress",
    ):
        assert command in out


def test_piped_results_keep_whole_words_and_one_line_per_item(typed):
    out = typed["output"]
    assert max(len(line) for line in out.splitlines()) <= 120
    rows = [line for line in out.splitlines() if line.startswith(("✓", "✗", "–"))]
    titles = [" ".join(row.split()[1:4]) for row in rows]
    assert any(row.split()[0] == "✓" and "Stay calm & thank" in row for row in rows), titles
    [fault] = [row for row in rows if "Accusatory question" in row]
    assert fault.startswith("✗") and "Why didn't you call us" in fault
    assert any(row.startswith("✓") and "No dismissive remarks" in row for row in rows)
    assert not any("why_did_you" in line or "thank_caller" in line for line in out.splitlines())


def test_a_typed_call_is_listed_shown_and_replayed_as_typed(typed):
    listed = run("sessions", "list", "--json", data_dir=typed["dir"]).stdout
    assert json.loads(listed)["id"] == typed["id"]
    assert json.loads(listed)["missing"] is None  # a typed call has no audio to lose
    table = run("sessions", "list", data_dir=typed["dir"]).stdout
    assert "Charged twice for one visit (typed)" in table and "missing" not in table
    narrow = run("sessions", "list", data_dir=typed["dir"], columns=60).stdout.splitlines()
    assert all(len(line) <= 60 for line in narrow)
    assert f"{typed['id']}  lee" in narrow
    assert "  Charged twice for one visit (typed)" in narrow  # whole words, not a folded column
    assert any(line.startswith("  ") and " · score " in line for line in narrow)
    shown = run("sessions", "show", typed["id"], data_dir=typed["dir"]).stdout
    assert "typed call (no audio)" in shown and "Charged twice for one visit" in shown
    assert "✗ Accusatory question" in " ".join(shown.split())
    view = json.loads(run("sessions", "show", typed["id"], "--json", data_dir=typed["dir"]).stdout)
    fault = view["score"]["faults"]["why_did_you"]
    assert fault["present"] and fault["title"] == "Accusatory question"  # ids kept, titles added
    assert view["score"]["faults"]["dismissive"]["title"] == "No dismissive remarks"
    assert view["session"]["typed"] and view["audio"] is None
    replayed = run("replay", typed["id"], data_dir=typed["dir"]).stdout
    lines = replayed.splitlines()
    question = next(i for i, line in enumerate(lines) if "Trainee: Why didn't you call" in line)
    assert "✗ Accusatory question" in lines[question + 1]
    assert lines[question].split()[0] == "#4"  # a typed call is numbered by turn, not timed


def test_score_names_items_by_title_and_json_keeps_ids(tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "scoring" / "parking_poor_typed.json"
    out = run("score", str(fixture), data_dir=tmp_path).stdout
    assert "Upset caller" in out and "_" not in " ".join(
        line for line in out.splitlines() if line.startswith(("✓", "✗"))
    )
    scored = json.loads(run("score", "--json", str(fixture), data_dir=tmp_path).stdout)
    assert scored["steps"]["thank_caller"]["title"] == "Stay calm & thank"
    assert scored["faults"]["why_did_you"]["present"] is True  # the contract keeps its keys


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    from session_fixture import make_history

    from voicecoach.session.store import open_store

    data_dir = tmp_path_factory.mktemp("history")
    with open_store(data_dir) as store:
        make_history(store)
    return data_dir


def test_progress_shows_the_cohort_weakest_step_first(history):
    out = run("progress", data_dir=history).stdout
    lines = out.splitlines()
    assert "Upset caller" in lines[0] and "weakest step first" in lines[0]
    header = next(line for line in lines if line.startswith("step"))
    assert "amy (3)" in header and "bob (1)" in header
    rows = [line for line in lines if "%" in line]
    assert rows[0].startswith("Confirm the next step")
    overall = [int(row.split()[-3].rstrip("%")) for row in rows]
    assert overall == sorted(overall)


def test_progress_of_one_trainee_by_date_with_the_pass_mark(history):
    out = run("progress", "--trainee", "amy", data_dir=history).stdout
    assert "amy: 3 call(s)" in out and "Pass mark: 65/100" in out
    assert out.index("2026-11-02") < out.index("2026-11-11")  # oldest first
    assert "Confirm the next step" in out and "1/3" in out
    data = json.loads(run("progress", "--trainee", "amy", "--json", data_dir=history).stdout)
    assert [s["date"] for s in data["sessions"]] == ["2026-11-02", "2026-11-06", "2026-11-11"]
    assert data["pass_marks"] == {"upset_caller": 65.0}
    pace = next(m for m in data["measures"] if m["id"] == "speaking_rate_wpm")
    assert pace["title"] == "Pace" and pace["unit"] == "words/min"


def test_a_narrow_terminal_puts_the_evidence_under_each_item(typed):
    import os

    env = dict(os.environ, VOICECOACH_DATA_DIR=str(typed["dir"]), COLUMNS="50")
    out = subprocess.run(
        [str(VOICECOACH), "sessions", "show", typed["id"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 50
    fault = next(i for i, line in enumerate(lines) if "Accusatory question" in line)
    assert lines[fault].startswith("✗") and "Why didn't you call" in lines[fault + 1]


def test_models_are_listed_whole_on_a_narrow_terminal_and_as_a_table_on_a_wide_one(tmp_path):
    names = ("whisper-base-1.0.0", "pocketsphinx-en-us", "vosk-model-small-en-us-0.15")
    narrow = run("models", "list", data_dir=tmp_path, columns=60).stdout.splitlines()
    assert all(len(line.rstrip()) <= 60 for line in narrow)
    for name in names:  # each model's name on its own line, not folded in a column
        assert any(line.startswith(name + " (") for line in narrow)
    assert "  downloadable · 41 MB · Apache-2.0 · pinned SHA-256" in narrow
    wide = run("models", "list", data_dir=tmp_path, columns=160).stdout.splitlines()
    [whisper] = [line for line in wide if line.startswith(" whisper-base-1.0.0 ")]
    assert (
        whisper.split()[1:3] == ["whisper", "en"] and " 145 MB " in whisper and " MIT " in whisper
    )
    assert "Installed in:" in wide
