"""HTML pages of the replay app: plain templates with escaped values.

The session and trainee pages carry their data as JSON in the page and are drawn
by `static/session.js` / `static/trainee.js`; the sessions list is plain HTML.
`inline=True` (the exported report) puts every script and stylesheet in the page.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from voicecoach import jsonsafe
from voicecoach.session.review import format_duration, scenario_title, session_is_typed
from voicecoach.session.store import SessionInfo

STATIC_DIR = Path(__file__).resolve().parent / "static"
LIST_FILTERS = ("trainee", "scenario", "since", "until", "outcome", "verdict")
OUTCOMES = ("resolved", "escalated", "hung_up", "timed_out")
VERDICTS = ("competent", "not yet competent")
SESSION_SCRIPTS = (
    "vendor/wavesurfer.min.js",
    "vendor/wavesurfer.regions.min.js",
    "vendor/wavesurfer.timeline.min.js",
    "vendor/uPlot.iife.min.js",
    "session.js",
)
TRAINEE_SCRIPTS = ("vendor/uPlot.iife.min.js", "trainee.js")
NAV_LINKS = (("/sessions", "Sessions"), ("/progress", "Progress"))
STYLES = ("vendor/uPlot.min.css", "app.css")


def json_for_script(obj: Any) -> str:
    """JSON safe inside a `<script type="application/json">` element."""
    text = jsonsafe.dumps(obj, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _assets(scripts: tuple[str, ...], *, inline: bool) -> tuple[str, str]:
    if inline:
        css = "".join(
            f"<style>{(STATIC_DIR / name).read_text(encoding='utf-8')}</style>" for name in STYLES
        )
        js = "".join(
            "<script>"
            + (STATIC_DIR / name).read_text(encoding="utf-8").replace("</script", "<\\/script")
            + "</script>"
            for name in scripts
        )
    else:
        css = "".join(f'<link rel="stylesheet" href="/static/{name}">' for name in STYLES)
        js = "".join(f'<script src="/static/{name}"></script>' for name in scripts)
    return css, js


def layout(
    title: str,
    body: str,
    *,
    csrf_token: str = "",
    scripts: tuple[str, ...] = (),
    data: Any = None,
    inline: bool = False,
    nav: bool = True,
    current: str = "",
) -> str:
    """A whole page: head, navigation, body, embedded data and scripts."""
    css, js = _assets(scripts, inline=inline)
    data_tag = (
        f'<script type="application/json" id="page-data">{json_for_script(data)}</script>'
        if data is not None
        else ""
    )
    links = "".join(
        f"<a href='{href}'{' aria-current=page' if href == current else ''}>{label}</a>"
        for href, label in NAV_LINKS
    )
    nav_html = (
        "<a class='skip' href='#main'>Skip to content</a>"
        f"<nav aria-label='main'>{links}<span class='brand'>VoiceCoach</span></nav>"
        if nav
        else ""
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='csrf-token' content='{escape(csrf_token)}'>"
        f"<title>{escape(title)} · VoiceCoach</title>{css}</head><body>{nav_html}"
        f"<main id='main' tabindex='-1'>{body}</main>{data_tag}{js}</body></html>"
    )


def error_page(status: int, message: str) -> str:
    """A plain page saying what went wrong (the message escaped)."""
    return layout(
        f"Error {status}", f"<h1>Error {status}</h1><p class='error'>{escape(message)}</p>"
    )


def _select(
    name: str, options: tuple[str, ...] | list[str], chosen: str | None, label: str = ""
) -> str:
    items = [f"<option value=''>any {escape(name)}</option>"]
    for option in options:
        selected = " selected" if option == chosen else ""
        items.append(f"<option value='{escape(option)}'{selected}>{escape(option)}</option>")
    return f"<label>{escape(label or name)} <select name='{name}'>{''.join(items)}</select></label>"


def _session_row(info: SessionInfo) -> str:
    score = "-" if info.effective_score is None else f"{info.effective_score:g}"
    if info.adjusted_score is not None:
        score += f" <span class='muted'>(instructor's; automatic {info.score:g})</span>"
    outcome = escape(info.outcome or "-")
    if not info.complete:
        outcome += f" <span class='warn'>incomplete: {escape(info.reason or '')}</span>"
    if info.missing:
        outcome += f" <span class='warn'>recording {escape(info.missing)}</span>"
    started = escape(info.started_at[:16].replace("T", " "))
    trainee_url = "/trainees/" + quote(info.trainee, safe="")
    scenario = escape(scenario_title(info.scenario_id))
    if session_is_typed(info):
        scenario += " <span class='badge'>typed</span>"
    cells = (
        f"<a href='/sessions/{quote(info.id)}'>{started}</a>",
        f"<a href='{trainee_url}'>{escape(info.trainee)}</a>",
        scenario,
        format_duration(info.duration_s),
        outcome,
        score,
        escape(info.effective_verdict or "-"),
    )
    classes = ("", "", "", "num", "", "num", "")
    tds = (f"<td class='{c}'>{v}</td>" for c, v in zip(classes, cells, strict=True))
    return "<tr>" + "".join(tds) + "</tr>"


def sessions_page(
    sessions: list[SessionInfo],
    filters: dict[str, str | None],
    order: str,
    *,
    trainees: list[str],
    csrf_token: str,
) -> str:
    """The sessions list with its filter form."""

    def text_input(name: str, kind: str, label: str) -> str:
        value = escape(filters.get(name) or "")
        return f"<label>{label} <input type='{kind}' name='{name}' value='{value}'></label>"

    order_options = "".join(
        f"<option value='{value}'{' selected' if value == order else ''}>{label}</option>"
        for value, label in (("date", "newest first"), ("score", "best score first"))
    )
    form = (
        "<form class='filters' method='get' action='/sessions' aria-label='filter sessions'>"
        + _select("trainee", trainees, filters.get("trainee"))
        + text_input("scenario", "text", "scenario id")
        + text_input("since", "date", "from")
        + text_input("until", "date", "to")
        + _select("outcome", OUTCOMES, filters.get("outcome"))
        + _select("verdict", VERDICTS, filters.get("verdict"))
        + f"<label>order <select name='order'>{order_options}</select></label>"
        + "<button type='submit'>Filter</button></form>"
    )
    rows = [_session_row(info) for info in sessions]
    table = (
        "<table class='sessions'><thead><tr><th>started (UTC)</th><th>trainee</th><th>scenario</th>"
        "<th>length</th><th>outcome</th><th>score</th><th>verdict</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>No sessions match. Record one with <code>voicecoach practice</code> or "
        "<code>voicecoach demo</code>.</p>"
    )
    query = urlencode({k: v for k, v in {**filters, "order": order}.items() if v})
    body = (
        f"<h1>Sessions <small>({len(sessions)})</small></h1>{form}{table}"
        f"<p class='muted'><a href='/sessions.json?{escape(query)}'>as JSON</a></p>"
    )
    return layout("Sessions", body, csrf_token=csrf_token, current="/sessions")


SESSION_BODY = """
<header class="session-head">
  <h1 id="title"></h1>
  <p id="summary"></p>
  <p id="score-line" class="big" aria-live="polite"></p>
  <div id="links"></div>
  <div id="reviewer"></div>
