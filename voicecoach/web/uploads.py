"""The upload API workstations send finished sessions to (Starlette routes).

Every request carries a workstation token, `Authorization: Bearer vcw_...`
(`voicecoach workstations add NAME` makes one); without a valid one: 401.

    POST /api/uploads                      manifest JSON -> the upload's state (201 new)
    GET  /api/uploads/{id}                 (or HEAD) what the server has: bytes per file
    PUT  /api/uploads/{id}/files/{name}?offset=N
         body: the next bytes of that file; header Content-Digest: sha-256=:BASE64:
         (RFC 9530) -> {"received": bytes the server now has}
    POST /api/uploads/{id}/finish          verify, store and index -> state "stored"

Errors are `{"error": code, "message": text}` with codes `bad_token` (401),
`unknown_upload` (404), `conflict`, `offset`, `incomplete` (409), `too_large`
(413), `bad_chunk`, `invalid` (400; 408/411 for a body that is too slow or has
no Content-Length), `checksum` (422), `no_room` (507) and `unavailable` (503,
the database is down). The work itself is `sync.receiver`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voicecoach import jsonsafe
from voicecoach.errors import SessionError
from voicecoach.session.sql_store import SQLSessionStore
from voicecoach.session.workstations import Workstations
from voicecoach.sync.manifest import MAX_CHUNK_BYTES, manifest_from_json
from voicecoach.sync.receiver import OffsetMismatch, Receiver, UploadError
from voicecoach.web.security import HttpError, read_body

API_PREFIX = "/api/uploads"
MAX_MANIFEST_BYTES = 256 * 1024
STATUS = {
    "invalid": 400,
    "bad_chunk": 400,
    "unknown_upload": 404,
    "conflict": 409,
    "offset": 409,
    "incomplete": 409,
    "checksum": 422,
    "no_room": 507,
}
_DIGEST = re.compile(r"(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):")

Endpoint = Callable[[Request, str], Awaitable[Response]]


def json_response(data: dict[str, Any], status: int = 200, **headers: str) -> Response:
    """`data` as a JSON response (jsonsafe: never NaN)."""
    return Response(
        jsonsafe.dumps(data), status_code=status, media_type="application/json", headers=headers
    )


def error_response(code: str, message: str, status: int, **extra: Any) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="voicecoach"'} if status == 401 else {}
    return json_response({"error": code, "message": message, **extra}, status, **headers)


def chunk_sha256(header: str | None) -> str | None:
    """The SHA-256 (hex) a `Content-Digest: sha-256=:BASE64:` header gives, else None."""
    found = _DIGEST.search(header or "")
    if not found:
        return None
    try:
        digest = base64.b64decode(found.group(1), validate=True)
    except (binascii.Error, ValueError):
        return None
    return digest.hex() if len(digest) == 32 else None


def upload_routes(store: SQLSessionStore) -> list[Route]:
    """The upload API's routes, receiving into `store`'s data folder and database."""
    receiver = Receiver(store)
    register = Workstations(store)

    def guarded(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        """Check the token, then run `endpoint(request, workstation)`; errors as JSON."""

        async def handle(request: Request) -> Response:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            try:
                workstation = (
                    await run_in_threadpool(register.authenticate, token.strip())
                    if scheme.lower() == "bearer"
                    else None
                )
                if workstation is None:
                    return error_response(
                        "bad_token",
                        "no valid workstation token; ask the server's administrator for one "
                        "(`voicecoach workstations add NAME`)",
                        401,
                    )
                return await endpoint(request, workstation.name)
            except OffsetMismatch as exc:
                return error_response(exc.code, str(exc), 409, offset=exc.offset)
            except UploadError as exc:
                return error_response(exc.code, str(exc), STATUS[exc.code])
            except SessionError as exc:
                return error_response("invalid", str(exc), 400)
            except HttpError as exc:  # a body too large, without a length, or too slow
                code = "too_large" if exc.status == 413 else "invalid"
                return error_response(code, str(exc), int(exc.status))
            except DBAPIError:
                return error_response(
                    "unavailable", "the server's database is unavailable; try again later", 503
                )

        return handle

    async def create(request: Request, workstation: str) -> Response:
        body = await read_body(request, limit=MAX_MANIFEST_BYTES)
        try:
            data = jsonsafe.loads(body)
        except (ValueError, UnicodeDecodeError):
            return error_response("invalid", "the manifest is not JSON", 400)
        manifest = manifest_from_json(data)
        state = await run_in_threadpool(receiver.open, workstation, manifest)
        fresh = state.state == "open" and not any(state.received.values())
        return json_response(state.to_json(), 201 if fresh else 200)

    async def status(request: Request, _workstation: str) -> Response:
        state = await run_in_threadpool(receiver.state, request.path_params["upload_id"])
        return json_response(state.to_json())

    async def put_chunk(request: Request, _workstation: str) -> Response:
        try:
            offset = int(request.query_params.get("offset", ""))
        except ValueError:
            return error_response("invalid", "give the chunk's byte offset as ?offset=N", 400)
        sha = chunk_sha256(request.headers.get("content-digest"))
        if sha is None:
            return error_response(
                "invalid", "give the chunk's checksum as Content-Digest: sha-256=:BASE64:", 400
            )
        data = await read_body(request, limit=MAX_CHUNK_BYTES)
        received = await run_in_threadpool(
            receiver.write_chunk,
            request.path_params["upload_id"],
            request.path_params["name"],
            offset,
            data,
            sha256=sha,
        )
        return json_response({"received": received})

    async def finish(request: Request, _workstation: str) -> Response:
        state = await run_in_threadpool(receiver.finish, request.path_params["upload_id"])
        return json_response(state.to_json())

    return [
        Route(API_PREFIX, guarded(create), methods=["POST"]),
        Route(API_PREFIX + "/{upload_id}", guarded(status), methods=["GET", "HEAD"]),
        Route(API_PREFIX + "/{upload_id}/files/{name}", guarded(put_chunk), methods=["PUT"]),
        Route(API_PREFIX + "/{upload_id}/finish", guarded(finish), methods=["POST"]),
    ]
