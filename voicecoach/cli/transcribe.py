"""`voicecoach transcribe FILE...`: offline speech-to-text for audio files."""

from __future__ import annotations

import click

from voicecoach.cli.common import console, echo_json, err_console, report_error, task_progress

ENGINE_CHOICES = ("auto", "whisper", "pocketsphinx", "vosk")
LONG_FILE_S = 30.0  # files longer than this get their own progress bar


@click.command(name="transcribe")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--engine",
    type=click.Choice(ENGINE_CHOICES),
    default="auto",
    show_default=True,
    help="Recogniser: auto is Whisper base (pocketsphinx if its weights are unusable).",
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
    help="A name or word to expect, e.g. --hint 'Priya Raman' (repeatable; not vosk).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file per line.")
def command(
    files: tuple[str, ...], engine: str, model: str | None, hints: tuple[str, ...], as_json: bool
) -> None:
    """Transcribe wav/flac/ogg FILES (mono or stereo, 8-48 kHz) offline.

    Long files are cut at quiet moments into pieces of at most 28 s, with a
    progress bar on stderr. Each file gets its text, timed words and real-time
    factor. A file that cannot be read is reported on one line and the others
    still run; the exit status is 1 if any file failed.
    """
    from voicecoach.asr.select import choose_engine, recognizer_for, warn_fallback_once
    from voicecoach.asr.transcribe import transcribe_file
    from voicecoach.errors import AudioError

    choice = choose_engine(engine, model=model)
    warn_fallback_once(choice)
    err_console.print(choice.describe(), highlight=False, soft_wrap=True)

    def make(sample_rate: int):
        return recognizer_for(choice, sample_rate=sample_rate, hints=hints)

    failed = 0
    with task_progress() as progress:
        task = progress.add_task("transcribing", total=len(files), visible=len(files) > 1)
        for path in files:
            seconds = progress.add_task(f"  {path}", total=None, visible=False)

            def advance(done_s: float, total_s: float, seconds=seconds) -> None:
                long_file = total_s > LONG_FILE_S
                progress.update(seconds, completed=round(done_s), total=round(total_s))
                progress.update(seconds, visible=long_file and done_s < total_s)

            try:
                result = transcribe_file(path, make, progress=advance)
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
