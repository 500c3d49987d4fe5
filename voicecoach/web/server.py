"""The instructor replay web server (standard library `http.server`, one thread per request).

Routes (every HTML page has a `.json` twin):

    GET  /sessions[.json]?trainee=&scenario=&since=&until=&outcome=&verdict=&order=
    GET  /sessions/<id>[.json]                  the annotated session
    GET  /sessions/<id>/audio.wav               the call (HTTP Range supported)
    GET  /sessions/<id>/peaks.json              waveform peaks
    GET  /sessions/<id>/report.html             the self-contained export
    POST /sessions/<id>/comments                {t_s, end_s?, text, author}
    PUT  /sessions/<id>/comments/<cid>          {text?, t_s?, end_s?, version} (409 when stale)
    DELETE /sessions/<id>/comments/<cid>?version=N
    POST /sessions/<id>/overrides               {item_id, value: true|false|null, reason, author}
    GET  /trainees/<name>[.json]                a trainee's progress across sessions
    GET  /progress[.json]                       the cohort: trainees x steps, weakest first
    GET  /static/<file>

Security: loopback only unless the caller asks for another host, and then an
access token (query `?token=` once, then a cookie, or `Authorization: Bearer`).
The Host header must name this server (no DNS rebinding). Write routes need a
JSON body, a same-origin request (Origin / Sec-Fetch-Site) and the page's CSRF
token. Only fixed file names inside a session folder are served, after checking
the resolved path stays inside the data directory (no traversal, no symlinks out).
"""

from __future__ import annotations

import hmac
import ipaddress
import mimetypes
import re
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from voicecoach import jsonsafe
from voicecoach.errors import SessionError, VoiceCoachError
from voicecoach.results.progress import cohort_progress, trainee_progress
from voicecoach.session import review
from voicecoach.session.store import CommentConflictError, SessionStore
from voicecoach.web import audio, pages, progress_pages

STATIC_DIR = Path(__file__).resolve().parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_BODY_BYTES = 64 * 1024
MIN_TOKEN_CHARS = 16
TOKEN_PATTERN = re.compile(rf"[A-Za-z0-9._~-]{{{MIN_TOKEN_CHARS},256}}")
TOKEN_COOKIE = "voicecoach_token"
COPY_CHUNK_BYTES = 256 * 1024
SYNC_EVERY_S = 5.0
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


class HttpError(Exception):
    """An error answered with `status` and a one-line message (JSON or HTML)."""

    def __init__(self, status: HTTPStatus, message: str, payload: dict | None = None):
        super().__init__(message)
        self.status = status
        self.payload = payload


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


class ReplayServer(ThreadingHTTPServer):
    """Holds the store and the secrets; one handler thread per request."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # many viewers connecting at once must not wait for a SYN retry

    def __init__(self, store: SessionStore, host: str, port: int, *, token: str | None):
        self.store = store
        self.access_token = token
        self.csrf_token = secrets.token_urlsafe(24)
        self.data_root = store.data_dir.resolve()
        self.pages = PageCache()
        self._sync_lock = threading.Lock()
        self._last_sync_s = float("-inf")
        self.sync_every_s = SYNC_EVERY_S
        super().__init__((host, port), ReplayHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        suffix = f"?token={self.access_token}" if self.access_token else ""
        return f"http://{shown}:{port}/sessions{suffix}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line per failed request; nothing for a browser that hung up (no tracebacks)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"error serving {client_address[0]}: {type(exc).__name__}: {exc}", file=sys.stderr)

    def sync_store(self) -> None:
        """Index session folders recorded outside the store, at most every few seconds."""
        with self._sync_lock:
            if time.monotonic() - self._last_sync_s < self.sync_every_s:
                return
            self._last_sync_s = time.monotonic()
        self.store.sync()


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token(token: str) -> str:
    """An access token of at least MIN_TOKEN_CHARS URL-safe characters, else VoiceCoachError."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise VoiceCoachError(
            f"the access token must be at least {MIN_TOKEN_CHARS} characters of letters, digits, "
            "'-', '_', '.' or '~' (got "
            f"{len(token)} character(s)); leave --token out to get a random one"
        )
    return token


