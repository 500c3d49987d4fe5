"""Whisper base as a streaming `Recognizer`: the default, accurate English engine.

Whisper decodes whole utterances, not streams. The recogniser keeps the
utterance's audio; in live mode (`live=True`) a background thread decodes
the growing utterance every `STEP_S` of new audio and at once when the
speaker pauses, so `partial()` shows captions and, when the turn ends, the
last decode usually already covers every voiced sample: `final()` returns
it without decoding again. `accept()` reports an endpoint when the speaker
has paused and such a decode is ready. Without `live` (files), `final()`
decodes the utterance once.

Live decodes are greedy so the turn ends quickly. When Whisper is unsure of
the text that ends a turn, the turn goes on with it and the utterance is
decoded again as a file would be (a beam of 5) in the background, while the
caller answers; `revisions()` hands the better text over when it differs, for
the transcript and the call's score.

Hints (the caller's name) become Whisper's initial prompt, the "previous
text" it conditions on (after a line of front-desk words, `whisper_model`),
so "calling Priya" is spelt "Priya".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from voicecoach.asr.base import Recognition, Recognizer, Revision, Word
from voicecoach.asr.whisper_model import SAMPLE_RATE_HZ, WhisperModel

STEP_S = 0.8  # background decode after this much new audio
REST_RATIO = 1.0  # captions wait as long as the last decode took: the worker is idle at a pause
PAUSE_S = 0.1  # trailing quiet that counts as a pause (decode now; endpoint when covered)
NEAR_END_S = 0.1  # a decode missing no more than this of the voice's end covers it (revised)
TRAIL_S = 0.3  # quiet decoded after the last voiced sample (more only blurs the last word's end)
FRAME_S = 0.02
QUIET_BELOW_PEAK_DB = 30.0  # a frame this far under the utterance's loudest is quiet...
QUIET_DBFS = -55.0  # ...or under this absolute level
MAX_UTTERANCE_S = 30.0
MIN_SPEECH_S = 0.2  # voiced audio shorter than this is no word
CONTEXT_WORDS = 25  # the caller's line's last words read before the names (prompt tokens: 100)
WARM_UP_S = 5


def shared_model() -> WhisperModel:
    """The verified Whisper model, loaded once per process and folder (ModelError if unusable)."""
    from voicecoach.asr.whisper_weights import ensure_model

    return _load(ensure_model())


@lru_cache(maxsize=2)
def _load(folder: Path) -> WhisperModel:
    return WhisperModel(folder)


def hint_prompt(hints: Sequence[str]) -> str:
    """Whisper's initial prompt for names to expect: "Priya Raman, Dr. Okafor."."""
    names = [h.strip() for h in hints if h.strip()]
    return ", ".join(dict.fromkeys(names)) + "." if names else ""


def context_prompt(context: str, names: str) -> str:
    """The prompt after the front-desk words: the last `CONTEXT_WORDS` of what was said
    before (the caller's line, which the trainee answers), then the names."""
    recent = " ".join(context.split()[-CONTEXT_WORDS:])
    return f"{recent} {names}".strip()


