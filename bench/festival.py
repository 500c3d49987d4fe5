"""Festival speech for the benchmarks: many sentences per voice, synthesised once and cached.

Each voice's missing sentences are spoken by one `festival` process (the voice
loads once), written as 16 kHz wav files under bench/out/festival/<voice>/
named by a hash of the text, so reruns only synthesise what is new. Festival
reads digits its own way ("1986" as "one thousand nine hundred ..."), so the
benches give it text already in the canonical spoken form of
`voicecoach.asr.normalize` (what a person would say).

    .venv/bin/python bench/festival.py "Text to say" [--voice kal]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / "bench" / "out" / "festival"
VOICES = {"slt": "voice_cmu_us_slt_arctic_hts", "kal": "voice_kal_diphone"}
SAMPLE_RATE = 16000


def wav_path(text: str, voice: str) -> Path:
    """Where the cached recording of `text` in `voice` (a VOICES key) lives."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return CACHE_DIR / voice / f"{digest}.wav"


def synthesize_all(texts: Iterable[str], voice: str, *, description: str = "") -> list[Path]:
    """The wav file of each text in `voice`, synthesising those not cached (progress bar)."""
    from rich.progress import Progress

    texts = list(texts)
    paths = [wav_path(t, voice) for t in texts]
    missing = {p: t for p, t in zip(paths, texts, strict=True) if not p.exists()}
    if not missing:
        return paths
    folder = CACHE_DIR / voice
    folder.mkdir(parents=True, exist_ok=True)
    script = [f"({VOICES[voice]})"]
    for path, text in missing.items():
        partial = path.with_suffix(".part.wav")
        script.append(
            f'(set! u (utt.synth (Utterance Text "{_scheme_string(text)}")))'
            f"(utt.wave.resample u {SAMPLE_RATE})"
            f'(utt.save.wave u "{partial}" \'riff)'
            f'(format t "done %s\\n" "{path.name}")'
        )
    with tempfile.NamedTemporaryFile("w", suffix=".scm", delete=False) as f:
        f.write("\n".join(script) + "\n")
    label = description or f"festival {voice}"
    with Progress(transient=False) as progress:
        task = progress.add_task(f"{label}: synthesising", total=len(missing))
        process = subprocess.Popen(
            ["festival", "-b", f.name], stdout=subprocess.PIPE, text=True, bufsize=1
        )
        for line in process.stdout:
            if line.startswith("done "):
                name = line.split()[1]
                (folder / name).with_suffix(".part.wav").replace(folder / name)
                progress.advance(task)
        process.wait()
    Path(f.name).unlink()
    still_missing = [p for p in paths if not p.exists()]
    if still_missing:
        raise RuntimeError(f"festival {voice} failed to synthesise {len(still_missing)} texts")
    return paths


def _scheme_string(text: str) -> str:
    return text.replace("\\", " ").replace('"', "'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text")
    parser.add_argument("--voice", choices=sorted(VOICES), default="slt")
    args = parser.parse_args()
    print(synthesize_all([args.text], args.voice)[0])


if __name__ == "__main__":
    main()
