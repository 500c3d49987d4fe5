"""Whisper base, the default recogniser: pinned weights, festival speech, fallback, long files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from voicecoach.asr.select import choose_engine, make_recognizer
from voicecoach.asr.transcribe import MAX_PIECE_S, quiet_cuts, recognize_samples
from voicecoach.asr.whisper_engine import CONTEXT_WORDS, WhisperRecognizer, shared_model
from voicecoach.asr.whisper_model import (
    MAX_PROMPT_WORDS,
    DecodeSettings,
    WhisperModel,
    domain_prompt,
)
from voicecoach.asr.whisper_weights import (
    PACKAGES,
    SOURCE_ENV,
    ensure_model,
    load_pins,
    model_dir,
)
from voicecoach.audio.io import float_to_pcm16, load_audio, write_wav
from voicecoach.cli import cli
from voicecoach.errors import ModelError

SR = 16000
SENTENCES = (
    "I can check your appointment for you",
    "please hold on while I look at the schedule",
    "your bill shows the same charge twice",
)


def festival(text: str, path: Path) -> np.ndarray:
    subprocess.run(["text2wave", "-o", str(path)], input=text.encode(), check=True)
    return load_audio(path, sr=SR)[0]


@pytest.fixture(scope="module")
def sentences(tmp_path_factory) -> list[tuple[str, np.ndarray]]:
    folder = tmp_path_factory.mktemp("whisper-speech")
    return [(s, festival(s, folder / f"{i}.wav")) for i, s in enumerate(SENTENCES)]


def voice_end_s(y: np.ndarray, frame: int = 320) -> float:
    """Where the last 20 ms frame within 30 dB of the loudest one ends (festival pads its
    speech with a quarter second of quiet)."""
    frames = y[: len(y) // frame * frame].reshape(-1, frame)
    levels = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    return (np.flatnonzero(levels > levels.max() - 30)[-1] + 1) * frame / SR


def words_of(text: str) -> list[str]:
    return [w.strip(".,?!").lower() for w in text.split()]


def test_auto_picks_whisper_and_joins_the_pinned_weights_once():
    choice = choose_engine("auto")
    assert choice.engine == "whisper" and choice.fallback is None
    folder = model_dir()
    pins = load_pins()
    assert (folder / "model.bin").stat().st_size == pins.size_bytes == 145_217_532
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["config.json", "tokenizer.json", "vocabulary.txt", "model.bin"]
    )
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no staging left
    joined_at = (folder / "model.bin").stat().st_mtime_ns
    choose_engine("whisper")
    assert (folder / "model.bin").stat().st_mtime_ns == joined_at


def test_festival_speech_is_recognised_with_timed_confident_words(sentences):
    text, y = sentences[0]
    padded = np.concatenate([np.zeros(SR // 2, np.float32), y, np.zeros(SR // 2, np.float32)])
    with make_recognizer() as recognizer:
        assert recognizer.name == "whisper"
        result = recognize_samples(recognizer, padded)
    assert words_of(result.text) == words_of(text)
    assert [w.word for w in result.words] == words_of(text)  # lower case, as every engine's
    starts = [w.start_s for w in result.words]
    assert starts == sorted(starts)
    assert 0.3 <= result.words[0].start_s <= 0.9
    assert result.words[-1].end_s <= len(padded) / SR
    assert all(0.0 < w.conf <= 1.0 for w in result.words)


def test_a_live_recogniser_captions_while_fed_and_reports_its_endpoint(sentences):
    _, y = sentences[1]
    audio = np.concatenate([y, np.zeros(SR, np.float32)])
    pcm = float_to_pcm16(audio)
    step = 2 * 320
    states: list[tuple[float, bool]] = []  # (seconds fed, endpoint) after each chunk
    with make_recognizer(live=True) as recognizer:
        started = time.monotonic()
        for i in range(0, len(pcm), step):
            time.sleep(max(0.0, started + i / 2 / SR - time.monotonic()))
            states.append((i / 2 / SR, recognizer.accept(pcm[i : i + step])))
        partial = recognizer.partial()
        final = recognizer.final()
    # The endpoint is a state: a pause inside the sentence may hold it for a moment, but
    # speech after it takes it back; it holds for good only once the sentence is over.
    assert states[-1][1]
    settled_at = next(t for t, held in reversed(states) if not held)
    assert voice_end_s(y) < settled_at < len(y) / SR + 1.0
    assert partial == final.text
    assert words_of(final.text) == words_of(SENTENCES[1])


def test_a_microphone_at_44_1_khz_is_heard_through_one_resampling_stream(sentences):
    import soxr

    text, y = sentences[1]
    y44 = soxr.resample(np.concatenate([y, np.zeros(SR // 2, np.float32)]), SR, 44100)
    pcm = float_to_pcm16(y44)
    step = 2 * 441 * 2  # 20 ms chunks, as the microphone stream sends them
    with make_recognizer(live=True, sample_rate=44100) as recognizer:
        for i in range(0, len(pcm), step):
            recognizer.accept(pcm[i : i + step])
        final = recognizer.final()
        assert words_of(final.text) == words_of(text)
        assert final.words[-1].end_s <= len(y) / SR + 0.3  # times in the turn's own seconds
        recognizer.accept(pcm)  # the next turn starts from a clean stream
        assert words_of(recognizer.final().text) == words_of(text)


class CountingModel(WhisperModel):
    """The real Whisper model, counting its decodes."""

    decodes = 0

    def recognize(self, y, **kwargs):
        self.decodes += 1
        return super().recognize(y, **kwargs)


def test_the_turn_end_takes_the_decode_in_progress_that_covers_the_speech(sentences):
    text, y = sentences[0]
    model = CountingModel(ensure_model())
    recognizer = WhisperRecognizer(live=True, model=model)
    recognizer.accept(float_to_pcm16(np.concatenate([y, np.zeros(SR // 5, np.float32)])))
    final = recognizer.final()  # the pause's decode has started and is still running
    assert words_of(final.text) == words_of(text)
    assert model.decodes == 1


def test_a_live_recogniser_fed_faster_than_real_time_can_wait_for_each_decode(sentences):
    (first, a), (second, b) = sentences[0], sentences[2]
    pause = np.zeros(int(0.5 * SR), np.float32)
    model = CountingModel(ensure_model())
    recognizer = WhisperRecognizer(live=True, model=model)
    pcm = float_to_pcm16(np.concatenate([a, pause, b, pause]))
    endpoints = []
    for i in range(0, len(pcm), 640):  # 20 ms chunks, as the live microphone hands them
        endpoints.append(recognizer.accept(pcm[i : i + 640]))
        recognizer.wait_idle()
    decodes = model.decodes
    assert decodes >= 2 and endpoints[-1]  # a decode at each pause; the last covers the speech
    assert words_of(recognizer.final().text) == words_of(f"{first} {second}")
    assert model.decodes == decodes  # the turn's end took the decode made at the pause


def test_a_caption_begun_just_before_the_voice_ended_ends_the_turn_and_is_heard_again(sentences):
    text, y = sentences[1]
    cut = round((voice_end_s(y) - 0.06) * SR) // 320 * 320  # 60 ms before the voice ends
    pcm = float_to_pcm16(np.concatenate([y, np.zeros(SR // 2, np.float32)]))
    model = CountingModel(ensure_model())
    recognizer = WhisperRecognizer(live=True, model=model)
    recognizer.accept(pcm[: 2 * cut])  # over 0.8 s of new speech: a caption decode begins
    recognizer.wait_idle()
    assert model.decodes == 1
    endpoints = []
    for i in range(2 * cut, len(pcm), 640):  # the voice's last 60 ms, then quiet
        endpoints.append(recognizer.accept(pcm[i : i + 640]))
        recognizer.wait_idle()
    assert endpoints[-1] and model.decodes == 1  # the caption covers the turn's end
    caption = recognizer.partial()
    final = recognizer.final()  # the caption's text: no decode of the whole first...
    assert final.text == caption
    recognizer.wait_revisions(30)
    [revision] = recognizer.revisions()  # ...but after, in the background
    assert model.decodes == 2 and words_of(revision.result.text) == words_of(text)


def test_fast_speech_ending_at_the_clip_end_keeps_its_last_words(tmp_path):
    """About 5 tokens a second up to the last sample: a token cap read as CTranslate2's
    `max_length` (which it halves) cut "by then?" off the end."""
    text = (
        "Thank you for waiting. I spoke with the nurse and she can see you at three "
        "this afternoon, can you make it by then?"
    )
    path = tmp_path / "fast.wav"
    stretch = "(Parameter.set 'Duration_Stretch 0.8)"
    subprocess.run(
        ["text2wave", "-eval", stretch, "-o", str(path)], input=text.encode(), check=True
    )
    y = load_audio(path, sr=SR)[0]
    y = y[: np.flatnonzero(np.abs(y) > 0.01)[-1] + SR // 100]  # the clip ends with the voice
    with make_recognizer() as recognizer:
        heard = words_of(recognize_samples(recognizer, y).text)
    assert heard[-4:] == ["make", "it", "by", "then"]


def test_the_front_desk_prompt_comes_before_the_names_and_a_bad_file_is_named(tmp_path):
    text = domain_prompt()
    assert "appointments" in text and len(text.split()) <= MAX_PROMPT_WORDS
    model = shared_model()
    ids = model.prompt_tokens("Priya Raman.")
    assert ids[0] == model.sot_prev and ids[-4:] == model.sot_sequence
    assert model.tokenizer.decode(ids[1:-4]).strip() == f"{text} Priya Raman."
    two = tmp_path / "two.txt"
    two.write_text("# a comment\nfirst line\nsecond line\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"two\.txt: line 3: .*one line"):
        domain_prompt(two)
    long = tmp_path / "long.txt"
    long.write_text("\n" + "word " * (MAX_PROMPT_WORDS + 1), encoding="utf-8")
    with pytest.raises(ModelError, match=rf"long\.txt:2: .*{MAX_PROMPT_WORDS + 1} words"):
        domain_prompt(long)


def test_the_callers_last_words_come_between_the_front_desk_words_and_the_names():
    line = "I got a bill in the mail, " + "and then another, " * 10 + "can you tell me why?"
    with make_recognizer(hints=["Priya Raman"]) as recognizer:
        assert recognizer.prompt == "Priya Raman."
        recognizer.set_context(line)
        prompt = recognizer.prompt
    recent = " ".join(line.split()[-CONTEXT_WORDS:])
    assert prompt == f"{recent} Priya Raman."
    model = shared_model()
    read = model.tokenizer.decode(model.prompt_tokens(prompt)[1:-4]).strip()
    assert read == f"{domain_prompt()} {recent} Priya Raman."  # none of it cut


def test_the_callers_line_spells_the_names_the_trainee_repeats(tmp_path):
    """The caller named the clinic; the trainee's answer is heard with that line as context."""
    y = festival(
        "The records should go to Doctor Haddad at Westbrook Rheumatology.", tmp_path / "r.wav"
    )

    def heard(context: str) -> list[str]:
        with make_recognizer() as recognizer:
            recognizer.set_context(context)
            return words_of(recognize_samples(recognizer, y).text)

    assert "haddad" not in heard("")
    said = heard("It goes to Dr. Haddad at Westbrook Rheumatology. Their fax is 555-0142.")
    assert "haddad" in said and "rheumatology" in said


