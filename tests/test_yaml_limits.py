"""Scenario and rubric YAML: aliases refused (no "billion laughs"), size and depth bounded."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voicecoach.errors import ScenarioError
from voicecoach.paths import PROJECT_DIR
from voicecoach.scoring.protocols import parse_rubric

VOICECOACH = str(Path(sys.executable).with_name("voicecoach"))


def alias_bomb(levels: int = 9) -> str:
    """Nine levels of nine aliases: 9**9 (387 million) strings once expanded."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join(f"*a{level - 1}" for _ in range(9))
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def validate(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [VOICECOACH, "scenarios", "validate", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_alias_bomb_is_refused_at_once_naming_file_and_line(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb())
    started = time.monotonic()
    done = validate(bomb)
    assert time.monotonic() - started < 30
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = done.stdout.strip().splitlines()
    assert line.startswith(f"{bomb}:2:") and "aliases (*a0) are not allowed" in line


def test_a_folder_with_a_bomb_still_validates_the_other_scenarios(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(PROJECT_DIR / "scenarios" / "double_billing.yaml", folder)
    (folder / "zz_bomb.yaml").write_text(alias_bomb())
    done = validate(folder)
    assert done.returncode == 1
    assert "zz_bomb.yaml:2:" in done.stdout and "1 scenario(s) valid" in done.stderr


def test_a_harmless_alias_is_refused_too_and_anchors_alone_are_fine(tmp_path):
    text = (PROJECT_DIR / "scenarios" / "double_billing.yaml").read_text()
    anchored = tmp_path / "anchored.yaml"
    anchored.write_text(text.replace("id: double_billing", "id: &me double_billing", 1))
    assert validate(anchored).returncode == 0
    aliased = tmp_path / "aliased.yaml"
    aliased.write_text(
        text.replace("id: double_billing", "id: &me double_billing", 1) + "x_note: *me\n"
    )
    done = validate(aliased)
    assert done.returncode == 1 and "aliases (*me) are not allowed" in done.stdout


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[" * 50_000, "nested too deeply"),
        ("x: " + "a" * 1_100_000, "larger than"),
    ],
    ids=["deep", "huge"],
)
def test_deep_or_huge_scenario_files_give_one_problem(tmp_path, text, problem):
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    done = validate(path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = done.stdout.strip().splitlines()
    assert problem in line


def test_a_rubric_with_aliases_is_refused_naming_its_line():
    text = (PROJECT_DIR / "scenarios" / "protocols" / "upset_caller.yaml").read_text()
    with pytest.raises(ScenarioError, match=r"rubric.yaml:\d+: not valid YAML.*aliases"):
        parse_rubric("x_anchor: &lol [1, 2]\nx_use: [*lol, *lol]\n" + text, "rubric.yaml")
