"""Virtual ALSA audio devices: a microphone that plays a file, a speaker that records.

For machines with no sound card (tests, CI, `voicecoach demo`). An ALSA
config file defines:

- `voicecoach_mic`: a `type file` PCM whose `infile` is raw 16-bit mono PCM;
  capture reads that file bit-exactly from its first sample. Its slave is the
  `null` PCM (which supplies the timing and discards what the plugin writes).
- `voicecoach_speaker`: a `type file` PCM over `null` that writes whatever is
  played, as raw samples in the stream's format, to `speaker_path` (the file is
  truncated each time an output stream opens, so it holds the latest playback).
- `default`: capture from the mic, playback to the speaker.

Each is wrapped in `type asym` with one direction only: a bare file PCM also
opens the other way, and PortAudio would then pick the speaker as a fallback
microphone that captures uninitialised memory.

The file starts by including `/usr/share/alsa/alsa.conf`: `ALSA_CONFIG_PATH`
*replaces* the top-level config, and without alsa.conf the `null` plugin and
the rest of ALSA's definitions are missing. PortAudio reads the config when it
initialises, so set `ALSA_CONFIG_PATH` before importing sounddevice (e.g. in a
subprocess, see `virtual_env`), or use `use_virtual_audio`, which re-initialises
an already loaded PortAudio in-process.

Two ALSA facts this module works around, found by experiment on alsa-lib 1.2.8:

- `null` has no clock: capture and playback run as fast as the CPU allows.
  `voicecoach.audio.devices` paces its callbacks to the wall clock when
  `VOICECOACH_VIRTUAL_AUDIO` is set (`use_virtual_audio` and `virtual_env` set it).
- When the infile ends, capture neither blocks nor fails: it keeps delivering
  stale buffer contents (repeated fragments of the recording's end), not
  silence. `write_microphone_file` therefore appends `tail_silence_s` of zeros,
  as a sparse file hole that costs no disk space (an hour by default).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecoach.audio.devices import VIRTUAL_AUDIO_ENV
from voicecoach.audio.io import float_to_pcm16, resample
from voicecoach.errors import DeviceError

ALSA_MAIN_CONFIG = Path("/usr/share/alsa/alsa.conf")
MIC_PCM = "voicecoach_mic"
SPEAKER_PCM = "voicecoach_speaker"
MIC_SAMPLE_RATE = 16000

_CONFIG_TEMPLATE = """\
# VoiceCoach virtual audio devices (voicecoach.audio.virtual); no sound card needed.
<{main_config}>

pcm.{mic} {{
    type asym
    capture.pcm {{
        type file
        slave.pcm "null"
        file "/dev/null"
        infile "{mic_path}"
        format "raw"
    }}
}}

pcm.{speaker} {{
    type asym
    playback.pcm {{
        type file
        slave.pcm "null"
        file "{speaker_path}"
        format "raw"
    }}
}}

pcm.!default {{
    type asym
    capture.pcm "{mic}"
    playback.pcm "{speaker}"
}}
"""

_NO_DEVICE_TEMPLATE = """\
# VoiceCoach: ALSA with no usable audio device (for testing the no-device errors).
<{main_config}>
"""


def _quoted(path: Path) -> str:
    text = str(Path(path).resolve())
    if '"' in text or "\\" in text:
        raise DeviceError(
            f"{text}: ALSA config paths cannot contain quotes or backslashes; "
            "use a folder whose path has neither"
        )
    return text


def virtual_alsa_config(
    mic_pcm_path: str | Path, dir: str | Path, *, speaker_path: str | Path | None = None
) -> Path:
    """Write `dir/asound.conf` with the virtual mic (reading `mic_pcm_path`) and speaker.

    The speaker writes to `speaker_path` (default `dir/speaker.raw`). Returns the
    config path, for `ALSA_CONFIG_PATH`.
    """
    dir = Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    config = dir / "asound.conf"
    config.write_text(
        _CONFIG_TEMPLATE.format(
            main_config=ALSA_MAIN_CONFIG,
            mic=MIC_PCM,
            speaker=SPEAKER_PCM,
            mic_path=_quoted(mic_pcm_path),
            speaker_path=_quoted(speaker_path or dir / "speaker.raw"),
        )
    )
    return config


def no_device_alsa_config(dir: str | Path) -> Path:
    """Write `dir/asound-none.conf`: ALSA's own config and no device (on a machine
    with no sound card PortAudio then lists nothing)."""
    dir = Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    config = dir / "asound-none.conf"
    config.write_text(_NO_DEVICE_TEMPLATE.format(main_config=ALSA_MAIN_CONFIG))
    return config


def write_microphone_file(
    y: np.ndarray, sr: int, path: str | Path, *, tail_silence_s: float = 3600.0
) -> Path:
    """Write float mono audio as the virtual mic's raw 16 kHz 16-bit PCM, plus silence.

    The silence after the recording is a sparse hole, so an hour of it is free.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = float_to_pcm16(resample(y, orig_sr=sr, target_sr=MIC_SAMPLE_RATE))
    with open(path, "wb") as f:
        f.write(pcm)
        f.truncate(len(pcm) + 2 * round(tail_silence_s * MIC_SAMPLE_RATE))
    return path


