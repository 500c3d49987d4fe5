"""The replay server with accounts, over real HTTP on SQLite and on PostgreSQL.

A uvicorn server runs in a thread on a free port (two of them on one database
for the throttle); requests go through httpx. Client addresses are set with
X-Forwarded-For, which the server trusts from loopback (its default proxy).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from postgres_server import fresh_database
from session_fixture import csrf_token_of, make_session, running_server
from sqlalchemy import select

from voicecoach.cli import cli
from voicecoach.session.store import SessionStore, open_store
from voicecoach.session.tables import logins
from voicecoach.web.login import LOGIN_COOKIE, Throttle

VOICECOACH = str(Path(sys.executable).with_name("voicecoach"))
USERS = (  # name, role, cohort
    ("ada", "admin", None),
    ("ivy", "instructor", "north"),
    ("oz", "instructor", "south, east"),
    ("amy", "trainee", "north"),
    ("bob", "trainee", "south"),
)
UNKNOWN_SID = "20990101-000000-dead"


def password_of(name: str) -> str:
    return f"{name}-correct-horse"


@dataclass
class School:
    """A served store with accounts, a session each for amy, bob and cat (no account)."""

    store: SessionStore
    root: Path
    database: str | None
    base: str
    sid: dict[str, str]

    def client(self, address: str = "192.0.2.1", base: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=base or self.base, headers={"X-Forwarded-For": address}, timeout=60
        )

    def cli_args(self) -> list[str]:
        return ["--data-dir", str(self.root / "data")] + (
            ["--database", self.database] if self.database else []
        )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def school(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"school-{request.param}")
    with contextlib.ExitStack() as stack:
        database = None
        if request.param == "postgresql":
            cluster = request.getfixturevalue("postgres_cluster")
            database = stack.enter_context(fresh_database(cluster, f"web_{secrets.token_hex(6)}"))
        store = open_store(root / "data", database)
        stack.callback(store.close)
        for name, role, cohort in USERS:
            store.add_user(name, role=role, password=password_of(name), cohort=cohort)
        sid = {t: make_session(store, trainee=t).info.id for t in ("amy", "bob", "cat")}
        server = stack.enter_context(running_server(store))
        yield School(store, root, database, server.base_url, sid)


def login_form(client: httpx.Client) -> str:
    page = client.get("/login")
    assert page.status_code == 200 and "Sign in" in page.text
    return re.search(r"name='csrf_token' value='([^']+)'", page.text).group(1)


def try_sign_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    csrf = login_form(client)
    return client.post(
        "/login",
        data={"csrf_token": csrf, "name": name, "password": password, "next": "/progress"},
        headers={"Origin": str(client.base_url).rstrip("/")},
    )


def signed_in(school: School, name: str, address: str = "192.0.2.1") -> httpx.Client:
    client = school.client(address)
    answer = try_sign_in(client, name, password_of(name))
    assert answer.status_code == 303 and answer.headers["location"] == "/progress"
    return client


def message_of(answer: httpx.Response) -> str:
    return re.search(r"<p class='error'[^>]*>([^<]*)</p>", answer.text).group(1)


def test_every_page_needs_a_sign_in_and_assets_do_not(school):
    client = school.client()
    page = client.get("/sessions?trainee=amy", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fsessions%3Ftrainee%3Damy"
    for path in ("/sessions.json", f"/sessions/{school.sid['amy']}/audio.wav", "/progress.json"):
        answer = client.get(path)
        assert answer.status_code == 401 and "sign in first" in answer.text, path
    write = client.post(f"/sessions/{school.sid['amy']}/comments", json={"t_s": 1, "text": "x"})
    assert write.status_code == 401
    assert client.get("/static/app.css").status_code == 200
    assert school.store.list_comments(school.sid["amy"]) == []


def test_the_sign_in_cookie_is_http_only_same_site_and_secure_behind_https(school):
    client = school.client()
    answer = try_sign_in(client, "ivy", password_of("ivy"))
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{LOGIN_COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Path=/" in cookie and "Secure" not in cookie
    proxied = school.client()  # a TLS proxy on loopback says the browser came over https
    proxied.headers["X-Forwarded-Proto"] = "https"
    form = proxied.get("/login")
    assert "Secure" in form.headers["set-cookie"]  # so httpx keeps it for https only
    csrf = re.search(r"name='csrf_token' value='([^']+)'", form.text).group(1)
    answer = proxied.post(
        "/login",
        data={"csrf_token": csrf, "name": "ivy", "password": password_of("ivy")},
        headers={"Cookie": form.headers["set-cookie"].split(";")[0]},
    )
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]
    token = cookie.split(";")[0].split("=", 1)[1]
    with school.store.engine.connect() as conn:  # the database keeps only a hash of it
        kept = json.dumps([dict(row) for row in conn.execute(select(logins)).mappings()])
    assert token not in kept and hashlib.sha256(token.encode()).hexdigest() in kept


def test_signing_out_ends_the_sign_in_everywhere(school):
    client = signed_in(school, "ivy")
    token = client.cookies[LOGIN_COOKIE]
    page = client.get("/sessions")
    assert page.status_code == 200 and "Sign out" in page.text and ">ivy<" in page.text
    refused = client.post("/logout", data={"csrf_token": "guess"})
    assert refused.status_code == 403
    out = client.post("/logout", data={"csrf_token": csrf_token_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    stolen = school.client()
    stolen.cookies.set(LOGIN_COOKIE, token)
    assert stolen.get("/sessions.json").status_code == 401
    actions = [e.action for e in school.store.list_audit(actor="ivy")]
    assert "signed in" in actions and "signed out" in actions


def test_the_login_form_needs_its_csrf_token_and_this_origin(school):
    client = school.client()
    login_form(client)
    data = {"name": "ivy", "password": password_of("ivy")}
    assert client.post("/login", data=data).status_code == 403  # no token
    assert client.post("/login", data={**data, "csrf_token": "guess"}).status_code == 403
    csrf = login_form(client)
    evil = client.post(
        "/login", data={**data, "csrf_token": csrf}, headers={"Origin": "http://evil.example"}
    )
    assert evil.status_code == 403 and LOGIN_COOKIE not in client.cookies


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(school):
    wrong = try_sign_in(school.client("192.0.2.20"), "amy", "not-her-password")
    unknown = try_sign_in(school.client("192.0.2.21"), "nobody", "not-her-password")
    assert wrong.status_code == unknown.status_code == 401
    assert message_of(wrong) == message_of(unknown) == "wrong account name or password"
    assert LOGIN_COOKIE not in wrong.headers.get("set-cookie", "")


@pytest.mark.parametrize("account", ["bob", "no-such-account"])
def test_failed_sign_ins_are_throttled_across_app_servers(school, account):
    other_store = open_store(school.root / "data", school.database)  # a second app server
    with running_server(other_store) as other:
        first = school.client("192.0.2.30")
        for _ in range(5):
            assert try_sign_in(first, account, "wrong-password").status_code == 401
        second = school.client("192.0.2.31", base=other.base_url)
        password = password_of(account)  # right for bob: still refused, nothing confirmed
        answer = try_sign_in(second, account, password)
        assert answer.status_code == 429
        assert 0 < int(answer.headers["retry-after"]) <= 30
        assert "too many failed sign-ins" in message_of(answer)
        assert LOGIN_COOKIE not in answer.headers.get("set-cookie", "")
    other_store.close()
    school.store.clear_login_failures(f"account:{account}")
    if account == "bob":
        signed_in(school, "bob", "192.0.2.32")


def test_each_further_failure_doubles_the_wait_until_quiet_forgets_them(school):
    throttle, store = Throttle(), school.store
    keys = {"account:clock-test": throttle.free_per_account}
    at = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    for _ in range(5):
        assert throttle.claim(store, keys, at) == 0  # let through, and counted until forgiven
    waits = []
    for _ in range(8):
        waits.append(throttle.claim(store, keys, at))
        early = at + timedelta(seconds=waits[-1] - 1)
        assert throttle.claim(store, keys, early) == 1  # refusals do not lengthen the wait
        at += timedelta(seconds=waits[-1])
        assert throttle.claim(store, keys, at) == 0  # the wait is over: one more try
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    quiet = at + timedelta(seconds=throttle.window_s)
    assert throttle.claim(store, keys, quiet) == 0
    assert store.login_failures("account:clock-test")[0] == 1  # counting starts again


def test_simultaneous_wrong_passwords_get_no_more_tries_than_one_at_a_time(school):
    store = open_store(school.root / "data", school.database)
    with running_server(store) as other, ThreadPoolExecutor(12) as pool:
        bases = [school.base, other.base_url] * 6  # two app servers, one database

        def guess(index: int) -> int:
            client = school.client(f"203.0.113.{index}", base=bases[index])
            return try_sign_in(client, "ivy", f"guess-{index}").status_code

        answers = sorted(pool.map(guess, range(12)))
    store.close()
    school.store.clear_login_failures("account:ivy")
    assert answers == [401] * 5 + [429] * 7


def test_a_school_behind_one_address_signs_in_all_day(school):
    store = open_store(school.root / "data", school.database)
    with running_server(store, throttle=Throttle(free_per_address=3)) as server:
        for name in ("ada", "ivy", "oz", "amy", "bob", "ada", "ivy"):
            client = school.client("198.51.100.60", base=server.base_url)
            assert try_sign_in(client, name, password_of(name)).status_code == 303
        left = store.login_failures("address:198.51.100.60")
        assert left is None or left[0] == 0  # right passwords leave no failures behind
    store.close()


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example", "https://evil.example"])
def test_signing_in_never_sends_the_browser_to_another_site(school, target):
    client = school.client("192.0.2.40")
    csrf = login_form(client)
    answer = client.post(
        "/login",
        data={"csrf_token": csrf, "name": "ada", "password": password_of("ada"), "next": target},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/sessions"


def test_one_address_trying_many_accounts_is_throttled(school):
    store = open_store(school.root / "data", school.database)
    with running_server(store, throttle=Throttle(free_per_address=3)) as server:
        guesser = school.client("198.51.100.7", base=server.base_url)
        for name in ("ada", "ivy", "oz"):
            assert try_sign_in(guesser, name, "123456789").status_code == 401
        assert try_sign_in(guesser, "amy", password_of("amy")).status_code == 429
        elsewhere = school.client("198.51.100.8", base=server.base_url)
        assert try_sign_in(elsewhere, "amy", password_of("amy")).status_code == 303
    store.close()


def test_an_expired_or_forged_cookie_goes_back_to_sign_in_and_says_nothing(school):
    past = datetime.now(timezone.utc) - timedelta(hours=9)
    expired, _ = school.store.create_login("ada", now=past, ttl_s=8 * 3600)
    answers = []
    for token in (expired, secrets.token_urlsafe(32), "x" * 500):
        client = school.client()
        client.cookies.set(LOGIN_COOKIE, token)
        page = client.get("/sessions", headers={"Accept": "text/html"})
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
        assert f'{LOGIN_COOKIE}=""' in page.headers["set-cookie"]  # the browser forgets it
        answer = client.get(f"/sessions/{school.sid['amy']}.json")
        answers.append((answer.status_code, answer.content))
    assert answers[0] == answers[1] == answers[2] == (401, answers[0][1])
    assert json.loads(answers[0][1]) == {"error": "sign in first", "status": 401}


def unknown_like(school: School, client: httpx.Client, path: str, sid: str) -> None:
    """`path` for session `sid` answers exactly as it does for an id that does not exist."""
    hidden = client.get(path.format(sid=sid))
    missing = client.get(path.format(sid=UNKNOWN_SID))
    assert hidden.status_code == missing.status_code == 404, path
    assert hidden.content.replace(sid.encode(), b"ID") == missing.content.replace(
        UNKNOWN_SID.encode(), b"ID"
    ), path


def test_a_trainee_sees_only_their_own_calls_and_others_look_unknown(school):
    amy = signed_in(school, "amy")
    listed = amy.get("/sessions.json").json()["sessions"]
    assert [s["id"] for s in listed] == [school.sid["amy"]]
    assert amy.get("/sessions.json?trainee=bob").json()["sessions"] == []
    assert ">bob<" not in amy.get("/sessions").text
    assert amy.get(f"/sessions/{school.sid['amy']}/audio.wav").status_code == 200
    for path in (
        "/sessions/{sid}",
        "/sessions/{sid}.json",
        "/sessions/{sid}/audio.wav",
        "/sessions/{sid}/peaks.json",
        "/sessions/{sid}/tracks.json",
        "/sessions/{sid}/report.html",
    ):
        unknown_like(school, amy, path, school.sid["bob"])
    hidden, missing = amy.get("/trainees/bob.json"), amy.get("/trainees/nobody.json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"].replace("bob", "X") == missing.json()["error"].replace(
        "nobody", "X"
    )
    assert amy.get("/trainees/amy.json").json()["trainee"] == "amy"
    assert amy.get("/progress.json").json()["trainees"] == ["amy"]
    assert "bob" not in amy.get("/progress").text


@pytest.mark.parametrize(
    "account, sees",
    [("ivy", ["amy"]), ("oz", ["bob"]), ("ada", ["amy", "bob", "cat"])],
)
def test_instructors_see_their_cohorts_and_administrators_everyone(school, account, sees):
    client = signed_in(school, account)
    listed = client.get("/sessions.json").json()["sessions"]
    assert sorted(s["trainee"] for s in listed) == sees
    assert client.get("/progress.json").json()["trainees"] == sees
    for trainee, sid in school.sid.items():
        status = client.get(f"/sessions/{sid}.json").status_code
        assert status == (200 if trainee in sees else 404), (account, trainee)


def test_only_instructors_comment_and_their_account_signs_it(school):
    amy = signed_in(school, "amy")
    own = school.sid["amy"]
    page = amy.get(f"/sessions/{own}")
    csrf = csrf_token_of(page.text)
    data = json.loads(re.search(r'id="page-data">(.*?)</script>', page.text).group(1))
    assert data["viewer"] == {"name": "amy", "role": "trainee", "can_annotate": False}
    comment = {"t_s": 1.0, "text": "I did great", "author": "ivy"}
    headers = {"X-CSRF-Token": csrf}
    assert amy.post(f"/sessions/{own}/comments", json=comment, headers=headers).status_code == 403
    bobs = amy.post(f"/sessions/{school.sid['bob']}/comments", json=comment, headers=headers)
    assert bobs.status_code == 404
    override = {"item_id": "empathize", "value": True, "reason": "x"}
    assert amy.post(f"/sessions/{own}/overrides", json=override, headers=headers).status_code == 403

    ivy = signed_in(school, "ivy")
    csrf = csrf_token_of(ivy.get(f"/sessions/{own}").text)
    forged = {**comment, "text": "Good ownership", "author": "mallory"}
    stale = ivy.post(f"/sessions/{own}/comments", json=forged, headers={"X-CSRF-Token": "guess"})
    assert stale.status_code == 403
    added = ivy.post(f"/sessions/{own}/comments", json=forged, headers={"X-CSRF-Token": csrf})
    assert added.status_code == 201 and added.json()["author"] == "ivy"
    other_csrf = ivy.post(f"/sessions/{own}/comments", json=forged, headers=headers)
    assert other_csrf.status_code == 403  # amy's token is not ivy's
    assert [c.text for c in school.store.list_comments(own)] == ["Good ownership"]


def test_every_playback_and_download_is_in_the_audit_log(school):
    sid = school.sid["bob"]
    oz = signed_in(school, "oz")
    assert oz.get(f"/sessions/{sid}/audio.wav").status_code == 200
    later = oz.get(f"/sessions/{sid}/audio.wav", headers={"Range": "bytes=1000-1999"})
    assert later.status_code == 206  # the same playback going on: not logged again
    assert oz.get(f"/sessions/{sid}/audio.wav", headers={"Range": "bytes=0-"}).status_code == 206
    assert oz.get(f"/sessions/{sid}/report.html?audio=0").status_code == 200
    amy = signed_in(school, "amy")
    assert amy.get(f"/sessions/{sid}/audio.wav").status_code == 404
    result = CliRunner().invoke(cli, ["audit", "--json", "--session", sid, *school.cli_args()])
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.output.splitlines()]
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("oz", "downloaded report"),
        ("oz", "played recording"),
        ("oz", "played recording"),
    ]


def test_an_unreachable_database_at_start_is_one_line_without_its_password(tmp_path):
    url = "postgresql://coach:s3cret-pw@127.0.0.1:1/school"
    result = subprocess.run(
        [VOICECOACH, "serve", "--port", "0", "--database", url, "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: cannot reach the database postgresql://coach:***@127.0.0.1:1/")
    assert "s3cret" not in result.stderr


def test_serve_says_when_accounts_cannot_be_used(tmp_path):
    data = ["--port", "0", "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(cli, ["serve", "--accounts", *data])
    assert result.exit_code == 2 and "no accounts yet" in result.output
    with open_store(tmp_path / "data") as store:
        store.add_user("ada", role="admin", password=password_of("ada"))
    result = CliRunner().invoke(cli, ["serve", "--token", "a-long-enough-secret-token", *data])
    assert result.exit_code == 2 and "--token is for servers without accounts" in result.output
