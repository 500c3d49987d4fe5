"""Capture and playback through the real PortAudio/ALSA path, on virtual devices."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from click.testing import CliRunner

from voicecoach.audio.devices import Capture, Player, list_devices
from voicecoach.audio.io import float_to_pcm16
from voicecoach.audio.virtual import (
    MIC_PCM,
    SPEAKER_PCM,
    find_recording,
    no_device_alsa_config,
    use_virtual_audio,
    virtual_alsa_config,
)
from voicecoach.cli import cli
from voicecoach.errors import DeviceError

SR = 16000


def chirp(duration_s: float, sr: int = SR) -> np.ndarray:
    """A 200 Hz -> 2 kHz sweep: every block of it is different, so misalignment shows."""
    t = np.arange(round(duration_s * sr)) / sr
    return (0.5 * np.sin(2 * np.pi * (200 + 900 * t / duration_s) * t)).astype(np.float32)


def capture_seconds(capture: Capture, seconds: float) -> bytes:
    chunks = []
    for chunk in capture:
        chunks.append(chunk)
        if len(chunks) * capture.block_frames >= seconds * capture.sample_rate:
            break
    return b"".join(chunks)


def test_capture_delivers_the_recording_bit_exact_in_real_time(virtual_audio):
    sent = chirp(0.8)
    virtual_audio.set_microphone(sent, SR)
    start_s = time.monotonic()
    with Capture(sample_rate=SR, block_s=0.02) as capture:
        received = np.frombuffer(capture_seconds(capture, 1.2), dtype="<i2")
    elapsed_s = time.monotonic() - start_s

    expected = np.frombuffer(float_to_pcm16(sent), dtype="<i2")
    assert find_recording(received, expected) == 0
    assert not received[len(expected) :].any(), "after the recording the mic must be silent"
    assert capture.dropped_chunks == 0
    assert elapsed_s >= 1.0, "a virtual mic is paced to the wall clock"


def test_capture_chunks_are_block_sized_and_iteration_ends_on_close(virtual_audio):
    capture = Capture(sample_rate=SR, block_s=0.01).start()
    first = capture.read(timeout_s=2)
    capture.close()
    rest = list(capture)
    assert len(first) == 2 * 160
    assert all(len(chunk) == 2 * 160 for chunk in rest)
    assert capture.read(timeout_s=0.1) is None


def test_player_sends_the_samples_to_the_speaker(virtual_audio):
    sent = chirp(0.3)
    playback = Player().play(sent, SR)
    assert playback.frames_played == len(sent) and not playback.stopped
    assert playback.first_sample_s is not None and playback.output_latency_s >= 0
    assert find_recording(virtual_audio.played(), sent) is not None


def test_player_stop_cuts_playback_off_midway(virtual_audio):
    sent = chirp(2.0)
    player = Player()
    playback = player.play(sent, SR, blocking=False)
    time.sleep(0.3)
    assert player.is_playing
    player.stop()
    assert playback.wait(1.0) and playback.stopped
    assert 0 < playback.frames_played < len(sent) // 2
    played = virtual_audio.played()
    assert len(played) < len(sent)
    assert not player.is_playing


def test_back_to_back_plays_after_a_stop_from_another_thread(virtual_audio):
    player = Player()
    threading.Timer(0.3, player.stop).start()
    interrupted = player.play(chirp(2.0), SR)
    assert interrupted.stopped and interrupted.frames_played < len(chirp(2.0)) // 2
    short = chirp(0.05)
    for _ in range(5):
        playback = player.play(short, SR)
        assert playback.done.is_set() and not playback.stopped
        assert playback.frames_played == len(short)
    assert find_recording(virtual_audio.played(), short) is not None


def test_devices_list_marks_the_defaults(virtual_audio):
    devices = {device.name: device for device in list_devices()}
    assert {MIC_PCM, SPEAKER_PCM, "default"} <= set(devices)
    assert devices["default"].is_default_input and devices["default"].is_default_output

    result = CliRunner().invoke(cli, ["devices", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["name"] for row in rows if row["is_default_input"]] == ["default"]

    table = CliRunner().invoke(cli, ["devices"]).output
    assert MIC_PCM in table and "128 *" in table


def test_no_device_gives_one_clear_error(tmp_path):
    with use_virtual_audio(no_device_alsa_config(tmp_path)):
        assert list_devices() == []
        with pytest.raises(DeviceError, match="no audio input device.*voicecoach devices"):
            Capture().start()
        with pytest.raises(DeviceError, match="no audio output device.*voicecoach devices"):
            Player().play(chirp(0.1), SR)
        result = CliRunner().invoke(cli, ["devices"])
        assert result.exit_code == 0 and "No audio devices found" in result.output


def test_a_device_that_cannot_open_gives_a_device_error(virtual_audio):
    virtual_audio.mic_path.unlink()  # the mic went away after PortAudio listed it
    with pytest.raises(DeviceError, match="cannot open the default device for audio input"):
        Capture().start()
    with pytest.raises(DeviceError, match="no audio input device 'nonexistent'"):
        Capture(device="nonexistent").start()


def test_a_missing_microphone_is_not_replaced_by_the_speaker(tmp_path):
    config = virtual_alsa_config(tmp_path / "missing-mic.raw", tmp_path)
    with use_virtual_audio(config):
        assert [d.name for d in list_devices() if d.max_input_channels] == []
        with pytest.raises(DeviceError, match="no audio input device found"):
            Capture().start()


def test_a_subprocess_can_capture_with_the_virtual_env(virtual_audio):
    sent = chirp(0.2)
    virtual_audio.set_microphone(sent, SR)
    script = (
        "import sys\n"
        "from voicecoach.audio.devices import Capture\n"
        "with Capture() as c:\n"
        "    data = b''.join(c.read(2) for _ in range(15))\n"
        "sys.stdout.buffer.write(data)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=virtual_audio.env(), capture_output=True, timeout=30
    )
    assert out.returncode == 0, out.stderr.decode()
    received = np.frombuffer(out.stdout, dtype="<i2")
    assert find_recording(received, np.frombuffer(float_to_pcm16(sent), dtype="<i2")) == 0
