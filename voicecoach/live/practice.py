"""The spoken mode of `voicecoach practice`: its options and what it runs.

`voicecoach.cli.practice` owns the command; it adds `spoken_options` and hands
over to `run_practice` when `--text` is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from voicecoach.audio.devices import parse_device
from voicecoach.errors import VoiceCoachError
from voicecoach.live.vad import DEFAULT_SILENCE_MS

if TYPE_CHECKING:
    from voicecoach.dialogue.scenario import Scenario

F = TypeVar("F", bound=Callable[..., Any])

SPOKEN_OPTIONS = (
    click.option(
        "--engine",
        type=click.Choice(["auto", "whisper", "pocketsphinx", "vosk"]),
        default="auto",
        show_default=True,
        help="Spoken mode: speech recogniser (auto: Whisper base, pocketsphinx if unusable).",
    ),
    click.option(
        "--silence-ms",
        type=click.IntRange(200, 3000),
        default=DEFAULT_SILENCE_MS,
        show_default=True,
        help="Spoken mode: how long you pause before your turn counts as finished.",
    ),
    click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Spoken mode: where the session is recorded (default: the user data folder).",
    ),
    click.option(
        "--input-device",
        metavar="DEVICE",
        default=None,
        help="Spoken mode: microphone, by number or name from `voicecoach devices`.",
    ),
    click.option(
        "--output-device",
        metavar="DEVICE",
        default=None,
        help="Spoken mode: speaker or headset, by number or name from `voicecoach devices`.",
    ),
)


def spoken_options(func: F) -> F:
    """Add the spoken mode's options to a click command."""
    for option in reversed(SPOKEN_OPTIONS):
        func = option(func)
    return func


def run_practice(
    scenario: Scenario,
    *,
    seed: int,
    trainee: str | None,
    as_json: bool,
    engine: str = "auto",
    silence_ms: int = DEFAULT_SILENCE_MS,
    data_dir: Path | None = None,
    input_device: str | None = None,
    output_device: str | None = None,
) -> None:
    """Hold a spoken call on the real devices, then print the summary (or one JSON object)."""
    from voicecoach.cli.common import console, echo_json
    from voicecoach.live.run import run_live_call
    from voicecoach.live.view import CallView, RichCallView, print_summary

    if not trainee:
        raise VoiceCoachError(
            "spoken practice needs --trainee NAME (whose session and calm-voice baseline it is)"
        )
    if not as_json:
        console.print(f"[bold]{scenario.title}[/]\n[dim]{scenario.situation}[/]")
        console.print("[dim]Speak after the caller; Ctrl-C ends the call (it is saved).[/]")
    result = run_live_call(
        scenario.id,
        trainee=trainee,
        engine=engine,
        silence_ms=silence_ms,
        data_dir=data_dir,
        input_device=parse_device(input_device),
        output_device=parse_device(output_device),
        view=CallView() if as_json else RichCallView(console),
        seed=seed,
    )
    if as_json:
        echo_json(result.to_json())
    else:
        print_summary(console, result.to_json())
    if not result.complete:
        raise click.exceptions.Exit(1)
