"""A turn Whisper is unsure of ends at once and is heard again in the background.

The live call answers the greedy text; the second hearing (a file's decode, a
beam of 5) replaces the turn's text in the saved transcript, and the call's
score is the score of that transcript. Every decode is made "unsure" here
(`retry_logprob=0.0`) so each turn is revised.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace

import numpy as np
import pytest

from voicecoach.asr.normalize import NormalizingRecognizer
from voicecoach.asr.whisper_engine import WhisperRecognizer, shared_model
from voicecoach.asr.whisper_model import DecodeSettings, WhisperModel
from voicecoach.asr.whisper_weights import ensure_model
from voicecoach.audio.io import float_to_pcm16, load_audio
from voicecoach.live.recognition import RecognitionStage
from voicecoach.live.scripted import run_scripted_call
from voicecoach.live.turns import TurnDetector
from voicecoach.live.vad import VadStage
from voicecoach.pipeline.messages import AudioChunk, FinalText, RevisedText, TurnEnded
from voicecoach.pipeline.stage import Pipeline
from voicecoach.scoring import load_transcript, score_transcript
from voicecoach.session.review import transcript_from_events

SR = 16000
SENTENCE = "your bill shows the same charge twice"


def chunks(y: np.ndarray) -> list[AudioChunk]:
    step = SR // 50
    return [
        AudioChunk(float_to_pcm16(y[i : i + step]), SR, t_s=i / SR)
        for i in range(0, len(y) - step + 1, step)
    ]


def test_the_stage_hands_on_a_second_hearing_of_an_ended_turn_on_the_call_clock(tmp_path):
    wav = tmp_path / "said.wav"
    subprocess.run(["text2wave", "-o", str(wav)], input=SENTENCE.encode(), check=True)
    speech, _ = load_audio(wav, sr=SR)
    y = np.concatenate([np.zeros(SR, np.float32), speech, np.zeros(3 * SR, np.float32)])
    model = WhisperModel(ensure_model(), settings=DecodeSettings(retry_logprob=0.0))
    recognizer = NormalizingRecognizer(WhisperRecognizer(live=True, model=model))
    recognition = RecognitionStage(recognizer)
    stages = Pipeline([VadStage(), recognition, TurnDetector()])
    out = []
    for chunk in chunks(y):
        out.extend(stages.process(chunk))
        recognizer.wait_idle()  # fed faster than real time: each decode in its turn
    out.extend(recognition.revisions_left(30))
    (final,) = [m for m in out if isinstance(m, FinalText)]
    (turn,) = [m for m in out if isinstance(m, TurnEnded)]
    (revised,) = [m for m in out if isinstance(m, RevisedText)]
    assert turn.parts == (final,) and out.index(turn) < out.index(revised)
    assert revised.utterance == final.utterance
    assert revised.words[0].start_s == pytest.approx(1.0, abs=0.3)  # the call's clock
    assert revised.words[-1].end_s <= 1.0 + len(speech) / SR + 0.3
    assert [w.word for w in revised.words][-3:] == ["same", "charge", "twice"]


@pytest.fixture
def every_turn_unsure():
    model = shared_model()
    saved = model.settings
    model.settings = replace(saved, retry_logprob=0.0)
    yield model
    model.settings = saved


def test_a_revised_turn_is_saved_and_scored_as_heard_the_second_time(every_turn_unsure, tmp_path):
    script = [
        "Thank you for calling, Mary. I'm listening, please tell me what happened.",
        "Thank you. So the bill shows the same charge twice for your May visit, is that right?",
    ]
    revisions_before = every_turn_unsure.second_decodes["revision"]
    result, _ = run_scripted_call("double_billing", script=script, data_dir=tmp_path)
    assert every_turn_unsure.second_decodes["revision"] >= revisions_before + 2
    folder = result.session.folder
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    revisions = [e for e in events if e.get("type") == "revision"]
    assert revisions, "Whisper's two hearings of these lines differ (on this machine)"
    saved = json.loads((folder / "transcript.json").read_text())
    for revision in revisions:
        assert saved["turns"][revision["turn"]]["text"] == revision["text"] != revision["was"]
    # A call killed before its end is rebuilt from the events: the second hearing too.
    rebuilt = transcript_from_events(events, result.session)
    assert [t["text"] for t in rebuilt["turns"]] == [t["text"] for t in saved["turns"]]
    # The saved score is the saved transcript's, not the first hearing's.
    rescored = score_transcript(load_transcript(folder / "transcript.json")).to_json()
    assert json.loads((folder / "score.json").read_text())["steps"] == rescored["steps"]
