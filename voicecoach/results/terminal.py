"""Results in the terminal: the score, delivery, a session and what to run next.

One renderer for `demo`, `practice` (spoken and `--text`), `sessions show`,
`replay` and `score`, with the words of `results.vocabulary`. What people
typed or said (quotes, names, comments) goes in as `Text`, never as markup.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from voicecoach.results.vocabulary import SECTIONS, ordered_items, titled_delivery, titled_score
from voicecoach.session.review import format_duration
from voicecoach.textsafe import visible

SECTION_NAMES = {"steps": "Steps", "checks": "Checks", "faults": "Faults"}
SERVE_URL = "http://127.0.0.1:8765"


def verdict_text(score: float | None, verdict: str | None) -> Text:
    """'72/100 competent', green when the verdict is a pass."""
    if score is None:
        return Text("not scored", style="dim")
    passed = bool(verdict) and not str(verdict).startswith("not")
    return Text.assemble(
        (f"{score:g}/100 ", "bold"), (str(verdict or ""), "bold green" if passed else "bold red")
    )


def _mark(good: bool | None) -> Text:
    if good is None:
        return Text("–", style="dim")
    return Text("✓", style="green") if good else Text("✗", style="bold red")


def _evidence(item: dict) -> Text:
    text = Text()
    for i, evidence in enumerate(item.get("evidence") or []):
        if i:
            text.append("\n")
        text.append(f"“{visible(evidence.get('quote', ''))}”", style="italic")
        if evidence.get("start") is not None:
            text.append(f" at {format_duration(evidence['start'])}", style="dim")
        if evidence.get("found_by"):
            text.append(f" ({evidence['found_by']})", style="dim")
    return text


NARROW_COLUMNS = 72  # below this the evidence goes under its item, not beside it


class ScoreTable:
    """Every step, check and fault with ✓/✗, its title and the evidence or a tip: side by
    side on a wide terminal, the evidence under each item on a narrow one."""

    def __init__(self, score: dict, overrides: list[dict] | None = None):
        self.score = score
        self.by_item = {o["item_id"]: o for o in overrides or []}

    def rows(self) -> list[tuple[Text | None, Text, Text]]:
        """(mark, title, detail) per item; a section heading has mark None."""
        out: list[tuple[Text | None, Text, Text]] = []
        for section, _key in SECTIONS:
            items = ordered_items(self.score, section)
            if items:
                out.append((None, Text(SECTION_NAMES[section], "bold underline"), Text()))
            for item_id, item in items:
                out.append(
                    (
                        _mark(item.get("good")),
                        Text(item.get("title", item_id)),
                        self._detail(item_id, item),
                    )
                )
        return out

    def _detail(self, item_id: str, item: dict) -> Text:
        detail = _evidence(item)
        if item.get("good") is False and item.get("tip") and not detail:
            detail = Text("Tip: " + str(item["tip"]), style="cyan")
        if item.get("in_order") is False and item.get("met"):
            detail.append("\n(far out of the expected order)", style="yellow")
        if item.get("critical") and item.get("present"):
            detail.append("\ncritical: caps the verdict", style="bold red")
        if item_id in self.by_item:
            o = self.by_item[item_id]
            detail.append(f"\ninstructor's override by {visible(o['author'] or 'an instructor')}: ")
            detail.append(visible(o.get("reason") or ""), style="magenta")
        return detail

    def __rich_console__(self, console: Any, options: Any) -> Any:
        rows = self.rows()
        narrow = options.max_width < NARROW_COLUMNS
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=not narrow)
        table.add_column("", no_wrap=True, width=1)
        widest = max((len(title) for _, title, _ in rows), default=4)
        table.add_column("item", no_wrap=not narrow, min_width=min(34, widest))
        if not narrow:
            table.add_column("evidence or tip")
        for mark, title, detail in rows:
            if narrow:
                body = title if not detail else Text.assemble(title, "\n", detail)
                table.add_row(mark or "", body)
            else:
                table.add_row(mark or "", title, detail)
        yield table


def score_table(score: dict | None, overrides: list[dict] | None = None) -> RenderableType:
    """The score's items as a `ScoreTable` (or a line saying there is no score)."""
    titled = titled_score(score)
    if not titled:
        return Text("No score was saved (the call did not finish).", style="yellow")
    return ScoreTable(titled, overrides)


def score_block(score: dict | None, *, original: dict | None = None) -> RenderableType:
    """'Automatic score 72/100 competent' (and the instructor's score when overridden)."""
    if not score:
        return Text("Score: not scored", style="dim")
    line = Text("Score ", style="bold")
    if original is not None:
        line = Text("Instructor's score ", style="bold")
    line.append_text(verdict_text(score.get("score"), score.get("verdict")))
    if original is not None:
        line.append("   automatic score ", style="dim")
        line.append(f"{original.get('score'):g}/100 {original.get('verdict')}", style="dim")
    return line


