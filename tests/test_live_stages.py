"""The live call's stages alone, fed with festival speech and silence from files.

The recogniser is the default one (Whisper, live mode: it decodes in the
background while audio arrives), so audio is fed at the microphone's pace.
"""

from __future__ import annotations

import subprocess
import time

import numpy as np
import pytest

from voicecoach.asr.base import Recognizer
from voicecoach.audio.io import float_to_pcm16, load_audio
from voicecoach.live.barge_in import BargeInDetector
from voicecoach.live.endpointing import SHORT_S, EndpointPolicy
from voicecoach.live.recognition import RecognitionStage
from voicecoach.live.turns import TurnDetector
from voicecoach.live.vad import SpeechEnded, SpeechResumed, VadStage
from voicecoach.pipeline.messages import (
    AudioChunk,
    BargeIn,
    FinalText,
    PartialText,
    SpeechStarted,
    TurnEnded,
)
from voicecoach.pipeline.stage import Pipeline, run_stage

SR = 16000
CHUNK_S = 0.02
SENTENCE = "thank you for calling i am listening"


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> np.ndarray:
    """A festival recording of SENTENCE at 16 kHz with its leading/trailing silence trimmed."""
    wav = tmp_path_factory.mktemp("speech") / "sentence.wav"
    subprocess.run(
        ["text2wave", "-o", str(wav)], input=SENTENCE.encode(), check=True, capture_output=True
    )
    y, _ = load_audio(wav, sr=SR)
    voiced = np.flatnonzero(np.abs(y) > 0.02)
    return y[voiced[0] : voiced[-1] + 1]


def chunks(y: np.ndarray, *, noise_db: float = -70.0, seed: int = 0) -> list[AudioChunk]:
    """The signal plus faint background noise, cut into 20 ms chunks on the call clock."""
    rng = np.random.default_rng(seed)
    y = y + rng.normal(0, 10 ** (noise_db / 20), len(y)).astype(np.float32)
    step = int(CHUNK_S * SR)
    return [
        AudioChunk(float_to_pcm16(y[i : i + step]), SR, t_s=i / SR)
        for i in range(0, len(y) - step + 1, step)
    ]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), np.float32)


def run_paced(stage, messages: list[AudioChunk]) -> list:
    """`run_stage`, but each chunk arrives when a microphone would deliver it."""
    started = time.monotonic()
    out = []
    for chunk in messages:
        time.sleep(max(0.0, started + chunk.t_s + chunk.duration_s - time.monotonic()))
        out.extend(stage.process(chunk))
    return [*out, *stage.close()]


def festival(text: str, folder) -> np.ndarray:
    wav = folder / "said.wav"
    subprocess.run(["text2wave", "-o", str(wav)], input=text.encode(), check=True)
    y, _ = load_audio(wav, sr=SR)
    voiced = np.flatnonzero(np.abs(y) > 0.02)
    return y[voiced[0] : voiced[-1] + 1]


def test_vad_marks_speech_start_and_end_at_the_right_times(speech):
    y = np.concatenate([silence(1.0), speech, silence(1.0)])
    out = run_stage(VadStage(silence_ms=500), chunks(y))
    started = [m for m in out if isinstance(m, SpeechStarted)]
    ended = [m for m in out if isinstance(m, SpeechEnded)]
    speech_end_s = 1.0 + len(speech) / SR
    assert len(started) == 1 and started[0].t_s == pytest.approx(1.0, abs=0.05)
    assert len(ended) == 1
    assert ended[0].end_s == pytest.approx(speech_end_s, abs=0.05)
    # Announced once the trainee has been silent for the threshold, not before.
    assert ended[0].t_s == pytest.approx(ended[0].end_s + 0.5, abs=0.03)
    assert sum(isinstance(m, AudioChunk) for m in out) == len(chunks(y))


