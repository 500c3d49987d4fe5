"""`voicecoach report`: a session as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path

import click

from voicecoach.cli.common import console
from voicecoach.cli.sessions import data_dir_option, synced_store
from voicecoach.errors import SessionError
from voicecoach.fileio import write_atomic


@click.command(name="report")
@click.argument("session_id")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (default: voicecoach-SESSION_ID.html here).",
)
@click.option("--no-audio", is_flag=True, help="Leave the call audio out (smaller file).")
@click.option(
    "--max-audio-mb",
    type=click.FloatRange(0),
    default=30,
    show_default=True,
    help="Leave the audio out when it is bigger than this.",
)
@data_dir_option
def command(
    session_id: str, out_path: Path | None, no_audio: bool, max_audio_mb: float, data_dir
) -> None:
    """Export a session (plots, transcript, evidence, comments, audio) to an HTML file
    that opens in any browser with no server."""
    from voicecoach.web.report import build_report

    out_path = out_path or Path(f"voicecoach-{session_id}.html")
    with synced_store(data_dir) as store:
        html = build_report(
            store,
            session_id,
            embed_audio=not no_audio,
            max_audio_bytes=int(max_audio_mb * 1024 * 1024),
        )
    try:
        write_atomic(out_path, html)
    except OSError as exc:
        raise SessionError(f"cannot write {out_path}: {exc.strerror}") from None
    with_audio = "with audio" if "data:audio/wav" in html else "without audio"
    console.print(f"Wrote {out_path} ({len(html) / 1e6:.1f} MB, {with_audio})")
