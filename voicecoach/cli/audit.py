"""`voicecoach audit`: who did what to which session, newest first."""

from __future__ import annotations

import click

from voicecoach.cli.common import console, echo_json
from voicecoach.cli.sessions import data_dir_option
from voicecoach.textsafe import markup as safe


@click.command(name="audit")
@click.option("--session", "session_id", metavar="ID", default=None, help="Only this session.")
@click.option("--actor", metavar="NAME", default=None, help="Only what this account did.")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many lines.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line of the log.")
@data_dir_option
def command(
    session_id: str | None, actor: str | None, limit: int | None, as_json: bool, data_dir
) -> None:
    """List the audit log (playbacks, downloads, account changes), newest first."""
    from rich.table import Table

    from voicecoach.session.store import open_store

    with open_store(data_dir) as store:
        entries = store.list_audit(session_id=session_id, actor=actor, limit=limit)
    if as_json:
        for entry in entries:
            echo_json(entry.to_json())
        return
    if not entries:
        console.print("The audit log is empty.")
        return
    table = Table("when", "who", "what", "session", "detail")
    for entry in entries:
        table.add_row(
            entry.at,
            safe(entry.actor),
            safe(entry.action),
            safe(entry.session_id or "-"),
            safe(entry.detail or ""),
        )
    console.print(table)