class _BeamsUsed:
    """The loaded CTranslate2 model, noting the beam width of each `generate` call."""

    def __init__(self, model):
        self.model, self.beams = model, []

    def generate(self, *args, **kwargs):
        self.beams.append(kwargs["beam_size"])
        return self.model.generate(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.model, name)


def test_a_file_decode_searches_a_beam_and_live_decodes_are_greedy(sentences):
    model = shared_model()
    loaded = model.model
    model.model = spy = _BeamsUsed(loaded)
    try:
        final = model.recognize(sentences[1][1])
        caption = model.recognize(sentences[1][1], final=False)
        live_final = model.recognize(sentences[1][1], live=True)
    finally:
        model.model = loaded
    assert spy.beams[:3] == [5, 1, 1]  # a live final may add a beam retry if unsure
    assert words_of(final.text) == words_of(SENTENCES[1]) == words_of(live_final.text)
    assert final.words and caption.text


def test_an_unsure_file_decode_is_redone_with_a_beam_and_the_surer_kept(sentences):
    model = shared_model()
    saved = model.settings
    model.settings = replace(saved, final_beam_size=1, retry_logprob=0.0)  # all unsure
    try:
        before = model.second_decodes["unsure"]
        result = model.recognize(sentences[0][1])  # greedy first
        assert model.second_decodes["unsure"] == before + 1
        assert words_of(result.text) == words_of(SENTENCES[0]) and result.unsure
        model.recognize(sentences[0][1], live=True)  # a live final: revised by the recogniser
        model.recognize(sentences[0][1], final=False)  # a caption: never retried
        model.settings = replace(saved, final_beam_size=1, retry_logprob=-5.0)  # none unsure
        assert not model.recognize(sentences[0][1]).unsure
        assert model.second_decodes["unsure"] == before + 1
    finally:
        model.settings = saved


