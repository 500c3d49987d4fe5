"""`voicecoach speak` (being built)."""

import click


@click.command(name="speak")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach speak' is not built yet")
