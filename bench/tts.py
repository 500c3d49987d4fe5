"""Speech-out latency: how soon after the caller's reply text is known can it be heard?

Measures, on this machine (timings are noisy on a shared 2-core box):
- worker start (`Synthesizer.warm_up`, done once before a call),
- synthesis of uncached caller lines (various lengths and moods): latency and
  real-time factor,
- cached lines (a disk read),
- `Player.play` on the virtual ALSA speaker: from the call to the first sample
  handed to the device.

Run: .venv/bin/python bench/tts.py [--lines N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from percentiles import percentile

from voicecoach.audio.devices import Player
from voicecoach.audio.virtual import create_virtual_audio, use_virtual_audio
from voicecoach.tts.cache import SpeechCache
from voicecoach.tts.synth import Synthesizer
from voicecoach.tts.voice import agitated_voice

CALLER_LINES = [
    "Hello?",
    "I need to talk to someone about my bill.",
    "I have been on hold for forty minutes and nobody can tell me anything.",
    "Why was I charged twice for the same appointment in March?",
    "This is the third time I have called this week and I am getting really tired of it.",
    "My mother's test results were supposed to be back on Friday, where are they?",
    "Fine. Just tell me when the doctor can see me.",
    "No, that is not good enough, I want to speak to a manager right now!",
]


def report(name: str, values_s: list[float]) -> None:
    ms = [v * 1000 for v in values_s]
    print(
        f"{name:<34} n={len(ms):<4} median {statistics.median(ms):7.1f} ms   "
        f"p95 {percentile(ms, 95):7.1f} ms   max {max(ms):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=80, help="Uncached lines to synthesise.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        synth = Synthesizer(cache=SpeechCache(Path(tmp) / "cache"))
        start = time.perf_counter()
        synth.warm_up()
        print(f"worker start + first line (warm_up): {1000 * (time.perf_counter() - start):.0f} ms")

        uncached, rtf, audio_s = [], [], []
        texts = []
        for i in range(args.lines):
            text = f"{CALLER_LINES[i % len(CALLER_LINES)]} ({i})"
            voice = agitated_voice(i % 11)
            start = time.perf_counter()
            y, sr = synth.synthesize(text, voice)
            elapsed = time.perf_counter() - start
            uncached.append(elapsed)
            audio_s.append(len(y) / sr)
            rtf.append(elapsed / (len(y) / sr))
            texts.append((text, voice))
        report("synthesise (uncached, + cache write)", uncached)
        print(
            f"{'':<34} audio {min(audio_s):.1f}-{max(audio_s):.1f} s per line, "
            f"real-time factor median {statistics.median(rtf):.4f}"
        )

        cached = []
        for text, voice in texts:
            start = time.perf_counter()
            synth.synthesize(text, voice)
            cached.append(time.perf_counter() - start)
        report("synthesise (cached)", cached)

        audio = create_virtual_audio(Path(tmp) / "audio")
        y, sr = synth.synthesize(CALLER_LINES[1], agitated_voice(3))
        to_first_sample = []
        with use_virtual_audio(audio.config_path):
            player = Player()
            for _ in range(20):
                start = time.monotonic()
                playback = player.play(y, sr, blocking=False)
                while playback.first_sample_s is None:
                    time.sleep(0.0005)
                to_first_sample.append(playback.first_sample_s - start)
                player.stop()
        report("play() -> first sample at device", to_first_sample)
        print(f"{'':<34} + device output latency {1000 * playback.output_latency_s:.1f} ms")
        synth.close()


if __name__ == "__main__":
    main()
