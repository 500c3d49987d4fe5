"""pocketsphinx: the embedded English recogniser that needs no download.

The decoder uses pocketsphinx's stock US English acoustic model with the stock
English language model interpolated with VoiceCoach's front-desk model
(`language_model.py`, `sphinx_lm.py`), plus a few front-desk words missing from
CMUdict. Recognition hints (the caller's names, `hints.py`) are added to the
dictionary and to the front-desk model's name slots; a decoder with hints is
pooled apart from one without. Endpoints come from pocketsphinx's voice-activity `Endpointer`.

Creating a decoder costs about half a second, so decoders are pooled: a
recogniser borrows one and gives it back on `close()` (or when garbage
collected), and the next recogniser with the same settings starts instantly.
A pooled decoder keeps its cepstral mean normalisation (CMN), as pocketsphinx
does over a continuous stream: it stays adapted to the microphone across the
utterances of a call. A fresh decoder starts from a generic estimate, which
costs words until it adapts (0.283 instead of 0.224 WER on real speech), so
`prime(pcm)` first runs the audio through the feature front end only (with a
one-word keyphrase search, about 3% of real time) to adapt the CMN to it:
file transcription primes with the whole file, a live call can prime with
the trainee's first seconds or calibration recording.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecoach.asr.base import Recognition, Recognizer, Word, join_words
from voicecoach.asr.hints import hint_words, letter_to_sound, name_fillers
from voicecoach.asr.language_model import ARPA_PATH, FRONTDESK_DIR, hinted_arpa
from voicecoach.paths import cache_dir

ENGINE_RATE_HZ = 16000
FRAMES_PER_S = 100
EXTRA_DICT_PATH = FRONTDESK_DIR / "extra.dict"
MAX_IDLE_DECODERS = 2
CMN_PROBE_SEARCH = "cmn_probe"  # a cheap search to run priming audio through
CMN_PROBE_PHRASE = "oh"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SphinxSettings:
    """Decoder settings; the defaults are what `transcribe` and the live call use."""

    frontdesk_weight: float = 0.5  # interpolation weight of the front-desk LM (0 = stock LM)
    fwdflat: bool = True  # second pass over the utterance at final(): ~0.1 s, fewer errors
    max_hmms_per_frame: int = 3000  # stock 30000; same WER on our benchmarks, ~40% less CPU
    hints: tuple[tuple[str, ...], ...] = ()  # normalised name phrases (`hints.normalize_hints`)

    def decoder_options(self) -> dict:
        return {
            "fwdflat": self.fwdflat,
            "maxhmmpf": self.max_hmms_per_frame,
            "samprate": ENGINE_RATE_HZ,
            "loglevel": "FATAL",
        }


DEFAULT_SETTINGS = SphinxSettings()
STOCK_SETTINGS = SphinxSettings(frontdesk_weight=0.0, max_hmms_per_frame=30000)


def _new_decoder(settings: SphinxSettings):
    """A decoder configured for `settings` (the slow part: loads the models)."""
    import pocketsphinx

    from voicecoach.asr.sphinx_lm import mix_frontdesk_lm

    stock_lm = Path(pocketsphinx.get_model_path("en-us/en-us.lm.bin"))
    decoder = pocketsphinx.Decoder(lm=None, **settings.decoder_options())
    for line in EXTRA_DICT_PATH.read_text(encoding="utf-8").splitlines():
        word, _, phones = line.partition(" ")
        if phones and decoder.lookup_word(word) is None:
            decoder.add_word(word, phones.strip(), False)
    for word in hint_words(settings.hints):
        if decoder.lookup_word(word) is None:
            decoder.add_word(word, letter_to_sound(word), False)
    decoder.add_keyphrase(CMN_PROBE_SEARCH, CMN_PROBE_PHRASE)
    mixed = settings.frontdesk_weight > 0
    frontdesk_lm = ARPA_PATH
    if settings.hints:
        frontdesk_lm = hinted_arpa(name_fillers(settings.hints), cache_dir() / "asr")
    if mixed and mix_frontdesk_lm(decoder, stock_lm, frontdesk_lm, settings.frontdesk_weight):
        return decoder
    if mixed:
        log.warning("this pocketsphinx build cannot mix language models; using its stock model")
    decoder.add_lm_file("_default", str(stock_lm))
    decoder.activate_search("_default")
    return decoder


def adapt_cmn(decoder, pcm: bytes) -> None:
    """Move the decoder's CMN towards the mean cepstrum of `pcm` (16 kHz), decoding nothing.

    The audio goes through the feature front end with the keyphrase probe as
    the search (the language-model search would cost a full decode). Must be
    called between utterances.
    """
    search = decoder.current_search()
    decoder.activate_search(CMN_PROBE_SEARCH)
    try:
        decoder.start_utt()
        decoder.process_raw(pcm, True, False)
        decoder.end_utt()  # updates the CMN from the utterance's frames
    finally:
        decoder.activate_search(search)


class _DecoderPool:
    """Idle decoders kept per settings so recognisers after the first start at once."""

    def __init__(self) -> None:
        self._idle: dict[SphinxSettings, list] = {}
        self._lock = threading.Lock()

    def acquire(self, settings: SphinxSettings):
        with self._lock:
            idle = self._idle.get(settings)
            if idle:
                return idle.pop()
        return _new_decoder(settings)

    def release(self, settings: SphinxSettings, decoder) -> None:
        with contextlib.suppress(RuntimeError):  # not in an utterance
            decoder.end_utt()
        with self._lock:
            idle = self._idle.setdefault(settings, [])
            if len(idle) < MAX_IDLE_DECODERS:
                idle.append(decoder)

    def reset_adaptation(self) -> None:
        with self._lock:
            for decoder in (d for idle in self._idle.values() for d in idle):
                decoder.set_cmn(decoder.config["cmninit"])


_POOL = _DecoderPool()


def reset_adaptation() -> None:
    """Make idle pooled decoders forget their CMN, as if new (benchmarks of a cold start)."""
    _POOL.reset_adaptation()


def warm_up(settings: SphinxSettings = DEFAULT_SETTINGS) -> None:
    """Load a decoder into the pool ahead of time (off the live path)."""
    _POOL.release(settings, _POOL.acquire(settings))


class SphinxRecognizer(Recognizer):
    """Streaming pocketsphinx recogniser for 16-bit mono PCM at `sample_rate` Hz."""

    name = "pocketsphinx"

    def __init__(
        self, *, sample_rate: int = ENGINE_RATE_HZ, settings: SphinxSettings = DEFAULT_SETTINGS
    ):
        from pocketsphinx import Endpointer

        self.sample_rate = sample_rate
        self._decoder = _POOL.acquire(settings)
        self._release = weakref.finalize(self, _POOL.release, settings, self._decoder)
        self._resampler = None
        if sample_rate != ENGINE_RATE_HZ:
            import soxr

            self._resampler = soxr.ResampleStream(sample_rate, ENGINE_RATE_HZ, 1, dtype="int16")
        self._endpointer = Endpointer(sample_rate=ENGINE_RATE_HZ)
        self._pending = bytearray()  # PCM waiting for a whole endpointer frame
        self._in_speech = False
        self._decoder.start_utt()

    def accept(self, pcm: bytes) -> bool:
        if self._resampler is not None:
            samples = np.frombuffer(pcm, dtype="<i2")
            pcm = self._resampler.resample_chunk(samples).astype("<i2").tobytes()
        if not pcm:
            return False
        self._decoder.process_raw(pcm, False, False)
        return self._speech_ended(pcm)

    def _speech_ended(self, pcm: bytes) -> bool:
        """Run the endpointer; True when speech has just turned into silence."""
        self._pending += pcm
        frame_bytes = self._endpointer.frame_bytes
        ended = False
        while len(self._pending) >= frame_bytes:
            self._endpointer.process(bytes(self._pending[:frame_bytes]))
            del self._pending[:frame_bytes]
            in_speech = self._endpointer.in_speech
            ended = ended or (self._in_speech and not in_speech)
            self._in_speech = in_speech
        return ended

    def prime(self, pcm: bytes) -> None:
        """Adapt the CMN to `pcm` (PCM at `sample_rate`); call it between utterances."""
        if self.sample_rate != ENGINE_RATE_HZ:
            import soxr

            samples = np.frombuffer(pcm, dtype="<i2")
            pcm = soxr.resample(samples, self.sample_rate, ENGINE_RATE_HZ).astype("<i2").tobytes()
        if not pcm:
            return
        self._decoder.end_utt()
        adapt_cmn(self._decoder, pcm)
        self._decoder.start_utt()

    def partial(self) -> str:
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp else ""

    def final(self) -> Recognition:
        self._decoder.end_utt()
        words = tuple(
            Word(
                word=_base_word(seg.word),
                start_s=round(seg.start_frame / FRAMES_PER_S, 3),
                end_s=round((seg.end_frame + 1) / FRAMES_PER_S, 3),
                conf=round(min(1.0, max(0.0, seg.prob)), 3),
            )
            for seg in self._decoder.seg() or ()
            if not _is_filler(seg.word)
        )
        self._decoder.start_utt()
        return Recognition(text=join_words(words), words=words)

    def close(self) -> None:
        self._release()


def _is_filler(token: str) -> bool:
    """Silence, sentence markers and noise tokens (`<sil>`, `<s>`, `[NOISE]`, `(NULL)`)."""
    return token[:1] in "<[(" or not token


def _base_word(token: str) -> str:
    """`your(2)` (an alternate pronunciation) -> `your`."""
    return token.split("(", 1)[0]


if __name__ == "__main__":
    import sys

    from voicecoach.audio.io import float_to_pcm16, load_audio

    y, sr = load_audio(sys.argv[1])
    with SphinxRecognizer() as recognizer:
        pcm = float_to_pcm16(y)
        for start in range(0, len(pcm), 3200):
            if recognizer.accept(pcm[start : start + 3200]):
                print("endpoint:", recognizer.partial())
        for word in recognizer.final().words:
            print(f"{word.start_s:7.2f} {word.end_s:7.2f} {word.conf:.2f} {word.word}")