class WhisperRecognizer(Recognizer):
    """Whisper base (CTranslate2, int8) behind the streaming interface (see module doc)."""

    name = "whisper"
    endpoint_is_state = True  # the endpoint holds while the decoded text covers the speech

    def __init__(
        self,
        *,
        sample_rate: int = SAMPLE_RATE_HZ,
        hints: Sequence[str] = (),
        live: bool = False,
        model: WhisperModel | None = None,
    ):
        self.sample_rate = sample_rate
        self.model = model or shared_model()
        self.names = hint_prompt(hints)
        self.prompt = self.names  # Whisper's prompt: `context_prompt`
        self.live = live
        self._resampler = None
        if sample_rate != SAMPLE_RATE_HZ:
            import soxr

            self._resampler = soxr.ResampleStream(sample_rate, SAMPLE_RATE_HZ, 1, dtype="float32")
        self._samples: list[np.ndarray] = []
        self._length = 0
        self._peak_db = -100.0
        self._last_voiced = 0  # samples up to the end of the last voiced frame
        self._first_voiced: int | None = None  # the first voiced frame
        self._pending = np.zeros(0, np.float32)  # samples not yet framed
        self._latest: tuple[int, Recognition] | None = None  # (samples covered, result)
        self._decoding_from = -1  # samples covered by the decode in progress, -1 when idle
        self._requested = 0
        self._changed = threading.Condition()
        self._generation = 0  # bumped by final(): late background results are dropped
        self._worker: threading.Thread | None = None
        self._idle_since = 0.0  # time.monotonic() when the last decode ended
        self._last_took_s = 0.0
        self._utterances = 0  # final() calls so far
        self._revised: list[Revision] = []  # ready, not yet handed over
        self._revising: list[threading.Thread] = []

    # --- the Recognizer contract ------------------------------------------------

    def accept(self, pcm: bytes) -> bool:
        from voicecoach.audio.io import pcm16_to_float

        y = pcm16_to_float(pcm)
        if self._resampler is not None:  # one stream: no seams between chunks
            y = self._resampler.resample_chunk(y)
        self._append(y)
        if not self.live:
            return False
        paused = self._length - self._last_voiced >= PAUSE_S * SAMPLE_RATE_HZ
        with self._changed:
            covered = self._latest[0] if self._latest else 0
            busy = self._decoding_from >= 0
            if not self._covered() and not busy:
                new_s = (self._length - max(covered, self._requested)) / SAMPLE_RATE_HZ
                rested = time.monotonic() - self._idle_since >= self._last_took_s * REST_RATIO
                if paused or (new_s >= STEP_S and rested):
                    self._start_decode(final=paused)
            return paused and self._last_voiced > 0 and self._covered()

    def partial(self) -> str:
        with self._changed:
            return self._latest[1].text if self._latest else ""

    def final(self) -> Recognition:
        with self._changed:
            while self._awaited():  # a decode in progress covers the speech: take its result
                self._changed.wait()
            self._generation += 1  # any other decode in progress is dropped
            latest = self._latest
            covered = self._covered()
            audio = self._audio()
            voiced = self._last_voiced
            first_voiced = self._first_voiced
            utterance, self._utterances = self._utterances, self._utterances + 1
            self._reset()
        if not len(audio):
            return Recognition("", ())
        if not self.live:  # files mix recordings of any level: a quiet last one is speech too
            return self._recognize(audio, 0, first_voiced, live=False)
        if first_voiced is not None and voiced - first_voiced < _samples(MIN_SPEECH_S):
            return Recognition("", ())  # a click or a cough: shorter than any word
        end = voiced + _samples(TRAIL_S) if voiced else len(audio)
        if latest is not None and covered and voiced > 0:
            result, heard_all = latest[1], latest[0] >= voiced
        else:
            result = self._recognize(audio[:end], voiced, first_voiced, live=True)
            heard_all = True
        if result.text and (result.unsure or not heard_all):
            self._revise(utterance, audio[:end], voiced, first_voiced)
        return result

    def revisions(self) -> list[Revision]:
        with self._changed:
            ready, self._revised = self._revised, []
        return ready

    def wait_revisions(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        for thread in list(self._revising):
            thread.join(max(0.0, deadline - time.monotonic()))

    def wait_idle(self) -> None:
        """Wait until no background decode runs (benches and tests that feed faster than
        real time)."""
        with self._changed:
            while self._decoding_from >= 0:
                self._changed.wait()

    def warm_up(self) -> None:
        noise = np.random.default_rng(0).normal(0, 1e-3, WARM_UP_S * SAMPLE_RATE_HZ)
        self.model.recognize(noise.astype(np.float32))

    def set_context(self, text: str) -> None:
        self.prompt = context_prompt(text, self.names)

    def close(self) -> None:
        with self._changed:
            self._generation += 1
            self._reset()

    # --- internals --------------------------------------------------------------------

    def _recognize(
        self,
        audio: np.ndarray,
        voiced: int,
        first_voiced: int | None,
        *,
        live: bool,
        final: bool = True,
        prompt: str | None = None,
    ) -> Recognition:
        """Decode `audio` (after `prompt`, default the current one); no word after the last
        voiced sample nor before the first. A `live` decode is greedy; a file's searches a
        beam if it may be `final`."""
        speech_end_s = voiced / SAMPLE_RATE_HZ if voiced else None
        result = self.model.recognize(
            audio,
            prompt=self.prompt if prompt is None else prompt,
            speech_end_s=speech_end_s,
            final=final,
            live=live,
        )
        if first_voiced is None or not result.words:
            return result
        onset_s = first_voiced / SAMPLE_RATE_HZ
        first = result.words[0]
        if first.start_s < onset_s < first.end_s:  # Whisper's first word often starts at 0
            first = Word(first.word, round(onset_s, 3), first.end_s, first.conf)
        return Recognition(result.text, (first, *result.words[1:]), result.unsure)

    def _revise(
        self, utterance: int, audio: np.ndarray, voiced: int, first_voiced: int | None
    ) -> None:
        """Decode an unsure utterance again as a file in the background, after the prompt it
        was heard with, into a `Revision` (whoever takes it compares the texts)."""
        prompt = self.prompt

        def run() -> None:
            self.model.second_decodes["revision"] += 1
            try:
                better = self._recognize(audio, voiced, first_voiced, live=False, prompt=prompt)
            except Exception:  # noqa: BLE001 - the turn keeps the text it was heard with
                return
            if better.text:
                with self._changed:
                    self._revised.append(Revision(utterance, better))

        thread = threading.Thread(target=run, name="whisper-revision", daemon=True)
        self._revising = [t for t in self._revising if t.is_alive()] + [thread]
        thread.start()

    def _append(self, y: np.ndarray) -> None:
        """Keep the samples; track the loudest frame and the end of the last voiced one."""
        self._samples.append(y)
        base = self._length - len(self._pending)
        self._length += len(y)
        pending = np.concatenate([self._pending, y])
        frame = _samples(FRAME_S)
        whole = len(pending) // frame * frame
        if whole:
            frames = pending[:whole].reshape(-1, frame).astype(np.float64)
            levels = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
            self._peak_db = max(self._peak_db, float(levels.max()))
            threshold = max(self._peak_db - QUIET_BELOW_PEAK_DB, QUIET_DBFS)
            voiced = np.flatnonzero(levels > threshold)
            if len(voiced):
                self._last_voiced = base + (int(voiced[-1]) + 1) * frame
                if self._first_voiced is None:
                    self._first_voiced = base + int(voiced[0]) * frame
        self._pending = pending[whole:]
        limit = _samples(MAX_UTTERANCE_S)
        if self._length > limit:  # keep the last 30 s: Whisper's window
            audio = self._audio()[-limit:]
            dropped = self._length - limit
            self._samples, self._length = [audio], limit
            self._last_voiced = max(0, self._last_voiced - dropped)
            self._first_voiced = 0
            self._latest, self._requested = None, 0
            self._generation += 1

    def _audio(self) -> np.ndarray:
        if len(self._samples) > 1:
            self._samples = [np.concatenate(self._samples)]
        return self._samples[0] if self._samples else np.zeros(0, np.float32)

    def _reset(self) -> None:
        self._samples, self._length, self._pending = [], 0, np.zeros(0, np.float32)
        self._peak_db, self._last_voiced, self._first_voiced = -100.0, 0, None
        self._latest, self._requested = None, 0
        if self._resampler is not None:
            self._resampler.clear()

    def _covered(self) -> bool:
        """Whether the latest result covers the speech (caller holds the lock): it decoded all
        but at most the last `NEAR_END_S` of the voiced samples (a caption begun as the voice
        was ending: the turn need not wait for a decode of the whole, which `final()` then
        makes in the background)."""
        if self._latest is None:
            return False
        return self._latest[0] >= self._last_voiced - _samples(NEAR_END_S)

    def _awaited(self) -> bool:
        """Whether the decode in progress may cover the speech the latest result does not
        (caller holds the lock)."""
        near_end = self._last_voiced - _samples(NEAR_END_S)
        return self._decoding_from >= max(0, near_end) and not self._covered()

    def _start_decode(self, *, final: bool) -> None:
        """Decode the utterance so far in the background (caller holds the lock); `final`
        when the speaker has paused (the result may end the turn), else for captions."""
        voiced = self._last_voiced  # a decode that starts late does not take the whole pause
        end = min(self._length, voiced + _samples(TRAIL_S)) if voiced else self._length
        audio = self._audio()[:end]
        self._decoding_from = self._requested = len(audio)
        generation, first_voiced = self._generation, self._first_voiced

        def run() -> None:
            started = time.monotonic()
            try:
                result = self._recognize(audio, voiced, first_voiced, live=True, final=final)
            except Exception:  # noqa: BLE001 - final() decodes again and reports a failure
                result = None
            with self._changed:
                self._idle_since = time.monotonic()
                self._last_took_s = self._idle_since - started
                if result is not None and generation == self._generation:
                    self._latest = (len(audio), result)
                self._decoding_from = -1
                self._changed.notify_all()

        self._worker = threading.Thread(target=run, name="whisper-partial", daemon=True)
        self._worker.start()


def _samples(seconds: float) -> int:
    return int(round(seconds * SAMPLE_RATE_HZ))
