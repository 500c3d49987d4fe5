"""Workstation -> server upload: a real upload server (uvicorn, real HTTP), real session
folders, the server's store on SQLite and on PostgreSQL; `voicecoach sync` in-process
and as a real subprocess that is killed with SIGKILL half-way."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from session_fixture import make_session
from sqlalchemy import select
from upload_server import free_port, running_upload_server

from voicecoach.cli import cli
from voicecoach.session.store import open_store
from voicecoach.session.tables import uploads, workstations
from voicecoach.session.workstations import Workstations
from voicecoach.sync.client import content_digest
from voicecoach.sync.manifest import manifest_of
from voicecoach.sync.uploader import RateLimit

KILL_TIMEOUT_S = 60.0


@pytest.fixture
def server_store(tmp_path, store_backend):
    """The school server's store: SQLite or PostgreSQL (VOICECOACH_DATABASE_URL)."""
    with open_store(tmp_path / "server") as store:
        yield store


@pytest.fixture
def token(server_store):
    return Workstations(server_store).add("desk-1")[1]


@pytest.fixture
def server(server_store):
    with running_upload_server(server_store) as url:
        yield url


def desk_store(folder: Path):
    """A workstation's own store: always its SQLite file, whatever the server uses."""
    return open_store(folder, database=f"sqlite:///{folder / 'sessions.db'}")


@pytest.fixture
def desk(tmp_path):
    """A workstation data folder with one finished, recorded session."""
    folder = tmp_path / "desk"
    with desk_store(folder) as store:
        made = make_session(store, repeat=2)
    return folder, made


def sync(data_dir: Path, server: str, token: str, *args: str):
    return CliRunner().invoke(
        cli,
        ["sync", "--server", server, "--data-dir", str(data_dir), "--json", *args],
        env={"VOICECOACH_SYNC_TOKEN": token},
    )


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def stored_uploads(store) -> list[dict]:
    return [dict(r) for r in store.rows(select(uploads).where(uploads.c.stored_at.isnot(None)))]


def test_a_session_is_uploaded_verified_and_indexed_once(desk, server, token, server_store):
    data_dir, made = desk
    result = sync(data_dir, server, token)
    assert result.exit_code == 0, result.output
    [done] = lines(result.stdout)
    assert done["status"] == "stored" and done["session_id"] == made.info.id
    assert done["sent_bytes"] == done["size_bytes"] > 1_000_000
    got = server_store.get_session(made.info.id)
    assert (got.trainee, got.score, got.verdict, got.complete) == (
        "amy",
        made.info.score,
        made.info.verdict,
        True,
    )
    assert digests(got.folder) == digests(made.folder)  # every byte, every file
    assert got.folder.stat().st_mode & 0o777 == 0o700
    assert not any((server_store.data_dir / "uploads").glob("*/files"))  # nothing left over
    audit = server_store.list_audit(session_id=made.info.id)
    assert [(a.actor, a.action) for a in audit] == [("workstation desk-1", "session uploaded")]

    again = sync(data_dir, server, token)  # the queue knows it is confirmed
    assert again.exit_code == 0 and lines(again.stdout) == []
    (data_dir / "sync_queue.json").unlink()  # forgotten locally: the server recognises it
    third = sync(data_dir, server, token)
    assert third.exit_code == 0, third.output
    assert [d["status"] for d in lines(third.stdout)] == ["already stored"]
    assert lines(third.stdout)[0]["sent_bytes"] == 0
    assert len(server_store.list_sessions()) == 1 and len(stored_uploads(server_store)) == 1
    assert digests(made.folder) == digests(got.folder)  # the workstation keeps everything


