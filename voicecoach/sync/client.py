"""The upload API (`voicecoach.web.uploads`) as seen from a workstation, over httpx.

Failures become one-line errors naming the server (never the token):
`ServerUnreachable` (no answer, or the server failed: keep the sessions
queued), `TokenRefused` (401: ask for a new token), and `ServerRefused` with the
API's error `code` (`conflict`, `offset`, `checksum`, ...) for one session.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from voicecoach import jsonsafe
from voicecoach.errors import VoiceCoachError
from voicecoach.lms.lrs import redacted
from voicecoach.sync.manifest import Manifest

API_PATH = "/api/uploads"
TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 5.0
CONNECT_RETRIES = 2
API_ERRORS = frozenset(
    {"invalid", "bad_chunk", "unknown_upload", "conflict", "offset", "incomplete"}
    | {"too_large", "checksum", "no_room", "unavailable"}
)  # the upload API's error codes (web/uploads.py); others mean another server


class SyncError(VoiceCoachError):
    """Sessions could not be sent to the school's server."""


class ServerUnreachable(SyncError):
    """No answer from the server, or it failed: the sessions stay queued for later."""


class TokenRefused(SyncError):
    """The server does not accept this workstation's token."""


class ServerRefused(SyncError):
    """The server refused a request about one session; `code` says why."""

    def __init__(self, message: str, *, code: str, offset: int | None = None):
        super().__init__(message)
        self.code = code
        self.offset = offset


def server_address(url: str) -> str:
    """The server's base address as given, without a password or trailing slash;
    SyncError when it is not an http(s) address."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(
            f"{redacted(url or '')!r} is not a server address; give http(s)://host[:port]"
        )
    return redacted(url).rstrip("/")


def content_digest(data: bytes) -> str:
    """The RFC 9530 `Content-Digest` header value of `data` (SHA-256)."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode("ascii") + ":"


class UploadClient:
    """Requests to one server's upload API with a workstation token."""

    def __init__(self, server: str, token: str, *, timeout_s: float = TIMEOUT_S):
        self.server = server_address(server)
        self._client = httpx.Client(
            base_url=self.server,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
            transport=httpx.HTTPTransport(retries=CONNECT_RETRIES),
        )

    def open(self, manifest: Manifest) -> dict[str, Any]:
        """Start or find again the upload of `manifest`: the server's state of it."""
        return self._request("POST", API_PATH, content=jsonsafe.dumps(manifest.to_json()))

    def put_chunk(self, upload_id: str, name: str, offset: int, data: bytes) -> int:
        """Send `data` as the bytes of file `name` from `offset`; the bytes the server has."""
        answer = self._request(
            "PUT",
            f"{API_PATH}/{upload_id}/files/{quote(name)}",
            params={"offset": offset},
            content=data,
            headers={
                "Content-Digest": content_digest(data),
                "Content-Type": "application/octet-stream",
            },
        )
        return int(answer["received"])

    def finish(self, upload_id: str) -> dict[str, Any]:
        """Ask the server to verify, store and index the upload."""
        return self._request("POST", f"{API_PATH}/{upload_id}/finish")

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise ServerUnreachable(f"the server {self.server} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ServerUnreachable(
                f"cannot reach the server {self.server} ({type(exc).__name__}); check the "
                "address and that it is running"
            ) from None
        try:
            body = jsonsafe.loads(response.text) if response.content else {}
        except ValueError:
            body = None
        if response.status_code == 401:
            raise TokenRefused(
                f"the server {self.server} refused this workstation's token; ask its "
                "administrator for one (`voicecoach workstations add NAME` on the server)"
            )
        if 200 <= response.status_code < 300 and isinstance(body, dict):
            return body
        code = body.get("error") if isinstance(body, dict) else None
        if code in API_ERRORS:
            message = str(body.get("message") or code)[:300]
            if response.status_code >= 500:
                raise ServerUnreachable(f"the server {self.server} cannot take it now: {message}")
            raise ServerRefused(message, code=code, offset=body.get("offset"))
        if response.status_code >= 500:
            raise ServerUnreachable(
                f"the server {self.server} failed (HTTP {response.status_code}); try again later"
            )
        raise SyncError(
            f"{self.server} is not a VoiceCoach server with the upload API "
            f"(HTTP {response.status_code} for {API_PATH})"
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> UploadClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