def test_vad_learns_a_steady_background_noise_and_ignores_it():
    hum = 0.03 * np.sin(2 * np.pi * 120 * np.arange(3 * SR) / SR).astype(np.float32)
    out = run_stage(VadStage(silence_ms=500), chunks(hum))
    # Only the very start, before the floor is learned, may count as speech.
    assert [m.t_s for m in out if isinstance(m, SpeechStarted)] in ([], [0.0])


def test_a_pause_shorter_than_the_threshold_keeps_one_turn(speech):
    y = np.concatenate([silence(0.5), speech, silence(0.3), speech, silence(0.8)])
    out = run_stage(VadStage(silence_ms=500), chunks(y))
    assert sum(isinstance(m, SpeechEnded) for m in out) == 1
    out = run_stage(VadStage(silence_ms=200), chunks(y))
    assert sum(isinstance(m, SpeechEnded) for m in out) == 2


def test_speech_while_the_caller_plays_is_a_barge_in(speech):
    y = np.concatenate([silence(0.5), speech, silence(0.8)])
    caller_playing = True
    stage = Pipeline([VadStage(), BargeInDetector(lambda: caller_playing)])
    out = run_stage(stage, chunks(y))
    barge_ins = [m for m in out if isinstance(m, BargeIn)]
    assert len(barge_ins) == 1 and barge_ins[0].t_s == pytest.approx(0.5, abs=0.05)
    caller_playing = False
    stage = Pipeline([VadStage(), BargeInDetector(lambda: caller_playing)])
    assert not any(isinstance(m, BargeIn) for m in run_stage(stage, chunks(y)))


@pytest.fixture(scope="module")
def recognizer():
    from voicecoach.asr.select import make_recognizer

    recognizer = make_recognizer(live=True)
    recognizer.warm_up()
    return recognizer


def test_speech_and_silence_become_one_turn_with_text_words_times_and_audio(speech, recognizer):
    y = np.concatenate([silence(1.0), speech, silence(1.0)])
    stages = Pipeline([VadStage(), RecognitionStage(recognizer), TurnDetector()])
    out = run_paced(stages, chunks(y))
    (turn,) = [m for m in out if isinstance(m, TurnEnded)]
    assert turn.text.lower().startswith("thank you for calling")
    assert "listening" in turn.text
    speech_end_s = 1.0 + len(speech) / SR
    assert turn.start_s == pytest.approx(1.0, abs=0.1)
    assert turn.end_s == pytest.approx(speech_end_s, abs=0.1)
    # Word times are on the call clock, inside the spoken span.
    assert turn.words[0].word == "thank"  # timed words are lower case, the text keeps capitals
    assert turn.words[0].start_s == pytest.approx(1.0, abs=0.3)
    assert turn.words[-1].end_s == pytest.approx(speech_end_s, abs=0.3)
    assert len(turn.audio) / SR == pytest.approx(turn.end_s - turn.start_s, abs=0.03)
    partials = [m for m in out if isinstance(m, PartialText)]
    assert len(partials) >= 2 and all(p.t_s <= turn.t_s for p in partials)
    assert partials[0].t_s < speech_end_s  # captions while the trainee speaks
    # The turn ends at the 500 ms silence, or at most the endpoint wait later.
    assert speech_end_s + 0.5 - 0.03 <= turn.t_s <= speech_end_s + 0.5 + 0.3 + 0.03
    # One final result for the whole turn, just before the turn ended.
    (final,) = [m for m in out if isinstance(m, FinalText)]
    assert out.index(final) < out.index(turn) and final.text == turn.text


class NoEndpoint(Recognizer):
    """The real recogniser, except that it never reports an endpoint of its own."""

    def __init__(self, real: Recognizer):
        self.real = real

    def accept(self, pcm: bytes) -> bool:
        self.real.accept(pcm)
        return False

    def partial(self) -> str:
        return self.real.partial()

    def final(self):
        return self.real.final()


