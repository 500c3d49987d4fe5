"""`voicecoach calibrate` (being built)."""

import click


@click.command(name="calibrate")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach calibrate' is not built yet")
