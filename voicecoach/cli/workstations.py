"""`voicecoach workstations add|list|revoke`: which workstations may upload sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from voicecoach.cli.common import console, echo_json, print_records
from voicecoach.cli.sessions import data_dir_option
from voicecoach.cli.users import local_actor
from voicecoach.textsafe import markup as safe

if TYPE_CHECKING:
    from rich.table import Table

    from voicecoach.session.workstations import Workstation


@click.group(name="workstations")
def command() -> None:
    """Workstations that upload sessions to this server, each with its own token."""


@command.command(name="add")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print {name, token} as one JSON object.")
@data_dir_option
def add_command(name: str, as_json: bool, data_dir) -> None:
    """Register workstation NAME and print its token (shown this once, kept only hashed)."""
    from voicecoach.session.store import open_store
    from voicecoach.session.workstations import Workstations

    with open_store(data_dir) as store:
        workstation, token = Workstations(store).add(name)
        store.record_audit(local_actor(), "workstation added", detail=workstation.name)
    if as_json:
        echo_json({"name": workstation.name, "token": token})
        return
    console.print(
        f"Added workstation {safe(workstation.name)}. Its token (shown only now):",
        highlight=False,
    )
    console.print(token, highlight=False, soft_wrap=True)
    console.print(
        "On the workstation: `voicecoach sync --server URL --token-stdin` and paste it.",
        highlight=False,
    )


@command.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per workstation.")
@data_dir_option
def list_command(as_json: bool, data_dir) -> None:
    """The workstations, active and revoked (never their tokens)."""
    from voicecoach.session.store import open_store
    from voicecoach.session.workstations import Workstations

    with open_store(data_dir) as store:
        found = Workstations(store).list()
    print_records(
        found,
        as_json=as_json,
        empty="No workstations yet: add one with `voicecoach workstations add NAME`.",
        table=workstations_table,
    )


def workstations_table(found: Sequence[Workstation]) -> Table:
    """Name, when added and last seen, active or revoked."""
    from rich.table import Table

    table = Table("name", "added", "last seen", "state")
    for workstation in found:
        state = "active" if workstation.active else f"revoked {workstation.revoked_at}"
        table.add_row(
            safe(workstation.name), workstation.created_at, workstation.last_seen_at or "-", state
        )
    return table


@command.command(name="revoke")
@click.argument("name")
@data_dir_option
def revoke_command(name: str, data_dir) -> None:
    """Stop NAME's token from working at once (its uploaded sessions stay)."""
    from voicecoach.session.store import open_store
    from voicecoach.session.workstations import Workstations

    with open_store(data_dir) as store:
        workstation = Workstations(store).revoke(name)
        store.record_audit(local_actor(), "workstation revoked", detail=workstation.name)
    console.print(f"Revoked workstation {safe(workstation.name)}", highlight=False)
