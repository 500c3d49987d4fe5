"""Crash-safe writes: the old content or the new, never half a file, no temp files left."""

from __future__ import annotations

import json

import pytest

from voicecoach.audio.devices import parse_device
from voicecoach.fileio import write_atomic, write_json_atomic


def test_write_atomic_replaces_content_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("old")
    write_atomic(path, "new ✓")
    write_atomic(tmp_path / "call.wav", b"RIFF")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert (tmp_path / "call.wav").read_bytes() == b"RIFF"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call.wav", "report.html"]


def test_json_is_readable_utf8_and_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "session.json"
    write_json_atomic(path, {"trainee": "Zoë", "score": 72})
    assert json.loads(path.read_text(encoding="utf-8")) == {"trainee": "Zoë", "score": 72}
    with pytest.raises(TypeError):
        write_json_atomic(path, {"not json": object()})
    assert json.loads(path.read_text(encoding="utf-8"))["score"] == 72
    with pytest.raises(OSError):
        write_atomic(tmp_path / "missing" / "x.json", "{}")
    assert [p.name for p in tmp_path.iterdir()] == ["session.json"]


@pytest.mark.parametrize(
    ("text", "device"), [(None, None), ("3", 3), (" 2 ", 2), ("USB Headset", "USB Headset")]
)
def test_device_option_values_are_numbers_or_names(text, device):
    assert parse_device(text) == device
