"""`voicecoach calibrate`: record (or read) a trainee's calm voice and store it as the baseline."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from voicecoach.audio.devices import parse_device
from voicecoach.cli.common import console, echo_json, err_console

PASSAGE = (
    "Good morning, thank you for calling the Riverside Family Practice. "
    "My name is Alex, and I will be glad to help you today. "
    "Could you please tell me your full name and your date of birth? "
    "Thank you. I can see your appointment with Doctor Lee on Tuesday at ten. "
    "If that time no longer suits you, we have openings on Thursday morning. "
    "Is there anything else I can do for you?"
)
RECORD_RATE_HZ = 16000


def record_microphone(seconds: float, device: str | int | None) -> np.ndarray:
    """Record `seconds` of mono audio at 16 kHz from the microphone, with a progress bar."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from voicecoach.audio.devices import Capture
    from voicecoach.audio.io import pcm16_to_float

    wanted = int(seconds * RECORD_RATE_HZ)
    chunks: list[np.ndarray] = []
    got = 0
    columns = (TextColumn("recording"), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task("recording", total=wanted)
        with Capture(sample_rate=RECORD_RATE_HZ, device=device) as capture:
            while got < wanted and (pcm := capture.read(timeout_s=2.0)) is not None:
                chunk = pcm16_to_float(pcm)
                chunks.append(chunk)
                got += len(chunk)
                progress.update(task, completed=min(got, wanted))
    return np.concatenate(chunks)[:wanted] if chunks else np.zeros(0, dtype=np.float32)


@click.command(name="calibrate")
@click.option("--trainee", required=True, metavar="NAME", help="Whose calm voice this is.")
@click.option(
    "--file",
    "audio_file",
    type=click.Path(path_type=Path),
    metavar="F",
    help="Read a recording of the passage instead of using the microphone.",
)
@click.option(
    "--seconds",
    type=click.FloatRange(5.0, 120.0),
    default=20.0,
    show_default=True,
    help="How long to record from the microphone.",
)
@click.option(
    "--device",
    metavar="ID|NAME",
    help="Input device (see `voicecoach devices`); the system default when omitted.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the stored baseline as JSON.")
def command(trainee, audio_file, seconds, device, as_json) -> None:
    """Measure a trainee's calm voice as the baseline for judging their calls.

    Shows a short neutral passage; read it aloud in your usual calm voice
    while it records (about 20 s), or give a recording with --file. The
    baseline is stored under the data folder; the previous one is kept
    unless the new recording is usable.
    """
    from voicecoach.audio.io import load_audio
    from voicecoach.delivery import Baseline, baseline_path, save_baseline

    path = baseline_path(trainee)  # reject an unusable name before recording
    if audio_file:
        y, sr = load_audio(audio_file)
        source = str(audio_file)
    else:
        err_console.print(
            "Read this aloud in your usual, calm voice:\n", highlight=False, soft_wrap=True
        )
        err_console.print(f"[bold]{PASSAGE}[/]\n", highlight=False)
        click.pause("Press any key to start recording...", err=True)
        y, sr = record_microphone(seconds, parse_device(device)), RECORD_RATE_HZ
        source = "microphone"
    baseline = Baseline.from_audio(y, sr, source=source)
    replaced = path.is_file()
    save_baseline(trainee, baseline)
    if as_json:
        echo_json({"trainee": trainee, "path": str(path), **baseline.to_json()})
        return
    console.print(
        f"{'Replaced' if replaced else 'Stored'} the baseline of [bold]{trainee}[/] in {path}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  pitch {baseline.f0_median_hz:.0f} Hz (spread ±{baseline.f0_spread_st:.1f} st),"
        f" loudness {baseline.loudness_median_db:.1f} dBFS,"
        f" pace {baseline.speaking_rate_wpm:.0f} wpm (estimated),"
        f" {baseline.voiced_s:.1f} s of voiced speech",
        highlight=False,
        soft_wrap=True,
    )
