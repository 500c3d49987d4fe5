"""The speech worker: one long-lived process that owns the pyttsx3 espeak-ng engine.

Run as `python -m voicecoach.tts.worker`; `voicecoach.tts.synth` starts it and
talks to it with one JSON object per line.

Two races in pyttsx3's espeak driver, both because espeak-ng works on its own
thread (AUDIO_OUTPUT_RETRIEVAL mode) while the driver assumes it does not:

1. `runAndWait` returns before the synthesis ends: the `endLoop` it queues is
   processed in the same step as the `save_to_file`, so the loop stops at once.
   The file is written later by the synthesis callback, under whatever name the
   *next* `save_to_file` set (and a new request resets the audio buffer of the
   one still running): files go missing or land under another call's name.
   Fix: wait for the driver's `finished-utterance` notification, which it sends
   after closing the file.
2. `setProperty` calls are queued and run together with that `endLoop`, whose
   `stop()` cancels everything espeak-ng has not processed yet when espeak-ng
   still looks busy, so rate/pitch/volume changes are randomly dropped.
   Fix: set the properties on the driver directly and wait for espeak-ng to go
   idle before queueing the synthesis.

espeak-ng's state is global to a process, so this process serves one request
at a time, and the parent can kill and restart it if it ever hangs.

Requests (stdin): `{"op": "voices"}` or `{"op": "synth", "text", "path",
"voice_id", "rate_wpm", "pitch", "volume"}`. Replies go to the original stdout
(pyttsx3 prints chatter, so fd 1 is pointed at /dev/null while it runs):
`{"ok": true, ...}` or `{"ok": false, "error": "..."}`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import wave
from collections.abc import Iterable
from typing import TextIO

FINISH_TIMEOUT_S = 60.0
IDLE_POLL_S = 0.001


def _voices(engine) -> list[dict]:
    return [
        {"id": v.id, "name": v.name, "languages": list(v.languages or [])}
        for v in engine.getProperty("voices")
    ]


def _apply_voice(engine, request: dict, default_voice: str) -> None:
    """Set voice, rate, pitch and volume, and wait until espeak-ng has applied them."""
    from pyttsx3.drivers import _espeak

    driver = engine.proxy._driver
    driver.setProperty("voice", request.get("voice_id") or default_voice)
    driver.setProperty("rate", int(request["rate_wpm"]))
    driver.setProperty("pitch", int(request["pitch"]))
    driver.setProperty("volume", float(request["volume"]))
    deadline = time.monotonic() + FINISH_TIMEOUT_S
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(IDLE_POLL_S)


def _synthesize(engine, request: dict, default_voice: str, finished: threading.Event) -> dict:
    _apply_voice(engine, request, default_voice)
    path = request["path"]
    finished.clear()
    engine.save_to_file(request["text"], path)
    engine.runAndWait()
    if not finished.wait(FINISH_TIMEOUT_S):
        return {"ok": False, "error": f"espeak-ng did not finish within {FINISH_TIMEOUT_S:.0f} s"}
    if not os.path.isfile(path):
        return {"ok": False, "error": "espeak-ng wrote no file"}
    with wave.open(path, "rb") as wav:
        return {"ok": True, "frames": wav.getnframes(), "sample_rate": wav.getframerate()}


def serve(requests: Iterable[str], replies: TextIO) -> None:
    """Answer requests (an iterable of JSON lines) on `replies` until stdin closes."""
    import pyttsx3

    engine = pyttsx3.init("espeak")
    default_voice = engine.getProperty("voice")
    finished = threading.Event()
    engine.connect("finished-utterance", lambda **_: finished.set())
    for line in requests:
        request = json.loads(line)
        try:
            if request["op"] == "voices":
                reply = {"ok": True, "voices": _voices(engine), "default": default_voice}
            else:
                reply = _synthesize(engine, request, default_voice, finished)
        except Exception as exc:  # noqa: BLE001 - every failure goes back as a reply
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main() -> None:
    """Worker entry point: replies on the real stdout, espeak's own chatter sent to /dev/null."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    serve(sys.stdin, replies)


if __name__ == "__main__":
    main()
