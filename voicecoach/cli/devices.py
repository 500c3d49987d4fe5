"""`voicecoach devices` (being built)."""

import click


@click.command(name="devices")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach devices' is not built yet")
