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
from collections import OrderedDict
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
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from voicecoach import jsonsafe
from voicecoach.errors import SessionError, VoiceCoachError
from voicecoach.results.progress import cohort_progress, no_trainee_sessions, trainee_progress
from voicecoach.session import review
from voicecoach.session.store import CommentConflictError, SessionStore, unknown_session
from voicecoach.web import audio, login, pages, progress_pages
from voicecoach.web.access import Viewer, viewer_for
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
COPY_CHUNK_BYTES = 256 * 1024
SYNC_EVERY_S = 5.0
AUDIT_REPEAT_S = 600.0  # a player's later range requests belong to the playback logged
SESSION_FILES = (
    "session.json",
    "score.json",
    "transcript.json",
    "delivery.json",
    "events.jsonl",
    "call.wav",
    "trainee.wav",
    "caller.wav",
)


class AccessMode(enum.Enum):
    OPEN = "open"
    TOKEN = "token"
    ACCOUNTS = "accounts"


class PageCache:
    """Rendered session pages keyed by everything they show (files' versions, annotations)."""

    def __init__(self, size: int = 32):
        self._size = size
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        body = make()
        with self._lock:
            self._items[key] = body
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return body


def folder_stamp(folder: Path) -> tuple:
    """The versions (mtime, size) of a session's files: a page is stale when one changes."""
    stamp = []
    for name in SESSION_FILES:
        try:
            stat = (folder / name).stat()
        except OSError:
            continue
        stamp.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(stamp)


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
        if from_start or not recent:
            self.store.record_audit(viewer.actor, action, session_id=sid)


@dataclass
class Call:
    """One request as a handler sees it: the request, the viewer, the JSON body of a write."""

    request: Request
    viewer: Viewer
    state: AppState
    body: dict | None = None

    @property
    def store(self) -> SessionStore:
        return self.state.store

    def param(self, name: str) -> str:
        return self.request.path_params[name]

    def query(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)

    def common(self) -> dict[str, Any]:
        """What every page's layout needs (CSRF token, who is signed in)."""
        return {"csrf_token": self.viewer.csrf_token, "viewer_name": self.viewer.name}

    def session(self, sid: str):
        """The session if this viewer may see it; otherwise exactly like an unknown id."""
        info = self.store.get_session(sid)
        if not self.viewer.may_see(info.trainee):
            raise unknown_session(sid)
        return info

    def safe_file(self, sid: str, name: str) -> Path:
        """A fixed file of a session, refused if it resolves outside the data directory."""
        path = (self.store.folder(sid) / name).resolve()
        if not path.is_relative_to(self.state.data_root) or not path.is_file():
            raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no {name}")
        return path

    def must_annotate(self) -> None:
        if not self.viewer.can_annotate:
            raise HttpError(HTTPStatus.FORBIDDEN, "only instructors may comment or override")


# ---- answering ----------------------------------------------------------------


def json_response(obj: Any, status: int = 200, headers: dict | None = None) -> Response:
    body = jsonsafe.dumps(obj, ensure_ascii=False).encode()
    return Response(
        body,
        status_code=status,
        media_type="application/json; charset=utf-8",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def html_response(html: str | bytes, status: int = 200, headers: dict | None = None) -> Response:
    return HTMLResponse(
        html, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})}
    )


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


def range_response(request: Request, source: Path | bytes, content_type: str) -> Response:
    """A file (or bytes) honouring a single `Range: bytes=a-b` request."""
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    try:
        span = audio.parse_range(request.headers.get("range"), size)
    except ValueError:
        return Response(
            b"",
            status_code=416,
            media_type=content_type,
            headers={"Content-Range": f"bytes */{size}"},
        )
    start, end = span or (0, size - 1)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(end - start + 1),
        "Cache-Control": "private, max-age=60",
    }
    if span:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    status = 206 if span else 200
    if isinstance(source, bytes):
        return Response(source[start : end + 1], status, headers, media_type=content_type)

    def chunks():
        with open(source, "rb") as fh:
            fh.seek(start)
            remaining = end - start + 1
            while remaining > 0 and (chunk := fh.read(min(COPY_CHUNK_BYTES, remaining))):
                remaining -= len(chunk)
                yield chunk

    return StreamingResponse(chunks(), status, headers, media_type=content_type)


# ---- routes -------------------------------------------------------------------


