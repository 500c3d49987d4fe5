"""`voicecoach report` (being built)."""

import click


@click.command(name="report")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach report' is not built yet")
