"""`voicecoach practice` (being built)."""

import click


@click.command(name="practice")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach practice' is not built yet")
