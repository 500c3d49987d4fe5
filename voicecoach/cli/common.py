"""Helpers shared by the commands: JSON lines, consoles, progress bars, `--database`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import click
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from voicecoach import jsonsafe, textsafe

DATABASE_URL_ENV = "VOICECOACH_DATABASE_URL"
DATABASE_HELP = (
    "Index sessions, accounts and the audit log in this database, e.g. "
    "postgresql://USER:PASSWORD@HOST/NAME (default: SQLite in the data folder)."
)
PIPED_WIDTH = 120  # columns when output goes to a pipe or file: tables stay on one line


def _width(stream) -> int | None:
    """The terminal's own width, or PIPED_WIDTH when not a terminal (unless COLUMNS says)."""
    if os.environ.get("COLUMNS") or stream.isatty():
        return None
    return PIPED_WIDTH


console = Console(width=_width(sys.stdout))
err_console = Console(stderr=True, width=_width(sys.stderr))


def echo_json(obj: Any) -> None:
    """Print one JSON object on its own line (the `--json` output format)."""
    sys.stdout.write(jsonsafe.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class JsonRecord(Protocol):
    def to_json(self) -> dict[str, Any]: ...


Record = TypeVar("Record", bound=JsonRecord)


def print_records(
    records: Sequence[Record],
    *,
    as_json: bool,
    empty: str,
    table: Callable[[Sequence[Record]], RenderableType],
) -> None:
    """A listing: one JSON line per record, the EMPTY hint when there are none, else TABLE."""
    if as_json:
        for record in records:
            echo_json(record.to_json())
    elif not records:
        console.print(empty)
    else:
        console.print(table(records))


def report_error(message: str) -> None:
    """One error line on stderr, for per-file failures that do not stop the command."""
    err_console.print(
        f"[bold red]error:[/] {textsafe.markup(message)}", highlight=False, soft_wrap=True
    )


def task_progress(*, transient: bool = True) -> Progress:
    """A progress bar for counted work (files, lines), drawn on stderr when it is a terminal.

    When stderr is not a terminal (a pipe, a log file, a test) the bar is off and
    writes nothing at all, not even the blank line rich ends a live display with.
    """
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
        disable=not err_console.is_terminal,
    )


def download_progress() -> Progress:
    """A progress bar for byte transfers, drawn on stderr when it is a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
    )


def _use_database(ctx: click.Context, _param: click.Parameter, url: str | None) -> None:
    """Make `--database URL` the store's database while this command runs (and in what it
    starts), as VOICECOACH_DATABASE_URL, which `open_store` reads."""
    if not url:
        return
    before = os.environ.get(DATABASE_URL_ENV)
    os.environ[DATABASE_URL_ENV] = url

    def restore() -> None:
        if before is None:
            os.environ.pop(DATABASE_URL_ENV, None)
        else:
            os.environ[DATABASE_URL_ENV] = before

    ctx.call_on_close(restore)


def database_option(func):
    """The shared `--database URL` option (also VOICECOACH_DATABASE_URL) of every command
    that opens the session store."""
    return click.option(
        "--database",
        metavar="URL",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_use_database,
        help=DATABASE_HELP,
    )(func)
