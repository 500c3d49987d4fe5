"""`voicecoach sessions` (being built)."""

import click


@click.command(name="sessions")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach sessions' is not built yet")