def read_speaker_file(path: str | Path, *, dtype: str = "float32") -> np.ndarray:
    """The samples the virtual speaker received (mono, in the format played)."""
    return np.fromfile(path, dtype=dtype)


def find_recording(received: np.ndarray, sent: np.ndarray) -> int | None:
    """Where `sent` appears sample-for-sample inside `received` (devices add leading
    silence), or None. Aligns on `sent`'s first non-zero sample."""
    nonzero = np.flatnonzero(sent)
    if len(nonzero) == 0:
        return None
    lead = nonzero[0]
    for hit in np.flatnonzero(received == sent[lead]):
        start = hit - lead
        window = received[start : start + len(sent)]
        if start >= 0 and len(window) == len(sent) and np.array_equal(window, sent):
            return int(start)
    return None


@dataclass(frozen=True)
class VirtualAudio:
    """A virtual mic and speaker in `folder`: `asound.conf`, `mic.raw`, `speaker.raw`.

    The mic file is opened each time a capture stream opens, so
    `set_microphone` between streams changes what the next capture hears.
    """

    folder: Path

    @property
    def config_path(self) -> Path:
        return self.folder / "asound.conf"

    @property
    def mic_path(self) -> Path:
        return self.folder / "mic.raw"

    @property
    def speaker_path(self) -> Path:
        return self.folder / "speaker.raw"

    def set_microphone(self, y: np.ndarray, sr: int, *, tail_silence_s: float = 3600.0) -> Path:
        """What the microphone will say: `y` at `sr` Hz, then silence."""
        return write_microphone_file(y, sr, self.mic_path, tail_silence_s=tail_silence_s)

    def played(self, *, dtype: str = "float32") -> np.ndarray:
        """What the speaker received in its latest playback (empty if nothing)."""
        if not self.speaker_path.exists():
            return np.zeros(0, dtype=dtype)
        return read_speaker_file(self.speaker_path, dtype=dtype)

    def env(self, base: dict | None = None) -> dict[str, str]:
        """Environment for a subprocess using these devices."""
        return virtual_env(self.config_path, base)


def create_virtual_audio(folder: str | Path) -> VirtualAudio:
    """Set up a virtual mic (silent until `set_microphone`) and speaker in `folder`."""
    audio = VirtualAudio(Path(folder))
    audio.set_microphone(np.zeros(0, dtype=np.float32), MIC_SAMPLE_RATE)
    virtual_alsa_config(audio.mic_path, audio.folder, speaker_path=audio.speaker_path)
    return audio


def virtual_env(config_path: str | Path, base: dict | None = None) -> dict[str, str]:
    """Environment for a subprocess that should use the virtual devices."""
    env = dict(os.environ if base is None else base)
    env["ALSA_CONFIG_PATH"] = str(config_path)
    env[VIRTUAL_AUDIO_ENV] = "1"
    return env


@contextmanager
def use_virtual_audio(config_path: str | Path, *, paced: bool = True) -> Iterator[Path]:
    """Within the block, this process's PortAudio uses the ALSA config `config_path`.

    Re-initialises PortAudio if sounddevice is already imported (close all
    streams first), and restores the previous config afterwards. `paced=False`
    lets virtual streams run faster than real time.
    """
    saved = {name: os.environ.get(name) for name in ("ALSA_CONFIG_PATH", VIRTUAL_AUDIO_ENV)}
    os.environ["ALSA_CONFIG_PATH"] = str(config_path)
    if paced:
        os.environ[VIRTUAL_AUDIO_ENV] = "1"
    else:
        os.environ.pop(VIRTUAL_AUDIO_ENV, None)
    _reinitialise_portaudio()
    try:
        yield Path(config_path)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _reinitialise_portaudio()


def _reinitialise_portaudio() -> None:
    """Make a loaded PortAudio re-read the ALSA config (alsa-lib re-reads
    `ALSA_CONFIG_PATH` when PortAudio initialises; sounddevice has no public call)."""
    import sys

    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()
