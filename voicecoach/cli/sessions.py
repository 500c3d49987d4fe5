"""`voicecoach sessions list|show`: the recorded practice calls and how each went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from voicecoach.cli.common import console, echo_json, err_console
from voicecoach.session.review import format_duration
from voicecoach.textsafe import markup as safe

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
    from rich import box
    from rich.table import Table

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
            safe(info.trainee),
            safe(info.scenario_id),
            format_duration(info.duration_s),
            outcome_cell(info),
            score,
            safe(info.effective_verdict or "-"),
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


@command.command(name="repair")
@data_dir_option
def repair_command(data_dir) -> None:
    """Rebuild the session index from the session folders (after damage or deletion).

    The old index is kept beside it as sessions.db.before-repair-<time>. Comments,
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
    from rich.panel import Panel

    info = view["session"]
    state = "complete" if info["complete"] else f"[yellow]incomplete[/]: {safe(info['reason'])}"
    lines = [
        f"[bold]{safe(info['trainee'])}[/] · scenario {safe(info['scenario_id'])}"
        f" · protocol {safe(info['protocol'])}",
        f"started {safe(info['started_at'])} · {format_duration(info['duration_s'])} · {state}",
        f"outcome: {safe(info['outcome'] or '-')}",
    ]
    score, original = view["score"], view["original_score"]
    if score:
        line = f"score: [bold]{safe(score.get('score'))}[/] ({safe(score.get('verdict'))})"
        if view["overrides"] and original:
            line += (
                f"  [dim]coach's original: {safe(original.get('score'))} "
                f"({safe(original.get('verdict'))})[/]"
            )
        lines.append(line)
    if info.get("missing"):
        lines.append(f"[bold red]recording: {safe(info['missing'])}[/] (the files are gone)")
    console.print(Panel("\n".join(lines), title=f"session {safe(info['id'])}", expand=False))
    if score:
        print_score(score, view["overrides"])
    print_delivery(view["delivery"])
    if view["comments"]:
        console.print("[bold]Instructor comments[/]")
        for comment in view["comments"]:
            span = format_duration(comment["t_s"])
            if comment["end_s"] is not None:
                span += f"-{format_duration(comment['end_s'])}"
            console.print(
                f"  {span}  {safe(comment['text'])}  [dim]— {safe(comment['author'])}[/]",
                highlight=False,
            )


def print_score(score: dict, overrides: list[dict]) -> None:
    """Steps met / missed and faults, each with its evidence quote and time."""
    by_item = {o["item_id"]: o for o in overrides}
    for section, key, good in (
        ("steps", "met", True),
        ("checks", "met", True),
        ("faults", "present", False),
    ):
        items = score.get(section) or {}
        if not items:
            continue
        console.print(f"[bold]{section.capitalize()}[/]")
        for item_id, item in items.items():
            hit = bool(item.get(key))
            ok = hit == good
            mark = "[green]✓[/]" if ok else "[red]✗[/]"
            label = key if hit else f"not {key}"
            text = f"  {mark} {safe(item_id)}: {label}"
            for evidence in item.get("evidence") or []:
                at = evidence.get("start")
                when = f" at {format_duration(at)}" if at is not None else ""
                text += f'  [dim]"{safe(evidence.get("quote", ""))}"{when}[/]'
            if item_id in by_item:
                o = by_item[item_id]
                text += f"  [magenta](override by {safe(o['author'])}: {safe(o['reason'])})[/]"
            elif not ok and item.get("tip"):
                text += f"  [italic]tip: {safe(item['tip'])}[/]"
            console.print(text, highlight=False)


def print_delivery(delivery: dict | None) -> None:
    """The calm verdict, what was off (with when), and the tips."""
    if not delivery:
        return
    calm = delivery.get("calm")
    verdict = {True: "[green]calm[/]", False: "[yellow]not always calm[/]"}
    line = f"[bold]Delivery[/]: {verdict.get(calm, 'not enough speech to judge')}"
    if delivery.get("judged_turns"):
        line += f" ({delivery['calm_turns']} of {delivery['judged_turns']} turns calm)"
    console.print(line)
    for reason in delivery.get("reasons") or []:
        at = reason.get("start_s")
        when = f"at {format_duration(at)} " if at is not None else ""
        measure = f"{reason.get('feature')}: {reason.get('value')} {reason.get('unit', '')}"
        console.print(f"  {when}{safe(measure)}", highlight=False)
    for tip in delivery.get("tips") or []:
        console.print(f"  [italic]tip: {safe(tip)}[/]", highlight=False)
