"""`voicecoach scenarios` (being built)."""

import click


@click.command(name="scenarios")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach scenarios' is not built yet")
