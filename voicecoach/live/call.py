"""The live practice call: devices, threads and recording around the pipeline stages.

Threads:
- capture: microphone chunks -> recorder (`trainee.wav`) and the inbox queue;
- main: inbox -> stages (voice activity, barge-in, recognition, turn detection);
  captions, barge-in (stops the caller), finished turns to the responder;
- responder: per turn, scoring -> delivery -> caller reaction -> synthesis ->
  playback (the caller speaker records what was played into `caller.wav`).

Everything is recorded as it happens; the call ends when the caller ends it,
on Ctrl-C, or on a recogniser/synthesiser failure (saved incomplete, with why).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from voicecoach.asr.base import Recognizer, Word
from voicecoach.audio.devices import Capture, Player
from voicecoach.delivery import DeliveryResult, analyze_speech, start_warm_up
from voicecoach.delivery.baseline import Baseline
from voicecoach.dialogue import Caller, CallerReply, Scenario
from voicecoach.errors import VoiceCoachError
from voicecoach.live.barge_in import BargeInDetector
from voicecoach.live.caller_voice import CallerVoice
from voicecoach.live.endpointing import EndpointPolicy
from voicecoach.live.recognition import RecognitionStage
from voicecoach.live.speaker import CallerSpeaker, SpokenLine
from voicecoach.live.turns import TurnDetector, joined
from voicecoach.live.vad import DEFAULT_SILENCE_MS, VadStage
from voicecoach.live.view import CallView
from voicecoach.pipeline.messages import (
    AudioChunk,
    BargeIn,
    FinalText,
    Message,
    PartialText,
    RevisedText,
    Stop,
    TurnEnded,
)
from voicecoach.pipeline.stage import Pipeline
from voicecoach.scoring import ScoreResult, Turn, TurnWord
from voicecoach.session.recorder import SAMPLE_RATE_HZ, SessionRecorder
from voicecoach.session.store import SessionInfo, SessionStore
from voicecoach.tts import Synthesizer

INCOMPLETE = "incomplete"
CHUNK_S = 0.02
FLUSH_EVERY_CHUNKS = 25  # half a second
WARM_UP_WAIT_S = 5.0
MICROPHONE_SILENT_S = 10.0  # a working microphone delivers silence too
NUDGE_AFTER_TENSE_TURNS = 2
NUDGE_GAP_S = 60.0
STAGES = (
    "endpointing",
    "queue",
    "recognition",
    "scoring",
    "delivery",
    "dialogue",
    "synthesis",
    "playback",
)
ARRIVALS_KEPT = 1000  # 20 s of chunks
REVISION_WAIT_S = 3.0  # at the end, for the recogniser's second hearing of a last turn


@dataclass
class TurnTiming:
    """Wall-clock marks (time.monotonic seconds) of one trainee turn's way to the reply.

    `speech_end` is when the chunk holding the trainee's last voiced sample was
    captured (less the silence after it in that chunk); `captured` when the
    chunk that completed the silence threshold was; `dequeued` when the
    pipeline took that chunk; `detected` when the turn left the pipeline.
    """

    speech_end: float
    captured: float
    dequeued: float
    detected: float
    scored: float = 0.0
    analysed: float = 0.0
    reacted: float = 0.0
    synthesized: float = 0.0
    first_sample: float | None = None

    def stage_ms(self) -> dict[str, float]:
        """Milliseconds spent in each stage, and the whole gap, from speech end to reply."""
        marks = [
            self.speech_end,
            self.captured,
            self.dequeued,
            self.detected,
            self.scored,
            self.analysed,
            self.reacted,
            self.synthesized,
            self.first_sample or self.synthesized,
        ]
        spans = zip(STAGES, marks, marks[1:], strict=False)
        out = {name: round(1000 * (end - begin), 1) for name, begin, end in spans}
        out["gap"] = round(1000 * (marks[-1] - marks[0]), 1)
        return out


@dataclass
class CallResult:
    """A finished (or abandoned) call and where it was saved."""

    session: SessionInfo
    outcome: str
    complete: bool
    reason: str | None
    score: dict[str, Any] | None
    delivery: dict[str, Any]
    transcript: dict[str, Any]
    mood_curve: list[float]
    turn_timings: list[TurnTiming] = field(default_factory=list)
    startup_s: float | None = None

    @property
    def timings_ms(self) -> list[dict[str, float]]:
        return [timing.stage_ms() for timing in self.turn_timings]

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session.id,
            "folder": str(self.session.folder),
            "outcome": self.outcome,
            "complete": self.complete,
            "reason": self.reason,
            "score": self.score,
            "delivery": {  # frame tracks stay in the session's delivery.json
                **self.delivery,
                "turns": [
                    {key: value for key, value in turn.items() if key != "tracks"}
                    for turn in self.delivery.get("turns", [])
                ],
            },
            "mood": self.mood_curve,
            "transcript": self.transcript,
            "timings_ms": self.timings_ms,
            "startup_s": self.startup_s,
        }


@dataclass(frozen=True)
class CallOver:
    """Internal: the caller ended the call with `outcome`."""

    outcome: str


class LiveCall:
    """One spoken call; build it with its parts, then `run()` it (blocks until it ends).

    `started_s` (time.monotonic) is when the trainee asked for the call, for the
    start-up time to the caller's first sample (default: when `run()` begins).
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        trainee: str,
        store: SessionStore,
        recognizer: Recognizer,
        synthesizer: Synthesizer,
        capture: Capture,
        player: Player,
        view: CallView | None = None,
        baseline: Baseline | None = None,
        silence_ms: int = DEFAULT_SILENCE_MS,
        seed: int = 0,
        on_caller_done: Callable[[SpokenLine, bool], None] | None = None,
        started_s: float | None = None,
    ):
        self.scenario = scenario
        self.trainee = trainee
        self.store = store
        self.capture = capture
        self.view = view or CallView()
        self.baseline = baseline
        self.on_caller_done = on_caller_done
        self.caller = Caller(scenario, seed=seed)
        self.scorer = scenario.new_scorer()
        self.voice = CallerVoice(scenario, synthesizer)
        self.player = player
        self.recognizer = recognizer
        policy = EndpointPolicy.for_silence(silence_ms)
        self.recognition = RecognitionStage(recognizer, policy=policy)
        self.pipeline = Pipeline(
            [
                VadStage(silence_ms=round(1000 * policy.short_s)),
                BargeInDetector(lambda: self.speaker is not None and self.speaker.is_playing),
                self.recognition,
                TurnDetector(sample_rate=SAMPLE_RATE_HZ),
            ]
        )
        self.recorder: SessionRecorder | None = None
        self.speaker: CallerSpeaker | None = None
        self._inbox: queue.Queue = queue.Queue()
        self._turns_in: queue.Queue = queue.Queue()
        self._stopping = threading.Event()
        self._transcript: list[Turn] = []
        self._parts: dict[int, list[FinalText]] = {}  # trainee turn's index -> its utterances
        self._revised = False  # a trainee turn was heard again after the scorer read it
        self._deliveries: list[dict[str, Any]] = []
        self._timings: list[TurnTiming] = []
        self._captured_at: deque[tuple[float, float]] = deque(maxlen=ARRIVALS_KEPT)
        self._tense_run = 0
        self._last_nudge_s = -NUDGE_GAP_S
        self._warm_up: threading.Thread | None = None
        self._started = started_s
        self._first_sample: float | None = None

    # --- running --------------------------------------------------------------

    def run(self) -> CallResult:
        """Hold the call; returns its result (also when interrupted or failed)."""
        if self._started is None:
            self._started = time.monotonic()
        self.capture.start()
        try:
            self.recorder = SessionRecorder(
                self.store,
                trainee=self.trainee,
                scenario_id=self.scenario.id,
                protocol=self.scenario.protocol,
                on_failure=lambda failure: self.stop(failure.reason),  # e.g. the disk is full
            )
        except BaseException:
            self.capture.close()
            raise
        self.speaker = CallerSpeaker(self.player, self.recorder)
        threads = [
            threading.Thread(target=self._capture_loop, name="capture", daemon=True),
            threading.Thread(target=self._respond_loop, name="responder", daemon=True),
        ]
        self.view.start(
            caller_name=self.scenario.caller.name,
            title=self.scenario.title,
            mood=self.caller.mood,
        )
        outcome, reason, error = INCOMPLETE, None, None
        try:
            for thread in threads:
                thread.start()
            self._speak_opening()
            self._start_warm_ups()
            outcome, reason = self._main_loop()
        except KeyboardInterrupt:
            reason = "interrupted (Ctrl-C)"
        except VoiceCoachError as exc:
            reason, error = str(exc), exc
        except Exception as exc:  # noqa: BLE001 - the call is saved, then the error is reported
            reason = f"{type(exc).__name__}: {exc}"
        finally:
            self._shut_down(threads)
        result = self._finish(outcome, reason)
        error = error or self.recorder.failure  # saved incomplete, then one line for the user
        if error is not None:
            raise error
        return result

    def _start_warm_ups(self) -> None:
        """Pay first-use costs while the caller's opening line plays, off the start-up path:
        delivery analysis; the recogniser's first decode, then the scorer's sentence encoder."""
        self._warm_up = start_warm_up()
        threading.Thread(target=self._warm_models, name="asr-warm-up", daemon=True).start()

    def _warm_models(self) -> None:
        """The recogniser's first decode, then the scorer's encoder (one at a time: the
        trainee may already be talking over the opening line)."""
        from voicecoach.scoring.encoder import context_encoder

        for name, warm_up in (
            ("speech recognition", self.recognizer.warm_up),
            ("the scorer's encoder", context_encoder),
        ):
            try:
                warm_up()
            except Exception as exc:  # noqa: BLE001 - a real failure shows on the first turn
                self.recorder.event("warning", text=f"warming up {name} failed: {exc}")

    def stop(self, reason: str) -> None:
        """End the call from another thread; it is saved incomplete with `reason`."""
        self._inbox.put(Stop(reason=reason))

    def _speak_opening(self) -> None:
        text = self.caller.opening()
        y, sr = self.voice.speak(text, self.caller.mood)
        self._say(text, y, sr, self.caller.mood, final=False, timing=None)
        self.voice.prepare(self.caller.mood, on_error=self._background_failed)

    def _main_loop(self) -> tuple[str, str | None]:
        while True:
            try:
                item = self._inbox.get(timeout=MICROPHONE_SILENT_S)
            except queue.Empty:
                return INCOMPLETE, (
                    f"the microphone delivered no audio for {MICROPHONE_SILENT_S:.0f} s "
                    "(unplugged or taken by another program? see `voicecoach devices`)"
                )
            if isinstance(item, CallOver):
                return item.outcome, None
            if isinstance(item, Stop):
                return INCOMPLETE, item.reason
            chunk, captured = item
            dequeued = time.monotonic()
            self._captured_at.append((chunk.t_s + chunk.duration_s, captured))
            try:
                out = self.pipeline.process(chunk)
            except Exception as exc:  # noqa: BLE001 - a broken recogniser ends the call
                return INCOMPLETE, f"speech recognition failed: {exc}"
            for message in out:
                self._route(message, captured, dequeued)

    def _route(self, message: Message, captured: float, dequeued: float) -> None:
        if isinstance(message, PartialText):
            self.view.partial(message.text)
            self.recorder.event("partial", t_s=message.t_s, text=message.text)
        elif isinstance(message, BargeIn):
            self.speaker.stop()
            self.view.barge_in()
            self.recorder.event("barge_in", t_s=message.t_s)
        elif isinstance(message, TurnEnded):
            timing = TurnTiming(
                speech_end=self._capture_time(message.end_s),
                captured=captured,
                dequeued=dequeued,
                detected=time.monotonic(),
            )
            self._turns_in.put((message, timing))
        elif isinstance(message, RevisedText):
            self._turns_in.put((message, None))  # after the turn it revises

    def _capture_time(self, call_s: float) -> float:
        """When the sample at call time `call_s` was captured (time.monotonic)."""
        for chunk_end_s, captured in self._captured_at:
            if chunk_end_s >= call_s:
                return captured - (chunk_end_s - call_s)
        return time.monotonic()

    # --- capture thread -----------------------------------------------------

    def _capture_loop(self) -> None:
        clock_s = 0.0
        for count, pcm in enumerate(self.capture, start=1):
            captured = time.monotonic()
            chunk = AudioChunk(pcm, SAMPLE_RATE_HZ, t_s=clock_s)
            clock_s += chunk.duration_s
            self.recorder.add_trainee_audio(pcm)
            self._inbox.put((chunk, captured))
            if count % FLUSH_EVERY_CHUNKS == 0:
                self.recorder.flush()
        if not self._stopping.is_set():
            self._inbox.put(Stop(reason="the microphone stopped delivering audio"))

    # --- responder thread ---------------------------------------------------

    def _respond_loop(self) -> None:
        while (item := self._turns_in.get()) is not None:
            turn, timing = item
            if isinstance(turn, RevisedText):
                self._revise(turn)
                continue
            try:
                self._respond(turn, timing)
            except Exception as exc:  # noqa: BLE001 - saved incomplete with the reason
                self._inbox.put(Stop(reason=f"the caller could not answer: {exc}"))
                return

    def _respond(self, turn: TurnEnded, timing: TurnTiming) -> None:
        self.view.trainee_turn(turn.text)
        trainee_turn = Turn(
            "trainee",
            turn.text,
            round(turn.start_s, 3),
            round(turn.end_s, 3),
            _turn_words(turn.words),
        )
        self._transcript.append(trainee_turn)
        self._parts[len(self._transcript) - 1] = list(turn.parts)
        self.recorder.event(
            "turn",
            t_s=turn.start_s,
            speaker="trainee",
            text=turn.text,
            start_s=round(turn.start_s, 3),
            end_s=round(turn.end_s, 3),
            words=[w.to_json() for w in turn.words],
        )
        update = self.scorer.add_turn(trainee_turn)
        timing.scored = time.monotonic()
        for detection in update.detections:
            self.recorder.event(
                "detection",
                t_s=detection.start_s if detection.start_s is not None else turn.start_s,
                id=detection.id,
                kind=detection.kind,
                quote=detection.quote,
                turn=detection.turn_index,
            )
        delivery = self._analyse(turn)
        timing.analysed = time.monotonic()
        reply = self.caller.react(update, delivery, turn.text)
        timing.reacted = time.monotonic()
        self._log_mood(reply, turn.end_s)
        y, sr = self.voice.speak(reply.text, reply.mood)
        timing.synthesized = time.monotonic()
        self._say(reply.text, y, sr, reply.mood, final=reply.outcome is not None, timing=timing)

    def _revise(self, revision: RevisedText) -> None:
        """Put the recogniser's second hearing of an utterance into its trainee turn."""
        found = next(
            (
                (index, k)
                for index, parts in self._parts.items()
                for k, part in enumerate(parts)
                if part.utterance == revision.utterance
            ),
            None,
        )
        if found is None:
            return
        index, k = found
        parts = self._parts[index]
        if parts[k].text == revision.text:
            return  # heard alike: the words keep their first times
        parts[k] = FinalText(revision.text, revision.words, revision.utterance)
        text, words = joined(parts)
        old = self._transcript[index]
        self._transcript[index] = Turn("trainee", text, old.start, old.end, _turn_words(words))
        self._revised = True
        self.recorder.event(
            "revision",
            t_s=old.start,
            turn=index,
            start_s=old.start,
            was=old.text,
            text=text,
            words=[w.to_json() for w in words],
        )

    def _analyse(self, turn: TurnEnded) -> DeliveryResult | None:
        if self._warm_up is not None and self._warm_up.is_alive():
            self._warm_up.join(WARM_UP_WAIT_S)
        try:
            result = analyze_speech(
                turn.audio,
                turn.sample_rate,
                words=turn.words,
                baseline=self.baseline,
                t0_s=turn.start_s,
            )
        except Exception as exc:  # noqa: BLE001 - delivery is advice; the call goes on
            self.recorder.event("delivery", t_s=turn.end_s, error=str(exc))
            return None
        summary = result.to_json(tracks=True)
        tracks = summary.pop("tracks")  # for the replay's plots; too bulky for the event log
        record = {
            "turn": len(self._transcript) - 1,
            "start_s": round(turn.start_s, 3),
            "end_s": round(turn.end_s, 3),
            **summary,
        }
        self._deliveries.append({**record, "tracks": tracks})
        self.recorder.event("delivery", t_s=turn.end_s, **record)
        self._maybe_nudge(result, turn.end_s)
        return result

    def _maybe_nudge(self, result: DeliveryResult, t_s: float) -> None:
        """A tip on screen only after repeated tense turns, and at most once a minute."""
        if result.calm is None:
            return
        self._tense_run = 0 if result.calm else self._tense_run + 1
        if (
            self._tense_run >= NUDGE_AFTER_TENSE_TURNS
            and result.reasons
            and t_s - self._last_nudge_s >= NUDGE_GAP_S
        ):
            self._last_nudge_s = t_s
            self.view.nudge(result.reasons[0].tip)
            self.recorder.event("nudge", t_s=t_s, tip=result.reasons[0].tip)

    def _log_mood(self, reply: CallerReply, t_s: float) -> None:
        for change in reply.mood_changes:
            self.view.mood_change(change.old, change.new, change.reason)
            self.recorder.event("mood", t_s=t_s, **change.to_json())

    def _say(self, text, y, sr, mood: float, *, final: bool, timing: TurnTiming | None) -> None:
        caller_turn = Turn("caller", text)
        self._transcript.append(caller_turn)
        index = len(self._transcript) - 1
        self.scorer.add_turn(caller_turn)

        def done(line: SpokenLine) -> None:
            self._transcript[index] = Turn("caller", text, line.start_s, line.end_s)
            self.recorder.event(
                "caller_line",
                t_s=line.start_s,
                text=text,
                mood=mood,
                start_s=line.start_s,
                end_s=line.end_s,
                stopped=line.stopped,
            )
            if self._first_sample is None:
                self._first_sample = line.first_sample_wall_s
            if timing is not None:
                timing.first_sample = line.first_sample_wall_s
                self._timings.append(timing)
            if self.on_caller_done is not None:
                self.on_caller_done(line, final)
            if final:
                self._inbox.put(CallOver(self.caller.outcome or INCOMPLETE))

        self.recognizer.set_context(text)  # the trainee's next words likely answer it
        self.view.caller_line(text, mood)
        self.speaker.say(text, y, sr, mood=mood, on_done=done)

    def _background_failed(self, exc: Exception) -> None:
        self.recorder.event("warning", text=f"preparing caller lines failed: {exc}")

    # --- ending -------------------------------------------------------------

    def _shut_down(self, threads: list[threading.Thread]) -> None:
        self._stopping.set()
        self.view.close()
        self.voice.close()
        self.capture.close()
        if self.speaker is not None:
            self.speaker.stop()
            self.speaker.wait(2.0)
        self._turns_in.put(None)
        for thread in threads:
            if thread.is_alive():
                thread.join(5.0)

    def _score(self) -> ScoreResult:
        """The call's score: the live scorer's, or the transcript's scored again when a turn
        was heard better after the scorer read it."""
        if not self._revised:
            return self.scorer.result()
        scorer = self.scenario.new_scorer()
        for turn in self._transcript:
            scorer.add_turn(turn)
        return scorer.result()

    def _finish(self, outcome: str, reason: str | None) -> CallResult:
        complete = reason is None and outcome != INCOMPLETE
        if not complete and reason is None:
            reason = "the call ended before the caller did"
        for revision in self.recognition.revisions_left(REVISION_WAIT_S):
            self._revise(revision)
        transcript = self.scenario.transcript_json(self._transcript)
        score = self._score().to_json()
        delivery = summarise_delivery(self._deliveries)
        info = self.recorder.finish(
            outcome=outcome,
            complete=complete,
            reason=reason,
            transcript=transcript,
            score=score,
            delivery=delivery,
        )
        return CallResult(
            session=info,
            outcome=outcome,
            complete=complete,
            reason=reason,
            score=score,
            delivery=delivery,
            transcript=transcript,
            mood_curve=list(self.caller.mood_curve),
            turn_timings=list(self._timings),
            startup_s=(
                round(self._first_sample - self._started, 3) if self._first_sample else None
            ),
        )


def _turn_words(words: tuple[Word, ...]) -> tuple[TurnWord, ...]:
    return tuple(TurnWord(w.word, w.start_s, w.end_s, round(w.conf, 3)) for w in words)


def summarise_delivery(turns: list[dict[str, Any]]) -> dict[str, Any]:
    """`delivery.json`: each turn's analysis plus how many were calm and the tips to keep."""
    judged = [t for t in turns if t.get("calm") is not None]
    tips = [reason["tip"] for t in judged if not t["calm"] for reason in t.get("reasons", [])]
    references = {t["reference_title"] for t in judged if t.get("reference_title")}
    return {
        "turns": turns,
        "reference_title": ", ".join(sorted(references)) or None,
        "judged_turns": len(judged),
        "calm_turns": sum(1 for t in judged if t["calm"]),
        "tips": list(dict.fromkeys(tips)),
    }
