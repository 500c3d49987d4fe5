"""Sending xAPI statements to a Learning Record Store over HTTP (xAPI 1.0.3, basic auth).

`LrsClient(url, user=..., password=...)`: `.send(statements)` POSTs them to
`<url>/xAPI/statements` (a URL already ending in `/statements` is used as it is);
`.statements(**params)` reads them back. Every failure (unreachable, timeout,
refused credentials, a 4xx/5xx) raises `LrsError`: one line naming the URL, never
the password.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from voicecoach import jsonsafe
from voicecoach.errors import VoiceCoachError
from voicecoach.lms.xapi import XAPI_VERSION

TIMEOUT_S = 15.0
CONNECT_TIMEOUT_S = 5.0
MAX_DETAIL_CHARS = 200


class LrsError(VoiceCoachError):
    """The LRS could not be reached, refused the credentials or rejected the statements."""


def redacted(url: str) -> str:
    """`url` without any password in it (safe to print and to key records by)."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def statements_url(url: str) -> str:
    """The statements resource of an LRS: `<url>/xAPI/statements` unless `url` names it."""
    base = redacted(url).rstrip("/")
    if base.endswith("/statements"):
        return base
    if base.lower().endswith("/xapi"):
        return f"{base}/statements"
    return f"{base}/xAPI/statements"


class LrsClient:
    """An LRS's statements resource, with basic auth and timeouts."""

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout_s: float = TIMEOUT_S,
    ):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise LrsError(f"{redacted(url)!r} is not an LRS address; give http(s)://host[:port]")
        user = user or parts.username
        password = password if password is not None else parts.password
        self.url = statements_url(url)
        self.user = user
        self._client = httpx.Client(
            auth=httpx.BasicAuth(user, password or "") if user else None,
            headers={"X-Experience-API-Version": XAPI_VERSION},
            timeout=httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
        )

    def send(self, statements: list[dict[str, Any]]) -> None:
        """POST `statements` (stored ones with the same content are kept once by the LRS)."""
        if statements:
            self._request(
                "POST",
                content=jsonsafe.dumps(statements),
                headers={"Content-Type": "application/json"},
            )

    def statements(self, **params: Any) -> Iterator[dict[str, Any]]:
        """Stored statements matching the xAPI query `params`, following `more` links."""
        response = self._request("GET", params=params)
        while True:
            body = jsonsafe.loads(response.text)
            yield from body.get("statements") or []
            more = body.get("more")
            if not more:
                return
            response = self._request("GET", url=str(httpx.URL(self.url).join(more)))

    def _request(self, method: str, *, url: str | None = None, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, url or self.url, **kwargs)
        except httpx.TimeoutException:
            raise LrsError(
                f"the LRS at {self.url} did not answer in time; is it running?"
            ) from None
        except httpx.HTTPError as exc:
            raise LrsError(
                f"cannot reach the LRS at {self.url} ({type(exc).__name__}); "
                "check the address and that it is running"
            ) from None
        if response.status_code in (401, 403):
            who = f"user {self.user!r}" if self.user else "no credentials"
            raise LrsError(
                f"the LRS at {self.url} refused {who} (HTTP {response.status_code}); "
                "check --lrs-user and VOICECOACH_LRS_PASSWORD"
            )
        if response.status_code == 409:
            raise LrsError(
                f"the LRS at {self.url} already holds some of these statement ids with other "
                "content (was --home-page or a scenario title changed since they were sent?)"
            )
        if response.status_code >= 400:
            detail = " ".join(response.text.split())[:MAX_DETAIL_CHARS]
            raise LrsError(f"the LRS at {self.url} answered HTTP {response.status_code}: {detail}")
        return response

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> LrsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
