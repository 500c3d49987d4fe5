"""`voicecoach score`: readable report, JSON lines, and one clear line per bad file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from voicecoach.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
GOOD = FIXTURES / "lab_delay_asr.json"
POOR = FIXTURES / "parking_poor_typed.json"


def _write(tmp_path: Path, name: str, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_readable_report_shows_evidence_faults_score_and_tips():
    result = CliRunner().invoke(cli, ["score", str(POOR)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "why didn't you ask them again" in out  # fault quote
    assert "Which day was that" in out  # met step evidence
    assert "Tip:" in out and "Walter" in out  # concrete tip for a missing step
    assert "/100 not yet competent" in out
    assert "✗ Accusatory question" in " ".join(out.split())


def test_json_lines_one_object_per_file():
    result = CliRunner().invoke(cli, ["score", "--json", str(GOOD), str(POOR)])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    scores = [json.loads(line) for line in lines]
    assert [s["verdict"] for s in scores] == ["excellent", "not yet competent"]
    assert scores[0]["steps"]["thank_caller"]["evidence"][0]["start"] == 8.5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "$: not valid JSON"),
        ([1, 2], "$: expected a JSON object"),
        ({"protocol": "karaoke", "turns": []}, "$.protocol: unknown protocol 'karaoke'"),
        (
            {"protocol": "desc", "turns": [{"speaker": "caller", "text": "hi"}]},
            "$.turns: no trainee turns",
        ),
        (
            {
                "protocol": "desc",
                "turns": [
                    {"speaker": "trainee", "text": "hi"},
                    {"speaker": "trainee", "text": "  "},
                ],
            },
            "$.turns[1].text: the text is empty",
        ),
        ({"protocol": "desc", "turns": [{"speaker": "boss", "text": "hi"}]}, "$.turns[0].speaker"),
        (
            {
                "protocol": "desc",
                "record_sensitive": "yes",
                "turns": [{"speaker": "trainee", "text": "hi"}],
            },
            "$.record_sensitive",
        ),
    ],
)
def test_bad_input_names_file_and_json_path_and_others_still_scored(tmp_path, content, message):
    bad = _write(tmp_path, "bad.json", content)
    result = CliRunner().invoke(cli, ["score", "--json", bad, str(GOOD)])
    assert result.exit_code == 2
    assert f"{bad}: {message}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(result.stdout)["protocol"] == "upset_caller"


def test_extra_keys_are_allowed(tmp_path):
    path = _write(
        tmp_path,
        "extra.json",
        {
            "protocol": "upset_caller",
            "caller_name": "Ann Lee",
            "record_sensitive": False,
            "labels": {"steps_met": []},
            "note": "anything",
            "scenario": "x",
            "turns": [{"speaker": "trainee", "text": "thank you for calling ann", "extra": 1}],
        },
    )
    result = CliRunner().invoke(cli, ["score", "--json", path])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["steps"]["use_name"]["met"]


def test_installed_command_runs_as_a_subprocess():
    exe = shutil.which("voicecoach", path=str(Path(sys.executable).parent))
    done = subprocess.run(
        [exe, "score", "--json", str(GOOD)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 100
