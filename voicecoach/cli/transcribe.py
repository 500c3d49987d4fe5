"""`voicecoach transcribe FILE...`: offline speech-to-text for audio files."""

from __future__ import annotations

import click

from voicecoach.cli.common import console, echo_json, err_console, report_error, task_progress

ENGINE_CHOICES = ("auto", "vosk", "pocketsphinx")


@click.command(name="transcribe")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--engine",
    type=click.Choice(ENGINE_CHOICES),
    default="auto",
    show_default=True,
    help="Recogniser: auto uses vosk when an English vosk model is installed, else pocketsphinx.",
)
@click.option(
    "--model",
    type=click.Path(),
    default=None,
    help="vosk model directory (default: $VOICECOACH_VOSK_MODEL, then models/).",
)
@click.option(
    "--hint",
    "hints",
    multiple=True,
    metavar="NAME",
    help="A name or word to expect, e.g. --hint 'Priya Raman' (repeatable; pocketsphinx only).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file per line.")
def command(
    files: tuple[str, ...], engine: str, model: str | None, hints: tuple[str, ...], as_json: bool
) -> None:
    """Transcribe wav/flac/ogg FILES (mono or stereo, 8-48 kHz) offline.

    The recogniser first adapts to each whole file (its cepstral mean), then
    decodes it. Each file gets its text, timed words and real-time factor. A file that
    cannot be read is reported on one line and the others still run; the exit
    status is 1 if any file failed.
    """
    from voicecoach.asr.select import choose_engine, recognizer_for
    from voicecoach.asr.transcribe import transcribe_file
    from voicecoach.errors import AudioError

    choice = choose_engine(engine, model=model)
    err_console.print(choice.describe(), highlight=False, soft_wrap=True)

    def make(sample_rate: int):
        return recognizer_for(choice, sample_rate=sample_rate, hints=hints)

    failed = 0
    with task_progress() as progress:
        task = progress.add_task("transcribing", total=len(files), visible=len(files) > 1)
        for path in files:
            try:
                result = transcribe_file(path, make)
            except AudioError as exc:
                failed += 1
                report_error(str(exc).strip())
            else:
                if as_json:
                    echo_json(result.to_json())
                else:
                    _print_readable(result)
            progress.advance(task)
    if failed:
        report_error(f"{failed} of {len(files)} files could not be transcribed")
        raise click.exceptions.Exit(1)


def _print_readable(result) -> None:
    """File name, duration and speed, then the text (stdout, above the progress bar)."""
    console.print(
        f"[bold]{result.file}[/]  {result.duration_s:.1f} s, {result.engine}, "
        f"RTF {result.rtf:.2f}, {len(result.words)} words",
        highlight=False,
    )
    console.print(f"  {result.text or '(no speech recognised)'}", highlight=False, soft_wrap=True)
