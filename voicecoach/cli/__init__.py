"""The `voicecoach` command line: one module per command, registered here.

Command modules keep heavy imports (engines, librosa) inside their functions
so `voicecoach --help` and light commands start fast.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from voicecoach import __version__
from voicecoach.cli import (
    analyze,
    audit,
    calibrate,
    demo,
    devices,
    export,
    models,
    practice,
    progress,
    replay,
    report,
    scenarios,
    score,
    serve,
    sessions,
    speak,
    sync,
    transcribe,
    users,
    workstations,
)
from voicecoach.errors import VoiceCoachError

COMMAND_MODULES = (
    demo,
    practice,
    transcribe,
    speak,
    devices,
    models,
    score,
    analyze,
    calibrate,
    scenarios,
    sessions,
    progress,
    serve,
    report,
    replay,
    users,
    audit,
    export,
    workstations,
    sync,
)


class UserError(click.ClickException):
    """A VoiceCoachError shown as one line with its exit status."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


class VoiceCoachGroup(click.Group):
    """Turns VoiceCoachError (and, unless VOICECOACH_DEBUG is set, any crash) into one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VoiceCoachError as exc:
            raise UserError(str(exc), exc.exit_code) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the one place crashes become messages
            if os.environ.get("VOICECOACH_DEBUG"):
                raise
            raise UserError(
                f"internal error: {type(exc).__name__}: {exc} "
                "(set VOICECOACH_DEBUG=1 to see the details)",
                1,
            ) from None


@click.group(cls=VoiceCoachGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="voicecoach")
def cli() -> None:
    """VoiceCoach: rehearse difficult front-desk phone calls aloud, offline.

    Start with `voicecoach demo` to watch a whole call, or
    `voicecoach practice --scenario ID --trainee NAME` to take one.
    """


for _module in COMMAND_MODULES:
    cli.add_command(_module.command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="voicecoach")


if __name__ == "__main__":
    sys.exit(main())
