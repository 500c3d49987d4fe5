"""The replay server: the Starlette app (`app.py`) served by uvicorn on one socket.

`make_server` chooses the access mode (see `app.py`): accounts whenever the
database holds at least one account (or `accounts=True`, which then needs
one); otherwise open on loopback and token-protected on any other host.
`ReplayServer` binds first (so a busy port is one clear error and port 0 is
known at once), then `serve_forever` runs uvicorn until `shutdown`.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
import socket
import threading
from collections.abc import Sequence

import uvicorn
from starlette.routing import BaseRoute

from voicecoach.errors import VoiceCoachError
from voicecoach.session.store import SessionStore
from voicecoach.web.app import AccessMode, AppState, create_app
from voicecoach.web.login import Throttle
from voicecoach.web.security import LOOPBACK_HOSTS, MAX_BODY_BYTES

__all__ = ["LOOPBACK_HOSTS", "MAX_BODY_BYTES", "ReplayServer", "is_loopback", "make_server"]

MIN_TOKEN_CHARS = 16
TOKEN_PATTERN = re.compile(rf"[A-Za-z0-9._~-]{{{MIN_TOKEN_CHARS},256}}")
LISTEN_BACKLOG = 128  # many viewers connecting at once must not wait for a SYN retry
SHUTDOWN_GRACE_S = 5.0


class OneLineFormatter(logging.Formatter):
    """uvicorn's own messages as one line each: an exception's type and text, no traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message += f": {type(exc).__name__}: {exc}"
        return message


LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"one_line": {"()": OneLineFormatter}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "one_line",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "uvicorn.error": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


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


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, so asyncio sets TCP_NODELAY on accepted connections: headers then
    # body in two writes would otherwise wait 40 ms for a delayed ACK (Nagle)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        raise VoiceCoachError(
            f"cannot listen on {host}:{port}: {exc.strerror}; try another --port"
        ) from None
    sock.set_inheritable(True)
    return sock


class ReplayServer:
    """The app on a bound socket, run by uvicorn (in the calling thread) until `shutdown`."""

    def __init__(
        self,
        store: SessionStore,
        host: str,
        port: int,
        *,
        mode: AccessMode,
        token: str | None,
        extra_routes: Sequence[BaseRoute] = (),
        forwarded_allow_ips: str | None = None,
        throttle: Throttle | None = None,
    ):
        self.app = create_app(
            store, mode=mode, access_token=token, extra_routes=extra_routes, throttle=throttle
        )
        self.state: AppState = self.app.state.replay
        self.socket = _bind(host, port)
        config = uvicorn.Config(
            self.app,
            log_config=LOG_CONFIG,
            access_log=False,
            lifespan="off",
            server_header=False,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
            timeout_keep_alive=30,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
        self._server = uvicorn.Server(config)
        self._stopped = threading.Event()

    @property
    def server_address(self) -> tuple[str, int]:
        return self.socket.getsockname()[:2]

    @property
    def mode(self) -> AccessMode:
        return self.state.mode

    @property
    def access_token(self) -> str | None:
        return self.state.access_token

    @property
    def csrf_token(self) -> str:
        """The CSRF token of a server without accounts (signed-in users each have their own)."""
        return self.state.csrf_token

    @property
    def sync_every_s(self) -> float:
        return self.state.sync_every_s

    @sync_every_s.setter
    def sync_every_s(self, seconds: float) -> None:
        self.state.sync_every_s = seconds

    @property
    def base_url(self) -> str:
        host, port = self.server_address
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def url(self) -> str:
        """The address to open (with the access token, if the server needs one)."""
        suffix = f"?token={self.access_token}" if self.access_token else ""
        return f"{self.base_url}/sessions{suffix}"

    def serve_forever(self) -> None:
        """Serve until `shutdown` (or Ctrl-C, re-raised as KeyboardInterrupt afterwards)."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Stop serving (from another thread) and wait until it has stopped."""
        self._server.should_exit = True
        self._stopped.wait(timeout_s)

    def server_close(self) -> None:
        self.socket.close()


def make_server(
    store: SessionStore,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    accounts: bool | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    forwarded_allow_ips: str | None = None,
    throttle: Throttle | None = None,
) -> ReplayServer:
    """A replay server bound to host:port.

    Accounts (sign-in, roles) when the database holds any, or `accounts=True`
    (VoiceCoachError if it holds none). Without accounts, beyond loopback a
    token is always required: a random one unless `token` is given; a given
    token (on any host) must pass `check_token`.
    """
    if token is not None:
        token = check_token(token)
    has_accounts = bool(store.list_users())
    if accounts and not has_accounts:
        raise VoiceCoachError(
            "no accounts yet: add one with `voicecoach users add NAME --role admin`"
        )
    if has_accounts:
        if token is not None:
            raise VoiceCoachError(
                "--token is for servers without accounts; this database has accounts, "
                "who sign in with their passwords"
            )
        mode = AccessMode.ACCOUNTS
    elif token is not None or not is_loopback(host):
        mode = AccessMode.TOKEN
        token = token or secrets.token_urlsafe(24)
    else:
        mode = AccessMode.OPEN
    return ReplayServer(
        store,
        host,
        port,
        mode=mode,
        token=token,
        extra_routes=extra_routes,
        forwarded_allow_ips=forwarded_allow_ips,
        throttle=throttle,
    )