def test_kill_9_of_the_uploader_midway_then_a_retry_stores_it_exactly_once(
    tmp_path, server, token, server_store
):
    data_dir = tmp_path / "desk"
    with desk_store(data_dir) as store:
        made = make_session(store, repeat=3)  # about 15 MB
    total = sum(p.stat().st_size for p in made.folder.iterdir())
    env = {**os.environ, "VOICECOACH_SYNC_TOKEN": token}
    uploader = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "sync", "--server", server]
        + ["--data-dir", str(data_dir), "--chunk-size", "256K", "--max-rate", "3M", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    partial = server_store.data_dir / "uploads"
    deadline = time.monotonic() + KILL_TIMEOUT_S
    try:
        while True:  # wait until the server holds part of the session, then SIGKILL
            received = sum(p.stat().st_size for p in partial.glob("*/files/*"))
            if received >= 2 * 256 * 1024:
                break
            assert uploader.poll() is None, uploader.stderr.read().decode()
            assert time.monotonic() < deadline, "the upload never started"
            time.sleep(0.02)
        uploader.send_signal(signal.SIGKILL)
    finally:
        uploader.kill()
        uploader.wait()
    assert uploader.returncode == -signal.SIGKILL
    received = sum(p.stat().st_size for p in partial.glob("*/files/*"))
    assert 0 < received < total
    # the half-uploaded session is nowhere to be seen, even after the server re-scans
    server_store.sync()
    assert server_store.list_sessions() == []
    assert not (server_store.sessions_dir / made.info.id).exists()

    retry = sync(data_dir, server, token)
    assert retry.exit_code == 0, retry.output
    [done] = lines(retry.stdout)
    assert done["status"] == "stored"
    assert done["resumed_from_bytes"] >= received - 256 * 1024  # went on, not from zero
    assert done["sent_bytes"] == total - done["resumed_from_bytes"] < total
    assert [s.id for s in server_store.list_sessions()] == [made.info.id]
    assert len(stored_uploads(server_store)) == 1
    assert digests(server_store.folder(made.info.id)) == digests(made.folder)


def test_an_unreachable_server_queues_the_sessions_and_a_later_sync_sends_them(
    desk, token, server_store
):
    data_dir, made = desk
    port = free_port()
    down = f"http://127.0.0.1:{port}"
    result = sync(data_dir, down, token)
    assert result.exit_code == 2
    [error] = result.stderr.strip().splitlines()
    assert error.startswith(f"Error: cannot reach the server {down}")
    assert "1 session(s) stay queued" in error and "Traceback" not in result.output
    queued = lines(sync(data_dir, down, token, "--dry-run").stdout)
    assert [q["session_id"] for q in queued] == [made.info.id]
    assert "cannot reach" in queued[0]["last_error"] and queued[0]["attempts"] == 1
    assert (data_dir / "sync_queue.json").stat().st_mode & 0o777 == 0o600
    assert made.folder.is_dir()  # nothing deleted on the workstation

    with running_upload_server(server_store, port=port):
        later = sync(data_dir, down, token)
    assert later.exit_code == 0, later.output
    assert [d["status"] for d in lines(later.stdout)] == ["stored"]
    assert lines(sync(data_dir, down, token, "--dry-run").stdout) == []
    assert server_store.get_session(made.info.id).complete


def test_requests_without_a_valid_token_get_401_and_the_cli_one_line(
    desk, server, token, server_store
):
    data_dir, made = desk
    manifest = json.dumps(manifest_of(made.folder).to_json())
    for headers in ({}, {"Authorization": "Bearer vcw_" + "x" * 43}, {"Authorization": token}):
        answer = httpx.post(f"{server}/api/uploads", content=manifest, headers=headers)
        assert answer.status_code == 401 and answer.json()["error"] == "bad_token"
        assert answer.headers["www-authenticate"].startswith("Bearer")
    wrong = sync(data_dir, server, "vcw_not-the-token")
    assert wrong.exit_code == 2
    assert wrong.stderr.strip().splitlines() == [
        f"Error: the server {server} refused this workstation's token; ask its administrator "
        "for one (`voicecoach workstations add NAME` on the server); 1 session(s) stay queued "
        "for the next `voicecoach sync`"
    ]
    elsewhere = sync(data_dir, server + "/wrong", token)  # a web server, but not the API
    assert elsewhere.exit_code == 2
    assert elsewhere.stderr.strip().splitlines() == [
        f"Error: {server}/wrong is not a VoiceCoach server with the upload API "
        "(HTTP 404 for /api/uploads)"
    ]
    Workstations(server_store).revoke("desk-1")
    revoked = sync(data_dir, server, token)
    assert revoked.exit_code == 2 and "refused this workstation's token" in revoked.stderr
    assert server_store.list_sessions() == []
    # the database keeps no token, only its SHA-256
    rows = server_store.rows(select(workstations))
    assert token not in json.dumps([dict(r) for r in rows])
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_a_damaged_chunk_is_refused_and_a_damaged_file_is_sent_again(
    desk, server, token, server_store
):
    data_dir, made = desk
    auth = {"Authorization": f"Bearer {token}"}
    manifest = manifest_of(made.folder)
    opened = httpx.post(
        f"{server}/api/uploads", content=json.dumps(manifest.to_json()), headers=auth
    )
    assert opened.status_code == 201
    upload = opened.json()["upload_id"]
    chunk = (made.folder / "trainee.wav").read_bytes()[:65536]
    damaged = bytes([chunk[0] ^ 0xFF]) + chunk[1:]
    url = f"{server}/api/uploads/{upload}/files/trainee.wav?offset=0"
    refused = httpx.put(
        url, content=damaged, headers={**auth, "Content-Digest": content_digest(chunk)}
    )
    assert refused.status_code == 400 and refused.json()["error"] == "bad_chunk"
    state = httpx.get(f"{server}/api/uploads/{upload}", headers=auth).json()
    assert state["received"]["trainee.wav"] == 0  # nothing of it was written
    taken = httpx.put(url, content=chunk, headers={**auth, "Content-Digest": content_digest(chunk)})
    assert taken.json() == {"received": 65536}
    # a byte flipped at rest on the server: finish finds it, the uploader sends the file again
    partial = server_store.data_dir / "uploads" / upload / "files" / "trainee.wav"
    with open(partial, "r+b") as spoilt:
        spoilt.seek(100)
        spoilt.write(b"\x00\x01\x02")
    result = sync(data_dir, server, token)
    assert result.exit_code == 0, result.output
    assert [d["status"] for d in lines(result.stdout)] == ["stored"]
    assert digests(server_store.folder(made.info.id)) == digests(made.folder)


def test_other_content_under_a_stored_id_is_a_conflict_never_an_overwrite(
    desk, tmp_path, server, token, server_store
):
    data_dir, made = desk
    assert sync(data_dir, server, token).exit_code == 0
    before = digests(server_store.folder(made.info.id))
    other = tmp_path / "desk-2"
    shutil.copytree(data_dir / "sessions" / made.info.id, other / "sessions" / made.info.id)
    score = other / "sessions" / made.info.id / "score.json"
    score.write_text(score.read_text().replace('"score": ', '"score": 1', 1))
    result = sync(other, server, token)
    assert result.exit_code == 2
    [done] = lines(result.stdout)
    assert done["status"] == "conflict"
    assert "different content" in done["message"] and "nothing was overwritten" in done["message"]
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: 1 of 1 session(s) were not stored (see above); they stay queued"
    )
    assert digests(server_store.folder(made.info.id)) == before
    assert len(server_store.list_sessions()) == 1