def delivery_view(delivery: dict | None) -> RenderableType | None:
    """The calm verdict, each measure that was off (plain name, value, calm band, when), tips."""
    delivery = titled_delivery(delivery)
    if not delivery:
        return None
    calm = delivery.get("calm")
    line = Text("Voice: ", style="bold")
    line.append(
        {True: "calm", False: "not always calm"}.get(calm, "not enough speech to judge"),
        style={True: "green", False: "yellow"}.get(calm, "dim"),
    )
    detail = []
    if delivery.get("judged_turns"):
        detail.append(f"{delivery['calm_turns']} of {delivery['judged_turns']} turns calm")
    if delivery.get("reference_title"):
        detail.append(f"judged against {delivery['reference_title']}")
    if detail:
        line.append(f" ({', '.join(detail)})")
    parts: list[RenderableType] = [line]
    for reason in delivery.get("reasons") or []:
        text = Text("  ")
        if reason.get("start_s") is not None:
            text.append(f"{format_duration(reason['start_s'])} ", style="dim")
        text.append(str(reason["title"]), style="bold")
        value = reason.get("value")
        if isinstance(value, (int, float)):
            text.append(f" {value:.3g} {reason.get('unit') or ''}".rstrip())
        band = reason.get("band") or []
        if len(band) == 2 and any(b is not None for b in band):
            low, high = ("…" if b is None else f"{b:g}" for b in band)
            text.append(f" (calm range {low}–{high})", style="dim")
        parts.append(text)
    for tip in delivery.get("tips") or []:
        parts.append(Text.assemble("  • ", (str(tip), "italic")))
    return Group(*parts)


def next_commands(session_id: str, *, typed: bool = False) -> RenderableType:
    """What to run next with this session: replay, report, serve, progress."""
    replay = "read the call again with its evidence" if typed else "hear the call with its evidence"
    lines = [Text("Next:", style="bold")]
    for command, what in (
        (f"voicecoach replay {session_id}", replay),
        (f"voicecoach report {session_id}", "a self-contained HTML report"),
        ("voicecoach serve", f"then open {SERVE_URL}/sessions/{session_id}"),
        ("voicecoach progress", "scores over time"),
    ):
        lines.append(Text.assemble("  ", (command, "cyan"), ("  # " + what, "dim")))
    return Group(*lines)


def call_summary(summary: dict[str, Any]) -> RenderableType:
    """The end-of-call report of `demo` and `practice`: outcome, score, steps, voice, next."""
    from voicecoach.session.review import delivery_summary

    outcome = str(summary.get("outcome") or "-").replace("_", " ")
    score = summary.get("score") or None
    head = Text.assemble(
        ("Outcome: ", "bold"), (outcome, "green" if outcome == "resolved" else "red")
    )
    head.append("   ")
    head.append_text(score_block(score))
    parts: list[RenderableType] = [head]
    if not summary.get("complete", True):
        parts.append(
            Text(f"The call was saved incomplete: {summary.get('reason')}", style="yellow")
        )
    if summary.get("mood_line"):
        parts.append(summary["mood_line"])
    parts.append(score_table(score))
    shown = delivery_view(delivery_summary(summary.get("delivery")))
    if shown is not None:
        parts.append(shown)
    if summary.get("session_id"):
        parts.append(Text(f"Session saved: {summary['session_id']}", style="dim"))
        parts.append(next_commands(summary["session_id"], typed=bool(summary.get("typed"))))
    return Group(*parts)


def session_header(view: dict) -> RenderableType:
    """Who, which scenario, when, how long, outcome, and the score (instructor's if changed)."""
    info = view["session"]
    title = Text.assemble(
        (visible(info["trainee"]), "bold"),
        " · ",
        visible(info.get("scenario_title") or info["scenario_id"]),
    )
    when = Text(
        f"{info['started_at'][:16].replace('T', ' ')} UTC · {format_duration(info['duration_s'])}"
        f" · outcome {str(info['outcome'] or '-').replace('_', ' ')}"
    )
    if info.get("typed"):
        when.append(" · typed call (no audio)", style="cyan")
    if not info["complete"]:
        when.append(f" · incomplete: {visible(info.get('reason') or '')}", style="yellow")
    if info.get("missing"):
        when.append(f" · recording: {info['missing']} (the files are gone)", style="bold red")
    original = view.get("original_score") if view.get("overrides") else None
    return Group(title, when, score_block(view.get("score"), original=original))


def session_report(view: dict) -> RenderableType:
    """`sessions show` and the top of `replay`: header, score table, voice, comments."""
    parts: list[RenderableType] = [
        session_header(view),
        score_table(view.get("score"), view.get("overrides")),
    ]
    delivery = delivery_view(view.get("delivery"))
    if delivery is not None:
        parts.append(delivery)
    if view.get("comments"):
        parts.append(Text("Instructor comments", style="bold"))
        for comment in view["comments"]:
            span = format_duration(comment["t_s"] or 0.0)
            if comment.get("end_s") is not None:
                span += f"–{format_duration(comment['end_s'])}"
            parts.append(
                Text.assemble(
                    f"  {span}  ",
                    visible(comment["text"]),
                    (f" — {visible(comment['author'])}", "dim"),
                )
            )
    return Group(*parts)


