"""The replay web app (Starlette, ASGI): routes, who may see what, errors as JSON or HTML.

Routes (every HTML page has a `.json` twin):

    GET  /sessions[.json]?trainee=&scenario=&since=&until=&outcome=&verdict=&order=
    GET  /sessions/<id>[.json]                  the annotated session
    GET  /sessions/<id>/audio.wav               the call (HTTP Range supported; audited)
    GET  /sessions/<id>/peaks.json              waveform peaks
    GET  /sessions/<id>/tracks.json             pitch/loudness tracks measured on demand
    GET  /sessions/<id>/report.html             the self-contained export (audited)
    POST /sessions/<id>/comments                {t_s, end_s?, text, author}
    PUT  /sessions/<id>/comments/<cid>          {text?, t_s?, end_s?, version} (409 when stale)
    DELETE /sessions/<id>/comments/<cid>?version=N
    POST /sessions/<id>/overrides               {item_id, value: true|false|null, reason, author}
    GET  /trainees/<name>[.json]                a trainee's progress across sessions
    GET  /progress[.json]                       the cohort: trainees x steps, weakest first
    GET/POST /login, GET/POST /logout           with accounts only
    GET  /static/<file>

Access, in one of three modes chosen at start (`AccessMode`):
- open: loopback with no accounts in the database; no sign-in, and the Host
  header must be a loopback name (no DNS rebinding);
- token: another host with no accounts; the access token is needed (query
  `?token=` once, then a cookie, or `Authorization: Bearer`);
- accounts: the database holds accounts; everyone signs in (`/login`), and each
  sees what their role allows (`access.py`). A session or trainee one may not
  see answers 404, exactly as an unknown one.
Write routes need a JSON body, a same-origin request and the page's CSRF token.
Only fixed file names inside a session folder are served, after checking the
resolved path stays inside the data directory (no traversal, no symlinks out).
"""

from __future__ import annotations

import enum
import hmac
import secrets
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from voicecoach.errors import SessionError, VoiceCoachError
from voicecoach.session.store import CommentConflictError, SessionStore
from voicecoach.web import handlers as h
from voicecoach.web import login, pages
from voicecoach.web.access import Viewer, viewer_for
from voicecoach.web.handlers import Call, PageCache, html_response, json_response
from voicecoach.web.security import (
    HttpError,
    SecurityHeaders,
    check_csrf,
    check_host,
    check_path,
    check_same_origin,
    form_body,
    json_body,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"
TOKEN_COOKIE = "voicecoach_token"
SYNC_EVERY_S = 5.0
AUDIT_REPEAT_S = 600.0  # a player's later range requests belong to the playback logged
AUDIT_MEMORY = 10_000  # remembered recent fetches (actor, session) before old ones are dropped


class AccessMode(enum.Enum):
    OPEN = "open"
    TOKEN = "token"
    ACCOUNTS = "accounts"


@dataclass
class AppState:
    """What every request shares: the store, the access mode and its secrets."""

    store: SessionStore
    mode: AccessMode
    access_token: str | None = None
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    throttle: login.Throttle = field(default_factory=login.Throttle)
    clock: Callable[[], datetime] = login.utc_now
    sync_every_s: float = SYNC_EVERY_S
    pages: PageCache = field(default_factory=PageCache)
    _last_sync_s: float = float("-inf")
    _sync_lock: threading.Lock = field(default_factory=threading.Lock)
    _audited: dict[tuple, float] = field(default_factory=dict)

    @property
    def data_root(self) -> Path:
        return self.store.data_dir.resolve()

    def sync_store(self) -> None:
        """Index session folders recorded outside the store, at most every few seconds."""
        with self._sync_lock:
            if time.monotonic() - self._last_sync_s < self.sync_every_s:
                return
            self._last_sync_s = time.monotonic()
        self.store.sync()

    def audit_fetch(self, viewer: Viewer, action: str, sid: str, *, from_start: bool) -> None:
        """Log a fetch of a recording: each one from its start, others once per AUDIT_REPEAT_S."""
        key = (viewer.actor, action, sid)
        now = time.monotonic()
        with self._sync_lock:
            recent = now - self._audited.get(key, float("-inf")) < AUDIT_REPEAT_S
            if from_start or not recent:
                self._audited[key] = now
                if len(self._audited) > AUDIT_MEMORY:
                    cutoff = now - AUDIT_REPEAT_S
                    self._audited = {k: t for k, t in self._audited.items() if t > cutoff}
        if from_start or not recent:
            self.store.record_audit(viewer.actor, action, session_id=sid)


def wants_json(request: Request) -> bool:
    return request.method not in ("GET", "HEAD") or request.url.path.endswith(".json")


def error_response(
    request: Request,
    status: int,
    message: str,
    payload: dict | None = None,
    headers: dict | None = None,
    *,
    page: bool = False,
) -> Response:
    """An error as JSON (writes, `.json` routes) or as a page (`page=True`: a form's post),
    closing a write's connection."""
    headers = dict(headers or {})
    if request.method not in ("GET", "HEAD"):
        headers["Connection"] = "close"  # a request body may be left unread
    if wants_json(request) and not page:
        return json_response(
            {"error": message, "status": status, **(payload or {})}, status, headers
        )
    return html_response(pages.error_page(status, message), status, headers)


# ---- access ---------------------------------------------------------------------


def _viewer(request: Request, state: AppState) -> tuple[Viewer, dict[str, str]]:
    """Who is asking (and cookies to set), or HttpError 401 / a redirect to sign in."""
    if state.mode is AccessMode.OPEN:
        return Viewer(actor="workstation viewer", role="admin", csrf_token=state.csrf_token), {}
    if state.mode is AccessMode.TOKEN:
        return _token_viewer(request, state)
    found = login.signed_in(request, state.store, clock=state.clock)
    if found is None:
        raise SignInNeeded()
    user, csrf = found
    return viewer_for(state.store, user, csrf), {}


def _token_viewer(request: Request, state: AppState) -> tuple[Viewer, dict[str, str]]:
    expected = state.access_token or ""
    viewer = Viewer(actor="access-token holder", role="admin", csrf_token=state.csrf_token)
    offered = request.query_params.get("token")
    if offered and hmac.compare_digest(offered.encode(), expected.encode()):
        return viewer, {TOKEN_COOKIE: expected}
    auth = request.headers.get("authorization", "")
    if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].encode(), expected.encode()):
        return viewer, {}
    cookie = request.cookies.get(TOKEN_COOKIE, "")
    if cookie and hmac.compare_digest(cookie.encode(), expected.encode()):
        return viewer, {}
    raise HttpError(
        HTTPStatus.UNAUTHORIZED,
        "this server needs its access token: open the address `voicecoach serve` printed",
    )


