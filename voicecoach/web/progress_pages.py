"""The progress pages: one trainee's progress, and the cohort (trainees x steps).

Everything a chart shows is also on the page as text and tables (the charts'
text alternative); `static/trainee.js` draws the charts from the page's JSON.
The templates are `templates/trainee.html` and `templates/cohort.html`.
"""

from __future__ import annotations

from typing import Any

from voicecoach.web.pages import TRAINEE_SCRIPTS, render


def score_summary(progress: dict) -> str:
    """The score chart's text alternative: how many calls, first and latest, passes."""
    scored = [r for r in progress["sessions"] if r["score"] is not None]
    marks = sorted(set(progress["pass_marks"].values()))
    mark_text = " and ".join(f"{m:g}" for m in marks) or "–"
    if not scored:
        return f"No scored call yet. Pass mark {mark_text}."
    first, last = scored[0], scored[-1]
    passed = sum(1 for r in scored if r["score"] >= progress["pass_marks"].get(r["protocol"], 101))
    return (
        f"{len(scored)} scored call(s) from {first['date']} to {last['date']}: first "
        f"{first['score']:g}, latest {last['score']:g}; {passed} at or above the pass mark "
        f"({mark_text})."
    )


def _figures(progress: dict) -> list[dict[str, Any]]:
    """One small chart per voice measure: its latest value, count and calm band."""
    figures = []
    for measure in progress["measures"]:
        values = [
            r["measures"][measure["id"]]
            for r in progress["sessions"]
            if measure["id"] in r["measures"]
        ]
        figures.append(
            {
                "id": measure["id"],
                "title": measure["title"],
                "unit": measure["unit"],
                "band": measure.get("calm_band"),
                "last": f"{values[-1]:.3g}",
                "count": len(values),
            }
        )
    return figures


def _calls(progress: dict) -> list[dict[str, Any]]:
    """The calls newest first, each marked ok/bad against its protocol's pass mark."""
    rows = []
    for row in reversed(progress["sessions"]):
        mark = progress["pass_marks"].get(row["protocol"])
        passed = row["score"] is not None and mark is not None and row["score"] >= mark
        mark_class = "" if row["score"] is None else "ok" if passed else "bad"
        rows.append({**row, "mark_class": mark_class})
    return rows


def trainee_page(progress: dict, **common: Any) -> str:
    """A trainee's progress: score by date with the pass mark, step hit rates, voice."""
    return render(
        "trainee.html",
        title=f"{progress['trainee']}: progress",
        scripts=TRAINEE_SCRIPTS,
        data=progress,
        current="/progress",
        progress=progress,
        score_summary=score_summary(progress),
        figures=_figures(progress),
        calls=_calls(progress),
        **common,
    )


def cohort_page(progress: dict, **common: Any) -> str:
    """Every trainee x every step of each protocol, weakest step first."""
    return render("cohort.html", title="Progress", current="/progress", progress=progress, **common)
