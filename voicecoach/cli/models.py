"""`voicecoach models` (being built)."""

import click


@click.command(name="models")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach models' is not built yet")
