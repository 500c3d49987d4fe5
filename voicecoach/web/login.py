"""Signing in to a server with accounts: the login and logout pages, the cookie, the throttle.

The cookie `voicecoach_login` holds a random token; the database keeps only its
SHA-256 with the account, a per-sign-in CSRF token and an expiry (server-side
sessions, so any number of app servers on one database share them and signing
out ends them everywhere). The cookie is HttpOnly, SameSite=Lax, and Secure
when the request came over https (directly, or through a trusted proxy's
X-Forwarded-Proto; see `--forwarded-allow-ips`).

Failed sign-ins are counted in the database per account and per client address:
after `free` failures in a row each further attempt must wait, twice as long
each time (429 with Retry-After), and nothing is checked while waiting. An
unknown account and a wrong password get the same answer, after the same work.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from voicecoach.errors import SessionError
from voicecoach.session.accounts import User, check_user_name, hash_password, password_matches
from voicecoach.session.store import SessionStore
from voicecoach.web import pages
from voicecoach.web.security import HttpError, check_csrf, check_same_origin

LOGIN_COOKIE = "voicecoach_login"
FORM_CSRF_COOKIE = "voicecoach_form"  # double-submit token of the sign-in form
LOGIN_TTL_S = 8 * 3600  # a working day
WRONG = "wrong account name or password"
NEXT_PATTERN = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,500}")  # no blanks or controls


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Throttle:
    """How failed sign-ins slow down further attempts (per account and per address)."""

    free_per_account: int = 5
    free_per_address: int = 20  # a school's NAT shares one address
    first_wait_s: float = 30.0
    max_wait_s: float = 900.0
    window_s: float = 86400.0  # failures are forgotten after a day without one

    def wait_s(self, failures: int, free: int) -> float:
        """The pause owed after `failures` in a row (0 while under `free`)."""
        if failures < free:
            return 0.0
        return min(self.first_wait_s * 2 ** (failures - free), self.max_wait_s)

    def claim(self, store: SessionStore, keys: dict[str, int], now: datetime) -> int:
        """Seconds before another attempt for `keys` (key -> free failures), or 0: go ahead.

        An attempt let through counts as a failure until `succeeded` takes it back, so
        attempts made at the same moment (on any app server) cannot all slip past.
        """

        def owed(key: str, failures: int, last_at: datetime) -> float:
            return self.wait_s(failures, keys[key]) - (now - last_at).total_seconds()

        wait = store.claim_login_attempt(keys, now=now, window_s=self.window_s, wait_s=owed)
        return math.ceil(wait)

    @staticmethod
    def succeeded(store: SessionStore, account_key: str, address_key: str) -> None:
        """The attempt was right: forget the account's failures, take back the address's."""
        store.clear_login_failures(account_key)
        store.forgive_login_attempt(address_key)


@cache
def _decoy_hash() -> str:
    """A hash to check unknown accounts against, so they take as long as known ones."""
    return hash_password(secrets.token_urlsafe(16))


def verify(store: SessionStore, name: str, password: str) -> User | None:
    """The account if `password` is its password; the same work when it does not exist."""
    try:
        store.get_user(check_user_name(name))
    except SessionError:
        password_matches(_decoy_hash(), password)
        return None
    return store.authenticate(name, password)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no `//host`, `\\`, blanks)."""
    if target and NEXT_PATTERN.fullmatch(target) and not target.startswith("//"):
        return target
    return "/sessions"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """A cookie for this site only: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def login_page(
    request: Request, *, message: str = "", name: str = "", status: int = 200
) -> Response:
    """The sign-in form with a fresh double-submit CSRF token."""
    token = secrets.token_urlsafe(24)
    html = pages.render(
        "login.html",
        title="Sign in",
        csrf_token=token,
        nav=False,
        message=message,
        name=name,
        next=safe_next(request.query_params.get("next")),
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    set_cookie(response, request, FORM_CSRF_COOKIE, token, max_age=3600)
    return response


def sign_in(
    request: Request,
    form: dict[str, str],
    store: SessionStore,
    *,
    throttle: Throttle,
    clock: Callable[[], datetime] = utc_now,
) -> Response:
    """Check the form (CSRF, throttle, password) and start a sign-in, or say why not."""
    check_same_origin(request)
    check_csrf(form.get("csrf_token"), request.cookies.get(FORM_CSRF_COOKIE, ""))
    name, password = form.get("name", "")[:64], form.get("password", "")
    address = request.client.host if request.client else "unknown"
    account_key, address_key = f"account:{name}", f"address:{address}"
    keys = {account_key: throttle.free_per_account, address_key: throttle.free_per_address}
    now = clock()
    wait = throttle.claim(store, keys, now)
    if wait > 0:
        raise HttpError(
            HTTPStatus.TOO_MANY_REQUESTS,
            f"too many failed sign-ins: try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = verify(store, name, password)
    if user is None:
        return login_page(request, message=WRONG, name=name, status=401)
    throttle.succeeded(store, account_key, address_key)
    token, _csrf = store.create_login(user.name, now=now, ttl_s=LOGIN_TTL_S)
    store.record_audit(user.name, "signed in", detail=f"from {address}")
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    set_cookie(response, request, LOGIN_COOKIE, token, max_age=LOGIN_TTL_S)
    response.delete_cookie(FORM_CSRF_COOKIE, path="/")
    return response


def signed_in(
    request: Request, store: SessionStore, *, clock: Callable[[], datetime] = utc_now
) -> tuple[User, str] | None:
    """The account and CSRF token behind the request's cookie, None if absent/expired/forged."""
    token = request.cookies.get(LOGIN_COOKIE)
    if not token or len(token) > 100:
        return None
    return store.find_login(token, now=clock())


def sign_out(request: Request, form: dict[str, str], store: SessionStore, user: User) -> Response:
    """End the sign-in behind the cookie (the form's CSRF token must be the sign-in's)."""
    token = request.cookies.get(LOGIN_COOKIE, "")
    store.end_login(token)
    store.record_audit(user.name, "signed out")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response
