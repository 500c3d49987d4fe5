"""The self-contained HTML report of a session: opens from a file with no server.

The session page with every script, stylesheet and datum inlined; the call
audio (mixed down to mono) embedded as a data URI unless it exceeds a size cap.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np

from voicecoach.audio.io import pcm16_wav_bytes
from voicecoach.session import review
from voicecoach.session.store import SessionStore
from voicecoach.web import audio, pages

MAX_AUDIO_BYTES = 30 * 1024 * 1024


def mono_wav_bytes(pcm: audio.Pcm) -> bytes:
    """Both channels summed into one 16-bit mono wav (half the size of the stereo call)."""
    mixed = pcm.samples.astype(np.int32).sum(axis=1)
    return pcm16_wav_bytes(np.clip(mixed, -32768, 32767).astype("<i2"), pcm.sr)


def call_pcm(folder: Path, source: str) -> audio.Pcm:
    """The call's samples from `call.wav`, one side, or the on-the-fly mix."""
    if source == "mix":
        return audio.read_wav_pcm16_bytes(audio.mix_sides(folder))
    return audio.read_wav_pcm16(folder / source)


def build_report(
    store: SessionStore,
    session_id: str,
    *,
    embed_audio: bool = True,
    max_audio_bytes: int = MAX_AUDIO_BYTES,
) -> str:
    """The report's HTML: transcript, score with evidence, plots, comments (and audio)."""
    view = review.session_view(store, session_id)
    info = store.get_session(session_id)
    source = view["audio"]
    extra: dict = {"readonly": True, "peaks": None, "audio_url": None}
    if source is not None:
        extra["peaks"] = audio.peaks(info.folder, source)
        if embed_audio:
            wav = mono_wav_bytes(call_pcm(info.folder, source))
            if len(wav) <= max_audio_bytes:
                extra["audio_url"] = "data:audio/wav;base64," + base64.b64encode(wav).decode()
    return pages.session_page(view, inline=True, extra=extra)
