"""`voicecoach export xapi`: practice results as xAPI statements sent to a Learning Record Store."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from voicecoach.cli.common import console, echo_json, task_progress
from voicecoach.cli.sessions import data_dir_option, synced_store
from voicecoach.errors import VoiceCoachError
from voicecoach.lms.xapi import DEFAULT_HOME_PAGE
from voicecoach.textsafe import markup as safe

if TYPE_CHECKING:
    from voicecoach.lms.export import ExportPlan

PASSWORD_ENV = "VOICECOACH_LRS_PASSWORD"


@click.group(name="export")
def command() -> None:
    """Send practice results elsewhere (a learning-management system's LRS)."""


@command.command(name="xapi")
@click.argument("session_ids", nargs=-1, metavar="[SESSION_ID]...")
@click.option(
    "--lrs",
    "lrs_url",
    metavar="URL",
    envvar="VOICECOACH_LRS_URL",
    help="The Learning Record Store (statements go to URL/xAPI/statements); "
    "env VOICECOACH_LRS_URL.",
)
@click.option(
    "--lrs-user",
    metavar="NAME",
    envvar="VOICECOACH_LRS_USER",
    help=f"Basic-auth user at the LRS (env VOICECOACH_LRS_USER); password from {PASSWORD_ENV}.",
)
@click.option(
    "--home-page",
    metavar="URL",
    envvar="VOICECOACH_XAPI_HOME_PAGE",
    default=DEFAULT_HOME_PAGE,
    show_default=True,
    help="The system trainee names belong to (the xAPI account homePage); "
    "env VOICECOACH_XAPI_HOME_PAGE.",
)
@click.option("--all", "send_all", is_flag=True, help="Every session, also those already sent.")
@click.option(
    "--since", metavar="DATE", help="Sessions started on or after DATE, also those already sent."
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per statement or result.")
@data_dir_option
def xapi_command(
    session_ids, lrs_url, lrs_user, home_page, send_all, since, dry_run, as_json, data_dir
) -> None:
    """Send sessions to an LRS as xAPI statements: "attempted" when a call started,
    "completed" with score, pass/fail, duration and every step's result.

    Without SESSION_ID, --all or --since: only sessions not yet sent to this LRS (or
    whose score an instructor has since adjusted: the result sent before is voided).
    Sending again never stores twice.
    """
    from voicecoach.lms.export import SentRecord, plan_export, send_plan
    from voicecoach.lms.lrs import LrsClient
    from voicecoach.session.store import SessionFilter

    if sum(bool(x) for x in (session_ids, send_all, since)) > 1:
        raise click.UsageError("give SESSION_IDs, --all or --since, not several")
    if not lrs_url and not dry_run:
        raise VoiceCoachError("no LRS given: use --lrs URL (or VOICECOACH_LRS_URL), or --dry-run")
    password = os.environ.get(PASSWORD_ENV)
    if lrs_user and password is None and not dry_run:
        raise VoiceCoachError(f"--lrs-user {lrs_user!r} needs its password in {PASSWORD_ENV}")
    with synced_store(data_dir) as store:
        if session_ids:
            sessions = [store.get_session(i) for i in dict.fromkeys(session_ids)]
        else:
            sessions = store.list_sessions(SessionFilter(since=since), descending=False)
        forced = bool(session_ids or send_all or since)
        record = SentRecord(store.data_dir, lrs_url) if lrs_url else None
        plan = plan_export(store, sessions, record, resend=forced, home_page=home_page)
        if dry_run or record is None:
            _show_dry_run(plan, as_json)
            return
        with LrsClient(lrs_url, user=lrs_user, password=password) as client, task_progress() as bar:
            task = bar.add_task("Sending to the LRS", total=len(plan.statements))
            sent = send_plan(plan, client, record, on_batch=lambda n: bar.advance(task, n))
    if as_json:
        echo_json(
            {
                "lrs": client.url,
                "sessions_sent": sent,
                "statements_sent": plan.count,
                "already_sent": plan.already_sent,
            }
        )
        return
    console.print(_summary(plan, f"Sent to {safe(client.url)}:"), highlight=False, soft_wrap=True)


def _show_dry_run(plan: ExportPlan, as_json: bool) -> None:
    if not as_json:
        console.print(_summary(plan, "Would send:"), highlight=False, soft_wrap=True)
        return
    for statements in plan.statements.values():
        for statement in statements:
            echo_json(statement)


def _summary(plan: ExportPlan, lead: str) -> str:
    """'Sent to URL: 2 statement(s) for 1 session(s); 3 session(s) were already sent'."""
    line = f"{lead} {plan.count} statement(s) for {len(plan.statements)} session(s)"
    return line + (
        f"; {plan.already_sent} session(s) were already sent" if plan.already_sent else ""
    )
