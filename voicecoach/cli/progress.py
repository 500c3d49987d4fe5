"""`voicecoach progress`: scores over time, step hit rates and voice, per trainee or cohort."""

from __future__ import annotations

import click

from voicecoach.cli.common import console, echo_json
from voicecoach.cli.sessions import data_dir_option, synced_store


@click.command(name="progress")
@click.option("--trainee", metavar="NAME", help="One trainee's progress (default: everyone).")
@click.option(
    "--last",
    type=click.IntRange(1, 1000),
    default=None,
    help="Hit rates over each trainee's last N calls of a protocol (default: 10).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the progress as one JSON object.")
@data_dir_option
def command(trainee: str | None, last: int | None, as_json: bool, data_dir) -> None:
    """How trainees are doing: without --trainee, every trainee x every protocol step,
    weakest step first; with it, their scores by date against the pass mark, each step's
    hit rate over their last calls, and their voice against their calm band."""
    from voicecoach.results.progress import cohort_progress, trainee_progress
    from voicecoach.results.terminal import cohort_view, trainee_view

    with synced_store(data_dir) as store:
        if trainee:
            progress = trainee_progress(store, trainee, last=last)
        else:
            progress = cohort_progress(store, last=last)
    if as_json:
        echo_json(progress)
    elif trainee:
        console.print(trainee_view(progress))
    else:
        console.print(cohort_view(progress))
