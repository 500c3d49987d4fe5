"""Shared CLI output helpers."""

from __future__ import annotations

from voicecoach.cli.common import download_progress, task_progress


def test_progress_bars_write_nothing_when_stderr_is_not_a_terminal(capsys):
    for make in (task_progress, download_progress):
        with make() as progress:
            task = progress.add_task("files", total=2)
            progress.advance(task)
            progress.advance(task)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
