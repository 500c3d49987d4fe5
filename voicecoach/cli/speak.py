"""`voicecoach speak`: say a line with the caller's voice, or write it to a wav file."""

from __future__ import annotations

from pathlib import Path

import click

from voicecoach.cli.common import console, echo_json
from voicecoach.errors import DeviceError
from voicecoach.tts.voice import (
    CALM_VOICE,
    MAX_PITCH,
    MAX_RATE_WPM,
    MIN_RATE_WPM,
    VoiceSettings,
)


@click.command(name="speak")
@click.argument("text", required=False)
@click.option(
    "--voice", "voice_id", metavar="ID", help="espeak-ng voice id or name (see --list-voices)."
)
@click.option(
    "--rate",
    "rate_wpm",
    type=click.IntRange(MIN_RATE_WPM, MAX_RATE_WPM),
    default=CALM_VOICE.rate_wpm,
    show_default=True,
    help="Speaking rate in words per minute.",
)
@click.option(
    "--pitch",
    type=click.IntRange(0, MAX_PITCH),
    default=CALM_VOICE.pitch,
    show_default=True,
    help="Voice pitch, 0 (low) to 99 (high).",
)
@click.option(
    "--volume",
    type=click.FloatRange(0.0, 1.0),
    default=CALM_VOICE.volume,
    show_default=True,
    help="Loudness, 0 to 1.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a 16-bit wav file here instead of playing.",
)
@click.option("--device", help="Output device number or name (see `voicecoach devices`).")
@click.option("--list-voices", is_flag=True, help="List the installed voices and exit.")
@click.option(
    "--json", "as_json", is_flag=True, help="With --list-voices: one JSON object per line."
)
def command(
    text: str | None,
    voice_id: str | None,
    rate_wpm: int,
    pitch: int,
    volume: float,
    out: Path | None,
    device: str | None,
    list_voices: bool,
    as_json: bool,
) -> None:
    """Say TEXT with the caller's voice on the speakers, or into a wav file with --out.

    Example: voicecoach speak "I've been on hold for forty minutes!" --rate 220 --pitch 75
    """
    from voicecoach.tts.synth import default_synthesizer

    synthesizer = default_synthesizer()
    if list_voices:
        _print_voices(synthesizer.voices(), as_json=as_json)
        return
    if not text or not text.strip():
        raise click.UsageError('give the TEXT to say, e.g. voicecoach speak "Hello"')
    voice = VoiceSettings(voice_id, rate_wpm, pitch, volume)
    if out is not None:
        path = synthesizer.synthesize_to_file(text, voice, out)
        console.print(f"Wrote {path}", highlight=False)
        return
    from voicecoach.audio.devices import Player, parse_device

    y, sr = synthesizer.synthesize(text, voice)
    try:
        Player(parse_device(device)).play(y, sr)
    except DeviceError as exc:
        raise DeviceError(f"{exc} (or write the speech to a file with --out FILE.wav)") from None


def _print_voices(voices, *, as_json: bool) -> None:
    if as_json:
        for voice in voices:
            echo_json({"id": voice.id, "name": voice.name, "languages": list(voice.languages)})
        return
    from rich.table import Table

    table = Table("id", "name", "languages")
    for voice in voices:
        table.add_row(voice.id, voice.name, ", ".join(voice.languages))
    console.print(table)
