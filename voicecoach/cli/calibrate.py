"""`voicecoach calibrate`: record (or read) a trainee's calm voice and store it as the baseline."""

from __future__ import annotations

import time
from pathlib import Path

import click
import numpy as np

from voicecoach.audio.devices import parse_device
from voicecoach.cli.common import console, echo_json, err_console
from voicecoach.errors import BaselineError

PASSAGE = (
    "Good morning, thank you for calling the Riverside Family Practice. "
    "My name is Alex, and I will be glad to help you today. "
    "Could you please tell me your full name and your date of birth? "
    "Thank you. I can see your appointment with Doctor Lee on Tuesday at ten. "
    "If that time no longer suits you, we have openings on Thursday morning. "
    "Is there anything else I can do for you?"
)
RECORD_RATE_HZ = 16000
COUNTDOWN_S = 3
METER_FLOOR_DB = -60.0
METER_CELLS = 24


def level_meter(chunk: np.ndarray) -> str:
    """A one-line level bar for a chunk of samples, with advice when too quiet or too loud."""
    if len(chunk) == 0:
        return ""
    peak = float(np.max(np.abs(chunk)))
    level_db = 20.0 * np.log10(max(float(np.sqrt(np.mean(chunk**2))) * np.sqrt(2.0), 1e-6))
    filled = int(round(METER_CELLS * min(1.0, max(0.0, 1.0 - level_db / METER_FLOOR_DB))))
    bar = "█" * filled + "·" * (METER_CELLS - filled)
    advice = "too loud!" if peak >= 0.99 else "speak up" if level_db < -45.0 else ""
    return f"level {bar} {level_db:5.0f} dB {advice}"


def countdown(seconds: int) -> None:
    """'Recording in 3... 2... 1...' on stderr, one number a second."""
    for left in range(seconds, 0, -1):
        err_console.print(f"Recording in {left}...", highlight=False)
        time.sleep(1.0)


def record_microphone(seconds: float, device: str | int | None) -> np.ndarray:
    """Record `seconds` of mono 16 kHz audio, showing the time left and a level meter."""
    from rich.progress import BarColumn, Progress, TextColumn

    from voicecoach.audio.devices import Capture
    from voicecoach.audio.io import pcm16_to_float

    wanted = int(seconds * RECORD_RATE_HZ)
    chunks: list[np.ndarray] = []
    got = 0
    columns = (
        TextColumn("[red]●[/] recording"),
        BarColumn(),
        TextColumn("{task.fields[left_s]:3.0f} s left"),
        TextColumn("{task.fields[meter]}"),
    )
    with Capture(sample_rate=RECORD_RATE_HZ, device=device) as capture:
        countdown(COUNTDOWN_S)
        with Progress(*columns, console=err_console) as progress:
            task = progress.add_task("recording", total=wanted, meter="", left_s=seconds)
            while got < wanted and (pcm := capture.read(timeout_s=2.0)) is not None:
                chunk = pcm16_to_float(pcm)
                chunks.append(chunk)
                got += len(chunk)
                progress.update(
                    task,
                    completed=min(got, wanted),
                    meter=level_meter(chunk),
                    left_s=max(0, wanted - got) / RECORD_RATE_HZ,
                )
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
    type=click.FloatRange(15.0, 120.0),
    default=30.0,
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
    while it records (30 s, with a countdown and a level meter), or give a
    recording with --file. The recording must hold at least 10 s of voiced
    speech, unclipped, at a reading pace; otherwise it is refused and the
    previous baseline is kept. Record it on the microphone you practise with:
    loudness is judged relative to it.
    """
    from voicecoach.audio.io import load_audio
    from voicecoach.delivery import baseline_path, save_baseline
    from voicecoach.delivery.calibration import baseline_from_recording
    from voicecoach.delivery.vocabulary import format_measure

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
    replaced = path.is_file()
    try:
        baseline = baseline_from_recording(y, sr, source=source)
    except BaselineError as exc:
        kept = " (your previous baseline is kept)" if replaced else ""
        raise BaselineError(f"{exc}{kept}") from None
    save_baseline(trainee, baseline)
    if as_json:
        echo_json({"trainee": trainee, "path": str(path), **baseline.to_json()})
        return
    console.print(
        f"{'Replaced' if replaced else 'Stored'} the baseline of [bold]{trainee}[/] in {path}",
        highlight=False,
        soft_wrap=True,
    )
    shown = ("f0_median_hz", "f0_spread_st", "loudness_median_db", "speaking_rate_wpm", "voiced_s")
    values = baseline.to_json()
    console.print(
        "  " + ", ".join(format_measure(m, values[m]) for m in shown),
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
