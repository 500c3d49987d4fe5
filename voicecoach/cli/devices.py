"""`voicecoach devices`: list the audio input and output devices."""

from __future__ import annotations

import click

from voicecoach.cli.common import console, echo_json


@click.command(name="devices")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per device per line.")
def command(as_json: bool) -> None:
    """List the microphones and speakers VoiceCoach can use (* marks the defaults).

    Pass a device's number or name to `--device` options to use it.
    """
    from rich.table import Table

    from voicecoach.audio.devices import list_devices

    devices = list_devices()
    if as_json:
        for device in devices:
            echo_json(device.to_json())
        return
    if not devices:
        console.print(
            "No audio devices found. Check that a microphone and speakers (or a headset) "
            "are plugged in and that ALSA can see them (`aplay -l`, `arecord -l`).",
            highlight=False,
        )
        return
    table = Table("#", "name", "host API", "inputs", "outputs", "default rate (Hz)")
    for device in devices:
        table.add_row(
            str(device.index),
            device.name,
            device.host_api,
            _channels(device.max_input_channels, device.is_default_input),
            _channels(device.max_output_channels, device.is_default_output),
            f"{device.default_samplerate_hz:.0f}",
        )
    console.print(table)
    console.print("* default input / output", highlight=False)


def _channels(count: int, is_default: bool) -> str:
    return f"{count}{' *' if is_default else ''}" if count else "-"
