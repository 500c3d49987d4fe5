"""`voicecoach practice`: take a call. `--text` types it in the terminal (or plays a script).

The spoken mode (microphone, recognition, delivery) lives in `voicecoach.live`
and plugs into the same command: without `--text`, `_run_spoken` hands over to
`voicecoach.live.run_practice`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
from rich.text import Text

from voicecoach.cli.common import console, database_option, echo_json, err_console
from voicecoach.dialogue.caller import CallerReply
from voicecoach.dialogue.scenario import Scenario, get_scenario
from voicecoach.errors import VoiceCoachError
from voicecoach.live.practice import spoken_options
from voicecoach.textsafe import visible

SPARK_CHARS = "▁▂▃▄▅▆▇█"
QUIT_WORDS = ("/quit", "/q", "/end")
Speaker = Callable[[str, float], None]


def mood_sparkline(curve: list[float], *, top: float = 10.0) -> str:
    """A one-line plot of moods 0..top, e.g. '▆▅▃▂▁'."""
    last = len(SPARK_CHARS) - 1
    return "".join(SPARK_CHARS[min(last, max(0, round(m / top * last)))] for m in curve)


def _caller_speaker(scenario: Scenario) -> Speaker | None:
    """Speaks caller lines on the default output device, or None when there is none."""
    try:
        from voicecoach.audio.devices import Player, list_devices
        from voicecoach.tts import agitated_voice, synthesize

        if not any(d.is_default_output and d.max_output_channels > 0 for d in list_devices()):
            return None
    except (ImportError, OSError, VoiceCoachError):
        return None
    player = Player()

    def speak(text: str, mood: float) -> None:
        y, sr = synthesize(text, agitated_voice(mood, scenario.caller.voice))
        player.play(y, sr)

    return speak


class _Conversation:
    """Prints (and optionally speaks) the caller's lines; a failing speaker goes quiet."""

    def __init__(self, name: str, out, speaker: Speaker | None):
        self.name = name
        self.out = out
        self.speaker = speaker

    def caller(self, text: str, mood: float) -> None:
        self.out.print(
            Text.assemble(
                (visible(self.name), "bold magenta"),
                (f" (mood {mood:g})", "dim"),
                ": ",
                visible(text),
            )
        )
        if self.speaker is None:
            return
        try:
            self.speaker(text, mood)
        except VoiceCoachError as exc:
            err_console.print(f"[yellow]warning:[/] speech output stopped: {exc}", highlight=False)
            self.speaker = None

    def trainee(self, text: str) -> None:
        self.out.print(Text.assemble(("you", "bold cyan"), ": ", visible(text)))

    def mood_changes(self, reply: CallerReply, protocol: str) -> None:
        from voicecoach.results.vocabulary import mood_reason

        for change in reply.mood_changes:
            arrow = "↓" if change.new < change.old else "↑"
            reason = mood_reason(protocol, change.reason)
            self.out.print(
                Text(
                    f"   caller mood {change.old:g} {arrow} {change.new:g}: {reason}"
                    f" (“{visible(change.evidence)}”)",
                    style="dim",
                )
            )


def _typed_lines(out) -> Iterator[str]:
    """Trainee lines from the keyboard until end of input or /quit."""
    while True:
        out.print("[bold cyan]you>[/] ", end="")
        line = sys.stdin.readline()
        if not line or line.strip().lower() in QUIT_WORDS:
            return
        if line.strip():
            yield line.strip()


def _print_summary(result, info, out) -> None:
    from voicecoach.results.terminal import call_summary

    curve = result.mood_curve
    mood = Text.assemble(
        ("Caller mood: ", "bold"),
        f"{curve[0]:.1f} {mood_sparkline(curve)} {curve[-1]:.1f}  ",
        ("(0 calm - 10 furious, one mark per turn)", "dim"),
    )
    out.print()
    summary = {
        "outcome": result.outcome,
        "score": result.score.to_json(),
        "mood_line": mood,
        "session_id": info.id,
        "typed": True,
    }
    out.print(call_summary(summary))