def sessions_page(call: Call, ext: bool) -> Response:
    call.state.sync_store()
    filters = {key: call.query(key) or None for key in pages.LIST_FILTERS}
    order = call.query("order", "date")
    sessions = call.store.list_sessions(order=order, trainee_in=call.viewer.trainees, **filters)
    if ext:
        return json_response(
            {
                "sessions": [s.to_json() | {"folder": s.folder.name} for s in sessions],
                "filters": filters,
                "order": order,
            }
        )
    trainees = [t for t in call.store.trainees() if call.viewer.may_see(t)]
    return html_response(
        pages.sessions_page(sessions, filters, order, trainees=trainees, **call.common())
    )


def session_page(call: Call, ext: bool) -> Response:
    sid = call.param("sid")
    info = call.session(sid)
    key = (
        info,
        ext,
        call.viewer,
        folder_stamp(info.folder),
        tuple(call.store.list_comments(sid)),
        tuple(call.store.list_overrides(sid)),
    )
    body = call.state.pages.get_or_make(key, lambda: _render_session(call, sid, ext))
    if ext:
        return Response(body, media_type="application/json; charset=utf-8", headers=NO_STORE)
    return html_response(body)


NO_STORE = {"Cache-Control": "no-store"}


def _render_session(call: Call, sid: str, ext: bool) -> bytes:
    view = review.session_view(call.store, sid, measure_tracks=False)
    if view["tracks"] is None and view["audio"]:
        view["tracks_url"] = f"/sessions/{sid}/tracks.json"  # measured on demand
    if ext:
        return jsonsafe.dumps(view, ensure_ascii=False).encode()
    extra: dict[str, Any] = {"audio_url": None, "peaks": None}
    if view["audio"]:
        if view["audio"] != "mix":
            call.safe_file(sid, view["audio"])
        extra = {
            "audio_url": f"/sessions/{sid}/audio.wav",
            "peaks": audio.peaks(call.store.folder(sid), view["audio"]),
        }
    if call.viewer.name is not None:
        extra["viewer"] = call.viewer.to_json()
    return pages.session_page(view, extra=extra, **call.common()).encode()


def session_audio(call: Call) -> Response:
    sid = call.param("sid")
    info = call.session(sid)
    source = review.audio_source(info)
    if source is None:
        raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no audio")
    if source == "mix":
        call.safe_file(sid, "trainee.wav")
        call.safe_file(sid, "caller.wav")
        body: Path | bytes = audio.mix_sides(info.folder)
    else:
        body = call.safe_file(sid, source)
    response = range_response(call.request, body, "audio/wav")
    if response.status_code != 416:
        content_range = response.headers.get("content-range", "bytes 0-")
        from_start = content_range.startswith("bytes 0-")
        call.state.audit_fetch(call.viewer, "played recording", sid, from_start=from_start)
    return response


def session_peaks(call: Call) -> Response:
    sid = call.param("sid")
    info = call.session(sid)
    source = review.audio_source(info)
    if source is None:
        raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no audio")
    if source != "mix":
        call.safe_file(sid, source)
    return json_response(audio.peaks(info.folder, source))


def session_tracks(call: Call) -> Response:
    sid = call.param("sid")
    info = call.session(sid)
    call.safe_file(sid, "trainee.wav")
    delivery = review.load_json(info.folder / "delivery.json")
    tracks = review.delivery_tracks(delivery) or review.computed_tracks(info.folder)
    if tracks is None:
        raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no trainee audio to measure")
    return json_response(tracks)


def session_report(call: Call) -> Response:
    from voicecoach.web.report import build_report

    sid = call.param("sid")
    call.session(sid)
    with_audio = call.query("audio") != "0"
    html = build_report(call.store, sid, embed_audio=with_audio)
    action = "downloaded report with audio" if with_audio else "downloaded report"
    call.store.record_audit(call.viewer.actor, action, session_id=sid)
    return html_response(
        html, headers={"Content-Disposition": f'attachment; filename="voicecoach-{sid}.html"'}
    )


def _author(call: Call) -> Any:
    """Who signs an annotation: the signed-in account, else the name the page sent."""
    return call.viewer.name or call.body.get("author")


def comment_add(call: Call) -> Response:
    sid = call.param("sid")
    call.session(sid)
    call.must_annotate()
    body = call.body
    comment = call.store.add_comment(
        sid,
        t_s=body.get("t_s", 0),
        end_s=body.get("end_s"),
        text=body.get("text"),
        author=_author(call),
    )
    return json_response(comment.to_json(), 201)


