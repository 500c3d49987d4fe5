"""Whisper decoding settings compared on the DEVELOPMENT sets: WER and CPU time per setting.

Each setting (`DecodeSettings` fields, e.g. `final_beam_size=3,pad_s=1.5`, `domain_prompt=0`,
`final_beam_size=1` (greedy finals, a beam retry only when unsure, as before 2 Dec 2026
22:00); `prompt=...` stands for the hint names) decodes
every file as `voicecoach transcribe` does (a fresh non-live recogniser per file, the
shared model). Sets: `dev` (the 45 dev
front-desk sentences, both festival voices), `dev2` (78 more, bench/data/frontdesk_dev2.txt),
`dev3` (60 more, bench/data/frontdesk_dev3.txt) and `real` (../shared/data/speech).
Choosing settings here and reporting `bench/asr.py --sets heldout` afterwards keeps the
held-out front-desk set an estimate. CPU seconds are this process's, on a shared
2-core machine (noisy; wall clock more so).

    .venv/bin/python bench/asr_decoding.py "final_beam_size=1" "" [--sets dev,real] [--errors]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from asr import set_groups, word_errors

DEV_SETS = "dev,dev2,dev3,real"


def parse_setting(text: str) -> tuple[dict, str]:
    """`DecodeSettings` overrides and an extra prompt from "name=value,..."."""
    from voicecoach.asr.whisper_model import DecodeSettings

    fields = {f.name: f.type for f in dataclasses.fields(DecodeSettings)}
    overrides, prompt = {}, ""
    for part in filter(None, text.split(",")):
        name, _, value = part.partition("=")
        if name == "prompt":
            prompt = value
        elif name in fields:
            kind = {"int": int, "float": float, "bool": lambda v: v.lower() in ("1", "true")}
            overrides[name] = kind[fields[name]](value)
        else:
            sys.exit(f"unknown setting {name!r}; choose from prompt, {', '.join(fields)}")
    return overrides, prompt


def run(setting: str, groups: dict, show_errors: bool) -> None:
    from voicecoach.asr.transcribe import recognize_samples
    from voicecoach.asr.whisper_engine import WhisperRecognizer, shared_model
    from voicecoach.asr.whisper_model import DecodeSettings
    from voicecoach.audio.io import load_audio

    overrides, prompt = parse_setting(setting)
    model = shared_model()
    model.settings = DecodeSettings(**overrides)
    cells = []
    for name, items in groups.items():
        errors = words = 0
        cpu_s = audio_s = 0.0
        unsure = model.second_decodes["unsure"]
        for path, reference in items:
            y, sr = load_audio(path, sr=16000)
            recognizer = WhisperRecognizer(model=model)
            recognizer.prompt = prompt
            started = time.process_time()
            text = recognize_samples(recognizer, y).text
            cpu_s += time.process_time() - started
            audio_s += len(y) / sr
            e, n = word_errors(reference, text)
            errors, words = errors + e, words + n
            if show_errors and e:
                print(f"    [{name}] {reference}\n      -> {text}", file=sys.stderr)
        retried = model.second_decodes["unsure"] - unsure
        cells.append(
            f"{name} {errors / words:.3f} ({errors}/{words}, cpu {cpu_s / audio_s:.3f} x audio, "
            f"{1000 * cpu_s / len(items):.0f} ms/turn, beam retries {retried})"
        )
    print(f"{setting or 'default'}: " + "\n  ".join(cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("settings", nargs="+", help='e.g. "final_beam_size=3" ("" is the default)')
    parser.add_argument("--sets", default="dev,dev2,real", help="comma-separated: " + DEV_SETS)
    parser.add_argument("--errors", action="store_true", help="print each misrecognised file")
    args = parser.parse_args()
    groups = {}
    for set_name in args.sets.split(","):
        if set_name not in DEV_SETS.split(","):
            sys.exit(f"only development sets here: {DEV_SETS} (held-out: bench/asr.py)")
        for voice, items in set_groups(set_name).items():
            groups[f"{set_name}/{voice.split()[0]}"] = items
    for setting in args.settings:
        run(setting, groups, args.errors)


if __name__ == "__main__":
    main()