class SignInNeeded(Exception):
    """No valid sign-in behind the request (none, expired or forged: all look the same)."""


def _sign_in_answer(request: Request) -> Response:
    """Pages send the browser to the sign-in form; everything else gets 401."""
    if not wants_json(request) and "text/html" in request.headers.get("accept", ""):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response: Response = RedirectResponse(
            f"/login?{urlencode({'next': target})}", status_code=303
        )
    else:
        response = error_response(request, 401, "sign in first")
    response.delete_cookie(login.LOGIN_COOKIE, path="/")
    return response


Handler = Callable[..., Response]


def endpoint(
    state: AppState, handler: Handler, *, write: bool = False, body: bool = False, **fixed: Any
) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint: checks, the viewer, a write's CSRF (and JSON body), then `handler`."""

    async def run(request: Request) -> Response:
        try:
            if write:
                check_same_origin(request)
            if state.mode is AccessMode.ACCOUNTS:  # the database says who is signed in
                viewer, cookies = await run_in_threadpool(_viewer, request, state)
            else:
                viewer, cookies = _viewer(request, state)
            if write:
                check_csrf(request.headers.get("x-csrf-token"), viewer.csrf_token)
            call = Call(request, viewer, state, await json_body(request) if body else None)
            response = await run_in_threadpool(handler, call, **fixed)
            for name, value in cookies.items():
                response.set_cookie(
                    name,
                    value,
                    path="/",
                    httponly=True,
                    samesite="strict",
                    secure=request.url.scheme == "https",
                )
            return response
        except SignInNeeded:
            return _sign_in_answer(request)
        except Exception as exc:  # noqa: BLE001 - every error is one answer, never a traceback
            return answer_error(request, exc)

    return run


def answer_error(request: Request, exc: Exception, *, page: bool = False) -> Response:
    """The answer for an exception raised while serving `request` (see `error_response`)."""
    if isinstance(exc, HttpError):
        return error_response(request, exc.status, str(exc), exc.payload, exc.headers, page=page)
    if isinstance(exc, CommentConflictError):
        return error_response(request, 409, str(exc))
    if isinstance(exc, SessionError):
        message = str(exc)
        status = 404 if message.startswith(("no session", "no comment")) else 400
        return error_response(request, status, message)
    if isinstance(exc, VoiceCoachError):
        return error_response(request, 400, str(exc))
    print(
        f"error serving {request.method} {request.url.path}: {type(exc).__name__}: {exc}",
        file=sys.stderr,
    )
    return error_response(request, 500, f"internal error: {type(exc).__name__}")


