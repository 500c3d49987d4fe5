"""The replay server over real HTTP: pages and JSON twins, audio ranges, annotations, security."""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import threading

import numpy as np
import pytest
import soundfile as sf
from session_fixture import csrf_token_of, make_session, running_server

from voicecoach.results.vocabulary import titled_score
from voicecoach.session.store import open_store


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A data dir with a finished session, a killed one and a second trainee, served."""
    root = tmp_path_factory.mktemp("web")
    store = open_store(root / "data")
    done = make_session(store, trainee="amy")
    killed = make_session(store, trainee="bob", finished=False)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.wav").write_bytes(b"RIFF-SECRET-PRIVATE-RECORDING")
    with running_server(store) as server:
        yield {"server": server, "store": store, "done": done, "killed": killed, "root": root}
    store.close()


class Client:
    """Raw HTTP/1.1 requests to the test server (nothing normalises the path)."""

    def __init__(self, server, host_header=None):
        self.host, self.port = server.server_address[:2]
        self.host_header = host_header or f"127.0.0.1:{self.port}"
        self.csrf = server.csrf_token

    def request(self, method, path, body=None, headers=None, *, csrf=True):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        sent = {"Host": self.host_header}
        if body is not None:
            sent["Content-Type"] = "application/json"
            body = json.dumps(body)
            sent["Content-Length"] = str(len(body.encode()))
        if csrf and method != "GET":
            sent["X-CSRF-Token"] = self.csrf
        sent.update(headers or {})
        conn.putrequest(method, path, skip_host=True)
        for key, value in sent.items():
            conn.putheader(key, value)
        conn.endheaders(body.encode() if body else None)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, response.headers, data  # names case-insensitive

    def json(self, method, path, body=None, **kw):
        status, _, data = self.request(method, path, body, **kw)
        return status, json.loads(data)


@pytest.fixture
def client(site):
    return Client(site["server"])


def test_the_server_binds_loopback_without_a_token(site):
    server = site["server"]
    assert server.server_address[0] == "127.0.0.1"
    assert server.access_token is None
    assert server.url.startswith("http://127.0.0.1:")


def test_sessions_list_page_and_its_json_twin_with_filters(site, client):
    status, headers, body = client.request("GET", "/sessions")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = body.decode()
    assert "amy" in html and "bob" in html and "incomplete" in html
    status, data = client.json("GET", "/sessions.json?trainee=amy")
    assert status == 200
    assert [s["id"] for s in data["sessions"]] == [site["done"].info.id]
    status, data = client.json("GET", "/sessions.json?order=score")
    assert data["sessions"][0]["id"] == site["done"].info.id  # the unscored one sorts last
    status, data = client.json("GET", "/sessions.json?verdict=competent")
    assert data["sessions"] == []
    status, data = client.json("GET", "/sessions.json?since=nonsense")
    assert status == 400 and "YYYY-MM-DD" in data["error"]


def test_session_page_embeds_the_view_and_the_json_twin_matches(site, client):
    sid = site["done"].info.id
    status, headers, body = client.request("GET", f"/sessions/{sid}")
    assert status == 200
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    html = body.decode()
    assert "wavesurfer.min.js" in html and "session.js" in html and csrf_token_of(html)
    status, view = client.json("GET", f"/sessions/{sid}.json")
    assert status == 200
    assert view["session"]["id"] == sid and view["audio"] == "call.wav"
    assert view["transcript"]["turns"][1]["words"][0]["w"] == "thank"
    kinds = {(m["id"], m["kind"]) for m in view["markers"]}
    assert ("empathize", "step") in kinds and ("why_did_you", "fault") in kinds
    assert len(view["tracks"]["times_s"]) == len(view["tracks"]["f0_hz"]) > 100
    assert view["mood"][0]["mood"] == "angry" and view["mood"][-1]["mood"] == "calm"
    assert view["delivery"]["calm"] is False and view["delivery"]["judged_turns"] == 4
    assert "Slow down" in view["delivery"]["tips"][0]


def test_unknown_pages_and_sessions_are_404(client):
    assert client.request("GET", "/sessions/20990101-000000-dead")[0] == 404
    assert client.request("GET", "/nowhere")[0] == 404
    status, data = client.json("GET", "/sessions/20990101-000000-dead.json")
    assert status == 404 and "no session" in data["error"]


def test_audio_is_served_with_byte_ranges(site, client):
    sid = site["done"].info.id
    whole = (site["done"].folder / "call.wav").read_bytes()
    status, headers, body = client.request("GET", f"/sessions/{sid}/audio.wav")
    assert status == 200 and body == whole and headers["Accept-Ranges"] == "bytes"
    status, headers, body = client.request(
        "GET", f"/sessions/{sid}/audio.wav", headers={"Range": "bytes=1000-1999"}
    )
    assert status == 206 and body == whole[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    status, _, body = client.request(
        "GET", f"/sessions/{sid}/audio.wav", headers={"Range": "bytes=-500"}
    )
    assert status == 206 and body == whole[-500:]
    status, headers, _ = client.request(
        "GET", f"/sessions/{sid}/audio.wav", headers={"Range": f"bytes={len(whole)}-"}
    )
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(whole)}"


def test_a_killed_call_is_mixed_on_the_fly_even_with_stale_headers(site, client):
    killed = site["killed"]
    folder = killed.folder
    trainee, sr = sf.read(folder / "trainee.wav", dtype="int16")
    caller, _ = sf.read(folder / "caller.wav", dtype="int16")
    raw = bytearray((folder / "trainee.wav").read_bytes())
    raw[40:44] = (0).to_bytes(4, "little")  # a kill -9 before the header was rewritten
    (folder / "trainee.wav").write_bytes(bytes(raw))
    status, _, body = client.request("GET", f"/sessions/{killed.info.id}/audio.wav")
    assert status == 200
    mixed, mixed_sr = sf.read(io.BytesIO(body), dtype="int16")
    assert mixed_sr == sr and mixed.shape == (max(len(trainee), len(caller)), 2)
    assert np.array_equal(mixed[: len(trainee), 0], trainee)
    assert np.array_equal(mixed[: len(caller), 1], caller)
    status, peaks = client.json("GET", f"/sessions/{killed.info.id}/peaks.json")
    assert status == 200 and abs(peaks["duration_s"] - len(trainee) / sr) < 0.01
    status, view = client.json("GET", f"/sessions/{killed.info.id}.json")
    assert view["transcript"]["rebuilt_from_events"] and view["score"] is None
    assert view["tracks"] is None and view["tracks_url"].endswith("/tracks.json")


def test_tracks_missing_from_delivery_are_measured_from_the_trainee_audio(site, client):
    status, tracks = client.json("GET", f"/sessions/{site['killed'].info.id}/tracks.json")
    assert status == 200
    f0_hz = np.array([f for f in tracks["f0_hz"] if f is not None])
    assert len(f0_hz) > 50 and abs(np.median(f0_hz) - 190) < 10  # the fixture's trainee voice
    times_s = np.array(tracks["times_s"])
    assert times_s[-1] == pytest.approx(site["killed"].duration_s, abs=0.2)


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/..%2f..%2fsessions.db",
        "/sessions/%2e%2e/%2e%2e/etc/passwd",
        "/sessions/..%252f..%252fetc%252fpasswd",
        "/static/..%2fserver.py",
        "/static/%2e%2e/%2e%2e/paths.py",
        "/static/vendor/..%2f..%2fserver.py",
        "/static/..\\server.py",
        "/sessions/{sid}/..%2f..%2f..%2fsessions.db",
        "/sessions/{sid}/../../../sessions.db",
        "/sessions/{sid}%00/audio.wav",
        "/trainees/..%2f..%2fetc%2fpasswd",
    ],
)
def test_no_path_outside_the_data_dir_can_be_read(site, client, path):
    status, _, body = client.request("GET", path.format(sid=site["done"].info.id))
    assert status in (400, 404)
    assert b"SQLite format" not in body and b"root:" not in body and b"import " not in body


def test_symlinks_out_of_the_data_dir_are_not_followed(site, client):
    store = site["store"]
    secret = site["root"] / "outside" / "secret.wav"
    linked_file = store.create_session("eve", "s", "upset_caller")
    os.symlink(secret, linked_file.folder / "call.wav")
    status, _, body = client.request("GET", f"/sessions/{linked_file.id}/audio.wav")
    assert status == 404 and b"SECRET" not in body
    linked_dir = store.create_session("eve", "s", "upset_caller")
    shutil.rmtree(linked_dir.folder)
    os.symlink(site["root"] / "outside", linked_dir.folder)
    os.symlink(secret, site["root"] / "outside" / "trainee.wav")
    for path in ("audio.wav", "peaks.json"):
        status, _, body = client.request("GET", f"/sessions/{linked_dir.id}/{path}")
        assert status == 404 and b"SECRET" not in body


def test_write_routes_refuse_cross_site_requests(site, client):
    path = f"/sessions/{site['done'].info.id}/comments"
    comment = {"t_s": 1.0, "text": "from elsewhere", "author": "mallory"}
    port = client.port
    refused = [
        client.request("POST", path, comment, csrf=False),
        client.request("POST", path, comment, headers={"X-CSRF-Token": "guess"}, csrf=False),
        client.request("POST", path, comment, headers={"Origin": "http://evil.example"}),
        client.request("POST", path, comment, headers={"Sec-Fetch-Site": "cross-site"}),
        client.request("POST", path, comment, headers={"Origin": "null"}),
        client.request("POST", path, comment, headers={"Origin": f"http://127.0.0.1:{port + 1}"}),
    ]
    assert [status for status, _, _ in refused] == [403] * len(refused)
    status, _, _ = client.request(
        "POST", path, None, headers={"Content-Type": "text/plain", "Content-Length": "0"}
    )
    assert status == 415
    assert all(
        c.text != "from elsewhere" for c in site["store"].list_comments(site["done"].info.id)
    )
    status, _, _ = client.request(
        "POST",
        path,
        comment,
        headers={"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"},
    )
    assert status == 201


def test_a_foreign_host_header_is_refused(site):
    rebinding = Client(site["server"], host_header="attacker.example:80")
    assert rebinding.request("GET", "/sessions")[0] == 403


def test_comments_crud_and_a_stale_edit_gets_409_with_the_current_text(site, client):
    sid = site["done"].info.id
    status, added = client.json(
        "POST",
        f"/sessions/{sid}/comments",
        {"t_s": 6.5, "end_s": 9.0, "text": "Nice opening", "author": "sam"},
    )
    assert status == 201 and added["version"] == 1 and added["end_s"] == 9.0
    url = f"/sessions/{sid}/comments/{added['id']}"
    status, sams = client.json("PUT", url, {"text": "Nice, warm opening", "version": 1})
    assert status == 200 and sams["version"] == 2
    status, conflict = client.json("PUT", url, {"text": "Opening too fast", "version": 1})
    assert status == 409 and conflict["current"]["text"] == "Nice, warm opening"
    status, merged = client.json(
        "PUT",
        url,
        {"text": "Nice, warm opening; a bit fast", "version": conflict["current"]["version"]},
    )
    assert status == 200 and merged["version"] == 3
    assert client.json("DELETE", f"{url}?version=1")[0] == 409
    assert client.json("PUT", url, {"text": "no version"})[0] == 400
    other = site["killed"].info.id
    assert (
        client.json(
            "PUT", f"/sessions/{other}/comments/{added['id']}", {"text": "x", "version": 3}
        )[0]
        == 404
    )
    status, _ = client.json("DELETE", f"{url}?version=3")
    assert status == 200
    _, view = client.json("GET", f"/sessions/{sid}.json")
    assert all(c["id"] != added["id"] for c in view["comments"])
    status, error = client.json(
        "POST", f"/sessions/{sid}/comments", {"t_s": 1, "text": "", "author": "s"}
    )
    assert status == 400 and "empty" in error["error"]


def test_concurrent_comment_edits_over_http_lose_neither(site, client):
    sid = site["done"].info.id
    _, added = client.json(
        "POST", f"/sessions/{sid}/comments", {"t_s": 2.0, "text": "base", "author": "sam"}
    )
    url = f"/sessions/{sid}/comments/{added['id']}"
    results, barrier = {}, threading.Barrier(2)

    def edit(who):
        barrier.wait()
        results[who] = client.json("PUT", url, {"text": f"{who} says hi", "version": 1})

    threads = [threading.Thread(target=edit, args=(who,)) for who in ("sam", "lee")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 409]
    winner = next(who for who, (status, _) in results.items() if status == 200)
    loser = next(who for who, (status, _) in results.items() if status == 409)
    assert results[loser][1]["current"]["text"] == f"{winner} says hi"  # the loser sees it
    status, _ = client.json(
        "PUT",
        url,
        {
            "text": f"{winner} says hi / {loser} says hi",
            "version": results[loser][1]["current"]["version"],
        },
    )
    assert status == 200
    assert site["store"].get_comment(added["id"]).text == f"{winner} says hi / {loser} says hi"


def test_trainee_progress_page_and_twin(site, client):
    status, _, body = client.request("GET", "/trainees/amy")
    assert status == 200 and b"trainee.js" in body
    status, progress = client.json("GET", "/trainees/amy.json")
    assert progress["trainee"] == "amy" and len(progress["sessions"]) == 1
    assert progress["sessions"][0]["items"]["steps"]["empathize"] is True
    [block] = progress["steps"]
    empathize = next(s for s in block["steps"] if s["id"] == "empathize")
    assert (empathize["title"], empathize["hits"], empathize["calls"]) == ("Empathize", 1, 1)
    status, cohort = client.json("GET", "/progress.json")
    assert status == 200 and "amy" in cohort["trainees"]
    assert client.request("GET", "/trainees/nobody")[0] == 404


def test_an_exposed_server_demands_its_token(site):
    with running_server(site["store"], host="0.0.0.0") as exposed:
        token = exposed.access_token
        assert token and f"?token={token}" in exposed.url
        client = Client(exposed, host_header=f"192.0.2.10:{exposed.server_address[1]}")
        assert client.request("GET", "/sessions")[0] == 401
        assert client.request("GET", "/sessions?token=wrong")[0] == 401
        status, headers, _ = client.request("GET", f"/sessions?token={token}")
        assert status == 200 and "HttpOnly" in headers["Set-Cookie"]
        cookie = headers["Set-Cookie"].split(";")[0]
        assert client.request("GET", "/sessions.json", headers={"Cookie": cookie})[0] == 200
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.request("GET", "/sessions.json", headers=bearer)[0] == 200


def test_overriding_a_verdict_rescores_keeps_the_original_and_can_be_undone(site, client):
    store = site["store"]
    made = make_session(store, trainee="zoe")
    sid, coach = made.info.id, made.score
    url = f"/sessions/{sid}/overrides"
    status, view = client.json(
        "POST",
        url,
        {"item_id": "why_did_you", "value": False, "reason": "a fair question", "author": "sam"},
    )
    assert status == 200
    assert view["score"]["faults"]["why_did_you"]["present"] is False
    assert view["score"]["score"] > coach["score"]
    assert view["original_score"]["faults"]["why_did_you"]["present"] is True
    assert view["original_score"]["score"] == coach["score"]
    assert view["overrides"][0]["reason"] == "a fair question"
    listed = client.json("GET", "/sessions.json?trainee=zoe")[1]["sessions"][0]
    assert listed["adjusted_score"] == view["score"]["score"] and listed["score"] == coach["score"]
    assert json.loads((made.folder / "score.json").read_text()) == coach  # the file is untouched

    status, error = client.json(
        "POST", url, {"item_id": "empathize", "value": False, "reason": "", "author": "sam"}
    )
    assert status == 400 and "reason is empty" in error["error"]
    status, error = client.json(
        "POST", url, {"item_id": "be_nice", "value": True, "reason": "x", "author": "sam"}
    )
    assert status == 400 and "not a step, check or fault" in error["error"]
    assert [o.item_id for o in store.list_overrides(sid)] == ["why_did_you"]

    status, view = client.json("POST", url, {"item_id": "why_did_you", "value": None})
    assert status == 200 and view["overrides"] == [] and view["score"] == titled_score(coach)
    assert store.get_session(sid).adjusted_score is None
    killed = site["killed"].info.id
    status, error = client.json(
        "POST",
        f"/sessions/{killed}/overrides",
        {"item_id": "empathize", "value": True, "reason": "x", "author": "sam"},
    )
    assert status == 400 and "no score.json" in error["error"]


def test_sessions_recorded_by_another_process_appear_in_the_list(site, client):
    site["server"].sync_every_s = 0
    folder = site["store"].sessions_dir / "20261120-080000-0a0b"
    folder.mkdir()
    (folder / "session.json").write_text(
        json.dumps(
            {
                "id": folder.name,
                "trainee": "kim",
                "scenario_id": "late_results",
                "protocol": "spikes",
                "started_at": "2026-11-20T08:00:00+00:00",
                "complete": False,
                "reason": "call in progress",
            }
        )
    )
    status, data = client.json("GET", "/sessions.json?trainee=kim")
    assert status == 200 and [s["id"] for s in data["sessions"]] == [folder.name]
