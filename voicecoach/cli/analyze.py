"""`voicecoach analyze`: pace, pitch and loudness of recordings, and whether they sound calm."""

from __future__ import annotations

import json
from pathlib import Path

import click

from voicecoach.cli.common import console, echo_json, report_error, task_progress
from voicecoach.errors import TranscriptError, VoiceCoachError


def load_words(path: Path) -> tuple:
    """Timed words from JSON: a list of words, or an object with "words" (or vosk's "result").

    Each word needs "word", "start_s" and "end_s" (or vosk's "start"/"end"), "conf" optional.
    """
    from voicecoach.asr.base import Word

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TranscriptError(f"{path}: not a readable JSON words file: {exc}") from None
    items = data.get("words", data.get("result")) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise TranscriptError(f"{path}: expected a list of words or an object with 'words'")
    words = []
    for i, item in enumerate(items):
        try:
            words.append(
                Word(
                    word=str(item["word"]),
                    start_s=float(item.get("start_s", item.get("start"))),
                    end_s=float(item.get("end_s", item.get("end"))),
                    conf=float(item.get("conf", 1.0)),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise TranscriptError(
                f"{path}: word {i} needs 'word', 'start_s' and 'end_s' numbers, got {item!r}"
            ) from None
    return tuple(words)


def _print_result(name: str, result) -> None:
    """The readable report of one file."""
    from voicecoach.delivery.plot import verdict_text

    f = result.features
    colour = {"calm": "green", "tense": "red"}.get(verdict_text(result), "yellow")
    reference = "your calm baseline" if result.reference == "baseline" else "population values"
    console.print(
        f"[bold]{name}[/]: [bold {colour}]{verdict_text(result)}[/]"
        + (
            f" (tension {result.tension:.2f}, judged against {reference})"
            if result.calm is not None
            else ""
        ),
        highlight=False,
        soft_wrap=True,
    )
    for problem in result.problems:
        console.print(f"  ! {problem}", highlight=False, soft_wrap=True)
    for reason in result.reasons:
        console.print(f"  - {reason.tip}", highlight=False, soft_wrap=True)
    pace = "words" if f.pace_source == "words" else "estimated from syllables"
    fillers = "" if f.filled_pause_count is None else f", fillers {f.filled_pause_count}"
    lines = [
        f"pace         {f.speaking_rate_wpm:.0f} wpm ({pace}),"
        f" articulation {f.articulation_rate_wpm:.0f} wpm",
        f"pauses       {f.pause_count} (mean {f.pause_mean_s:.2f} s,"
        f" longest {f.pause_longest_s:.2f} s){fillers}",
        f"pitch        median {f.f0_median_hz:.0f} Hz, spread ±{f.f0_spread_st:.1f} st,"
        f" range {f.f0_range_st:.1f} st, slope {f.f0_slope_st_per_s:+.1f} st/s",
        f"loudness     median {f.loudness_median_db:.1f} dBFS,"
        f" spread ±{f.loudness_spread_db:.1f} dB, peaks {f.loudness_peak_db:.1f} dBFS",
        f"brightness   centroid {f.centroid_hz:.0f} Hz,"
        f" high-band ratio {f.high_band_ratio_db:.1f} dB",
        f"speech       {f.speech_s:.1f} s of {f.duration_s:.1f} s ({f.voiced_s:.1f} s voiced)",
    ]
    for line in lines:
        console.print(f"  {line}", highlight=False, soft_wrap=True)


def _plot_path(plot: Path, audio: Path, several: bool) -> Path:
    return plot.with_name(f"{plot.stem}-{audio.stem}{plot.suffix or '.png'}") if several else plot


@click.command(name="analyze")
@click.argument("audio", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--baseline",
    "baseline_audio",
    type=click.Path(path_type=Path),
    metavar="AUDIO",
    help="A calm recording of the same speaker to judge against.",
)
@click.option(
    "--trainee",
    metavar="NAME",
    help="Judge against this trainee's stored baseline (see `voicecoach calibrate`).",
)
@click.option(
    "--words",
    "words_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="WORDS.json",
    help="Recogniser word times for exact pace and fillers; give one per AUDIO, in order.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file per line.")
@click.option(
    "--tracks", is_flag=True, help="With --json: include per-frame pitch and loudness tracks."
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    metavar="OUT.png",
    help="Also draw pitch and loudness over time (several files: OUT-<file>.png each).",
)
def command(audio, baseline_audio, trainee, words_files, as_json, tracks, plot) -> None:
    """Measure pace, pauses, pitch and loudness of AUDIO files and say if they sound calm.

    The voice is judged against the speaker's own calm baseline (--baseline or
    --trainee); without one, population values are used. Unreadable files are
    reported on one line each and the others are still analysed.
    """
    from voicecoach.audio.io import load_audio
    from voicecoach.delivery import Baseline, analyze_speech, load_baseline
    from voicecoach.delivery.plot import plot_delivery

    if baseline_audio and trainee:
        raise click.UsageError("give either --baseline or --trainee, not both")
    if words_files and len(words_files) != len(audio):
        raise click.UsageError(
            f"--words was given {len(words_files)} times for {len(audio)} AUDIO files: "
            "give one words file per AUDIO file, in the same order"
        )
    if trainee:
        baseline = load_baseline(trainee)
    elif baseline_audio:
        baseline = Baseline.from_audio(*load_audio(baseline_audio), source=str(baseline_audio))
    else:
        baseline = None
    words_by_file = [load_words(p) for p in words_files] or [None] * len(audio)

    failures = 0
    with task_progress() as progress:
        task = progress.add_task("analysing", total=len(audio), visible=len(audio) > 1)
        for path, words in zip(audio, words_by_file, strict=True):
            try:
                result = analyze_speech(*load_audio(path), words=words, baseline=baseline)
                if plot:
                    plot_delivery(
                        result,
                        _plot_path(plot, path, len(audio) > 1),
                        title=path.name,
                        baseline=baseline,
                    )
            except VoiceCoachError as exc:
                if len(audio) == 1:
                    raise
                report_error(str(exc))
                failures += 1
                continue
            finally:
                progress.advance(task)
            if as_json:
                echo_json({"file": str(path), **result.to_json(tracks=tracks)})
            else:
                _print_result(str(path), result)
    if failures:
        raise click.exceptions.Exit(2)
