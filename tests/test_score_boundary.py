"""`voicecoach score` on hostile transcript files: one line per bad file, the rest scored."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

VOICECOACH = str(Path(sys.executable).with_name("voicecoach"))
FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
GOOD = FIXTURES / "lab_delay_asr.json"


def run_score(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([VOICECOACH, "score", *args], capture_output=True, text=True, timeout=120)


def with_start(value: str) -> str:
    """The good transcript's text with its first turn's start replaced by `value`."""
    data = json.loads(GOOD.read_text())
    data["turns"][0]["start"] = "@START@"
    return json.dumps(data).replace('"@START@"', value)


@pytest.mark.parametrize("as_json", [False, True], ids=["report", "json"])
def test_non_finite_and_deep_files_each_give_one_line_and_the_others_are_scored(tmp_path, as_json):
    bad = {
        "nan.json": with_start("NaN"),
        "inf.json": with_start("-Infinity"),
        "huge.json": with_start("1e400"),
        "deep.json": "[" * 100_000 + "]" * 100_000,
    }
    paths = []
    for name, text in bad.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    done = run_score(*(["--json"] if as_json else []), *paths[:2], str(GOOD), *paths[2:])
    assert done.returncode == 2, done.stderr
    errors = done.stderr.strip().splitlines()
    assert len(errors) == len(bad) and "Traceback" not in done.stderr
    for name, line in zip(bad, errors, strict=True):
        assert name in line and "not valid JSON" in line
    assert "nested too deeply" in errors[-1]
    if as_json:
        (line,) = done.stdout.strip().splitlines()
        score = json.loads(line, parse_constant=lambda c: pytest.fail(f"{c} in the output"))
        assert score["verdict"] == "excellent"
    else:
        assert "excellent" in done.stdout.lower()