def make_server(
    store: SessionStore, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None
) -> ReplayServer:
    """A replay server bound to host:port.

    Beyond loopback a token is always required: a random one unless `token` is
    given; a given token (on any host) must pass `check_token`.
    """
    if token is not None:
        token = check_token(token)
    elif not is_loopback(host):
        token = secrets.token_urlsafe(24)
    try:
        return ReplayServer(store, host, port, token=token)
    except OSError as exc:
        raise VoiceCoachError(
            f"cannot listen on {host}:{port}: {exc.strerror}; try another --port"
        ) from None


class ReplayHandler(BaseHTTPRequestHandler):
    server: ReplayServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers then body: no 40 ms delayed-ACK stall
    server_version = "VoiceCoach"
    timeout = 30  # seconds a client may stay silent (a body that never comes, an idle keep-alive)

    def version_string(self) -> str:
        return self.server_version

    ROUTES: tuple[tuple[str, str, str], ...] = (
        ("GET", r"/", "redirect_home"),
        ("GET", r"/favicon\.ico", "no_content"),
        ("GET", r"/sessions(?P<ext>\.json)?", "sessions_page"),
        ("GET", r"/sessions/(?P<sid>[^/]+?)(?P<ext>\.json)?", "session_page"),
        ("GET", r"/sessions/(?P<sid>[^/]+)/audio\.wav", "session_audio"),
        ("GET", r"/sessions/(?P<sid>[^/]+)/peaks\.json", "session_peaks"),
        ("GET", r"/sessions/(?P<sid>[^/]+)/tracks\.json", "session_tracks"),
        ("GET", r"/sessions/(?P<sid>[^/]+)/report\.html", "session_report"),
        ("POST", r"/sessions/(?P<sid>[^/]+)/comments", "comment_add"),
        ("PUT", r"/sessions/(?P<sid>[^/]+)/comments/(?P<cid>\d+)", "comment_update"),
        ("DELETE", r"/sessions/(?P<sid>[^/]+)/comments/(?P<cid>\d+)", "comment_delete"),
        ("POST", r"/sessions/(?P<sid>[^/]+)/overrides", "override_set"),
        ("GET", r"/trainees/(?P<name>[^/]+?)(?P<ext>\.json)?", "trainee_page"),
        ("GET", r"/progress(?P<ext>\.json)?", "cohort_page"),
        ("GET", r"/static/(?P<name>[^/]+(?:/[^/]+)?)", "static_file"),
    )

    # ---- dispatch -------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("GET", head=True)

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the terminal shows only the address and errors."""

    def _dispatch(self, method: str, *, head: bool = False) -> None:
        self.head_only = head
        self.extra_headers: list[tuple[str, str]] = []
        split = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        self.wants_json = split.path.endswith(".json")
        try:
            self._check_host()
            self._check_token()
            decoded = unquote(split.path)
            if "\x00" in decoded or "/../" in f"{decoded}/" or "\\" in decoded:
                raise HttpError(HTTPStatus.NOT_FOUND, "no such page")
            for route_method, pattern, name in self.ROUTES:
                match = re.fullmatch(pattern, split.path)  # segments split before decoding
                if match and route_method == method:
                    if method != "GET":
                        self._check_write_allowed()
                    params = {
                        k: v if v is None else unquote(v) for k, v in match.groupdict().items()
                    }
                    getattr(self, name)(**params)
                    return
            raise HttpError(HTTPStatus.NOT_FOUND, f"no page at {split.path}")
        except HttpError as exc:
            self._send_error(exc.status, str(exc), exc.payload)
        except CommentConflictError as exc:
            self._send_error(HTTPStatus.CONFLICT, str(exc))
        except SessionError as exc:
            status = HTTPStatus.NOT_FOUND if "no session" in str(exc) else HTTPStatus.BAD_REQUEST
            self._send_error(status, str(exc))
        except VoiceCoachError as exc:
            self._send_error(HTTPStatus.BAD_REQUEST, str(exc))
        except ConnectionError:  # the browser hung up (reset, broken pipe, aborted)
            pass
        except Exception as exc:  # noqa: BLE001 - one line for the user, the server lives on
            print(
                f"error serving {self.command} {self.path}: {type(exc).__name__}: {exc}",
                file=sys.stderr,
            )
            self._send_error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {exc}")

    # ---- security ---------------------------------------------------------
    def _check_host(self) -> None:
        """Refuse Host names other than this server's (DNS rebinding) on loopback."""
        if self.server.access_token:
            return
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        if host not in LOOPBACK_HOSTS:
            raise HttpError(HTTPStatus.FORBIDDEN, f"unexpected Host header {host!r}")

    def _check_token(self) -> None:
        expected = self.server.access_token
        if not expected:
            return
        offered = self.query.get("token")
        if offered and hmac.compare_digest(offered, expected):
            self.extra_headers.append(
                ("Set-Cookie", f"{TOKEN_COOKIE}={expected}; Path=/; HttpOnly; SameSite=Strict")
            )
            return
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:], expected):
            return
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        if TOKEN_COOKIE in cookie and hmac.compare_digest(cookie[TOKEN_COOKIE].value, expected):
            return
        raise HttpError(
            HTTPStatus.UNAUTHORIZED,
            "this server needs its access token: open the address `voicecoach serve` printed",
        )

    def _check_write_allowed(self) -> None:
        """Write routes: same-origin only, JSON only, and the page's CSRF token."""
        site = self.headers.get("Sec-Fetch-Site")
        if site and site not in ("same-origin", "none"):
            raise HttpError(HTTPStatus.FORBIDDEN, f"cross-site request refused ({site})")
        origin = self.headers.get("Origin")
        if origin and origin != "null":
            origin_host = urlsplit(origin).netloc
            if origin_host != self.headers.get("Host"):
                raise HttpError(HTTPStatus.FORBIDDEN, f"cross-origin request from {origin}")
        elif origin == "null":
            raise HttpError(HTTPStatus.FORBIDDEN, "request from an opaque origin refused")
        offered = self.headers.get("X-CSRF-Token", "")
        if not hmac.compare_digest(offered, self.server.csrf_token):
            raise HttpError(HTTPStatus.FORBIDDEN, "missing or wrong CSRF token: reload the page")

    def _safe_file(self, session_id: str, name: str) -> Path:
        """A fixed file of a session, refused if it resolves outside the data directory."""
        folder = self.server.store.folder(session_id)
        path = (folder / name).resolve()
        if not path.is_relative_to(self.server.data_root) or not path.is_file():
            raise HttpError(HTTPStatus.NOT_FOUND, f"session {session_id} has no {name}")
        return path

    # ---- reading the request ------------------------------------------------
    def _read_body(self) -> bytes:
        """The request body: at most MAX_BODY_BYTES, whatever the headers claim.

        Only a plain decimal Content-Length is accepted (no chunked bodies); the
        connection is closed afterwards so no unread byte is taken for a request.
        """
        self.close_connection = True
        if self.headers.get("Transfer-Encoding"):
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not lengths:
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        (declared,) = lengths if len(lengths) == 1 else ("conflicting",)
        if not (declared.isascii() and declared.isdigit()):
            raise HttpError(HTTPStatus.BAD_REQUEST, f"bad Content-Length {declared[:20]!r}")
        length = int(declared)
        if length > MAX_BODY_BYTES:
            raise HttpError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body too large ({length} bytes; at most {MAX_BODY_BYTES})",
            )
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            raise HttpError(HTTPStatus.REQUEST_TIMEOUT, "the request body never came") from None
        if len(body) != length:
            raise HttpError(HTTPStatus.BAD_REQUEST, "the body is shorter than its Content-Length")
        return body

    def _json_body(self) -> dict:
        """The request body as a JSON object of finite numbers (400 otherwise)."""
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON (application/json)")
        raw = self._read_body()
        try:
            body = jsonsafe.loads(raw or b"{}")
        except jsonsafe.NonFiniteNumberError as exc:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"in the body: {exc}") from None
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise HttpError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
        return body

    # ---- answering ------------------------------------------------------------
    def _send_bytes(
        self,
        body: bytes,
        content_type: str,
        *,
        status: HTTPStatus = HTTPStatus.OK,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")
        if content_type.startswith("text/html"):
            self.send_header("X-Frame-Options", "DENY")
            self.send_header(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; media-src 'self' data: blob:; "
                "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            )
        for key, value in (*self.extra_headers, *headers):
            self.send_header(key, value)
        self.end_headers()
        if not self.head_only:
            self.wfile.write(body)

    def _send_json(self, obj: Any, *, status: HTTPStatus = HTTPStatus.OK) -> None:
        body = jsonsafe.dumps(obj, ensure_ascii=False).encode()
        self._send_bytes(
            body,
            "application/json; charset=utf-8",
            status=status,
            headers=(("Cache-Control", "no-store"),),
        )

    def _send_html(self, html: str, *, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send_bytes(
            html.encode(),
            "text/html; charset=utf-8",
            status=status,
            headers=(("Cache-Control", "no-store"),),
        )

    def _send_error(self, status: HTTPStatus, message: str, payload: dict | None = None) -> None:
        self.close_connection = self.command != "GET"  # a request body may be left unread
        if self.command in ("POST", "PUT", "DELETE") or self.wants_json:
            self._send_json(
                {"error": message, "status": status.value, **(payload or {})}, status=status
            )
        else:
            self._send_html(pages.error_page(status.value, message), status=status)

    def _send_file_range(self, path: Path | None, data: bytes | None, content_type: str) -> None:
        """A file (or bytes) honouring a single `Range: bytes=a-b` request."""
        size = len(data) if data is not None else path.stat().st_size
        try:
            span = audio.parse_range(self.headers.get("Range"), size)
        except ValueError:
            self._send_bytes(
                b"",
                content_type,
                status=HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                headers=(("Content-Range", f"bytes */{size}"),),
            )
            return
        start, end = span or (0, size - 1)
        length = end - start + 1
        self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "private, max-age=60")
        if span:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        for key, value in self.extra_headers:
            self.send_header(key, value)
        self.end_headers()
        if self.head_only:
            return
        if data is not None:
            self.wfile.write(data[start : end + 1])
            return
        with open(path, "rb") as fh:
            fh.seek(start)
            remaining = length
            while remaining > 0:
                chunk = fh.read(min(COPY_CHUNK_BYTES, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)

    # ---- routes ---------------------------------------------------------------
    def redirect_home(self) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", "/sessions")
        self.send_header("Content-Length", "0")
        for key, value in self.extra_headers:
            self.send_header(key, value)
        self.end_headers()

    def no_content(self) -> None:
        self._send_bytes(b"", "text/plain", status=HTTPStatus.NO_CONTENT)

    def sessions_page(self, ext: str | None) -> None:
        self.server.sync_store()
        filters = {key: self.query.get(key) or None for key in pages.LIST_FILTERS}
        order = self.query.get("order", "date")
        sessions = self.server.store.list_sessions(order=order, **filters)
        if ext:
            self._send_json(
                {
                    "sessions": [s.to_json() | {"folder": s.folder.name} for s in sessions],
                    "filters": filters,
                    "order": order,
                }
            )
            return
        self._send_html(
            pages.sessions_page(
                sessions,
                filters,
                order,
                trainees=self.server.store.trainees(),
                csrf_token=self.server.csrf_token,
            )
        )

    def session_page(self, sid: str, ext: str | None) -> None:
        store = self.server.store
        info = store.get_session(sid)
        key = (
            info,
            ext,
            folder_stamp(info.folder),
            tuple(store.list_comments(sid)),
            tuple(store.list_overrides(sid)),
        )
        body = self.server.pages.get_or_make(key, lambda: self._render_session(sid, ext))
        content_type = "application/json" if ext else "text/html"
        self._send_bytes(
            body, f"{content_type}; charset=utf-8", headers=(("Cache-Control", "no-store"),)
        )

    def _render_session(self, sid: str, ext: str | None) -> bytes:
        view = review.session_view(self.server.store, sid, measure_tracks=False)
        if view["tracks"] is None and view["audio"]:
            view["tracks_url"] = f"/sessions/{sid}/tracks.json"  # measured on demand
        if ext:
            return jsonsafe.dumps(view, ensure_ascii=False).encode()
        extra = {"audio_url": None, "peaks": None}
        if view["audio"]:
            if view["audio"] != "mix":
                self._safe_file(sid, view["audio"])
            extra = {
                "audio_url": f"/sessions/{sid}/audio.wav",
                "peaks": audio.peaks(self.server.store.folder(sid), view["audio"]),
            }
        html = pages.session_page(view, csrf_token=self.server.csrf_token, extra=extra)
        return html.encode()

    def session_audio(self, sid: str) -> None:
        info = self.server.store.get_session(sid)
        source = review.audio_source(info)
        if source is None:
            raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no audio")
        if source == "mix":
            self._safe_file(sid, "trainee.wav")
            self._safe_file(sid, "caller.wav")
            self._send_file_range(None, audio.mix_sides(info.folder), "audio/wav")
        else:
            self._send_file_range(self._safe_file(sid, source), None, "audio/wav")

    def session_peaks(self, sid: str) -> None:
        info = self.server.store.get_session(sid)
        source = review.audio_source(info)
        if source is None:
            raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no audio")
        if source != "mix":
            self._safe_file(sid, source)
        self._send_json(audio.peaks(info.folder, source))

    def session_tracks(self, sid: str) -> None:
        info = self.server.store.get_session(sid)
        self._safe_file(sid, "trainee.wav")
        delivery = review.load_json(info.folder / "delivery.json")
        tracks = review.delivery_tracks(delivery) or review.computed_tracks(info.folder)
        if tracks is None:
            raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no trainee audio to measure")
        self._send_json(tracks)

    def session_report(self, sid: str) -> None:
        from voicecoach.web.report import build_report

        html = build_report(self.server.store, sid, embed_audio=self.query.get("audio") != "0")
        self._send_bytes(
            html.encode(),
            "text/html; charset=utf-8",
            headers=(("Content-Disposition", f'attachment; filename="voicecoach-{sid}.html"'),),
        )

    def comment_add(self, sid: str) -> None:
        body = self._json_body()
        comment = self.server.store.add_comment(
            sid,
            t_s=body.get("t_s", 0),
            end_s=body.get("end_s"),
            text=body.get("text"),
            author=body.get("author"),
        )
        self._send_json(comment.to_json(), status=HTTPStatus.CREATED)

    def _own_comment(self, sid: str, cid: str) -> int:
        comment = self.server.store.get_comment(int(cid))
        if comment.session_id != sid:
            raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no comment {cid}")
        return comment.id

    def comment_update(self, sid: str, cid: str) -> None:
        comment_id = self._own_comment(sid, cid)
        body = self._json_body()
        if not isinstance(body.get("version"), int):
            raise HttpError(HTTPStatus.BAD_REQUEST, "send the comment's version you edited")
        try:
            comment = self.server.store.update_comment(
                comment_id,
                expected_version=body["version"],
                text=body.get("text"),
                t_s=body.get("t_s"),
                end_s=body.get("end_s"),
            )
        except CommentConflictError as exc:
            current = self.server.store.get_comment(comment_id).to_json()
            raise HttpError(HTTPStatus.CONFLICT, str(exc), {"current": current}) from None
        self._send_json(comment.to_json())

    def comment_delete(self, sid: str, cid: str) -> None:
        comment_id = self._own_comment(sid, cid)
        version = self.query.get("version")
        self.server.store.delete_comment(
            comment_id, expected_version=int(version) if version and version.isdigit() else None
        )
        self._send_json({"deleted": comment_id})

    def override_set(self, sid: str) -> None:
        body = self._json_body()
        value = body.get("value")
        if value not in (True, False, None):
            raise HttpError(HTTPStatus.BAD_REQUEST, "value must be true, false or null")
        review.apply_override(
            self.server.store,
            sid,
            str(body.get("item_id", "")),
            value,
            reason=body.get("reason") or "",
            author=body.get("author") or "",
        )
        self._send_json(review.session_view(self.server.store, sid, measure_tracks=False))

    def trainee_page(self, name: str, ext: str | None) -> None:
        progress = trainee_progress(self.server.store, name)
        if ext:
            self._send_json(progress)
            return
        self._send_html(progress_pages.trainee_page(progress))

    def cohort_page(self, ext: str | None) -> None:
        self.server.sync_store()
        progress = cohort_progress(self.server.store)
        if ext:
            self._send_json(progress)
            return
        self._send_html(progress_pages.cohort_page(progress))

    def static_file(self, name: str) -> None:
        path = (STATIC_DIR / name).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise HttpError(HTTPStatus.NOT_FOUND, f"no static file {name}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        self._send_bytes(
            path.read_bytes(), content_type, headers=(("Cache-Control", "public, max-age=3600"),)
        )
