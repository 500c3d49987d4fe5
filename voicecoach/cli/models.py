"""`voicecoach models list|download|path`: the speech models VoiceCoach can use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from voicecoach.cli.common import console, download_progress, echo_json, err_console

if TYPE_CHECKING:
    from rich.console import RenderableType

COLUMNS = ("name", "engine", "language", "status", "size", "licence", "checksum")


@click.group(name="models")
def command() -> None:
    """List, download and locate speech-recognition models.

    Whisper base (the default) is installed with VoiceCoach and joined into
    the cache folder on first use; pocketsphinx's English model is built in
    (the fallback); vosk models are optional downloads (`voicecoach models download`).
    """


@command.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per model per line.")
def list_models(as_json: bool) -> None:
    """Show every engine's models: installed or not, size, licence and checksum state."""
    from voicecoach.asr.models import REGISTRY, installed_models
    from voicecoach.asr.whisper_weights import load_pins, model_dir, weights_state
    from voicecoach.paths import models_dir

    pins = load_pins()
    whisper_state = weights_state()
    rows = [
        _row(
            f"{pins.name}-{pins.version}",
            "whisper",
            "en",
            "installed (default)" if "verified" in whisper_state else "installed",
            pins.size_bytes,
            pins.licence,
            whisper_state,
            model_dir(pins),
        ),
        _row(
            "pocketsphinx-en-us",
            "pocketsphinx",
            "en",
            "built in (fallback)",
            None,
            "BSD-2-Clause",
            "in its package",
            None,
        ),
    ]
    installed = {m.name: m for m in installed_models()}
    for spec in REGISTRY.values():
        found = installed.pop(spec.name, None)
        rows.append(
            _row(
                spec.name,
                "vosk",
                spec.language,
                "installed" if found else "downloadable",
                spec.size_bytes,
                spec.licence,
                "SHA-256 verified at download" if found else "pinned SHA-256",
                found.path if found else None,
            )
        )
    for model in installed.values():
        rows.append(
            _row(
                model.name,
                "vosk",
                model.language or "unknown",
                "installed",
                _folder_size(model.path),
                "see the model's README",
                "not pinned",
                model.path,
            )
        )
    if as_json:
        for row in rows:
            echo_json(row)
        return
    console.print(models_listing(rows, title=f"Speech models (vosk folder: {models_dir()})"))


def models_listing(rows: list[dict], title: str) -> RenderableType:
    """The models as a table with their folders below it, or, on a terminal too narrow for the
    table's widest cells, each model on lines of its own."""
    from rich import box
    from rich.console import Group
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    def size(row: dict) -> str:
        return f"{row['size_bytes'] / 1e6:.0f} MB" if row["size_bytes"] else ""

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("name", no_wrap=True)
    for column in COLUMNS[1:]:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(size(row) if c == "size" else row[c] or "" for c in COLUMNS))
    unbounded = console.options.update_width(10_000)
    if Measurement.get(console, unbounded, table).maximum > console.width:
        entries: list[RenderableType] = [Text(title, style="bold")]
        for row in rows:
            facts = " · ".join(filter(None, (size(row), row["licence"], row["checksum"])))
            entries += [
                Text(),
                Text.assemble((row["name"], "bold"), f" ({row['engine']}, {row['language']})"),
                Text(f"  {row['status']} · {facts}"),
            ]
            if row["path"]:
                entries.append(Text(f"  {row['path']}", style="dim"))
        return Group(*entries)
    folders = [Text(f"  {row['name']}: {row['path']}") for row in rows if row["path"]]
    return Group(table, *([Text("Installed in:", style="bold"), *folders] if folders else []))


def _row(name, engine, language, status, size_bytes, licence, checksum, path) -> dict:
    """One `models list` row (also its --json object)."""
    return {
        "name": name,
        "engine": engine,
        "language": language,
        "status": status,
        "size_bytes": size_bytes,
        "licence": licence,
        "checksum": checksum,
        "path": str(path) if path else None,
    }


def _folder_size(path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


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
