"""The progress pages: one trainee's progress, and the cohort (trainees x steps).

Everything a chart shows is also on the page as text and tables (the charts'
text alternative); `static/trainee.js` draws the charts from the page's JSON.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from voicecoach.web.pages import TRAINEE_SCRIPTS, layout


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def _band(rate: float | None) -> str:
    if rate is None:
        return "none"
    return "good" if rate >= 0.8 else "fair" if rate >= 0.5 else "weak"


def _trainee_url(name: str) -> str:
    return "/trainees/" + quote(name, safe="")


def _rates_table(block: dict) -> str:
    rows = []
    for item in block["steps"] + block["faults"]:
        width = 0 if item["rate"] is None else round(item["rate"] * 100)
        rows.append(
            f"<tr class='{_band(item['rate'])}'><th scope='row'>{escape(item['title'])}</th>"
            f"<td class='bar'><span class='fill' style='width:{width}%'></span></td>"
            f"<td class='num'>{_pct(item['rate'])}</td>"
            f"<td class='num muted'>{item['hits']} of {item['calls']}</td></tr>"
        )
    return (
        f"<h3>{escape(block['protocol_title'])}</h3>"
        f"<table class='rates'><caption>How often each step was met over the last "
        f"{block['calls']} call(s) of this protocol</caption>"
        "<thead><tr><th scope='col'>step</th><th scope='col'><span class='sr-only'>bar</span>"
        "</th><th scope='col'>hit rate</th><th scope='col'>calls</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _calls_table(progress: dict) -> str:
    rows = []
    for row in reversed(progress["sessions"]):
        mark = progress["pass_marks"].get(row["protocol"])
        score = "–" if row["score"] is None else f"{row['score']:g}"
        passed = row["score"] is not None and mark is not None and row["score"] >= mark
        typed = " <span class='badge'>typed</span>" if row["typed"] else ""
        rows.append(
            f"<tr><td><a href='/sessions/{quote(row['id'])}'>"
            f"{escape(row['started_at'][:16].replace('T', ' '))}"
            f"</a></td><td>{escape(row['scenario_title'])}{typed}</td>"
            f"<td class='num {'' if row['score'] is None else 'ok' if passed else 'bad'}'>"
            f"{score}</td>"
            f"<td>{escape(row['verdict'] or '–')}</td></tr>"
        )
    return (
        "<table class='calls'><caption>Every call, newest first</caption><thead><tr>"
        "<th scope='col'>started (UTC)</th><th scope='col'>scenario</th>"
        "<th scope='col'>score</th><th scope='col'>verdict</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _score_summary(progress: dict) -> str:
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


def _measure_figures(progress: dict) -> str:
    figures = []
    for measure in progress["measures"]:
        values = [
            (r["date"], r["measures"][measure["id"]])
            for r in progress["sessions"]
            if measure["id"] in r["measures"]
        ]
        band = measure.get("calm_band")
        band_text = (
            f" Your calm band: {band[0]:g}–{band[1]:g} {escape(measure['unit'])}."
            if band
            else " No calm baseline yet."
        )
        last = values[-1][1]
        figures.append(
            f"<figure class='multiple'><figcaption><strong>{escape(measure['title'])}</strong>"
            f" <span class='muted'>({escape(measure['unit'])})</span></figcaption>"
            f"<div class='chart' id='measure-{escape(measure['id'])}' aria-hidden='true'></div>"
            + ("<p class='legend'><span class='key band'>your calm band</span></p>" if band else "")
            + f"<p class='alt'>Latest {last:.3g} {escape(measure['unit'])} over "
            f"{len(values)} call(s).{band_text}</p></figure>"
        )
    if not figures:
        return "<p class='muted'>No spoken call with voice measures yet.</p>"
    hint = (
        ""
        if progress["has_baseline"]
        else "<p class='muted'>Record a calm baseline to see your calm band: "
        f"<code>voicecoach calibrate --trainee {escape(progress['trainee'])}</code></p>"
    )
    return f"<div class='multiples'>{''.join(figures)}</div>{hint}"


def trainee_page(progress: dict) -> str:
    """A trainee's progress: score by date with the pass mark, step hit rates, voice."""
    name = escape(progress["trainee"])
    body = (
        f"<h1>{name}: progress</h1>"
        "<section aria-labelledby='score-h'><h2 id='score-h'>Score by date</h2>"
        "<figure><p class='legend'><span class='key score'>score</span> "
        "<span class='key pass'>pass mark</span></p>"
        "<div class='chart' id='score-chart' aria-hidden='true'></div>"
        f"<figcaption class='alt' id='score-summary'>{escape(_score_summary(progress))}"
        "</figcaption></figure></section>"
        "<section aria-labelledby='steps-h'><h2 id='steps-h'>Steps</h2>"
        + "".join(_rates_table(block) for block in progress["steps"])
        + "</section><section aria-labelledby='voice-h'><h2 id='voice-h'>Voice against your "
        "calm band</h2>"
        + _measure_figures(progress)
        + "</section><section aria-labelledby='calls-h'><h2 id='calls-h'>Calls</h2>"
        + _calls_table(progress)
        + f"</section><p class='muted'><a href='{_trainee_url(progress['trainee'])}.json'>"
        "as JSON</a></p>"
    )
    return layout(
        f"{progress['trainee']}: progress",
        body,
        scripts=TRAINEE_SCRIPTS,
        data=progress,
        current="/progress",
    )


def cohort_page(progress: dict) -> str:
    """Every trainee x every step of each protocol, weakest step first."""
    parts = [
        "<h1>Progress</h1><p>How often each trainee met each step over their last "
        f"{progress['last_calls']} calls of a protocol. Weakest step first.</p>"
    ]
    if not progress["protocols"]:
        parts.append(
            "<p>No sessions yet. Record one with <code>voicecoach practice</code> or "
            "<code>voicecoach demo</code>.</p>"
        )
    for block in progress["protocols"]:
        head = "".join(f"<th scope='col'>{escape(s['title'])}</th>" for s in block["steps"])
        rows = [
            "<tr class='all'><th scope='row'>all trainees</th><td></td><td></td>"
            + "".join(
                f"<td class='rate {_band(s['rate'])}'>{_pct(s['rate'])}</td>"
                for s in block["steps"]
            )
            + "</tr>"
        ]
        for row in block["trainees"]:
            latest = "–" if row["latest_score"] is None else f"{row['latest_score']:g}"
            rows.append(
                f"<tr><th scope='row'><a href='{_trainee_url(row['trainee'])}'>"
                f"{escape(row['trainee'])}</a></th><td class='num'>{row['calls']}</td>"
                f"<td class='num'>{latest}</td>"
                + "".join(
                    f"<td class='rate {_band(c['rate'])}'>{_pct(c['rate'])}</td>"
                    for c in row["rates"]
                )
                + "</tr>"
            )
        parts.append(
            f"<section><h2>{escape(block['protocol_title'])}</h2><div class='scroll'>"
            "<table class='cohort'><caption>Step hit rate per trainee (weakest step first)"
            "</caption><thead><tr><th scope='col'>trainee</th><th scope='col'>calls</th>"
            f"<th scope='col'>latest score</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div></section>"
        )
    parts.append("<p class='muted'><a href='/progress.json'>as JSON</a></p>")
    return layout("Progress", "".join(parts), current="/progress")
