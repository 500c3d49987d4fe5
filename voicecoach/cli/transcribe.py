"""`voicecoach transcribe` (being built)."""

import click


@click.command(name="transcribe")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach transcribe' is not built yet")