def _own_comment(call: Call) -> int:
    sid, cid = call.param("sid"), call.param("cid")
    call.session(sid)
    call.must_annotate()
    comment = call.store.get_comment(int(cid))
    if comment.session_id != sid:
        raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no comment {cid}")
    return comment.id


def comment_update(call: Call) -> Response:
    comment_id = _own_comment(call)
    body = call.body
    if not isinstance(body.get("version"), int):
        raise HttpError(HTTPStatus.BAD_REQUEST, "send the comment's version you edited")
    try:
        comment = call.store.update_comment(
            comment_id,
            expected_version=body["version"],
            text=body.get("text"),
            t_s=body.get("t_s"),
            end_s=body.get("end_s"),
        )
    except CommentConflictError as exc:
        current = call.store.get_comment(comment_id).to_json()
        raise HttpError(HTTPStatus.CONFLICT, str(exc), {"current": current}) from None
    return json_response(comment.to_json())


def comment_delete(call: Call) -> Response:
    comment_id = _own_comment(call)
    version = call.query("version")
    call.store.delete_comment(
        comment_id, expected_version=int(version) if version and version.isdigit() else None
    )
    return json_response({"deleted": comment_id})


def override_set(call: Call) -> Response:
    sid = call.param("sid")
    call.session(sid)
    call.must_annotate()
    value = call.body.get("value")
    if value not in (True, False, None):
        raise HttpError(HTTPStatus.BAD_REQUEST, "value must be true, false or null")
    review.apply_override(
        call.store,
        sid,
        str(call.body.get("item_id", "")),
        value,
        reason=call.body.get("reason") or "",
        author=_author(call) or "",
    )
    return json_response(review.session_view(call.store, sid, measure_tracks=False))


def trainee_page(call: Call, ext: bool) -> Response:
    name = call.param("name")
    if not call.viewer.may_see(name):
        raise no_trainee_sessions(name)
    progress = trainee_progress(call.store, name)
    if ext:
        return json_response(progress)
    return html_response(progress_pages.trainee_page(progress, **call.common()))


def cohort_page(call: Call, ext: bool) -> Response:
    call.state.sync_store()
    progress = cohort_progress(call.store, trainee_in=call.viewer.trainees)
    if ext:
        return json_response(progress)
    return html_response(progress_pages.cohort_page(progress, **call.common()))


def redirect_home(call: Call) -> Response:
    return RedirectResponse("/sessions", status_code=302)


def logout_page(call: Call) -> Response:
    return html_response(pages.render("logout.html", title="Sign out", **call.common()))


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
            check_path(request.url.path)
            if write:
                check_same_origin(request)
            viewer, cookies = await run_in_threadpool(_viewer, request, state)
            if write:
                check_csrf(request.headers.get("x-csrf-token"), viewer.csrf_token)
            call = Call(request, viewer, state, await json_body(request) if body else None)
            response = await run_in_threadpool(handler, call, **fixed)
            for name, value in cookies.items():
                response.set_cookie(name, value, path="/", httponly=True, samesite="strict")
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
        Route("/logout", endpoint(state, logout_page), methods=["GET"]),
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
        get("/", redirect_home),
        Route("/favicon.ico", lambda request: Response(status_code=204), methods=["GET"]),
        get("/sessions.json", sessions_page, ext=True),
        get("/sessions", sessions_page, ext=False),
        get(f"{sid}/audio.wav", session_audio),
        get(f"{sid}/peaks.json", session_peaks),
        get(f"{sid}/tracks.json", session_tracks),
        get(f"{sid}/report.html", session_report),
        get(f"{sid}.json", session_page, ext=True),
        get(sid, session_page, ext=False),
        write(f"{sid}/comments", comment_add, "POST"),
        write(f"{sid}/comments/{{cid:int}}", comment_update, "PUT"),
        write(f"{sid}/comments/{{cid:int}}", comment_delete, "DELETE"),
        write(f"{sid}/overrides", override_set, "POST"),
        get("/trainees/{name}.json", trainee_page, ext=True),
        get("/trainees/{name}", trainee_page, ext=False),
        get("/progress.json", cohort_page, ext=True),
        get("/progress", cohort_page, ext=False),
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
