"""A real upload server for the tests: the replay server (`make_server`, uvicorn) with the
upload API mounted as `voicecoach serve` mounts it, on a loopback port, in a thread."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from voicecoach.session.sql_store import SQLSessionStore
from voicecoach.web.server import make_server
from voicecoach.web.uploads import upload_routes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_upload_server(store: SQLSessionStore, port: int = 0) -> Iterator[str]:
    """Serve `store` with the upload API on `port` (0: any free one); yield the base URL.
    The socket is bound before this yields, so requests wait for uvicorn, never fail."""
    server = make_server(store, port=port, extra_routes=upload_routes(store))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
