"""A readable report of a score: steps with quoted evidence and times, faults, tips."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from voicecoach.scoring.protocols import load_rubric
from voicecoach.textsafe import visible

_CHECK_TITLES = {
    "help_me_understand": "Help me understand (bonus)",
    "verify_identity": "Identity verified",
}
_FAULT_TITLES = {
    "why_did_you": "Accusatory 'why did you'",
    "dismissive": "Dismissive",
    "jargon": "Unexplained jargon",
    "confidentiality_breach": "Confidentiality breach",
}


def _when(evidence: dict) -> str:
    start = evidence.get("start")
    at = f"{int(start // 60)}:{start % 60:04.1f}" if isinstance(start, (int, float)) else "-"
    return f"turn {evidence['turn']}, {at}"


def _quotes(evidence: list[dict]) -> Text:
    text = Text()
    for i, ev in enumerate(evidence):
        if i:
            text.append("\n")
        text.append(f"\u201c{visible(ev['quote'])}\u201d", style="italic")
        text.append(f"  ({_when(ev)})", style="dim")
    return text


def render_score(score: dict, title: str | Text = "") -> Panel:
    """A rich panel for one score object in the contract's shape."""
    rubric = load_rubric(score["protocol"])
    steps = Table(show_header=True, header_style="bold", expand=True, box=None)
    steps.add_column("step", width=24)
    steps.add_column("", width=9)
    steps.add_column("evidence / tip", ratio=6)
    for rule in rubric.steps:
        item = score["steps"].get(rule.id, {"met": False, "evidence": []})
        if item["met"]:
            status = Text("met", style="green")
            if not item.get("in_order", True):
                status = Text("met*", style="yellow")
            steps.add_row(rule.title, status, _quotes(item["evidence"]))
        else:
            steps.add_row(
                rule.title,
                Text("missing", style="red"),
                Text("Tip: " + visible(item.get("tip", "")), style="cyan"),
            )
    checks = Table(show_header=False, box=None, expand=True)
    checks.add_column(width=24)
    checks.add_column(width=9)
    checks.add_column(ratio=6)
    for check_id, item in score["checks"].items():
        required = item.get("required")
        if item["met"]:
            status = Text("yes", style="green")
        elif check_id == "verify_identity" and not required:
            status = Text("n/a", style="dim")
        else:
            status = Text("no", style="red" if required else "dim")
        detail = _quotes(item["evidence"]) if item["evidence"] else Text("")
        if check_id == "verify_identity" and required and not item["met"]:
            detail = Text(
                "Tip: "
                + rubric.check_tips["verify_identity"].format_map(
                    {"full_name": "the caller", "name": "the caller"}
                ),
                style="cyan",
            )
        checks.add_row(_CHECK_TITLES.get(check_id, check_id), status, detail)
    faults = Table(show_header=False, box=None, expand=True)
    faults.add_column(width=24)
    faults.add_column(width=9)
    faults.add_column(ratio=6)
    for fault_id, item in score["faults"].items():
        critical = rubric.faults[fault_id].critical if fault_id in rubric.faults else False
        if item["present"]:
            label = "CRITICAL" if critical else "present"
            faults.add_row(
                _FAULT_TITLES.get(fault_id, fault_id),
                Text(label, style="bold red"),
                _quotes(item["evidence"]),
            )
        else:
            faults.add_row(_FAULT_TITLES.get(fault_id, fault_id), Text("none", style="green"), "")
    verdict_style = "green" if score["score"] >= 65 and "not" not in score["verdict"] else "red"
    summary = Text.assemble(
        ("Score ", "bold"),
        (f"{score['score']}/100", "bold"),
        ("   Verdict: ", "bold"),
        (score["verdict"], f"bold {verdict_style}"),
    )
    notes = []
    if any(i.get("met") and not i.get("in_order", True) for i in score["steps"].values()):
        notes.append(Text("* met, but far out of the expected order", style="yellow"))
    body = Group(
        summary,
        Text(""),
        Text("Steps", style="bold underline"),
        steps,
        Text(""),
        Text("Checks", style="bold underline"),
        checks,
        Text(""),
        Text("Faults", style="bold underline"),
        faults,
        *notes,
    )
    return Panel(body, title=title or rubric.title, title_align="left")
