"""`voicecoach models`: verified, atomic, resumable downloads from a real local HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import threading
import zipfile

import pytest
from click.testing import CliRunner

from voicecoach.asr.models import DEFAULT_MODEL, MARKER_NAME, REGISTRY, installed_models
from voicecoach.cli import cli


def model_zip() -> bytes:
    """A zip laid out like an official vosk model archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        root = f"{DEFAULT_MODEL}/"
        zf.writestr(root + "am/final.mdl", b"acoustic model " * 4000)
        zf.writestr(root + "conf/model.conf", "--sample-frequency=16000\n")
        zf.writestr(root + "graph/HCLG.fst", b"graph " * 4000)
        zf.writestr(root + "README", "US English model for mobile Vosk applications\n")
    return buffer.getvalue()


class ModelServer(http.server.BaseHTTPRequestHandler):
    """Serves `body` at /model.zip the way `mode` says: ok, corrupt, truncate or 404."""

    body = b""
    mode = "ok"
    ranges: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path != "/model.zip" or self.mode == "404":
            self.send_error(404)
            return
        body = self.body
        if self.mode == "corrupt":
            body = body[:-10] + b"0123456789"
        start = 0
        requested = self.headers.get("Range")
        type(self).ranges.append(requested)
        if requested and self.mode == "ok":
            start = int(requested.split("=")[1].rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        if self.mode == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body[start:])

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    ModelServer.body = model_zip()
    ModelServer.mode = "ok"
    ModelServer.ranges = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ModelServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    monkeypatch.setenv("VOICECOACH_MODELS_DIR", str(folder))
    return folder


def download(server, *extra: str):
    url = f"http://127.0.0.1:{server.server_port}/model.zip"
    sha = hashlib.sha256(ModelServer.body).hexdigest()
    return CliRunner().invoke(cli, ["models", "download", "--url", url, "--sha256", sha, *extra])


def only_visible(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_download_verifies_installs_and_reports_where(server, models_dir):
    result = download(server)
    assert result.exit_code == 0, result.output
    target = models_dir / DEFAULT_MODEL
    assert str(target) in result.output
    assert (target / "am" / "final.mdl").is_file()
    marker = json.loads((target / MARKER_NAME).read_text())
    assert marker["language"] == "en"
    assert marker["sha256"] == hashlib.sha256(ModelServer.body).hexdigest()
    assert list(models_dir.iterdir()) == [target]  # no temp dir or partial file left
    assert [m.name for m in installed_models()] == [DEFAULT_MODEL]

    listing = CliRunner().invoke(cli, ["models", "list", "--json"])
    rows = [json.loads(line) for line in listing.output.splitlines()]
    assert {"name": DEFAULT_MODEL, "status": "installed", "path": str(target)}.items() <= next(
        r for r in rows if r["name"] == DEFAULT_MODEL
    ).items()
    path = CliRunner().invoke(cli, ["models", "path", DEFAULT_MODEL])
    assert path.output.strip() == str(target)
    again = download(server)
    assert again.exit_code == 0 and "already installed" in again.output


def test_corrupted_download_installs_nothing_and_deletes_the_file(server, models_dir):
    ModelServer.mode = "corrupt"
    result = download(server)
    assert result.exit_code == 2
    assert "did not verify" in result.output and "Traceback" not in result.output
    assert list(models_dir.iterdir()) == []


def test_truncated_download_installs_nothing_then_resumes(server, models_dir):
    ModelServer.mode = "truncate"
    result = download(server)
    assert result.exit_code == 2
    assert "stopped after" in result.output and "resume" in result.output
    assert only_visible(models_dir) == []
    assert "Traceback" not in result.output

    ModelServer.mode = "ok"
    result = download(server)
    assert result.exit_code == 0, result.output
    half = len(ModelServer.body) // 2
    assert ModelServer.ranges[-1] == f"bytes={half}-"  # only the missing half was fetched
    assert only_visible(models_dir) == [DEFAULT_MODEL]
    assert list(models_dir.iterdir()) == [models_dir / DEFAULT_MODEL]


def test_missing_file_and_unknown_model_are_one_line_errors(server, models_dir):
    ModelServer.mode = "404"
    result = download(server)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "404" in result.output
    assert not models_dir.exists() or only_visible(models_dir) == []

    result = CliRunner().invoke(cli, ["models", "download", "no-such-model"])
    assert result.exit_code == 2 and "unknown model" in result.output
    result = CliRunner().invoke(cli, ["models", "path", "no-such-model"])
    assert result.exit_code == 2 and "not installed" in result.output


def test_registry_pins_the_official_small_english_model():
    spec = REGISTRY[DEFAULT_MODEL]
    assert spec.url == "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip"
    assert spec.sha256 == "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
