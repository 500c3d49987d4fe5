"""User text reaches the terminal as text: markup printed as written, control bytes visible.

A hostile comment, trainee line, transcript quote or file name goes through
every command that prints it (`replay`, `sessions show/list`, `practice --text`,
`score`); the output must hold it literally and no ESC or NUL byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from session_fixture import make_session

from voicecoach.cli import cli
from voicecoach.session.store import open_store
from voicecoach.textsafe import markup, visible

MARKUP = "see [/bold] here [/] and [link=http://evil.example]click[/link] [red]x"
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x00\x9b31m"
HOSTILE = f"{MARKUP} {ESCAPES} end\\"


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def assert_printed_as_text(output: str) -> None:
    output = " ".join(output.split())  # lines wrapped at the terminal width joined again
    assert MARKUP in output  # every bracket printed as written
    for byte in "\x1b\x00\x07\x9b":
        assert byte not in output
    assert "␛]0;pwned␇␛[2J␀\\u009b31m" in output  # made visible, not dropped


def test_the_helper_escapes_markup_and_shows_control_characters():
    assert visible("a\x1b[2Jb\x00\n\tc") == "a␛[2Jb␀\n\tc"
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(f"[bold]{markup(HOSTILE)}[/]")
    assert_printed_as_text(console.export_text())


@pytest.fixture()
def hostile_session(tmp_path):
    data = tmp_path / "data"
    with open_store(data) as store:
        made = make_session(store, trainee=f"amy {MARKUP}")
        store.add_comment(made.info.id, t_s=1.0, text=HOSTILE, author=f"sam [/] {ESCAPES}")
    return data, made.info.id


def test_replay_prints_a_hostile_comment_as_text(hostile_session):
    data, sid = hostile_session
    result = invoke("replay", sid, "--no-audio", "--data-dir", str(data))
    assert result.exit_code == 0
    assert_printed_as_text(result.output)


def test_sessions_show_and_list_print_hostile_names_and_comments_as_text(hostile_session):
    data, sid = hostile_session
    shown = invoke("sessions", "show", sid, "--data-dir", str(data))
    assert shown.exit_code == 0
    assert_printed_as_text(shown.output)
    listed = invoke("sessions", "list", "--data-dir", str(data))
    assert listed.exit_code == 0 and "[/bold]" in listed.output and "\x1b" not in listed.output


def test_practice_text_echoes_hostile_lines_as_text(tmp_path):
    script = tmp_path / "lines.txt"
    script.write_text(f"Hi Mary {HOSTILE}\nI will reverse the charge [/] today\n")
    result = invoke(
        "practice", "--scenario", "double_billing", "--text", "--no-speak", "--script", str(script)
    )
    assert result.exit_code == 0, result.output
    assert_printed_as_text(result.output)


def test_practice_text_typed_lines_with_brackets_and_escapes_end_normally():
    typed = f"Hi Mary [/] ok {ESCAPES}\nI understand [/bold] how frustrating\n/quit\n"
    result = invoke("practice", "--scenario", "double_billing", "--text", "--no-speak", input=typed)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x00" not in result.output


def test_score_prints_hostile_quotes_and_file_names_as_text(tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "scoring" / "lab_delay_asr.json"
    data = json.loads(fixture.read_text())
    trainee = next(t for t in data["turns"] if t["speaker"] == "trainee")
    trainee["text"] = f"Thank you for calling. {HOSTILE}"
    path = tmp_path / "[bold]call[red].json"
    path.write_text(json.dumps(data))
    result = invoke("score", str(path))
    assert result.exit_code == 0
    assert "[bold]call[red].json" in result.output
    for byte in "\x1b\x00\x07\x9b":
        assert byte not in result.output