def test_an_unsure_live_turn_ends_at_once_and_is_heard_again_in_the_background(sentences):
    text, y = sentences[1]
    model = WhisperModel(ensure_model(), settings=DecodeSettings(retry_logprob=0.0))
    loaded = model.model
    model.model = spy = _BeamsUsed(loaded)
    recognizer = WhisperRecognizer(live=True, model=model)
    pcm = float_to_pcm16(np.concatenate([y, np.zeros(SR // 2, np.float32)]))
    for i in range(0, len(pcm), 640):
        recognizer.accept(pcm[i : i + 640])
        recognizer.wait_idle()
    greedy_decodes = len(spy.beams)
    final = recognizer.final()  # the pause's greedy decode, unsure: no second decode waited for
    assert final.unsure and words_of(final.text) == words_of(text)
    assert set(spy.beams) == {1}
    recognizer.wait_revisions(30)
    [revision] = recognizer.revisions()
    assert spy.beams[greedy_decodes:] == [5]  # heard again as a file: a beam of 5
    assert revision.utterance == 0 and words_of(revision.result.text) == words_of(text)
    assert revision.result.words[0].start_s < revision.result.words[-1].end_s <= len(y) / SR + 0.3
    assert recognizer.revisions() == []  # each revision is handed over once

    model.settings = DecodeSettings()  # Whisper sure of the turn: nothing to revise
    for i in range(0, len(pcm), 640):
        recognizer.accept(pcm[i : i + 640])
        recognizer.wait_idle()
    assert not recognizer.final().unsure
    recognizer.wait_revisions(30)
    assert recognizer.revisions() == []


def test_a_loop_up_to_the_cap_is_decoded_again_on_the_same_encoding(tmp_path):
    said = "Good morning, thank you for calling Riverside Family Practice."
    y = festival(said, tmp_path / "g.wav")
    model = shared_model()
    before = model.second_decodes.copy()
    # A (greedy) caption's first second: "Good morning. Good morning. Good morning. ..."
    texts = [model.recognize(y[: int(s * SR)], final=False).text for s in (0.8, 1.0, 1.2)]
    assert model.second_decodes["loop"] > before["loop"]
    assert model.second_decodes["loop_full"] == before["loop_full"]  # the penalty sufficed
    assert texts == ["Good morning."] * 3


def test_a_phrase_said_three_times_is_heard_in_the_full_window(tmp_path):
    path = tmp_path / "okay.wav"
    subprocess.run(
        ["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", "-o", str(path)],
        input=b"Okay, okay, okay, I understand.",
        check=True,
    )
    model = shared_model()
    before = model.second_decodes.copy()
    text = model.recognize(load_audio(path, sr=SR)[0], final=False).text
    # A greedy caption "OK OK OK I understand." ends before the cap: no penalty (it drops an "okay")
    assert model.second_decodes["loop_full"] == before["loop_full"] + 1
    assert words_of(text) == ["okay", "okay", "okay", "i", "understand"]


def test_long_files_are_cut_at_quiet_moments_and_transcribed_whole(sentences, tmp_path):
    gap = np.zeros(int(0.6 * SR), np.float32)
    parts = [np.concatenate([y, gap]) for _, y in sentences] * 6
    y = np.concatenate(parts)
    cuts = quiet_cuts(y, SR)
    bounds = [0, *cuts, len(y)]
    assert cuts and all(b - a <= MAX_PIECE_S * SR for a, b in zip(bounds, bounds[1:], strict=False))
    frame = int(0.02 * SR)
    assert all(np.max(np.abs(y[c - frame : c + frame])) < 0.01 for c in cuts)  # in a pause
    seen = []
    with make_recognizer() as recognizer:
        result = recognize_samples(recognizer, y, progress=lambda done, total: seen.append(done))
    assert len(seen) == len(cuts) + 1 and seen[-1] == pytest.approx(len(y) / SR)
    heard = " ".join(words_of(result.text))
    assert heard.count("schedule") == 6 and heard.count("appointment") == 6
    times = [w.start_s for w in result.words]
    assert times == sorted(times) and times[-1] > len(y) / SR - 4


def test_models_list_shows_every_engine_with_size_licence_and_checksum():
    choose_engine("whisper")
    result = CliRunner().invoke(cli, ["models", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["engine"]: row for row in map(json.loads, result.output.splitlines())}
    assert set(rows) == {"whisper", "pocketsphinx", "vosk"}
    whisper = rows["whisper"]
    assert whisper["size_bytes"] == 145_217_532 and whisper["licence"] == "MIT"
    assert whisper["checksum"] == "SHA-256 verified" and whisper["status"] == "installed (default)"


def weights_copy(tmp_path: Path, *, corrupt: str | None = None, drop: str | None = None) -> Path:
    """The two packages' files in one folder: links, except a corrupted or missing file."""
    import importlib.resources

    folder = tmp_path / "weights"
    folder.mkdir()
    for package in PACKAGES:
        for source in (Path(str(importlib.resources.files(package))) / "data").iterdir():
            if source.name == drop:
                continue
            if source.name == corrupt:
                data = bytearray(source.read_bytes())
                data[len(data) // 2] ^= 0xFF
                (folder / source.name).write_bytes(bytes(data))
            else:
                os.symlink(source, folder / source.name)
    return folder


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        ({"corrupt": "model.bin.part2"}, "does not match its SHA-256 pin"),
        ({"drop": "tokenizer.json"}, "tokenizer.json is missing"),
    ],
)
def test_bad_weights_fall_back_to_pocketsphinx_saying_so_once(sentences, tmp_path, damage, says):
    env = {
        SOURCE_ENV: str(weights_copy(tmp_path, **damage)),
        "VOICECOACH_CACHE_DIR": str(tmp_path / "c"),
    }
    wav = tmp_path / "speech.wav"
    write_wav(wav, sentences[0][1], SR)
    result = run_cli("transcribe", "--json", str(wav), str(wav), env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and says in warnings[0] and "pocketsphinx" in warnings[0]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["engine"] for line in lines] == ["pocketsphinx", "pocketsphinx"]
    assert "appointment" in lines[0]["text"]
    asked = run_cli("transcribe", "--engine", "whisper", str(wav), env=env)
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    assert asked.stderr.startswith("Error: ") and says in asked.stderr
    assert len(asked.stderr.strip().splitlines()) == 1


def test_a_joined_model_corrupted_later_is_named_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CACHE_DIR", str(tmp_path / "c"))
    model_bin = ensure_model() / "model.bin"
    with open(model_bin, "r+b") as f:
        f.seek(1000)
        f.write(b"\0" * 64)
    listing = run_cli("models", "list", "--json", env={})
    row = next(json.loads(line) for line in listing.stdout.splitlines() if '"whisper"' in line)
    assert row["checksum"].startswith("unusable") and str(model_bin) in row["checksum"]
    asked = run_cli("transcribe", "--engine", "whisper", "x.wav", env={})
    assert asked.returncode == 2 and str(model_bin) in asked.stderr
    assert len(asked.stderr.strip().splitlines()) == 1


def test_transcribe_draws_a_progress_bar_for_a_long_file_on_a_terminal(sentences, tmp_path):
    import pty

    gap = np.zeros(int(0.6 * SR), np.float32)
    y = np.concatenate([np.concatenate([s, gap]) for _, s in sentences] * 8)
    wav = tmp_path / "long.wav"
    write_wav(wav, y, SR)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "transcribe", str(wav)],
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**os.environ, "COLUMNS": "120"},
    )
    os.close(slave)
    drawn = b""
    while True:
        try:
            block = os.read(master, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not block:
            break
        drawn += block
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    assert proc.returncode == 0
    screen = drawn.decode(errors="replace")
    total = round(len(y) / SR)
    assert "long.wav" in screen and f"/{total}" in screen  # seconds done / seconds in all
    assert "schedule" in out.decode().lower()