def run_text_practice(
    scenario: Scenario,
    *,
    script: Path | None,
    seed: int,
    as_json: bool,
    speak: bool | None,
    trainee: str,
    data_dir: Path | None = None,
) -> None:
    """A typed call: caller lines printed (and spoken), trainee lines typed or scripted;
    saved as a session (marked typed) when it ends."""
    import time

    from voicecoach.dialogue.text_call import TextCall, read_script
    from voicecoach.results.vocabulary import titled_score
    from voicecoach.session.store import open_store
    from voicecoach.session.typed import save_typed_call

    lines = read_script(script) if script else None
    out = err_console if as_json else console
    speaker = _caller_speaker(scenario) if speak is not False else None
    if speak and speaker is None:
        err_console.print(
            "[yellow]warning:[/] no audio output device: the caller's lines are only printed",
            highlight=False,
        )
    talk = _Conversation(scenario.caller.name, out, speaker)
    out.print(
        Text(visible(scenario.title), style="bold"),
        Text(visible(scenario.situation) + "\n"),
        sep="\n",
    )
    if lines is None:
        out.print(
            "[dim]Type your answers; an empty input line is skipped, /quit ends the call.[/]\n"
        )
    call = TextCall(scenario, seed=seed)
    started_s = time.monotonic()
    talk.caller(call.opening(), call.caller.mood)
    for line in lines if lines is not None else _typed_lines(out):
        if lines is not None:
            talk.trainee(line)
        reply = call.say(line)
        talk.mood_changes(reply, scenario.protocol)
        talk.caller(reply.text, reply.mood)
        if reply.outcome:
            break
    result = call.finish()
    with open_store(data_dir) as store:
        info = save_typed_call(
            store, result, trainee=trainee, duration_s=time.monotonic() - started_s
        )
    if as_json:
        data = result.to_json()
        echo_json(data | {"score": titled_score(data["score"]), "session_id": info.id})
    else:
        _print_summary(result, info, out)


def default_trainee() -> str:
    """The login name, the trainee of a typed call taken without --trainee."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "trainee"


def _run_spoken(
    scenario: Scenario, *, seed: int, trainee: str | None, as_json: bool, **spoken
) -> None:
    try:
        from voicecoach.live import run_practice
    except ImportError:
        raise VoiceCoachError(
            "spoken practice is not available in this build yet; "
            f"use: voicecoach practice --text --scenario {scenario.id}"
        ) from None
    run_practice(scenario, seed=seed, trainee=trainee, as_json=as_json, **spoken)


@click.command(name="practice")
@click.option(
    "--scenario",
    "scenario_id",
    required=True,
    metavar="ID",
    help="Which call to take (see `voicecoach scenarios list`).",
)
@click.option(
    "--text",
    "text_mode",
    is_flag=True,
    help="Type your answers in the terminal instead of speaking them.",
)
@click.option(
    "--script",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --text: read your lines from this file, one per turn (unattended).",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Picks the caller's wording; the same seed gives the same call.",
)
@click.option(
    "--trainee",
    metavar="NAME",
    help="Who takes the call (saved with the session; default: your login name). "
    "Spoken mode also compares your voice with this trainee's calm baseline.",
)
@click.option(
    "--speak/--no-speak",
    default=None,
    help="Speak the caller's lines aloud (default: when an output device exists).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="At the end print one JSON object: outcome, mood curve, score, transcript.",
)
@click.option(
    "--sync",
    "sync_after",
    is_flag=True,
    help="After the call, send finished sessions to the school's server "
    "(VOICECOACH_SYNC_SERVER; the token as for `voicecoach sync`); unsent ones stay queued.",
)
@spoken_options
@database_option
def command(
    scenario_id: str,
    text_mode: bool,
    script: Path | None,
    seed: int,
    trainee: str | None,
    speak: bool | None,
    as_json: bool,
    sync_after: bool,
    **spoken,
) -> None:
    """Take a practice call with a simulated upset caller (or coworker).

    The caller's mood (0 calm - 10 furious) moves with what you say; at the end
    you see the outcome (resolved, escalated, hung up, timed out), the mood curve
    and your score against the scenario's protocol.
    """
    from voicecoach.cli.sync import sync_after_call, sync_settings

    scenario = get_scenario(scenario_id)
    if script and not text_mode:
        raise VoiceCoachError("--script needs --text (a script replaces typing, not speaking)")
    sync_to = sync_settings(spoken.get("data_dir")) if sync_after else None
    if text_mode:
        run_text_practice(
            scenario,
            script=script,
            seed=seed,
            as_json=as_json,
            speak=speak,
            trainee=trainee or default_trainee(),
            data_dir=spoken.get("data_dir"),
        )
    else:
        _run_spoken(scenario, seed=seed, trainee=trainee, as_json=as_json, **spoken)
    if sync_to:
        sync_after_call(sync_to)
