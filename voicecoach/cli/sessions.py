"""`voicecoach sessions list|show`: the recorded practice calls and how each went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from voicecoach.cli.common import console, echo_json
from voicecoach.session.review import format_duration

if TYPE_CHECKING:
    from voicecoach.session.store import SessionStore

F = TypeVar("F", bound=Callable[..., Any])

DATA_DIR_HELP = "Folder holding sessions and their index (default: the user data folder)."


def data_dir_option(func: F) -> F:
    """The shared `--data-dir` option of the session commands."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        envvar="VOICECOACH_DATA_DIR",
        help=DATA_DIR_HELP,
    )(func)


def synced_store(data_dir: Path | None) -> SessionStore:
    """The store, with session folders recorded outside it indexed first."""
    from voicecoach.session.store import open_store

    store = open_store(data_dir)
    store.sync()
    return store


@click.group(name="sessions")
def command() -> None:
    """List recorded practice calls and show one in detail."""


@command.command(name="list")
@click.option("--trainee", metavar="NAME", help="Only this trainee's sessions.")
@click.option("--scenario", metavar="ID", help="Only sessions of this scenario.")
@click.option(
    "--since", metavar="DATE", help="Only sessions started on or after DATE (YYYY-MM-DD)."
)
@click.option(
    "--order",
    type=click.Choice(["date", "score"]),
    default="date",
    show_default=True,
    help="Newest first, or best score first.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per session.")
@data_dir_option
def list_command(trainee, scenario, since, order, as_json, data_dir) -> None:
    """List sessions: trainee, scenario, start, duration, outcome, score, verdict."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from voicecoach.session.review import scenario_title, session_is_typed

    with synced_store(data_dir) as store:
        sessions = store.list_sessions(trainee=trainee, scenario=scenario, since=since, order=order)
    if as_json:
        for info in sessions:
            echo_json(info.to_json())
        return
    if not sessions:
        console.print(
            "No sessions yet. Take a call with `voicecoach practice` or `voicecoach demo`."
        )
        return
    table = Table(
        title=f"{len(sessions)} session(s)",
        caption="ids begin with the UTC date and time the call started",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column("id", no_wrap=True)
    table.add_column("trainee", overflow="fold")
    table.add_column("scenario", overflow="fold")
    table.add_column("length", justify="right", no_wrap=True)
    table.add_column("outcome", min_width=10, overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("verdict", overflow="fold")
    for info in sessions:
        score = "-" if info.effective_score is None else f"{info.effective_score:g}"
        if info.adjusted_score is not None:
            score += "*"
        table.add_row(
            info.id,
            Text(info.trainee),
            Text(scenario_title(info.scenario_id) + (" (typed)" if session_is_typed(info) else "")),
            format_duration(info.duration_s),
            info.outcome or ("[yellow]incomplete[/]" if not info.complete else "-"),
            score,
            info.effective_verdict or "-",
        )
    console.print(table)
    if any(info.adjusted_score is not None for info in sessions):
        console.print("* score changed by an instructor's override")


@command.command(name="show")
@click.argument("session_id")
@click.option("--json", "as_json", is_flag=True, help="The whole session as one JSON object.")
@data_dir_option
def show_command(session_id, as_json, data_dir) -> None:
    """Show one session: outcome, score with evidence, delivery, comments."""
    from voicecoach.session.review import session_view

    with synced_store(data_dir) as store:
        view = session_view(store, session_id, measure_tracks=False)
    if as_json:
        view.pop("tracks", None)
        echo_json(view)
        return
    print_session(view)


def print_session(view: dict) -> None:
    """The readable summary of a session view (also used by `voicecoach replay`)."""
    from voicecoach.results.terminal import session_report

    console.print(session_report(view))
