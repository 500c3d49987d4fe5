"""HTML pages of the replay app: Jinja2 templates (`templates/`, autoescaped).

The session and trainee pages carry their data as JSON in the page and are drawn
by `static/session.js` / `static/trainee.js`; the sessions list is plain HTML.
`inline=True` (the exported report) puts every script and stylesheet in the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from voicecoach import jsonsafe
from voicecoach.session.review import format_duration, scenario_title, session_is_typed
from voicecoach.session.store import SessionInfo

STATIC_DIR = Path(__file__).resolve().parent / "static"
LIST_FILTERS = ("trainee", "scenario", "since", "until", "outcome", "verdict")
OUTCOMES = ("resolved", "escalated", "hung_up", "timed_out")
VERDICTS = ("competent", "not yet competent")
PER_PAGE = 50
MAX_PER_PAGE = 200
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


@cache
def _static_text(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def _number(value: float | None, missing: str = "-") -> str:
    """A score or bound as Python's `g` format, `missing` for None."""
    return missing if value is None else f"{value:g}"


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def _band(rate: float | None) -> str:
    if rate is None:
        return "none"
    return "good" if rate >= 0.8 else "fair" if rate >= 0.5 else "weak"


@cache
def environment() -> Environment:
    """The templates' environment: autoescape on for every template, strict undefined."""
    env = Environment(
        loader=PackageLoader("voicecoach.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
    )
    env.filters.update(
        script_json=lambda obj: Markup(json_for_script(obj)),
        urlpart=lambda text: quote(str(text), safe=""),
        number=_number,
        pct=_pct,
        band=_band,
        width=lambda rate: 0 if rate is None else round(rate * 100),
    )
    env.globals.update(
        asset_text=lambda name: Markup(_static_text(name)),
        asset_script=lambda name: Markup(_static_text(name).replace("</script", "<\\/script")),
        format_duration=format_duration,
        scenario_title=scenario_title,
        session_is_typed=session_is_typed,
        nav_links=NAV_LINKS,
    )
    return env


def compile_templates() -> None:
    """Compile every template now (at start) rather than on the first request of each."""
    env = environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def render(
    template: str,
    *,
    title: str,
    csrf_token: str = "",
    viewer_name: str | None = None,
    scripts: tuple[str, ...] = (),
    data: Any = None,
    inline: bool = False,
    nav: bool = True,
    current: str = "",
    **context: Any,
) -> str:
    """A whole page from `template` (which extends `base.html`)."""
    return (
        environment()
        .get_template(template)
        .render(
            title=title,
            csrf_token=csrf_token,
            viewer_name=viewer_name,
            styles=STYLES,
            scripts=scripts,
            data=data,
            inline=inline,
            nav=nav,
            current=current,
            **context,
        )
    )


def error_page(status: int, message: str, **common: Any) -> str:
    """A plain page saying what went wrong."""
    return render("error.html", title=f"Error {status}", status=status, message=message, **common)


@dataclass(frozen=True)
class Paging:
    """Which page of a list is shown: 1-based `page` of `per_page` rows out of `total`."""

    page: int
    per_page: int
    total: int

    @classmethod
    def clamped(cls, page: int, per_page: int, total: int) -> Paging:
        """Page `page` (past the last: the last) of at most MAX_PER_PAGE rows."""
        per_page = min(per_page, MAX_PER_PAGE)
        return cls(min(page, max(1, -(-total // per_page))), per_page, total)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first_row(self) -> int:
        return min(self.total, (self.page - 1) * self.per_page + 1)

    @property
    def last_row(self) -> int:
        return min(self.total, self.page * self.per_page)


def sessions_page(
    sessions: list[SessionInfo],
    filters: dict[str, str | None],
    order: str,
    paging: Paging,
    *,
    trainees: list[str],
    **common: Any,
) -> str:
    """One page of the sessions list with its filter form and previous/next links."""
    kept = {k: v for k, v in {**filters, "order": order}.items() if v}
    if paging.per_page != PER_PAGE:
        kept["per_page"] = str(paging.per_page)

    def page_query(page: int) -> str:
        return urlencode({**kept, "page": page} if page > 1 else kept)

    return render(
        "sessions.html",
        title="Sessions" if paging.page == 1 else f"Sessions, page {paging.page}",
        current="/sessions",
        sessions=sessions,
        filters=filters,
        order=order,
        trainees=trainees,
        outcomes=OUTCOMES,
        verdicts=VERDICTS,
        paging=paging,
        default_per_page=PER_PAGE,
        query=page_query(paging.page),
        previous_query=page_query(paging.page - 1) if paging.page > 1 else None,
        next_query=page_query(paging.page + 1) if paging.page < paging.pages else None,
        **common,
    )


def session_page(view: dict, *, inline: bool = False, extra: dict | None = None, **common) -> str:
    """The annotated session page (also the exported report with `inline=True`)."""
    info = view["session"]
    return render(
        "session.html",
        title=f"{info.get('scenario_title') or info['scenario_id']} · {info['trainee']}"
        f" · {info['started_at'][:10]}",
        scripts=SESSION_SCRIPTS,
        data={**view, **(extra or {})},
        inline=inline,
        nav=not inline,
        missing=info.get("missing"),
        **common,
    )