# ---- sign-in routes (accounts mode) -------------------------------------------------


def login_routes(state: AppState) -> list[BaseRoute]:
    """GET/POST /login and /logout."""

    async def login_get(request: Request) -> Response:
        return login.login_page(request)

    async def login_post(request: Request) -> Response:
        try:
            form = await form_body(request)
            return await run_in_threadpool(
                login.sign_in,
                request,
                form,
                state.store,
                throttle=state.throttle,
                clock=state.clock,
            )
        except Exception as exc:  # noqa: BLE001
            return answer_error(request, exc, page=True)

    async def logout(request: Request) -> Response:
        try:
            found = await run_in_threadpool(login.signed_in, request, state.store)
            if found is None:
                return RedirectResponse("/login", status_code=303)
            user, csrf = found
            check_same_origin(request)
            form = await form_body(request)
            check_csrf(form.get("csrf_token"), csrf)
            return await run_in_threadpool(login.sign_out, request, form, state.store, user)
        except Exception as exc:  # noqa: BLE001
            return answer_error(request, exc, page=True)

    return [
        Route("/login", login_get, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", endpoint(state, h.logout_page), methods=["GET"]),
        Route("/logout", logout, methods=["POST"]),
    ]


# ---- the app -------------------------------------------------------------------------


def replay_routes(state: AppState) -> list[BaseRoute]:
    """The replay pages, their `.json` twins, audio and annotations."""

    def get(path: str, handler: Handler, **fixed: Any) -> Route:
        return Route(path, endpoint(state, handler, **fixed), methods=["GET"])

    def write(path: str, handler: Handler, method: str) -> Route:
        has_body = method != "DELETE"
        return Route(path, endpoint(state, handler, write=True, body=has_body), methods=[method])

    sid = "/sessions/{sid}"
    return [
        get("/", h.redirect_home),
        Route("/favicon.ico", lambda request: Response(status_code=204), methods=["GET"]),
        get("/sessions.json", h.sessions_page, ext=True),
        get("/sessions", h.sessions_page, ext=False),
        get(f"{sid}/audio.wav", h.session_audio),
        get(f"{sid}/peaks.json", h.session_peaks),
        get(f"{sid}/tracks.json", h.session_tracks),
        get(f"{sid}/report.html", h.session_report),
        get(f"{sid}.json", h.session_page, ext=True),
        get(sid, h.session_page, ext=False),
        write(f"{sid}/comments", h.comment_add, "POST"),
        write(f"{sid}/comments/{{cid:int}}", h.comment_update, "PUT"),
        write(f"{sid}/comments/{{cid:int}}", h.comment_delete, "DELETE"),
        write(f"{sid}/overrides", h.override_set, "POST"),
        get("/trainees/{name}.json", h.trainee_page, ext=True),
        get("/trainees/{name}", h.trainee_page, ext=False),
        get("/progress.json", h.cohort_page, ext=True),
        get("/progress", h.cohort_page, ext=False),
    ]


class RequestGate:
    """Before any route: no climbing paths, and on an open server only loopback Host names."""

    def __init__(self, app, state: AppState):
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            try:
                check_path(scope["path"])
                if self.state.mode is AccessMode.OPEN:
                    check_host(request)
            except HttpError as exc:
                await answer_error(request, exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    store: SessionStore,
    *,
    mode: AccessMode = AccessMode.OPEN,
    access_token: str | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    throttle: login.Throttle | None = None,
    clock: Callable[[], datetime] = login.utc_now,
) -> Starlette:
    """The replay app over `store`; `extra_routes` (e.g. workstation uploads) are added as
    they are and do their own authentication (only the Host and path checks apply)."""
    state = AppState(
        store=store,
        mode=mode,
        access_token=access_token,
        throttle=throttle or login.Throttle(),
        clock=clock,
    )
    pages.compile_templates()
    routes = list(extra_routes) + replay_routes(state)
    if mode is AccessMode.ACCOUNTS:
        routes += login_routes(state)
    routes.append(Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"))

    async def not_found(request: Request, exc: HTTPException) -> Response:
        message = f"no page at {request.url.path}" if exc.status_code == 404 else exc.detail
        return error_response(request, exc.status_code, message)

    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(RequestGate, state=state)],
        exception_handlers={HTTPException: not_found},
    )
    app.state.replay = state
    return app
