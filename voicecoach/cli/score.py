"""`voicecoach score FILE...`: score transcripts against their call-handling protocol."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from voicecoach import textsafe
from voicecoach.errors import VoiceCoachError


def score_files(paths: list[str], *, as_json: bool) -> int:
    """Score each file (a bad one is reported and skipped); return how many failed."""
    from voicecoach.cli.common import console, echo_json, report_error
    from voicecoach.scoring import load_transcript, score_transcript
    from voicecoach.scoring.report import render_score

    failed = 0
    for path in paths:
        try:
            result = score_transcript(load_transcript(path)).to_json()
        except VoiceCoachError as exc:
            failed += 1
            report_error(str(exc))
            continue
        if as_json:
            echo_json(result)
        else:
            title = textsafe.text(f"{Path(path).name} ({result['protocol']})")
            console.print(render_score(result, title=title))
    return failed


@click.command(name="score")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one score object (the contract's JSON shape) per file per line.",
)
def command(files: tuple[str, ...], as_json: bool) -> None:
    """Score transcript FILES against their protocol, with quoted evidence.

    Each FILE is a transcript JSON (protocol, caller_name, record_sensitive,
    turns). The report shows every step met or missing with its quote and
    time, faults with their quotes, the score (0-100), the verdict and one tip
    per missing step. A bad file is reported on one line naming the file and
    the JSON path; the others are still scored and the exit status is 2.
    """
    failed = score_files(list(files), as_json=as_json)
    if failed:
        sys.exit(2)
