"""`voicecoach sessions list|show`: the recorded practice calls and how each went."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from voicecoach.cli.common import (
    console,
    database_option,
    echo_json,
    err_console,
    print_records,
)
from voicecoach.session.review import format_duration
from voicecoach.textsafe import markup as safe
from voicecoach.textsafe import visible

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from voicecoach.session.store import SessionInfo, SessionStore

F = TypeVar("F", bound=Callable[..., Any])

TABLE_MIN_WIDTH = 96  # narrower terminals list each session on lines of its own

DATA_DIR_HELP = "Folder holding sessions and their index (default: the user data folder)."


def data_dir_option(func: F) -> F:
    """The shared `--data-dir` (and `--database`) options of the session commands."""
    func = database_option(func)
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        envvar="VOICECOACH_DATA_DIR",
        help=DATA_DIR_HELP,
    )(func)


def synced_store(data_dir: Path | None) -> SessionStore:
    """The store, with session folders recorded outside it indexed first.

    Says so on stderr when a damaged index had to be rebuilt.
    """
    from voicecoach.session.store import open_store

    store = open_store(data_dir)
    if store.recovered:
        err_console.print(f"[yellow]note:[/] {safe(store.recovered)}", highlight=False)
    store.sync()
    return store


def outcome_cell(info) -> str:
    """A session's outcome as the list shows it, with what of the recording is missing."""
    if info.outcome:
        cell = safe(info.outcome)
    else:
        cell = "[yellow]incomplete[/]" if not info.complete else "-"
    if info.missing:
        cell += f" [red]({info.missing})[/]"
    return cell


@click.group(name="sessions")
def command() -> None:
    """List recorded practice calls, show one in detail, repair the index."""


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
    from voicecoach.session.store import SessionFilter

    with synced_store(data_dir) as store:
        sessions = store.list_sessions(
            SessionFilter(trainee=trainee, scenario=scenario, since=since), order=order
        )
    print_records(
        sessions,
        as_json=as_json,
        empty="No sessions yet. Take a call with `voicecoach practice` or `voicecoach demo`.",
        table=sessions_table,
    )


def session_cells(info: SessionInfo) -> dict[str, str | Text]:
    """One listed session's cells, by column name."""
    from rich.text import Text

    from voicecoach.session.review import scenario_title, session_is_typed

    score = "-" if info.effective_score is None else f"{info.effective_score:g}"
    if info.adjusted_score is not None:
        score += "*"
    typed = " (typed)" if session_is_typed(info) else ""
    return {
        "id": info.id,
        "trainee": Text(visible(info.trainee)),
        "scenario": Text(visible(scenario_title(info.scenario_id)) + typed),
        "length": format_duration(info.duration_s),
        "outcome": outcome_cell(info),
        "score": score,
        "verdict": safe(info.effective_verdict or "-"),
    }


def sessions_table(sessions: Sequence[SessionInfo]) -> RenderableType:
    """The sessions as a table, or as two-line entries on a terminal too narrow for one."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    rows = [session_cells(info) for info in sessions]
    notes = ["ids begin with the UTC date and time the call started"]
    if any(info.adjusted_score is not None for info in sessions):
        notes.append("* score changed by an instructor's override")
    title = f"{len(sessions)} session(s)"
    if console.width < TABLE_MIN_WIDTH:
        entries: list[RenderableType] = [Text(title, style="bold")]
        for row in rows:
            entries += [Text(), Text.assemble(row["id"], "  ", row["trainee"])]
            details = Text.from_markup(
                f"  {row['length']} · {row['outcome']} · score {row['score']} · {row['verdict']}"
            )
            entries += [Text.assemble("  ", row["scenario"]), details]
        return Group(*entries, Text(), *(Text(note, style="dim") for note in notes))
    table = Table(
        title=title,
        caption=notes[0],
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
    for row in rows:
        table.add_row(*row.values())
    return Group(table, *notes[1:])


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


@command.command(name="repair")
@data_dir_option
def repair_command(data_dir) -> None:
    """Rebuild the session index from the session folders (after damage or deletion).

    The old index is kept beside it as sessions.db.before-repair-<time> (on
    PostgreSQL as tables *_before_repair_<time>); accounts and the audit log are kept. Comments,
    overrides and adjusted scores come back from each folder's annotations.jsonl.
    """
    from voicecoach.session.store import open_store

    with open_store(data_dir) as store:
        if store.recovered:
            err_console.print(f"[yellow]note:[/] {safe(store.recovered)}", highlight=False)
        result = store.repair()
        missing = sum(1 for info in store.list_sessions() if info.missing)
    console.print(
        f"Rebuilt the index of {result.sessions} session(s) with {result.comments} comment(s) "
        f"and {result.overrides} override(s) from {safe(store.sessions_dir)}",
        highlight=False,
    )
    if result.old_index:
        console.print(f"The old index is kept as {safe(result.old_index)}", highlight=False)
    if missing:
        console.print(f"[yellow]{missing} session(s) have no audio left[/]", highlight=False)


def print_session(view: dict) -> None:
    """The readable summary of a session view (also used by `voicecoach replay`)."""
    from voicecoach.results.terminal import session_report

    console.print(session_report(view))