def score_report(score: dict, *, title: str) -> RenderableType:
    """A scored transcript (`voicecoach score`): its name and protocol, score, the table."""
    titled = titled_score(score) or {}
    head = Text.assemble((visible(title), "bold"), (f"  {titled.get('protocol_title', '')}", "dim"))
    return Group(head, score_block(score), score_table(score), Text(""))


BAR_CELLS = 10


def rate_bar(rate: float | None) -> Text:
    """'███████░░░ 70%' (or '-' when never tried)."""
    if rate is None:
        return Text("-", style="dim")
    filled = round(rate * BAR_CELLS)
    style = "green" if rate >= 0.8 else "yellow" if rate >= 0.5 else "red"
    return Text.assemble(
        ("█" * filled, style), ("░" * (BAR_CELLS - filled), "dim"), f" {rate:4.0%}"
    )


def trainee_view(progress: dict) -> RenderableType:
    """`voicecoach progress --trainee NAME`: calls by date, step hit rates, voice."""
    parts: list[RenderableType] = [
        Text.assemble((str(progress["trainee"]), "bold"), f": {len(progress['sessions'])} call(s)")
    ]
    calls = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left")
    for name, justify in (("date", "left"), ("scenario", "left"), ("score", "right")):
        calls.add_column(name, justify=justify, no_wrap=name != "scenario")
    calls.add_column("verdict")
    for row in progress["sessions"]:
        mark = progress["pass_marks"].get(row["protocol"])
        passed = row["score"] is not None and mark is not None and row["score"] >= mark
        score = "-" if row["score"] is None else f"{row['score']:g}"
        scenario = Text(row["scenario_title"])
        if row["typed"]:
            scenario.append(" (typed)", style="dim")
        calls.add_row(
            row["date"],
            scenario,
            Text(score, style="green" if passed else "red"),
            str(row["verdict"] or "-"),
        )
    parts.append(calls)
    marks = sorted(set(progress["pass_marks"].values()))
    if marks:
        parts.append(Text(f"Pass mark: {', '.join(f'{m:g}' for m in marks)}/100", style="dim"))
    for block in progress["steps"]:
        parts.append(
            Text(
                f"{block['protocol_title']}: hit rate over the last {block['calls']} call(s)",
                style="bold",
            )
        )
        table = Table(
            box=None,
            show_header=False,
            pad_edge=False,
        )
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(justify="right", style="dim")
        for item in block["steps"] + block["faults"]:
            table.add_row(item["title"], rate_bar(item["rate"]), f"{item['hits']}/{item['calls']}")
        parts.append(table)
    for measure in progress["measures"]:
        values = [
            r["measures"][measure["id"]]
            for r in progress["sessions"]
            if measure["id"] in r["measures"]
        ]
        line = Text.assemble(
            (measure["title"], "bold"), f" last call {values[-1]:.3g} {measure['unit']}"
        )
        band = measure.get("calm_band")
        if band:
            inside = band[0] <= values[-1] <= band[1]
            line.append(
                f"  (your calm band {band[0]:g}–{band[1]:g})", style="green" if inside else "yellow"
            )
        parts.append(line)
    if progress["measures"] and not progress["has_baseline"]:
        parts.append(
            Text(
                "No calm baseline yet: record one with "
                f"voicecoach calibrate --trainee {progress['trainee']}",
                style="dim",
            )
        )
    return Group(*parts)


def cohort_view(progress: dict) -> RenderableType:
    """`voicecoach progress`: trainees x steps per protocol, weakest step first."""
    if not progress["protocols"]:
        return Text("No sessions yet. Take a call with `voicecoach practice` or `voicecoach demo`.")
    parts: list[RenderableType] = []
    for block in progress["protocols"]:
        parts.append(
            Text(
                f"{block['protocol_title']}: step hit rate over each trainee's last "
                f"{progress['last_calls']} calls, weakest step first (calls in brackets)",
                style="bold",
            )
        )
        table = Table(
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
        )
        table.add_column("step", no_wrap=True)
        table.add_column("all", justify="right", style="bold")
        for row in block["trainees"]:
            table.add_column(Text(f"{row['trainee']} ({row['calls']})"), justify="right")
        for index, step in enumerate(block["steps"]):
            cells = [_rate_cell(row["rates"][index]["rate"]) for row in block["trainees"]]
            table.add_row(Text(step["title"]), _rate_cell(step["rate"]), *cells)
        parts.append(table)
    return Group(*parts)


def _rate_cell(rate: float | None) -> Text:
    if rate is None:
        return Text("-", style="dim")
    return Text(f"{rate:.0%}", style="green" if rate >= 0.8 else "yellow" if rate >= 0.5 else "red")
