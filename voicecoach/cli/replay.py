"""`voicecoach replay`: a session's annotated transcript in the terminal, with its audio."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.text import Text

from voicecoach.audio.devices import DeviceSpec, Player, check_device, parse_device
from voicecoach.cli.common import console, err_console
from voicecoach.cli.sessions import data_dir_option, format_duration, print_session, synced_store
from voicecoach.errors import VoiceCoachError
from voicecoach.textsafe import visible


def timeline(view: dict) -> list[tuple[float, Text]]:
    """The call as (time, line) pairs: turns, evidence, mood changes, comments.

    A typed call has no clock: its "time" is the turn number.
    """
    typed = view["session"].get("typed")
    lines: list[tuple[float, Text]] = []
    for index, turn in enumerate((view["transcript"] or {}).get("turns") or []):
        who = (
            ("Trainee", "bold blue") if turn["speaker"] == "trainee" else ("Caller", "bold magenta")
        )
        at = index if typed else turn.get("start") or 0.0
        lines.append((at, Text.assemble(who, ": ", visible(turn.get("text", "")))))
    for marker in evidence_marks(view, typed=typed):
        lines.append(marker)
    previous = None
    for point in view["mood"]:
        if previous is not None and point["mood"] != previous:
            line = Text(f"  caller mood → {point['mood']}", style="yellow")
            if point.get("reason"):
                line.append(f" ({visible(point['reason'])})")
            lines.append((point["t_s"] + 3e-3, line))
        previous = point["mood"]
    for comment in view["comments"]:
        line = Text.assemble(("  ✎ ", "bold cyan"), (visible(comment["author"]), "bold cyan"), ": ")
        line.append(visible(comment["text"]))
        lines.append(((comment["t_s"] or 0.0) + 4e-3, line))
    return sorted(lines, key=lambda item: item[0])


def evidence_marks(view: dict, *, typed: bool) -> list[tuple[float, Text]]:
    """A ✓/✗ line under the turn of each evidence quote (by time, or by turn when typed)."""
    from voicecoach.results.vocabulary import SECTIONS

    marks = []
    for section, key in SECTIONS:
        for item in ((view["score"] or {}).get(section) or {}).values():
            if not item.get(key):
                continue
            for evidence in item.get("evidence") or []:
                at = evidence.get("turn") if typed else evidence.get("start")
                if at is None:
                    continue
                mark = ("  ✗ ", "red") if section == "faults" else ("  ✓ ", "green")
                line = Text.assemble(mark, (item["title"], "bold"), f": “{evidence['quote']}”")
                marks.append((at + 1e-3, line))
    return marks


def print_line(t_s: float, line: Text, *, typed: bool = False) -> None:
    """One timeline line: the call time (or turn number), then the line."""
    stamp = f"#{int(t_s) + 1}" if typed else format_duration(t_s)
    console.print(Text.assemble((f"{stamp:>6} ", "dim"), line))


def open_player(device: DeviceSpec) -> Player | None:
    """A Player when an output device exists, else None (replay shows text only)."""
    try:
        check_device(device, "output")
    except VoiceCoachError as exc:
        err_console.print(f"[yellow]No sound:[/] {exc}. Showing the transcript only.")
        return None
    return Player(device)


@click.command(name="replay")
@click.argument("session_id")
@click.option("--no-audio", is_flag=True, help="Print the annotated transcript without playing.")
@click.option(
    "--device", metavar="DEVICE", help="Output device index or name (see `voicecoach devices`)."
)
@data_dir_option
def command(session_id: str, no_audio: bool, device: str | None, data_dir) -> None:
    """Replay a session: annotated transcript (evidence, mood, comments), audio if possible."""
    from voicecoach.session.review import session_view

    with synced_store(data_dir) as store:
        view = session_view(store, session_id, measure_tracks=False)
        folder = store.get_session(session_id).folder
    print_session(view)
    lines = timeline(view)
    console.rule("Call")
    player = None if no_audio or view["audio"] is None else open_player(parse_device(device))
    if player is None:
        for t_s, line in lines:
            print_line(t_s, line, typed=bool(view["session"].get("typed")))
        return
    try:
        play_along(player, folder, view["audio"], lines)
    except (VoiceCoachError, OSError) as exc:  # the device went away: the text still shows
        err_console.print(f"[yellow]No sound:[/] {exc}. Showing the transcript only.")
        for t_s, line in lines:
            print_line(t_s, line)


def play_along(player: Player, folder: Path, source: str, lines: list[tuple[float, Text]]) -> None:
    """Play the call and print each line when its time comes (Ctrl-C stops)."""
    from voicecoach.web.report import call_pcm

    pcm = call_pcm(folder, source)
    mono = pcm.samples.astype("float32").sum(axis=1) / 32768.0
    playback = player.play(mono.clip(-1, 1), pcm.sr, blocking=False)
    try:
        for t_s, line in lines:
            while playback.frames_played / pcm.sr < t_s and not playback.done.is_set():
                time.sleep(0.05)
            print_line(t_s, line)
        playback.wait()
    except KeyboardInterrupt:
        console.print("Stopped.")
    finally:
        player.stop()
