"""`voicecoach users add|list`: the accounts of a school's shared server."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from voicecoach.cli.common import console, print_records
from voicecoach.cli.sessions import data_dir_option
from voicecoach.errors import SessionError
from voicecoach.session.accounts import ROLES
from voicecoach.textsafe import markup as safe

if TYPE_CHECKING:
    from rich.table import Table

    from voicecoach.session.accounts import User


def local_actor() -> str:
    """Who is running this command, as the audit log names them."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or asked twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise SessionError("no password on stdin; pipe one line, e.g. `echo ... |`")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group(name="users")
def command() -> None:
    """Accounts: trainees, instructors and administrators (passwords hashed with argon2)."""


@command.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--cohort", metavar="NAME", default=None, help="The trainee's group or class.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin instead of asking.",
)
@data_dir_option
def add_command(name: str, role: str, cohort: str | None, password_stdin: bool, data_dir) -> None:
    """Create the account NAME (the password is asked twice, or read with --password-stdin)."""
    from voicecoach.session.store import open_store

    with open_store(data_dir) as store:
        user = store.add_user(
            name, role=role, password=read_password(password_stdin), cohort=cohort
        )
        store.record_audit(local_actor(), "user added", detail=f"{user.name} as {user.role}")
    cohort_text = f" in cohort {safe(user.cohort)}" if user.cohort else ""
    console.print(f"Added {safe(user.name)} as {user.role}{cohort_text}", highlight=False)


@command.command(name="list")
@click.option("--role", type=click.Choice(ROLES), default=None, help="Only this role.")
@click.option("--cohort", metavar="NAME", default=None, help="Only this cohort.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per account.")
@data_dir_option
def list_command(role: str | None, cohort: str | None, as_json: bool, data_dir) -> None:
    """The accounts, by name (never their passwords)."""
    from voicecoach.session.store import open_store

    with open_store(data_dir) as store:
        found = store.list_users(role=role, cohort=cohort)
    print_records(
        found,
        as_json=as_json,
        empty="No accounts yet: add one with `voicecoach users add NAME --role ...`",
        table=users_table,
    )


def users_table(found: Sequence[User]) -> Table:
    """Name, role, cohort and when each account was made."""
    from rich.table import Table

    table = Table("name", "role", "cohort", "created")
    for user in found:
        table.add_row(safe(user.name), user.role, safe(user.cohort or "-"), user.created_at)
    return table
