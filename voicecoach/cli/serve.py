"""`voicecoach serve` (being built)."""

import click


@click.command(name="serve")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach serve' is not built yet")
