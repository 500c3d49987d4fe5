"""`voicecoach replay`: a session's annotated transcript in the terminal, with its audio."""

from __future__ import annotations

import time
from pathlib import Path

import click

from voicecoach.audio.devices import DeviceSpec, Player, check_device, parse_device
from voicecoach.cli.common import console, err_console
from voicecoach.cli.sessions import data_dir_option, format_duration, print_session, synced_store
from voicecoach.errors import VoiceCoachError
from voicecoach.textsafe import markup as safe


def timeline(view: dict) -> list[tuple[float, str]]:
    """The call as (time, rich markup) lines: turns, evidence, mood changes, comments.

    Every text from the session (what was said, comments, names) is escaped: it prints as written.
    """
    lines: list[tuple[float, str]] = []
    for turn in (view["transcript"] or {}).get("turns") or []:
        who = "[bold blue]Trainee[/]" if turn["speaker"] == "trainee" else "[bold magenta]Caller[/]"
        lines.append((turn.get("start") or 0.0, f"{who}: {safe(turn.get('text', ''))}"))
    for marker in view["markers"]:
        mark = "[red]⚠ fault[/]" if marker["kind"] == "fault" else "[green]✓ step[/]"
        line = f"    {mark} {safe(marker['id'])}: “{safe(marker['quote'])}”"
        lines.append((marker["t_s"] + 1e-3, line))
    previous = None
    for point in view["mood"]:
        if previous is not None and point["mood"] != previous:
            reason = f" ({safe(point['reason'])})" if point.get("reason") else ""
            mood = safe(point["mood"])
            lines.append((point["t_s"], f"    [yellow]caller mood → {mood}[/]{reason}"))
        previous = point["mood"]
    for comment in view["comments"]:
        lines.append(
            (
                comment["t_s"] + 2e-3,
                f"    [bold cyan]✎ {safe(comment['author'])}[/]: {safe(comment['text'])}",
            )
        )
    return sorted(lines, key=lambda item: item[0])


def print_line(t_s: float, markup: str) -> None:
    """One timeline line: the call time, then the marked-up text."""
    console.print(f"[dim]{format_duration(t_s):>6}[/] {markup}", highlight=False, soft_wrap=True)


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
        for t_s, markup in lines:
            print_line(t_s, markup)
        return
    play_along(player, folder, view["audio"], lines)


def play_along(player: Player, folder: Path, source: str, lines: list[tuple[float, str]]) -> None:
    """Play the call and print each line when its time comes (Ctrl-C stops)."""
    from voicecoach.web.report import call_pcm

    pcm = call_pcm(folder, source)
    mono = pcm.samples.astype("float32").sum(axis=1) / 32768.0
    playback = player.play(mono.clip(-1, 1), pcm.sr, blocking=False)
    try:
        for t_s, markup in lines:
            while playback.frames_played / pcm.sr < t_s and not playback.done.is_set():
                time.sleep(0.05)
            print_line(t_s, markup)
        playback.wait()
    except KeyboardInterrupt:
        console.print("Stopped.")
    finally:
        player.stop()