</header>
<section class="player" id="player" aria-labelledby="player-h">
  <h2 id="player-h" class="sr-only">Recording</h2>
  <audio id="audio" preload="metadata"></audio>
  <div id="controls" class="controls"></div>
  <div class="lanes">
    <div class="lane-names" aria-hidden="true"><span>Trainee</span><span>Caller</span></div>
    <div class="lane-wave"><div id="waveform"></div>
      <div id="markers" class="markers" role="group" aria-label="steps and faults on the timeline">
      </div></div>
  </div>
  <div id="tracks"></div>
  <div id="mood"></div>
  <p class="legend"><span class="mk step">step met</span> <span class="mk fault">fault</span>
    <span class="mk comment">comment</span> <span class="muted" id="shortcuts"></span></p>
</section>
<div class="columns">
  <section class="transcript-box" aria-labelledby="transcript-h">
    <h2 id="transcript-h">Transcript</h2><div id="transcript"></div></section>
  <aside>
    <section aria-labelledby="score-h"><h2 id="score-h">Score</h2><div id="score"></div></section>
    <section aria-labelledby="delivery-h"><h2 id="delivery-h">Voice</h2>
      <div id="delivery"></div></section>
    <section aria-labelledby="comments-h"><h2 id="comments-h">Comments</h2>
      <div id="comments"></div><div id="comment-form-box"></div></section>
  </aside>
</div>
"""


def session_page(
    view: dict, *, csrf_token: str = "", inline: bool = False, extra: dict | None = None
) -> str:
    """The annotated session page (also the exported report with `inline=True`)."""
    info = view["session"]
    data = {**view, **(extra or {})}
    body = SESSION_BODY
    if info.get("missing"):
        body = f"<p class='warn' role='alert'>Recording {escape(info['missing'])}.</p>{body}"
    return layout(
        f"{info.get('scenario_title') or info['scenario_id']} · {info['trainee']}"
        f" · {info['started_at'][:10]}",
        body,
        csrf_token=csrf_token,
        scripts=SESSION_SCRIPTS,
        data=data,
        inline=inline,
        nav=not inline,
    )
