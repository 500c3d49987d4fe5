"""`voicecoach analyze`: pace, pitch and loudness of recordings, and whether they sound calm."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

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


SHOWN_MEASURES = (
    "speaking_rate_wpm",
    "articulation_rate_wpm",
    "pause_count",
    "pause_longest_s",
    "filled_pause_count",
    "f0_median_hz",
    "f0_spread_st",
    "f0_range_st",
    "loudness_median_db",
    "loudness_crest_db",
    "centroid_hz",
    "high_band_ratio_db",
    "cepstral_peak_db",
    "speech_s",
    "voiced_s",
)


def _print_result(name: str, result) -> None:
    """The readable report of one file, every measure under its plain name."""
    from voicecoach.delivery.plot import verdict_text
    from voicecoach.delivery.verdict import REFERENCE_TITLES
    from voicecoach.delivery.vocabulary import format_measure

    colour = {"calm": "green", "tense": "red"}.get(verdict_text(result), "yellow")
    judged = ""
    if result.calm is not None:
        judged = (
            f" (tension {result.tension:.2f}, judged against {REFERENCE_TITLES[result.reference]}"
        )
        judged += ")" if result.reference == "baseline" else "; calibrate for a fairer check)"
    console.print(
        f"[bold]{escape(name)}[/]: [bold {colour}]{verdict_text(result)}[/]{judged}",
        highlight=False,
        soft_wrap=True,
    )
    for problem in result.problems:
        console.print(f"  ! {problem}", highlight=False, soft_wrap=True, markup=False)
    for reason in result.reasons:
        console.print(
            f"  - {reason.title}: {reason.tip}", highlight=False, soft_wrap=True, markup=False
        )
    features = {**result.features.to_json(), "loudness_crest_db": result.features.loudness_crest_db}
    pace_note = " (from word times)" if features["pace_source"] == "words" else " (estimated)"
    for measure_id in SHOWN_MEASURES:
        value = features.get(measure_id)
        if value is None:
            continue
        note = pace_note if measure_id == "speaking_rate_wpm" else ""
        console.print(f"  {format_measure(measure_id, value)}{note}", highlight=False, markup=False)


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
    help="Also draw pitch and loudness over time (several files: OUT-<file>.png each);"
    " a missing folder is created and the path is printed.",
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
            plot_path = _plot_path(plot, path, len(audio) > 1) if plot else None
            try:
                result = analyze_speech(*load_audio(path), words=words, baseline=baseline)
                if plot_path:
                    created = not plot_path.parent.exists()
                    plot_delivery(result, plot_path, title=path.name, baseline=baseline)
            except VoiceCoachError as exc:
                if len(audio) == 1:
                    raise
                report_error(str(exc))
                failures += 1
                continue
            finally:
                progress.advance(task)
            plotted = {"plot": str(plot_path)} if plot_path else {}
            if as_json:
                echo_json({"file": str(path), **result.to_json(tracks=tracks), **plotted})
                continue
            _print_result(str(path), result)
            if plot_path:
                folder = f" (created the folder {plot_path.parent})" if created else ""
                console.print(
                    f"  plot written to {plot_path}{folder}", highlight=False, soft_wrap=True
                )
    if failures:
        raise click.exceptions.Exit(2)
