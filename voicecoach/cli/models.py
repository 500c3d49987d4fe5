"""`voicecoach models list|download|path`: the speech models VoiceCoach can use."""

from __future__ import annotations

import click

from voicecoach.cli.common import console, download_progress, echo_json, err_console


@click.group(name="models")
def command() -> None:
    """List, download and locate speech-recognition models.

    pocketsphinx's English model is built in; a vosk model is an optional,
    more accurate upgrade (`voicecoach models download`).
    """


@command.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per model per line.")
def list_models(as_json: bool) -> None:
    """Show the built-in, downloadable and installed models."""
    from voicecoach.asr.models import REGISTRY, installed_models
    from voicecoach.paths import models_dir

    installed = {m.name: m for m in installed_models()}
    rows = [
        {
            "name": "pocketsphinx-en-us",
            "engine": "pocketsphinx",
            "language": "en",
            "status": "built in",
            "path": None,
        }
    ]
    for spec in REGISTRY.values():
        found = installed.pop(spec.name, None)
        downloadable = f"downloadable ({spec.size_bytes / 1e6:.0f} MB)"
        rows.append(
            {
                "name": spec.name,
                "engine": "vosk",
                "language": spec.language,
                "status": "installed" if found else downloadable,
                "path": str(found.path) if found else None,
            }
        )
    for model in installed.values():
        rows.append(
            {
                "name": model.name,
                "engine": "vosk",
                "language": model.language or "unknown",
                "status": "installed",
                "path": str(model.path),
            }
        )
    if as_json:
        for row in rows:
            echo_json(row)
        return
    from rich.table import Table

    table = Table(title=f"Speech models (folder: {models_dir()})", title_justify="left")
    for column in ("name", "engine", "language", "status", "path"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(row[c] or "" for c in ("name", "engine", "language", "status", "path")))
    console.print(table)


@command.command(name="download")
@click.argument("name", required=False)
@click.option("--url", help="Download from this URL instead of the official one (a mirror).")
@click.option("--sha256", help="Expected SHA-256 of the file at --url (default: the pinned one).")
@click.option("--force", is_flag=True, help="Download again even if the model is installed.")
def download(name: str | None, url: str | None, sha256: str | None, force: bool) -> None:
    """Download, verify and install model NAME (default: the small English vosk model)."""
    from voicecoach.asr.models import DEFAULT_MODEL, download_model, get_spec
    from voicecoach.paths import models_dir

    spec = get_spec(name or DEFAULT_MODEL)
    target = models_dir() / spec.name
    if target.exists() and not force:
        err_console.print(f"{spec.name} is already installed (use --force to download again)")
        click.echo(str(target))
        return
    with download_progress() as progress:
        tasks = []  # the bar appears with the first bytes, so early failures print one line

        def update(done: int, total: int | None) -> None:
            if not tasks:
                tasks.append(progress.add_task(spec.name, total=total))
            progress.update(tasks[0], completed=done, total=total)

        path = download_model(spec, url=url, sha256=sha256, force=force, progress=update)
    err_console.print(f"installed {spec.name} (SHA-256 verified)")
    click.echo(str(path))


@command.command(name="path")
@click.argument("name", required=False)
def path(name: str | None) -> None:
    """Print the models folder, or where installed model NAME is."""
    from voicecoach.asr.models import check_model_dir
    from voicecoach.errors import ModelError
    from voicecoach.paths import models_dir

    if name is None:
        click.echo(str(models_dir()))
        return
    target = models_dir() / name
    if not target.exists():
        raise ModelError(
            f"model {name!r} is not installed in {models_dir()}; see `voicecoach models list`"
        )
    click.echo(str(check_model_dir(target)))
