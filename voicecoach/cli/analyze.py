"""`voicecoach analyze` (being built)."""

import click


@click.command(name="analyze")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach analyze' is not built yet")
