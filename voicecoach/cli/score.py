"""`voicecoach score` (being built)."""

import click


@click.command(name="score")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach score' is not built yet")
