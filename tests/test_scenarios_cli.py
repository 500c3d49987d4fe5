"""`voicecoach scenarios list|show|validate`, run in-process against scenario folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from voicecoach.cli import cli

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    """A scenarios folder with two good files, used through VOICECOACH_SCENARIOS_DIR."""
    for name in ("double_billing.yaml", "coworker_phones_unattended.yaml"):
        shutil.copy(SCENARIOS / name, tmp_path)
    monkeypatch.setenv("VOICECOACH_SCENARIOS_DIR", str(tmp_path))
    return tmp_path


def test_list_json_gives_one_object_per_scenario_with_caller_and_protocol(folder):
    result = CliRunner().invoke(cli, ["scenarios", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["protocol"], r["caller_name"]) for r in rows] == [
        ("coworker_phones_unattended", "desc", "Jake Sullivan"),
        ("double_billing", "upset_caller", "Mary Lopez"),
    ]


def test_list_table_names_every_scenario(folder):
    result = CliRunner().invoke(cli, ["scenarios", "list"])
    assert result.exit_code == 0
    assert "double_billing" in result.output and "coworker_phones_unattended" in result.output
    assert "2 scenarios" in result.output and "desc" in result.output


def test_show_json_includes_caller_name_protocol_and_facts(folder):
    result = CliRunner().invoke(cli, ["scenarios", "show", "double_billing", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["caller_name"] == "Mary Lopez"
    assert shown["protocol"] == "upset_caller"
    assert shown["facts"]["date_of_birth"] == "March 14, 1958"
    assert shown["caller"]["voice"]["rate_wpm"] == 170


def test_show_readable_has_situation_and_model_call(folder):
    result = CliRunner().invoke(cli, ["scenarios", "show", "double_billing"])
    assert result.exit_code == 0
    assert "Situation" in result.output and "A model call" in result.output


def test_show_unknown_id_is_one_error_line_listing_valid_ids(folder):
    result = CliRunner().invoke(cli, ["scenarios", "show", "nope"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "double_billing" in result.output and "coworker_phones_unattended" in result.output


def test_validate_ok_then_each_error_as_file_line_column_field(folder):
    result = CliRunner().invoke(cli, ["scenarios", "validate"])
    assert result.exit_code == 0, result.output
    assert "2 scenario(s) valid" in result.output

    bad = folder / "bad.yaml"
    text = (SCENARIOS / "double_billing.yaml").read_text().replace("id: double_billing", "id: bad")
    bad.write_text(
        text.replace("volume: 0.85", "volume: 3").replace("rate_wpm: 170", "rate_wpm: x")
    )
    result = CliRunner().invoke(cli, ["scenarios", "validate", str(bad), str(folder / "nope.yaml")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    voice_line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "volume: 3" in t)
    assert any(
        line.startswith(f"{bad}:{voice_line}:") and "caller.voice.volume:" in line for line in lines
    )
    assert any("caller.voice.rate_wpm: expected integer" in line for line in lines)
    assert any(line.startswith(f"{folder / 'nope.yaml'}:1:1:") for line in lines)
