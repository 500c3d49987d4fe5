"""The command line documents itself and matches the README."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from voicecoach.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _all_commands(cli)], ids=" ".join)
def test_every_command_has_help_with_every_option_explained(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = cli
    for name in path:
        command = command.commands[name]
    assert command.help and "not built yet" not in command.help.lower()
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"voicecoach {' '.join(path)}: option {param.opts} has no help"


def test_readme_quick_start_has_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^ *\$ (.+)$", readme, flags=re.M)
    assert any("voicecoach demo" in c for c in commands)
    test_commands = [c for c in commands if "pytest" in c]
    assert len(test_commands) == 1
    assert "README.md" in (ROOT / ".ci" / "run").read_text()


def test_console_script_starts_and_prints_version():
    result = subprocess.run(
        [sys.executable, "-m", "voicecoach", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "voicecoach" in result.stdout


def test_unknown_command_is_one_clear_line_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "voicecoach", "no-such-command"], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "No such command" in result.stderr
