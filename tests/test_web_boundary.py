"""The replay server's request boundary over real HTTP: body limits and finite numbers.

Raw sockets send what a hostile client would (a negative, missing, lying or
chunked length, NaN and Infinity), then the tests check what every viewer
would see: nothing stored, the session's pages still standard JSON.
"""

from __future__ import annotations

import json
import socket

import pytest
from session_fixture import make_session, running_server

from voicecoach.session.store import open_store
from voicecoach.web.server import MAX_BODY_BYTES


@pytest.fixture()
def site(tmp_path):
    store = open_store(tmp_path / "data")
    made = make_session(store, trainee="amy")
    with running_server(store) as server:
        yield {"server": server, "store": store, "sid": made.info.id}
    store.close()


def raw_request(server, head: str, body: bytes = b"", *, timeout_s: float = 10.0) -> tuple:
    """Send `head` (request line and headers), then `body` unless refused first: status, JSON.

    A refusal by the HTTP parser itself comes as plain text (payload {"error": text});
    a client that leaves mid-body gets no answer at all (status None).
    """
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=1.0) as sock:
        sock.sendall(head.encode() + b"\r\nConnection: close\r\n\r\n")
        try:
            reply = sock.recv(65536)  # a refusal on the headers alone comes at once
        except TimeoutError:
            reply = b""
        sock.settimeout(timeout_s)
        try:
            if not reply:
                sock.sendall(body)
            while chunk := sock.recv(65536):
                reply += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused and closed before the body ended: the reply read so far is it
    if not reply:
        return None, {}
    status_line, _, rest = reply.partition(b"\r\n")
    head_part, _, payload = rest.partition(b"\r\n\r\n")
    if b"application/json" not in head_part.lower():
        return int(status_line.split()[1]), {"error": payload.decode(errors="replace")}
    return int(status_line.split()[1]), json.loads(payload) if payload else {}


def get_json(site, path: str) -> tuple[int, dict]:
    port = site["server"].server_address[1]
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}"
    return raw_request(site["server"], head)


def comment_head(site, *headers: str) -> str:
    port = site["server"].server_address[1]
    return "\r\n".join(
        (
            f"POST /sessions/{site['sid']}/comments HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Content-Type: application/json",
            f"X-CSRF-Token: {site['server'].csrf_token}",
            *headers,
        )
    )


def post_comment(site, body: bytes) -> tuple[int, dict]:
    return raw_request(site["server"], comment_head(site, f"Content-Length: {len(body)}"), body)


def comment_body(text: str = "good empathy", t_s: str = "1.5") -> bytes:
    return f'{{"t_s": {t_s}, "text": "{text}", "author": "sam"}}'.encode()


BIG = comment_body("x" * (10 * 1024 * 1024))


@pytest.mark.parametrize(
    "headers, body, status",
    [
        (("Content-Length: -1",), BIG, 400),
        (("Content-Length: +20",), comment_body(), 400),
        (("Content-Length: 1e9",), BIG, 400),
        ((), BIG, 411),
        (("Transfer-Encoding: chunked",), b"a00000\r\n" + BIG, 411),
        ((f"Content-Length: {len(BIG)}",), BIG, 413),
        (("Content-Length: 5", "Content-Length: 500"), comment_body(), 400),
    ],
    ids=["negative", "plus-sign", "exponent", "absent", "chunked", "too-large", "two"],
)
def test_no_body_gets_past_the_limit_whatever_its_headers_say(site, headers, body, status):
    got, payload = raw_request(site["server"], comment_head(site, *headers), body)
    assert got == status and payload["error"]
    assert site["store"].list_comments(site["sid"]) == []


def test_a_body_shorter_than_its_length_is_never_stored(site):
    """The client sends less than it announced, then leaves: nothing stored, no answer owed."""
    host, port = site["server"].server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(comment_head(site, "Content-Length: 4000").encode() + b"\r\n\r\n")
        sock.sendall(comment_body())
    got, _ = get_json(site, f"/sessions/{site['sid']}.json")  # the server still answers
    assert got == 200 and site["store"].list_comments(site["sid"]) == []


def test_a_body_within_the_limit_is_stored(site):
    body = comment_body("see the pause here")
    got, payload = post_comment(site, body)
    assert got == 201 and payload["text"] == "see the pause here"


def test_a_body_nested_too_deeply_is_refused_as_invalid_json(site):
    body = b"[" * (MAX_BODY_BYTES - 10)
    got, payload = post_comment(site, body)
    assert got == 400 and payload["error"] == "the body is not valid JSON"


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e999", "1" + "0" * 400])
def test_non_finite_comment_times_are_refused_and_every_page_stays_standard_json(site, number):
    body = comment_body(t_s=number)
    got, payload = post_comment(site, body)
    assert got == 400 and "number" in payload["error"]
    assert site["store"].list_comments(site["sid"]) == []
    status, view = get_json(site, f"/sessions/{site['sid']}.json")
    assert status == 200 and view["comments"] == []


def test_an_edit_to_infinity_is_refused_and_the_comment_kept(site):
    comment = site["store"].add_comment(site["sid"], t_s=2.0, text="hm", author="sam")
    body = b'{"t_s": Infinity, "version": 1}'
    head = comment_head(site, f"Content-Length: {len(body)}").replace(
        f"POST /sessions/{site['sid']}/comments",
        f"PUT /sessions/{site['sid']}/comments/{comment.id}",
    )
    got, payload = raw_request(site["server"], head, body)
    assert got == 400 and "Infinity" in payload["error"]
    assert site["store"].get_comment(comment.id).t_s == 2.0


def test_the_store_refuses_non_finite_times_from_any_caller(site):
    from voicecoach.errors import SessionError

    for t_s in (float("inf"), float("nan"), "Infinity", 10**400):
        with pytest.raises(SessionError, match="not a number of seconds"):
            site["store"].add_comment(site["sid"], t_s=t_s, text="x", author="sam")


def test_a_session_file_holding_nan_is_still_served_as_standard_json(site):
    folder = site["store"].get_session(site["sid"]).folder
    score = json.loads((folder / "score.json").read_text())
    score["score"] = float("nan")
    (folder / "score.json").write_text(json.dumps(score))  # as an older version wrote it
    status, view = get_json(site, f"/sessions/{site['sid']}.json")
    assert status == 200 and view["score"]["score"] is None
