"""The replay app's route handlers: each takes a `Call` (request, viewer, body) and answers.

They run in the thread pool (the store is synchronous). A session or trainee the
viewer may not see raises exactly what an unknown one raises, so it answers 404
with the same words. `app.py` wires them to paths and checks access first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from voicecoach import jsonsafe
from voicecoach.results.progress import cohort_progress, no_trainee_sessions, trainee_progress
from voicecoach.session import review
from voicecoach.session.store import (
    CommentConflictError,
    SessionFilter,
    SessionInfo,
    SessionStore,
    unknown_session,
)
from voicecoach.web import audio, pages, progress_pages
from voicecoach.web.access import Viewer
from voicecoach.web.security import HttpError

if TYPE_CHECKING:
    from voicecoach.web.app import AppState

COPY_CHUNK_BYTES = 256 * 1024
NO_STORE = {"Cache-Control": "no-store"}
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

    def session(self, sid: str) -> SessionInfo:
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


def _whole_number(call: Call, name: str, default: int) -> int:
    """A positive whole-number query parameter, 400 naming it otherwise."""
    text = call.query(name)
    if text is None or text == "":
        return default
    if not text.isdecimal() or int(text) < 1:
        raise HttpError(
            HTTPStatus.BAD_REQUEST, f"{name} must be a whole number from 1, not {text!r}"
        )
    return int(text)


def sessions_page(call: Call, ext: bool) -> Response:
    """One page of the sessions the viewer may see (`?page=`, `?per_page=` up to a cap)."""
    call.state.sync_store()
    filters = {key: call.query(key) or None for key in pages.LIST_FILTERS}
    order = call.query("order", "date")
    per_page = _whole_number(call, "per_page", pages.PER_PAGE)
    page = _whole_number(call, "page", 1)
    where = SessionFilter(trainee_in=call.viewer.trainees, **filters)
    total = call.store.count_sessions(where)
    paging = pages.Paging.clamped(page, per_page, total)
    sessions = call.store.list_sessions(
        where, order=order, limit=paging.per_page, offset=paging.offset
    )
    if ext:
        return json_response(
            {
                "sessions": [s.to_json() | {"folder": s.folder.name} for s in sessions],
                "filters": filters,
                "order": order,
                "total": total,
                "page": paging.page,
                "per_page": paging.per_page,
            }
        )
    trainees = [t for t in call.store.trainees() if call.viewer.may_see(t)]
    return html_response(
        pages.sessions_page(sessions, filters, order, paging, trainees=trainees, **call.common())
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


def _audio_source(call: Call, sid: str) -> tuple[SessionInfo, str, Path | None]:
    """The session, which recording plays ("mix" or a file name) and, for one file, its
    checked path (a mix's two sides are checked too)."""
    info = call.session(sid)
    source = review.audio_source(info)
    if source is None:
        raise HttpError(HTTPStatus.NOT_FOUND, f"session {sid} has no audio")
    if source != "mix":
        return info, source, call.safe_file(sid, source)
    call.safe_file(sid, "trainee.wav")
    call.safe_file(sid, "caller.wav")
    return info, source, None


def session_audio(call: Call) -> Response:
    sid = call.param("sid")
    info, _, path = _audio_source(call, sid)
    body: Path | bytes = path if path is not None else audio.mix_sides(info.folder)
    response = range_response(call.request, body, "audio/wav")
    if response.status_code != 416:
        content_range = response.headers.get("content-range", "bytes 0-")
        from_start = content_range.startswith("bytes 0-")
        call.state.audit_fetch(call.viewer, "played recording", sid, from_start=from_start)
    return response


def session_peaks(call: Call) -> Response:
    info, source, _ = _audio_source(call, call.param("sid"))
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
