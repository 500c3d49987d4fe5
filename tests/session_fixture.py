"""Realistic recorded sessions for tests and benchmarks, built without a live call.

`make_session(store, ...)` creates a session through the real store and fills
its folder in the recorder's format (docs/ARCHITECTURE.md "Sessions"): both
sides' audio (synthesised voice-like tones, one burst per word, aligned on call
time 0), `call.wav`, `events.jsonl`, `transcript.json` (contract format),
`score.json` (contract shape), `delivery.json` (tracks times_s/f0_hz/loudness_db)
and `session.json`. Reusable by anyone who needs a session folder.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import soundfile as sf

from voicecoach.session.store import SessionInfo, SessionStore

SR_HZ = 16000
WORD_S = 0.32
GAP_S = 0.08
TURN_GAP_S = 0.6
FRAME_S = 0.05

DEFAULT_TURNS: tuple[tuple[str, str], ...] = (
    ("caller", "I have been charged twice for the same visit and nobody calls me back"),
    ("trainee", "thank you for calling mary I am listening please tell me what happened"),
    ("caller", "I paid the bill in March and now there is another charge of ninety dollars"),
    ("trainee", "I can understand how frustrating that is may I ask a few questions"),
    ("caller", "fine go ahead"),
    ("trainee", "why did you not call the billing office first"),
    ("caller", "I did call them three times"),
    ("trainee", "I will personally make sure the second charge is reversed today"),
    ("caller", "okay thank you"),
)


@dataclass(frozen=True)
class MadeSession:
    """A session built by `make_session`, with the word timings tests check against."""

    info: SessionInfo
    transcript: dict
    score: dict
    duration_s: float

    @property
    def folder(self) -> Path:
        return self.info.folder

    def trainee_words(self) -> list[dict]:
        """Every trainee word with its `w`, `start`, `end` (call time, seconds)."""
        return [
            w for t in self.transcript["turns"] if t["speaker"] == "trainee" for w in t["words"]
        ]


def voice(duration_s: float, f0_hz: float, *, seed: int) -> np.ndarray:
    """A voice-like burst: a few harmonics of a wobbling f0 under a smooth envelope."""
    n = int(duration_s * SR_HZ)
    t = np.arange(n) / SR_HZ
    rng = np.random.default_rng(seed)
    f0 = f0_hz * (1 + 0.04 * np.sin(2 * np.pi * rng.uniform(2, 5) * t))
    phase = 2 * np.pi * np.cumsum(f0) / SR_HZ
    y = sum(np.sin(k * phase) / k for k in (1, 2, 3))
    envelope = np.sin(np.pi * np.clip(t / duration_s, 0, 1)) ** 0.5
    return (0.25 * envelope * y).astype(np.float32)


def _layout_turns(turns: tuple[tuple[str, str], ...], repeat: int) -> list[dict]:
    """Transcript turns with word times, `repeat` times over (for long sessions)."""
    out, clock_s = [], 0.3
    for _ in range(repeat):
        for speaker, text in turns:
            words, start_s = [], clock_s
            for word in text.split():
                words.append(
                    {
                        "w": word.lower(),
                        "start": round(clock_s, 3),
                        "end": round(clock_s + WORD_S, 3),
                        "conf": 0.92,
                    }
                )
                clock_s += WORD_S + GAP_S
            turn = {
                "speaker": speaker,
                "text": text.lower(),
                "start": round(start_s, 3),
                "end": round(clock_s - GAP_S, 3),
            }
            if speaker == "trainee":
                turn["words"] = words
            else:
                turn["_words"] = words
            out.append(turn)
            clock_s += TURN_GAP_S
    return out


def _render_side(turns: list[dict], speaker: str, duration_s: float) -> np.ndarray:
    y = np.zeros(int(duration_s * SR_HZ) + 1, dtype=np.float32)
    f0_hz = 190.0 if speaker == "trainee" else 120.0
    index = 0
    for turn in turns:
        if turn["speaker"] != speaker:
            continue
        for word in turn.get("words") or turn["_words"]:
            burst = voice(word["end"] - word["start"], f0_hz, seed=index)
            start = int(word["start"] * SR_HZ)
            y[start : start + len(burst)] = burst
            index += 1
    return y


def build_score(transcript: dict) -> dict:
    """The real scorer's verdict on the transcript (the contract's score object)."""
    from voicecoach.scoring import score_transcript, transcript_from_json

    return score_transcript(transcript_from_json(transcript)).to_json()


MOODS = (7.5, 6.0, 6.5, 4.5, 3.0, 2.5)


def write_events(path: Path, turns: list[dict], score: dict, end_s: float | None) -> None:
    """`events.jsonl` as the live call writes it (recogniser words, moods 0-10, detections)."""
    with open(path, "w", encoding="utf-8") as events:

        def emit(**record: object) -> None:
            events.write(json.dumps(record) + "\n")

        mood_index = 0
        for turn in turns:
            if turn["speaker"] == "caller":
                emit(
                    t_s=turn["start"],
                    type="caller_line",
                    text=turn["text"],
                    mood=MOODS[mood_index % len(MOODS)],
                    start_s=turn["start"],
                    end_s=turn["end"],
                    stopped=False,
                )
                continue
            words = [
                {"word": w["w"], "start_s": w["start"], "end_s": w["end"], "conf": w["conf"]}
                for w in turn["words"]
            ]
            emit(
                t_s=turn["start"],
                type="turn",
                speaker="trainee",
                text=turn["text"],
                start_s=turn["start"],
                end_s=turn["end"],
                words=words,
            )
            old = MOODS[mood_index % len(MOODS)]
            mood_index += 1
            emit(
                t_s=turn["end"],
                type="mood",
                old=old,
                new=MOODS[mood_index % len(MOODS)],
                reason="the trainee's words",
                evidence=turn["text"][:40],
            )
        for kind, section in (("step", "steps"), ("check", "checks"), ("fault", "faults")):
            for item_id, item in score[section].items():
                for ev in item["evidence"]:
                    emit(
                        t_s=ev["start"],
                        type="detection",
                        id=item_id,
                        kind=kind,
                        quote=ev["quote"],
                        turn=ev["turn"],
                    )
        if end_s is not None:
            emit(t_s=end_s, type="end", outcome="resolved")


def _turn_tracks(trainee: np.ndarray, start_s: float, end_s: float) -> dict:
    """Frame tracks of one turn in call time (what `DeliveryResult.to_json(tracks=True)` gives)."""
    frame = int(FRAME_S * SR_HZ)
    clip = trainee[int(start_s * SR_HZ) : int(end_s * SR_HZ)]
    n = len(clip) // frame
    rms = np.sqrt(np.mean(clip[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-10)
    loudness_db = np.maximum(20 * np.log10(rms), -80)
    times_s = start_s + np.arange(n) * FRAME_S
    return {
        "times_s": [round(float(t), 3) for t in times_s],
        "f0_hz": [
            round(190.0 + 8 * np.sin(t / 3), 1) if db > -40 else None
            for t, db in zip(times_s, loudness_db, strict=True)
        ],
        "loudness_db": [round(float(v), 1) for v in loudness_db],
    }


def live_delivery(trainee: np.ndarray, turns: list[dict]) -> dict:
    """`delivery.json` as the live call writes it: per-turn analyses, calm counts, tips."""
    records = []
    for index, turn in enumerate(turns):
        if turn["speaker"] != "trainee":
            continue
        tense = "why did you" in turn["text"]
        reasons = (
            [
                {
                    "feature": "speaking_rate_wpm",
                    "value": 212.0,
                    "band": [120.0, 180.0],
                    "unit": "wpm",
                    "tip": "Slow down a little: pause after each question.",
                }
            ]
            if tense
            else []
        )
        records.append(
            {
                "turn": index,
                "start_s": turn["start"],
                "end_s": turn["end"],
                "status": "ok",
                "calm": not tense,
                "tension": 0.7 if tense else 0.2,
                "reference": "population",
                "reasons": reasons,
                "problems": [],
                "features": {
                    "speaking_rate_wpm": 212.0 if tense else 150.0,
                    "f0_median_hz": 190.0,
                    "f0_spread_st": 3.5 if tense else 2.0,
                    "loudness_crest_db": 14.0 if tense else 11.0,
                },
                "tracks": _turn_tracks(trainee, turn["start"], turn["end"]),
            }
        )
    judged = [r for r in records if r["calm"] is not None]
    return {
        "turns": records,
        "judged_turns": len(judged),
        "calm_turns": sum(r["calm"] for r in judged),
        "tips": list(dict.fromkeys(x["tip"] for r in judged for x in r["reasons"])),
    }


def make_session(
    store: SessionStore,
    *,
    trainee: str = "amy",
    scenario_id: str = "double_billing",
    protocol: str = "upset_caller",
    started_at: datetime | None = None,
    turns: tuple[tuple[str, str], ...] = DEFAULT_TURNS,
    repeat: int = 1,
    finished: bool = True,
    mixed: bool = True,
    outcome: str = "resolved",
) -> MadeSession:
    """Create a session through `store` and write a complete session folder for it.

    `finished=False` leaves it as a killed call would (no call.wav, no score, index
    row unfinished); `mixed=False` drops only `call.wav`. `repeat` lengthens the call.
    """
    info = store.create_session(trainee, scenario_id, protocol, started_at=started_at)
    laid = _layout_turns(turns, repeat)
    duration_s = laid[-1]["end"] + 0.5
    trainee_y = _render_side(laid, "trainee", duration_s)
    caller_y = _render_side(laid, "caller", duration_s)
    folder = info.folder
    sf.write(folder / "trainee.wav", trainee_y, SR_HZ, subtype="PCM_16")
    sf.write(folder / "caller.wav", caller_y, SR_HZ, subtype="PCM_16")
    if mixed and finished:
        sf.write(
            folder / "call.wav", np.stack([trainee_y, caller_y], axis=1), SR_HZ, subtype="PCM_16"
        )
    transcript_turns = [{k: v for k, v in t.items() if k != "_words"} for t in laid]
    transcript = {
        "protocol": protocol,
        "caller_name": "Mary Lopez",
        "record_sensitive": True,
        "turns": transcript_turns,
    }
    score = build_score(transcript)
    write_events(folder / "events.jsonl", laid, score, duration_s if finished else None)
    if not finished:
        return MadeSession(store.get_session(info.id), transcript, score, duration_s)
    (folder / "transcript.json").write_text(json.dumps(transcript, indent=1))
    (folder / "score.json").write_text(json.dumps(score, indent=1))
    (folder / "delivery.json").write_text(json.dumps(live_delivery(trainee_y, laid)))
    info = store.finish_session(
        info.id,
        duration_s=duration_s,
        outcome=outcome,
        score=score["score"],
        verdict=score["verdict"],
        complete=True,
    )
    return MadeSession(info, transcript, score, duration_s)


@contextlib.contextmanager
def running_server(store: SessionStore, **options):
    """The replay web server on an ephemeral port in a thread, shut down afterwards."""
    from voicecoach.web.server import make_server

    server = make_server(store, port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def csrf_token_of(html: str) -> str:
    """The CSRF token a page carries in its `<meta name='csrf-token'>`."""
    return re.search(r"name='csrf-token' content='([^']*)'", html).group(1)


BETTER_TURNS: tuple[tuple[str, str], ...] = (
    ("caller", "I have been charged twice for the same visit and nobody calls me back"),
    ("trainee", "thank you for calling mary I am listening please tell me what happened"),
    ("caller", "I paid the bill in March and now there is another charge of ninety dollars"),
    ("trainee", "I can understand how frustrating that is may I ask a few questions"),
    ("caller", "fine go ahead"),
    ("trainee", "so you paid in March and see a second charge is that right"),
    ("caller", "yes that is right"),
    ("trainee", "I will personally make sure the second charge is reversed today"),
    ("caller", "okay thank you"),
    ("trainee", "will that work for you mary is there anything else I can help with"),
    ("caller", "no that is all"),
)


def make_history(store: SessionStore) -> dict[str, list[MadeSession]]:
    """Calls over two weeks: amy improving (a poor call, then better ones), bob once."""
    from datetime import timedelta, timezone

    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    amy = [
        make_session(store, trainee="amy", started_at=start),
        make_session(store, trainee="amy", started_at=start + timedelta(days=4)),
        make_session(
            store, trainee="amy", started_at=start + timedelta(days=9), turns=BETTER_TURNS
        ),
    ]
    bob = [make_session(store, trainee="bob", started_at=start + timedelta(days=6))]
    return {"amy": amy, "bob": bob}