def test_the_turn_waits_for_the_recogniser_endpoint_but_not_forever(speech, recognizer):
    y = np.concatenate([silence(1.0), speech, silence(1.5)])
    stages = [VadStage(), RecognitionStage(NoEndpoint(recognizer), max_wait_s=0.4), TurnDetector()]
    (turn,) = [m for m in run_paced(Pipeline(stages), chunks(y)) if isinstance(m, TurnEnded)]
    assert turn.t_s == pytest.approx(1.0 + len(speech) / SR + 0.5 + 0.4, abs=0.05)
    assert turn.end_s == pytest.approx(1.0 + len(speech) / SR, abs=0.1)


def test_speech_resumed_after_a_pause_joins_the_same_turn(speech, recognizer):
    y = np.concatenate([silence(0.5), speech, silence(0.35), speech, silence(0.8)])
    stages = Pipeline([VadStage(), RecognitionStage(recognizer), TurnDetector()])
    out = run_paced(stages, chunks(y))
    assert sum(isinstance(m, SpeechResumed) for m in out) == 1
    assert sum(isinstance(m, FinalText) for m in out) == 1
    (turn,) = [m for m in out if isinstance(m, TurnEnded)]
    assert turn.text.count("listening") == 2
    assert turn.start_s == pytest.approx(0.5, abs=0.1)
    assert turn.end_s == pytest.approx(len(y) / SR - 0.8, abs=0.1)


def test_two_turns_are_kept_apart_and_noise_alone_ends_no_turn(speech, recognizer):
    click = np.zeros(int(0.1 * SR), np.float32)
    click[::40] = 0.9
    y = np.concatenate(
        [silence(0.5), speech, silence(1.0), click, silence(1.0), speech, silence(1.0)]
    )
    stages = Pipeline([VadStage(), RecognitionStage(recognizer), TurnDetector()])
    out = run_paced(stages, chunks(y))
    turns = [m for m in out if isinstance(m, TurnEnded)]
    assert len(turns) == 2
    assert all("listening" in t.text for t in turns)
    assert turns[1].start_s > turns[0].end_s + 2.0


@pytest.mark.parametrize(
    ("text", "silence_s"),
    [
        ("I can help you with that.", SHORT_S),  # a complete sentence: end sooner
        ("Could you tell me what happened?", SHORT_S),
        ("Thank you.", 0.5),  # a short opener: the trainee often goes on
        ("Right. Let me pull up your account.", SHORT_S),
        ("I can check that and", 1.2),  # more is coming: wait longer
        ("so um", 1.2),
        ("let me see...", 0.5),  # trailing off: the plain threshold
        ("thank you for calling i am listening", 0.5),  # no punctuation (pocketsphinx)
    ],
)
def test_the_pause_that_ends_a_turn_follows_what_was_said(text, silence_s):
    assert EndpointPolicy().silence_needed_s(text) == silence_s
    assert EndpointPolicy.for_silence(800).silence_needed_s("That is all fine.") == SHORT_S
    assert EndpointPolicy.for_silence(200).silence_needed_s("That is all fine.") == 0.2


def test_a_turn_ending_on_and_waits_longer_than_a_finished_sentence(recognizer, tmp_path):
    policy = EndpointPolicy.for_silence(500)
    waits = {}
    for text in ("i can check that for you", "i can check that for you and"):
        said = festival(text, tmp_path)
        y = np.concatenate([silence(0.5), said, silence(2.0)])
        stages = [VadStage(silence_ms=300), RecognitionStage(recognizer, policy=policy)]
        out = run_paced(Pipeline([*stages, TurnDetector()]), chunks(y))
        (turn,) = [m for m in out if isinstance(m, TurnEnded)]
        waits[text] = turn.t_s - turn.end_s
    finished, unfinished = waits.values()
    assert SHORT_S - 0.03 <= finished <= 0.5 + 0.3 + 0.03
    assert 1.2 - 0.03 <= unfinished <= 1.2 + 0.3 + 0.03  # the long wait (plus the endpoint's)
