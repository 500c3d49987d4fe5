"""What the trainee sees during and after a call: captions, mood, time, then a summary.

`CallView` is silent (for `--json` and tests); `RichCallView` draws a live
panel with rich and prints each finished line above it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

MOOD_COLOURS = ((4.0, "green"), (7.0, "yellow"), (11.0, "red"))


class CallView:
    """Receives what happens in a call; this base shows nothing."""

    def start(self, *, caller_name: str, title: str, mood: float) -> None: ...
    def caller_line(self, text: str, mood: float) -> None: ...
    def partial(self, text: str) -> None: ...
    def trainee_turn(self, text: str) -> None: ...
    def mood_change(self, old: float, new: float, reason: str) -> None: ...
    def nudge(self, text: str) -> None: ...
    def barge_in(self) -> None: ...
    def close(self) -> None: ...


def mood_colour(mood: float) -> str:
    """The display colour of a caller mood (0 calm - 10 furious)."""
    return next(colour for limit, colour in MOOD_COLOURS if mood < limit)


class RichCallView(CallView):
    """A live panel (caller, mood bar, elapsed time, caption) over a scrolling transcript."""

    def __init__(self, console: Console):
        self.console = console
        self._lock = threading.Lock()
        self._caller = "Caller"
        self._title = ""
        self._mood = 5.0
        self._caption = ""
        self._nudge = ""
        self._started = time.monotonic()
        self._live: Live | None = None

    def start(self, *, caller_name: str, title: str, mood: float) -> None:
        self._caller, self._title, self._mood = caller_name, title, mood
        self._started = time.monotonic()
        self._live = Live(
            get_renderable=self._render, console=self.console, refresh_per_second=4, transient=True
        )
        self._live.start()

    def _render(self) -> Panel:
        elapsed = int(time.monotonic() - self._started)
        colour = mood_colour(self._mood)
        bar = "█" * round(self._mood) + "░" * (10 - round(self._mood))
        head = Table.grid(expand=True)
        head.add_column()
        head.add_column(justify="right")
        head.add_row(
            Text.assemble((f"{self._caller} ", "bold"), ("mood ", "dim"), (bar, colour)),
            Text(f"{elapsed // 60:02d}:{elapsed % 60:02d}", style="bold"),
        )
        parts: list[Any] = [head, Text(f"you: {self._caption}" if self._caption else "")]
        if self._nudge:
            parts.append(Text(self._nudge, style="italic magenta"))
        return Panel(Group(*parts), title=self._title, border_style=colour)

    def caller_line(self, text: str, mood: float) -> None:
        with self._lock:
            self._mood = mood
            self.console.print(Text.assemble((f"{self._caller}: ", "bold cyan"), text))

    def partial(self, text: str) -> None:
        self._caption = text

    def trainee_turn(self, text: str) -> None:
        with self._lock:
            self._caption = ""
            self.console.print(Text.assemble(("You: ", "bold green"), text))

    def mood_change(self, old: float, new: float, reason: str) -> None:
        with self._lock:
            self._mood = new
            arrow = "↓" if new < old else "↑"
            self.console.print(
                Text(f"   mood {old:g} {arrow} {new:g}: {reason}", style=mood_colour(new))
            )

    def nudge(self, text: str) -> None:
        self._nudge = f"tip: {text}"

    def barge_in(self) -> None:
        with self._lock:
            self.console.print(Text("   (you interrupted the caller)", style="dim"))

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    """The end-of-call report: outcome, score and steps with evidence, delivery with tips."""
    score = summary.get("score") or {}
    outcome = summary["outcome"]
    header = Text.assemble(
        ("Outcome: ", "bold"),
        (outcome, "green" if outcome == "resolved" else "red"),
        ("   Score: ", "bold"),
        f"{score.get('score', '-')} ({score.get('verdict', 'not scored')})",
    )
    if not summary.get("complete", True):
        header.append(f"   saved incomplete: {summary.get('reason')}", style="yellow")
    console.print(header)
    table = Table(title="Steps", show_lines=False, expand=True)
    table.add_column("step")
    table.add_column("", width=3)
    table.add_column("evidence / tip", ratio=1)
    for kind, key in (("steps", "met"), ("checks", "met"), ("faults", "present")):
        for item_id, item in (score.get(kind) or {}).items():
            if kind == "checks" and not item.get("required", item.get("met")):
                continue
            good = item.get(key) if kind != "faults" else not item.get(key)
            if kind == "faults" and good:
                continue
            mark = Text("✓", "green") if good else Text("✗", "red")
            evidence = item.get("evidence") or []
            detail = (
                "; ".join(f"\u201c{e['quote']}\u201d" + _at(e) for e in evidence[:2])
                if evidence
                else item.get("tip", "")
            )
            table.add_row(item_id, mark, detail)
    console.print(table)
    delivery = summary.get("delivery") or {}
    calm, judged = delivery.get("calm_turns", 0), delivery.get("judged_turns", 0)
    reference = delivery.get("reference_title")
    against = f" (judged against {reference})" if reference and judged else ""
    console.print(
        Text.assemble(("Delivery: ", "bold"), f"calm in {calm} of {judged} turns{against}")
    )
    for tip in delivery.get("tips", []):
        console.print(f"  • {tip}")
    console.print(Text(f"Session saved: {summary['session_id']}  ({summary['folder']})", "dim"))


def _at(evidence: dict) -> str:
    start = evidence.get("start")
    return f" at {start:.0f} s" if isinstance(start, (int, float)) else ""
