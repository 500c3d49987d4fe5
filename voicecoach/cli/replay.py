"""`voicecoach replay` (being built)."""

import click


@click.command(name="replay")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach replay' is not built yet")
