"""Turn-taking latency of the live call, through the virtual microphone.

A scripted 10-turn call (festival speech as the trainee, the double-billing
caller) runs through the real capture path, recogniser (default: Whisper base,
decoding the growing turn in the background), adaptive turn detection,
scoring, delivery analysis, caller model, synthesis and (null, real-time
paced) playback, with the silence threshold at 500 ms (400 ms after a
complete sentence, 1.2 s after "and", "um"). Prints:

- turn gap: from the end of the trainee's speech (when the virtual microphone
  delivered its last voiced sample) to the caller's first audio sample
  handed to the output device: median and 95th percentile (targets 600 / 900 ms);
- each turn's gap broken down (`turn_trace.py`, Whisper only): the silence the
  endpoint policy asked for after the turn's text, the wait after it for the decode
  covering the speech (when that decode started, how long it took and on how many
  seconds of audio; whether a caption decode was still running when the voice
  ended), when the turn left the pipeline, and the time after that to the reply;
- each stage's share of the gap, as the call timed it (endpointing, queue,
  final recognition, scoring, delivery, dialogue, synthesis, playback start);
- start-up: from asking for the call to the caller's first sample (target 3 s);
- what the recogniser heard of each turn, and what the final decode of each
  turn costs alone (wall and CPU time, no background decoding: the work the
  turn end would wait for if nothing had been decoded while the trainee spoke);
- the machine's load average before and after (2 cores, shared);
- how often Whisper decoded an utterance twice (a loop, decoded again with a repetition
  penalty, "loop_full" when the 30 s window was needed too; an unheard rest: such turns
  wait for both decodes; a "revision": an unsure turn heard again as a file in the
  background, which no turn waits for).
- peak memory (this process, and the speech worker / festival children).

Caller lines are synthesised on demand the first time and cached; `--cold`
starts from an empty speech cache (the first call on a fresh machine);
otherwise every caller line is rendered into the cache first (any later
call). Timings on this shared 2-core machine are noisy: run it twice.

    .venv/bin/python bench/latency.py [--cold] [--engine auto] [--silence-ms 500]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from percentiles import percentile
from turn_trace import DecodeTrace, TurnBreakdown

SCENARIO = "double_billing"
PAIR_S = 0.5
SCRIPT = [
    "Thank you for calling, Mary. I'm listening, please tell me what happened.",
    "I can understand how frustrating that is.",
    "May I ask a few questions so I have it right?",
    "Can I have your full name and date of birth, please?",
    "Thank you. So the bill shows the same charge twice for your May visit, is that right?",
    "Help me understand, was it the card ending four four one seven?",
    "I'd be upset too if this happened to me.",
    "I will personally make sure this is fixed for you today.",
    "I'll go ahead and reverse the duplicate charge right now. Will that work for you?",
    "Is there anything else I can help you with? Thank you again for giving us the chance.",
]


def prepare_caller_lines() -> int:
    """Fill the speech cache with every line of the scenario's caller (what a second call sees)."""
    from voicecoach.dialogue import get_scenario
    from voicecoach.live.caller_voice import CallerVoice
    from voicecoach.tts.synth import default_synthesizer

    scenario = get_scenario(SCENARIO)
    return CallerVoice(scenario, default_synthesizer()).render_all(scenario.caller.mood_start)


def report(result, spoken, trace: DecodeTrace) -> None:
    timings = result.turn_timings
    ending = result.outcome + (f" ({result.reason})" if result.reason else "")
    print(
        f"call: {ending}; {len(timings)} trainee turns answered; silence threshold "
        f"{ARGS.silence_ms} ms; engine {ARGS.engine}"
    )
    heard = [t["text"] for t in result.transcript["turns"] if t["speaker"] == "trainee"]
    gaps_ms, turns = [], []
    for line in spoken:  # pair each said line with the turn that ended nearest its voice's end
        timing = min(timings, key=lambda t: abs(t.speech_end - line.ended), default=None)
        if timing and timing.first_sample and abs(timing.speech_end - line.ended) < PAIR_S:
            gaps_ms.append(1000 * (timing.first_sample - line.ended))
            text = heard[timings.index(timing)] if timings.index(timing) < len(heard) else ""
            turns.append(trace.breakdown(line.ended, POLICY.silence_needed_s(text), timing))
    if gaps_ms:
        print(
            f"turn gap (speech end -> caller's first sample), n={len(gaps_ms)}: "
            f"median {statistics.median(gaps_ms):.0f} ms (target <= 600), "
            f"p95 {percentile(gaps_ms, 95):.0f} ms (target <= 900), "
            f"max {max(gaps_ms):.0f} ms"
        )
        print("  per turn: " + " ".join(f"{gap:.0f}" for gap in gaps_ms))
        print_breakdown(turns, gaps_ms, trace)
    stage_ms = result.timings_ms
    print("stage shares as the call timed them, ms (endpointing = silence threshold + VAD):")
    for stage in stage_ms[0] if stage_ms else {}:
        values = [t[stage] for t in stage_ms]
        print(f"  {stage:<12} median {statistics.median(values):7.1f}   max {max(values):7.1f}")
    print(f"start-up to the caller's first sample: {result.startup_s:.2f} s (target <= 3 s)")
    heard = [t["text"] for t in result.transcript["turns"] if t["speaker"] == "trainee"]
    for said, text in zip(SCRIPT, heard, strict=False):
        print(f"  said:  {said}\n  heard: {text}")


