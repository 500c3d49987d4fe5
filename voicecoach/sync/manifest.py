"""What a session folder holds, with checksums: the contract between uploader and server.

A manifest lists every file of a session folder (name, size in bytes, SHA-256)
and the session's own checksum: the SHA-256 of the sorted lines
`name<TAB>size<TAB>sha256<LF>`. Two folders with the same session checksum hold
the same bytes; uploading a session is keyed by (session id, session checksum).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.errors import SessionError
from voicecoach.session.store import check_session_id

FILE_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
MAX_FILES = 64
MAX_SESSION_BYTES = 2 * 1024**3  # a 10-minute call is about 80 MB
MAX_CHUNK_BYTES = 16 * 1024**2  # per request
READ_BLOCK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileEntry:
    """One file of a session folder."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """A session folder's files and checksum."""

    session_id: str
    files: tuple[FileEntry, ...]

    @property
    def sha256(self) -> str:
        return session_checksum(self.files)

    @property
    def size(self) -> int:
        return sum(entry.size for entry in self.files)

    def file(self, name: str) -> FileEntry:
        """The entry named `name` (SessionError when the session has no such file)."""
        for entry in self.files:
            if entry.name == name:
                return entry
        raise SessionError(f"session {self.session_id} has no file {name[:100]!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "sha256": self.sha256,
            "files": [
                {"name": entry.name, "size": entry.size, "sha256": entry.sha256}
                for entry in self.files
            ],
        }


def session_checksum(files: Iterable[FileEntry]) -> str:
    """The SHA-256 of the sorted `name\\tsize\\tsha256\\n` lines of `files`."""
    lines = sorted(f"{entry.name}\t{entry.size}\t{entry.sha256}\n" for entry in files)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex (read in 1 MB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(READ_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def manifest_of(folder: Path) -> Manifest:
    """The manifest of a session folder: every regular file whose name is a plain name
    (hidden and temporary files, `.name.tmp`, are left out). Raises OSError."""
    session_id = check_session_id(folder.name)
    files = [
        FileEntry(path.name, path.stat().st_size, file_sha256(path))
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.is_symlink() and FILE_NAME_PATTERN.fullmatch(path.name)
    ]
    return Manifest(session_id, tuple(files))


def check_file_name(name: str) -> str:
    """`name` if it can be a file of a session folder (no path, not hidden), else SessionError."""
    if not isinstance(name, str) or not FILE_NAME_PATTERN.fullmatch(name):
        raise SessionError(
            f"{str(name)[:100]!r} is not a session file name (letters, digits, '.', '_' "
            "and '-', at most 100, not starting with '.')"
        )
    return name


def manifest_from_json(data: Any) -> Manifest:
    """A manifest sent by an uploader, checked field by field (SessionError naming the
    field): safe names, no duplicates, sizes within limits, checksums that add up."""
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise SessionError("the manifest is not an object with a list of files")
    session_id = check_session_id(data.get("session_id"))
    if not data["files"] or len(data["files"]) > MAX_FILES:
        raise SessionError(f"a session has 1 to {MAX_FILES} files, not {len(data['files'])}")
    files = []
    for index, item in enumerate(data["files"]):
        if not isinstance(item, dict):
            raise SessionError(f"files[{index}] is not an object")
        name = check_file_name(item.get("name"))
        size, sha = item.get("size"), item.get("sha256")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise SessionError(f"files[{index}].size is not a number of bytes")
        if not isinstance(sha, str) or not SHA256_PATTERN.fullmatch(sha):
            raise SessionError(f"files[{index}].sha256 is not a SHA-256 in lower-case hex")
        files.append(FileEntry(name, size, sha))
    if len({entry.name for entry in files}) != len(files):
        raise SessionError("the manifest names a file twice")
    manifest = Manifest(session_id, tuple(files))
    if manifest.size > MAX_SESSION_BYTES:
        raise SessionError(
            f"session {session_id} is {manifest.size / 1e6:.0f} MB; at most "
            f"{MAX_SESSION_BYTES / 1e6:.0f} MB is accepted"
        )
    if data.get("sha256") != manifest.sha256:
        raise SessionError("the manifest's sha256 is not the checksum of its files")
    return manifest


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:]:
        print(manifest_of(Path(arg)).to_json())
