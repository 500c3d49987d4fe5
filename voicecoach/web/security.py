"""Request checks of the replay server: Host, same-origin writes, CSRF, bounded bodies.

Each check raises `HttpError`; the app turns it into a JSON or HTML answer.
Security headers go on every answer through `SecurityHeaders` (ASGI middleware).
"""

from __future__ import annotations

import hmac
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import anyio
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voicecoach import jsonsafe

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT_S = 30.0  # a body that never comes
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self' data: blob:; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"
)


class HttpError(Exception):
    """An error answered with `status` and a one-line message (JSON or HTML)."""

    def __init__(
        self,
        status: HTTPStatus,
        message: str,
        payload: dict | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.payload = payload
        self.headers = headers or {}


def check_host(request: Request) -> None:
    """Refuse Host names other than loopback ones (DNS rebinding of a login-free server)."""
    host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]")
    if host not in LOOPBACK_HOSTS:
        raise HttpError(HTTPStatus.FORBIDDEN, f"unexpected Host header {host[:60]!r}")


def check_path(path: str) -> None:
    """Refuse decoded paths that try to climb out (`..`, NUL, backslashes): 404."""
    if "\x00" in path or "/../" in f"{path}/" or "\\" in path:
        raise HttpError(HTTPStatus.NOT_FOUND, "no such page")


def check_same_origin(request: Request) -> None:
    """Writes only from this site's own pages (Sec-Fetch-Site, Origin)."""
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        raise HttpError(HTTPStatus.FORBIDDEN, f"cross-site request refused ({site[:30]})")
    origin = request.headers.get("origin")
    if origin == "null":
        raise HttpError(HTTPStatus.FORBIDDEN, "request from an opaque origin refused")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise HttpError(HTTPStatus.FORBIDDEN, f"cross-origin request from {origin[:80]}")


def check_csrf(offered: str | None, expected: str) -> None:
    """The page's CSRF token, compared in constant time."""
    if not expected or not hmac.compare_digest((offered or "").encode(), expected.encode()):
        raise HttpError(HTTPStatus.FORBIDDEN, "missing or wrong CSRF token: reload the page")


async def read_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body: at most `limit` bytes, whatever the headers claim.

    Only a plain decimal Content-Length is accepted (no chunked bodies), and the
    whole body must come within BODY_TIMEOUT_S.
    """
    if request.headers.get("transfer-encoding"):
        raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
    lengths = {value.strip() for value in request.headers.getlist("content-length")}
    if not lengths:
        raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
    (declared,) = lengths if len(lengths) == 1 else ("conflicting",)
    if not (declared.isascii() and declared.isdigit()):
        raise HttpError(HTTPStatus.BAD_REQUEST, f"bad Content-Length {declared[:20]!r}")
    length = int(declared)
    if length > limit:
        raise HttpError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"request body too large ({length} bytes; at most {limit})",
        )
    body = bytearray()
    try:
        with anyio.fail_after(BODY_TIMEOUT_S):
            async for chunk in request.stream():
                body += chunk
                if len(body) > length:
                    break
    except TimeoutError:
        raise HttpError(HTTPStatus.REQUEST_TIMEOUT, "the request body never came") from None
    except ClientDisconnect:
        raise HttpError(HTTPStatus.BAD_REQUEST, "the client left before its body ended") from None
    if len(body) != length:
        raise HttpError(HTTPStatus.BAD_REQUEST, "the body does not match its Content-Length")
    return bytes(body)


async def json_body(request: Request) -> dict:
    """The request body as a JSON object of finite numbers (400 otherwise)."""
    if not (request.headers.get("content-type") or "").startswith("application/json"):
        raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON (application/json)")
    raw = await read_body(request)
    try:
        body = jsonsafe.loads(raw or b"{}")
    except jsonsafe.NonFiniteNumberError as exc:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"in the body: {exc}") from None
    except (ValueError, RecursionError):
        raise HttpError(HTTPStatus.BAD_REQUEST, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HttpError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
    return body


async def form_body(request: Request) -> dict[str, str]:
    """An HTML form's fields (application/x-www-form-urlencoded), last value of each."""
    if not (request.headers.get("content-type") or "").startswith(
        "application/x-www-form-urlencoded"
    ):
        raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the form as a web form")
    raw = await read_body(request)
    try:
        fields = parse_qs(raw.decode("utf-8"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise HttpError(HTTPStatus.BAD_REQUEST, "the form is not readable") from None
    return {key: values[-1] for key, values in fields.items()}


class SecurityHeaders:
    """Adds nosniff, referrer and (on HTML) frame and content-security headers to answers."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                if headers.get("content-type", "").startswith("text/html"):
                    headers["X-Frame-Options"] = "DENY"
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            await send(message)

        await self.app(scope, receive, send_with_headers)