def print_breakdown(turns: list[TurnBreakdown], gaps_ms: list[float], trace: DecodeTrace) -> None:
    """Each turn's gap from the voice's end: the silence asked for, the wait for the covering
    decode after it, then the turn's way to the reply (ms)."""

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    print(
        "per-turn breakdown, ms after the voice ended: gap = silence asked + decode wait"
        " + after (scoring, delivery, dialogue, synthesis, playback)"
    )
    print("    gap  silence  wait  ready  decode@  took  audio-s  busy-from-until  left  after")
    for gap, turn in zip(gaps_ms, turns, strict=True):
        after = sum(turn.after_ms.values())
        print(
            f"  {gap:5.0f}  {turn.needed_ms:7.0f}  {turn.decode_wait_ms:4.0f}  "
            f"{cell(turn.ready_ms):>5}  {cell(turn.covering_start_ms):>7}  "
            f"{cell(turn.covering_took_ms):>4}  "
            f"{'-' if turn.covering_audio_s is None else f'{turn.covering_audio_s:.1f}':>7}  "
            f"{cell(turn.busy_from_ms):>9} {cell(turn.busy_until_ms):>5}  "
            f"{turn.detected_ms:4.0f}  {after:5.0f}"
        )
    busy = sum(t.busy_until_ms is not None for t in turns)
    after_median = statistics.median(sum(t.after_ms.values()) for t in turns)
    print(
        f"  medians: silence asked {statistics.median(t.needed_ms for t in turns):.0f}, "
        f"decode wait {statistics.median(t.decode_wait_ms for t in turns):.0f}, "
        f"turn left the pipeline {statistics.median(t.detected_ms for t in turns):.0f}, "
        f"after {after_median:.0f}; a decode was running when the voice ended "
        f"in {busy} of {len(turns)} turns"
    )
    walls_ms = [1000 * (d.end - d.start) for d in trace.decodes if d.thread == "whisper-partial"]
    if walls_ms:
        print(
            f"  background decodes in the call: {len(walls_ms)} "
            f"({len(walls_ms) / len(turns):.1f} per turn), median {statistics.median(walls_ms):.0f}"
            f" ms wall each"
        )


def decode_costs(engine: str) -> None:
    """Each script line decoded alone by the recogniser, as `final()` would with no help."""
    from voicecoach.asr.select import make_recognizer
    from voicecoach.audio.io import float_to_pcm16
    from voicecoach.live.scripted import festival_speech

    recognizer = make_recognizer(engine)
    recognizer.warm_up()
    walls, cpus, lengths = [], [], []
    for line in SCRIPT:
        y = festival_speech(line)
        recognizer.accept(float_to_pcm16(y))
        wall, cpu = time.perf_counter(), time.process_time()
        recognizer.final()
        walls.append(1000 * (time.perf_counter() - wall))
        cpus.append(1000 * (time.process_time() - cpu))
        lengths.append(len(y) / 16000)
    print(
        f"final decode of a turn alone ({min(lengths):.1f}-{max(lengths):.1f} s of speech): "
        f"median {statistics.median(walls):.0f} ms wall, {statistics.median(cpus):.0f} ms CPU; "
        f"max {max(walls):.0f} ms wall"
    )


def whisper_second_decodes() -> dict | None:
    """Why Whisper decoded an utterance twice during the call (loop, loop_full, rest, revision);
    None when the engine is not Whisper."""
    from voicecoach.asr.select import choose_engine

    if choose_engine(ARGS.engine).engine != "whisper":
        return None
    from voicecoach.asr.whisper_engine import shared_model

    return dict(shared_model().second_decodes)


def main() -> int:
    from voicecoach.live.scripted import festival_speech, run_scripted_call

    print("load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))

    with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as tmp:
        os.environ["VOICECOACH_CACHE_DIR"] = str(Path(tmp) / "cache")
        for line in SCRIPT:
            festival_speech(line)
        if not ARGS.cold:
            started = time.monotonic()
            count = prepare_caller_lines()
            took_s = time.monotonic() - started
            print(f"speech cache filled: {count} caller lines in {took_s:.0f} s")
        with DecodeTrace() as trace:
            result, spoken = run_scripted_call(
                SCENARIO,
                script=SCRIPT,
                engine=ARGS.engine,
                silence_ms=ARGS.silence_ms,
                data_dir=Path(tmp) / "data",
            )
        report(result, spoken, trace)
        second_decodes = whisper_second_decodes()
        decode_costs(ARGS.engine)
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {own_mb:.0f} MB (call process), {children_mb:.0f} MB (largest child)")
    if second_decodes is not None:
        print(f"Whisper decodes run twice during the call: {second_decodes or 'none'}")
    return 0


PARSER = argparse.ArgumentParser(description=__doc__.splitlines()[0])
PARSER.add_argument("--cold", action="store_true", help="start from an empty speech cache")
PARSER.add_argument(
    "--engine", default="auto", help="recogniser: auto, whisper, pocketsphinx or vosk"
)
PARSER.add_argument("--silence-ms", type=int, default=500, help="end-of-turn silence (ms)")

if __name__ == "__main__":
    ARGS = PARSER.parse_args()
    from voicecoach.live.endpointing import EndpointPolicy

    POLICY = EndpointPolicy.for_silence(ARGS.silence_ms)
    sys.exit(main())