def test_an_unfinished_call_waits_and_unsafe_names_are_refused(
    tmp_path, server, token, server_store
):
    data_dir = tmp_path / "desk"
    with desk_store(data_dir) as store:
        running = make_session(store, finished=False)
    result = sync(data_dir, server, token)
    assert result.exit_code == 0 and lines(result.stdout) == []  # still recording: not sent
    assert server_store.list_sessions() == []
    manifest = manifest_of(running.folder).to_json()
    manifest["files"][0]["name"] = "../../escape.wav"
    answer = httpx.post(
        f"{server}/api/uploads",
        content=json.dumps(manifest),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400 and "not a session file name" in answer.json()["message"]


def test_workstations_cli_shows_the_token_once_and_lists_without_it(tmp_path, store_backend):
    data = str(tmp_path / "server")
    runner = CliRunner()
    added = runner.invoke(cli, ["workstations", "add", "desk-7", "--json", "--data-dir", data])
    assert added.exit_code == 0, added.output
    token = json.loads(added.stdout)["token"]
    assert token.startswith("vcw_") and len(token) > 40
    listed = runner.invoke(cli, ["workstations", "list", "--json", "--data-dir", data])
    [row] = lines(listed.stdout)
    assert row["name"] == "desk-7" and row["active"] and token not in listed.stdout
    again = runner.invoke(cli, ["workstations", "add", "desk-7", "--data-dir", data])
    assert again.exit_code == 2 and "already a workstation named 'desk-7'" in again.stderr
    revoked = runner.invoke(cli, ["workstations", "revoke", "desk-7", "--data-dir", data])
    assert revoked.exit_code == 0
    [row] = lines(runner.invoke(cli, ["workstations", "list", "--json", "--data-dir", data]).stdout)
    assert row["active"] is False


def test_a_token_file_readable_by_others_is_refused_and_a_saved_token_is_private(
    desk, server, token
):
    data_dir, _ = desk
    loose = data_dir.parent / "token.txt"
    loose.write_text(token + "\n")
    loose.chmod(0o644)
    result = CliRunner().invoke(
        cli, ["sync", "--server", server, "--data-dir", str(data_dir), "--token-file", str(loose)]
    )
    assert result.exit_code == 2
    assert f"can be read by others (mode 0644); run `chmod 600 {loose}`" in result.stderr
    saved = CliRunner().invoke(
        cli,
        ["sync", "--server", server, "--data-dir", str(data_dir), "--token-stdin", "--json"],
        input=token + "\n",
    )
    assert saved.exit_code == 0, saved.output
    assert (data_dir / "sync_token").stat().st_mode & 0o777 == 0o600


def test_the_rate_limit_sleeps_just_enough():
    now = [0.0]
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limit = RateLimit(1_000_000, clock=lambda: now[0], sleep=sleep)
    limit(500_000)
    now[0] += 0.2  # the chunk took 0.2 s to send
    limit(500_000)
    assert slept == [pytest.approx(0.5), pytest.approx(0.3)]


def test_a_finish_interrupted_after_its_rename_is_completed_by_the_next_sync(
    desk, server, token, server_store
):
    from voicecoach.sync.client import UploadClient
    from voicecoach.sync.uploader import upload_session

    data_dir, made = desk
    manifest = manifest_of(made.folder)
    with UploadClient(server, token) as client:
        state = client.open(manifest)
        for entry in manifest.files:  # every byte sent, the finish never asked for
            client.put_chunk(
                state["upload_id"], entry.name, 0, (made.folder / entry.name).read_bytes()
            )
        # what finish does first, then the server dies before indexing
        files = server_store.data_dir / "uploads" / state["upload_id"] / "files"
        files.rename(server_store.folder(made.info.id))
        assert server_store.list_sessions() == []
        done = upload_session(client, made.folder)
    assert (done.status, done.sent_bytes) == ("already stored", 0)
    assert [s.id for s in server_store.list_sessions()] == [made.info.id]
    assert len(stored_uploads(server_store)) == 1
    assert sync(data_dir, server, token).exit_code == 0
    assert len(server_store.list_sessions()) == 1


def test_a_session_folder_lost_on_the_server_is_taken_again_with_its_comments(
    desk, server, token, server_store
):
    data_dir, made = desk
    assert sync(data_dir, server, token).exit_code == 0
    server_store.add_comment(made.info.id, t_s=3.0, text="Good opening", author="sam")
    shutil.rmtree(server_store.folder(made.info.id))  # a disk lost, a folder deleted by hand
    (data_dir / "sync_queue.json").unlink()
    again = sync(data_dir, server, token)
    assert again.exit_code == 0, again.output
    assert [d["status"] for d in lines(again.stdout)] == ["stored"]
    assert digests(server_store.folder(made.info.id)) == digests(made.folder)
    assert [c.text for c in server_store.list_comments(made.info.id)] == ["Good opening"]
    assert len(server_store.list_sessions()) == 1 and len(stored_uploads(server_store)) == 1


def test_practice_sync_sends_the_call_when_it_ends_and_queues_it_when_it_cannot(
    tmp_path, server, token, server_store
):
    data_dir = tmp_path / "desk"
    script = tmp_path / "script.txt"
    script.write_text("I am sorry about the double charge\nI will fix it today\n")
    practice = ["practice", "--text", "--no-speak", "--script", str(script)]
    practice += ["--scenario", "double_billing", "--data-dir", str(data_dir), "--sync"]
    env = {"VOICECOACH_SYNC_TOKEN": token, "VOICECOACH_DATABASE_URL": None}  # its own SQLite
    unset = CliRunner().invoke(cli, practice, env={**env, "VOICECOACH_SYNC_SERVER": None})
    assert unset.exit_code == 2 and "--sync needs the school's server" in unset.stderr
    assert not (data_dir / "sessions").exists() or not any((data_dir / "sessions").iterdir())

    down = f"http://127.0.0.1:{free_port()}"
    queued = CliRunner().invoke(cli, practice, env={**env, "VOICECOACH_SYNC_SERVER": down})
    assert queued.exit_code == 0, queued.output  # the call itself went fine and is saved
    assert "warning: not sent now: cannot reach the server" in queued.stderr
    assert "1 session(s) stay queued" in queued.stderr

    sent = CliRunner().invoke(cli, practice, env={**env, "VOICECOACH_SYNC_SERVER": server})
    assert sent.exit_code == 0, sent.output
    assert f"Sent 2 session(s) to {server}" in sent.stderr
    local = sorted(p.name for p in (data_dir / "sessions").iterdir())
    assert sorted(s.id for s in server_store.list_sessions()) == local


def test_voicecoach_serve_takes_uploads_beside_the_replay_pages(desk, tmp_path, store_backend):
    """The real command, token-protected as on a school network: the upload API answers to
    workstation tokens only, the replay pages to the access token only."""
    data_dir, made = desk
    server_dir = tmp_path / "server"
    with open_store(server_dir) as store:
        token = Workstations(store).add("desk-1")[1]
    access = "access-token-0123456789"
    serve = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "serve", "--port", "0", "--token", access]
        + ["--data-dir", str(server_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in serve.stdout:
            if "http://" in line:
                base = line.split("http://", 1)[1].split("/", 1)[0]
                break
        url = f"http://{base}"
        result = sync(data_dir, url, token)
        assert result.exit_code == 0, result.output
        assert [d["status"] for d in lines(result.stdout)] == ["stored"]
        # the replay token opens no upload, a workstation token no replay page
        assert httpx.post(f"{url}/api/uploads", params={"token": access}).status_code == 401
        page = httpx.get(f"{url}/sessions.json", headers={"Authorization": f"Bearer {token}"})
        assert page.status_code in (401, 403)
        listed = httpx.get(f"{url}/sessions.json", params={"token": access})
        assert made.info.id in listed.text
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=15)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
