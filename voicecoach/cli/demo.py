"""`voicecoach demo` (being built)."""

import click


@click.command(name="demo")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'voicecoach demo' is not built yet")
