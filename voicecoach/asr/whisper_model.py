"""Whisper base through CTranslate2: log-mel features, short-window decoding, word alignment.

faster-whisper pads every call to a 30 s window, so a 1.5 s turn costs as
much as a 30 s one. Here the encoder sees the turn's real frames plus
`PAD_S` of silence (1.5 s -> about 130 ms, 6 s -> about 400 ms on two
cores); decoding is greedy, without timestamps, capped at `TOKENS_PER_S`
tokens per second of audio. Short windows sometimes loop ("in 1813 in
1813..."): a result that repeats a phrase up to the token cap is decoded
again on the same encoding with a repetition penalty (`LOOP_PENALTY`, a
fraction of a decode's cost); one that still loops, or that repeats a phrase
and then ends (a real "OK OK OK" too), is decoded again in the full 30 s
window (several times a short decode's cost). A result that only hits the
cap (Whisper going on after a final "and...") is kept: the words aligned
past the speech are dropped, and speech left unheard is decoded on its own.
Word times come from CTranslate2's cross-attention alignment of the decoded
tokens on the same encoder output (`align`); a word's confidence is the mean
probability of its tokens.

Every decode reads a short front-desk prompt before the scenario's names
(`frontdesk/whisper_prompt.txt`). A file's decode searches with a beam of
`FINAL_BEAM_SIZE`. In a live call, captions of speech still going on and the
decodes that may end the turn (at a pause, the turn's end) are greedy
(`LIVE_FINAL_BEAM_SIZE`: the turn ends sooner) and never decoded twice for doubt:
a result whose mean token log-probability is under `RETRY_LOGPROB` says it is
`unsure`, and the live recogniser decodes it again as a file in the background
(`whisper_engine`). A file's final decode under `RETRY_LOGPROB` is decoded again
with a wider `retry_beam_size` beam on the same encoder output, the surer of the
two kept (`DecodeSettings`; no retry when the first beam is as wide, as with
`FINAL_BEAM_SIZE`).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from voicecoach.asr.base import Recognition, Word
from voicecoach.errors import ModelError

SAMPLE_RATE_HZ = 16000
N_FFT = 400
HOP = 160
N_MELS = 80
FRAMES_PER_S = SAMPLE_RATE_HZ // HOP  # mel frames; the encoder halves them
FULL_WINDOW_FRAMES = 3000  # Whisper's native 30 s
PAD_S = 3.0
TOKENS_PER_S = 8.0
MIN_TOKENS = 12
MAX_TOKENS = 224  # CTranslate2 generates at most half of Whisper's 448-token context
TEXT_CONTEXT = 448
DOMAIN_PROMPT_FILE = Path(__file__).with_name("frontdesk") / "whisper_prompt.txt"
PROMPT_TOKENS = 100  # the prompt's last tokens kept (names last, so they stay)
MAX_PROMPT_WORDS = 40  # with the names, well inside PROMPT_TOKENS
REPEAT_LIMIT = 3  # a phrase said this many times in a row is a decoding loop
LOOP_PENALTY = 1.1  # a loop up to the cap is decoded again with this repetition penalty
NO_SPEECH_PROB = 0.6  # Whisper's own silence rule: no-speech probability above this...
NO_SPEECH_LOGPROB = -1.0  # ...and mean token log-probability below this
FINAL_BEAM_SIZE = 5  # a file's decode (docs/asr-benchmarks.md: chosen on dev)
LIVE_FINAL_BEAM_SIZE = 1  # a live decode that may end the turn (docs/asr.md: the turn gap)
RETRY_LOGPROB = -0.25  # a decode less sure than this is unsure: a file's is tried again wider...
RETRY_BEAM_SIZE = 5  # ...this wide, if wider than the first decode's
THREADS = 2
AFTER_END_S = 0.1  # a word starting this close to the audio's end was invented
UNHEARD_S = 2.0  # speech this long after the last word is decoded on its own
PUNCTUATION = "\"'.,!?;:()[]-—…"


@dataclass(frozen=True)
class DecodeSettings:
    """How `WhisperModel.recognize` decodes: beam widths, silence padding, repetition guards,
    the front-desk prompt, and a wider beam for decodes Whisper is unsure of."""

    beam_size: int = 1  # captions of speech still going on (`recognize(final=False)`)
    final_beam_size: int = FINAL_BEAM_SIZE  # a file's decode; 1: greedy
    live_final_beam_size: int = LIVE_FINAL_BEAM_SIZE  # a live decode that may end the turn
    pad_s: float = PAD_S
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    tail_s: float = AFTER_END_S  # words starting this close to the speech's end are dropped
    domain_prompt: bool = True  # front-desk words (`DOMAIN_PROMPT_FILE`) before the names
    retry_beam_size: int = RETRY_BEAM_SIZE  # a decode below `retry_logprob` is redone so wide
    retry_logprob: float = RETRY_LOGPROB  # mean token log-probability (Whisper's -1.0: fallback)


@dataclass(frozen=True)
class Decoded:
    """Token ids of one decode, its mean log-probability and the no-speech probability."""

    tokens: tuple[int, ...]
    avg_logprob: float
    no_speech_prob: float


@lru_cache(maxsize=2)
def domain_prompt(path: Path = DOMAIN_PROMPT_FILE) -> str:
    """The one text line of the front-desk prompt file (ModelError naming file and line)."""
    lines = [
        (number, line.strip())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(lines) != 1:
        where = f"line {lines[1][0]}" if lines else "no text line"
        raise ModelError(f"{path}: {where}: the Whisper prompt must be one line of text")
    number, text = lines[0]
    if len(text.split()) > MAX_PROMPT_WORDS:
        raise ModelError(
            f"{path}:{number}: the Whisper prompt has {len(text.split())} words; "
            f"at most {MAX_PROMPT_WORDS}"
        )
    return text


@lru_cache(maxsize=1)
def _mel_filters() -> np.ndarray:
    import librosa

    return librosa.filters.mel(sr=SAMPLE_RATE_HZ, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)


def log_mel(y: np.ndarray) -> np.ndarray:
    """Whisper's log-mel spectrogram of 16 kHz float samples: (80, frames), frames even."""
    padded = np.pad(y.astype(np.float32), N_FFT // 2, mode="reflect")
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded, shape=(n_frames, N_FFT), strides=(padded.strides[0] * HOP, padded.strides[0])
    )
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann, as torch.stft
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mel = _mel_filters() @ power[:-1].T.astype(np.float32)  # Whisper drops the last frame
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    spec = ((log_spec + 4.0) / 4.0).astype(np.float32)
    return spec[:, : spec.shape[1] // 2 * 2]


class WhisperModel:
    """A loaded Whisper model; `recognize(y, prompt)` is thread-safe (one decode at a time)."""

    def __init__(
        self, folder: Path, *, threads: int = THREADS, settings: DecodeSettings | None = None
    ):
        self.settings = settings or DecodeSettings()
        try:
            import ctranslate2
            from tokenizers import Tokenizer

            self._ct2 = ctranslate2
            self.model = ctranslate2.models.Whisper(
                str(folder), device="cpu", compute_type="int8", intra_threads=threads
            )
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # noqa: BLE001 - an unsupported CPU or a bad file: one line
            raise ModelError(f"the Whisper model in {folder} failed to load: {exc}") from None
        ids = self.tokenizer.token_to_id
        self.eot = ids("<|endoftext|>")
        self.sot_prev = ids("<|startofprev|>")
        self.sot_sequence = [
            ids("<|startoftranscript|>"),
            ids("<|en|>"),
            ids("<|transcribe|>"),
            ids("<|notimestamps|>"),
        ]
        self._lock = threading.Lock()
        self.second_decodes: Counter[str] = Counter()  # why a decode ran twice: loop, rest, unsure

    def prompt_tokens(self, prompt: str) -> list[int]:
        """The decoder prompt: earlier text (the front-desk words, then `prompt`: names to
        expect) then the start sequence."""
        if self.settings.domain_prompt:
            prompt = f"{domain_prompt()} {prompt}"
        if not prompt.strip():
            return list(self.sot_sequence)
        previous = self.tokenizer.encode(" " + prompt.strip(), add_special_tokens=False).ids
        return [self.sot_prev, *previous[-PROMPT_TOKENS:], *self.sot_sequence]

    def recognize(
        self,
        y: np.ndarray,
        *,
        prompt: str = "",
        words: bool = True,
        speech_end_s: float | None = None,
        final: bool = True,
        live: bool = False,
    ) -> Recognition:
        """Text (and, with `words`, timed words) of 16 kHz float samples up to 30 s long.

        With `words`, words aligned to start after `speech_end_s` (the last voiced
        instant; default the end of `y`) were invented from the padding and are dropped.
        A caption of speech still going on (not `final`) uses the settings' `beam_size`; a
        decode that may end the turn uses `live_final_beam_size` in a `live` call, else
        `final_beam_size`, and then (not `live`) is retried with a wider beam when it is
        under `retry_logprob`. A result under `retry_logprob` is marked `unsure`.
        """
        y = y[: FULL_WINDOW_FRAMES * HOP]
        if len(y) < HOP * 4:
            return Recognition("", ())
        content_frames = len(y) // HOP
        pad = np.zeros(int(self.settings.pad_s * SAMPLE_RATE_HZ), np.float32)
        padded = np.concatenate([y, pad])
        mel = log_mel(padded)[:, :FULL_WINDOW_FRAMES]
        prompt_ids = self.prompt_tokens(prompt)
        cap = min(MAX_TOKENS, max(MIN_TOKENS, int(TOKENS_PER_S * len(y) / SAMPLE_RATE_HZ)))
        with self._lock:
            beam = self._beam_size(final=final, live=live)
            encoded = self._encode(mel)
            decoded = self._generate(encoded, prompt_ids, cap, beam_size=beam)
            if _loops(decoded.tokens):  # a cap hit alone is kept: words past the speech go below
                decoded, encoded = self._unlooped(decoded, encoded, y, prompt_ids, cap, beam)
            if final and not live:  # a live call revises unsure turns in the background
                decoded = self._unless_unsure(decoded, encoded, prompt_ids, cap, beam)
            if decoded.no_speech_prob > NO_SPEECH_PROB and decoded.avg_logprob < NO_SPEECH_LOGPROB:
                return Recognition("", ())
            unsure = decoded.avg_logprob < self.settings.retry_logprob
            tokens = [t for t in decoded.tokens if t < self.eot]
            if not words or not tokens:
                return Recognition(self.tokenizer.decode(tokens).strip(), (), unsure)
            timed = self._align(encoded, tokens, content_frames)
        # Words aligned after the audio's end were made up from the padding: drop them.
        tail_s = self.settings.tail_s
        end_s = (len(y) / SAMPLE_RATE_HZ if speech_end_s is None else speech_end_s) - tail_s
        cut = next((i for i, (word, _) in enumerate(timed) if word.start_s >= end_s), len(timed))
        if cut < len(timed):
            tokens = tokens[: timed[cut][1]]
        text = self.tokenizer.decode(tokens).strip()
        result = Recognition(text, tuple(word for word, _ in timed[:cut]), unsure)
        return self._rest_after(
            result, y, prompt=prompt, end_s=end_s + tail_s, final=final, live=live
        )

    def _rest_after(
        self,
        result: Recognition,
        y: np.ndarray,
        *,
        prompt: str,
        end_s: float,
        final: bool,
        live: bool,
    ) -> Recognition:
        """Whisper sometimes stops after the first sentence of a long window: when its last
        word ends `UNHEARD_S` before the speech does, the rest is decoded too."""
        if not result.words or end_s - result.words[-1].end_s < UNHEARD_S:
            return result
        offset_s = result.words[-1].end_s
        self.second_decodes["rest"] += 1
        rest = self.recognize(
            y[int(offset_s * SAMPLE_RATE_HZ) :],
            prompt=prompt,
            speech_end_s=end_s - offset_s,
            final=final,
            live=live,
        )
        if not rest.words:
            return result
        shifted = tuple(
            Word(w.word, round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3), w.conf)
            for w in rest.words
        )
        return Recognition(
            f"{result.text} {rest.text}", result.words + shifted, result.unsure or rest.unsure
        )

    def _beam_size(self, *, final: bool, live: bool) -> int:
        settings = self.settings
        if not final:
            return settings.beam_size
        return settings.live_final_beam_size if live else settings.final_beam_size

    def _unlooped(
        self, decoded: Decoded, encoded, y: np.ndarray, prompt: list[int], cap: int, beam: int
    ) -> tuple[Decoded, object]:
        """A decode of `y` in place of the looping `decoded`, and its encoding: a loop up to the
        cap decoded again on the same encoding with `LOOP_PENALTY`, else (or if that loops
        too) the full 30 s window, each with a `beam`-wide beam. `second_decodes` counts
        "loop" and "loop_full"."""
        self.second_decodes["loop"] += 1
        if len(decoded.tokens) >= cap:
            guarded = self._generate(
                encoded, prompt, cap, beam_size=beam, repetition_penalty=LOOP_PENALTY
            )
            if not _loops(guarded.tokens):
                return guarded, encoded
        self.second_decodes["loop_full"] += 1
        encoded = self._encode(log_mel(np.pad(y, (0, FULL_WINDOW_FRAMES * HOP - len(y)))))
        return self._generate(encoded, prompt, cap, beam_size=beam), encoded

    def _unless_unsure(
        self, decoded: Decoded, encoded, prompt: list[int], cap: int, beam: int
    ) -> Decoded:
        """`decoded` (searched with a `beam`-wide beam), or when its mean log-probability is
        under `retry_logprob` (Whisper unsure: a misheard word, most often), a wider beam's
        decode of the same encoding if that one is surer, does not loop and is not longer (a
        beam can say a sentence twice, each time surely: "Captain Freyr says... Captain
        Freyr says...")."""
        settings = self.settings
        if decoded.avg_logprob >= settings.retry_logprob or not decoded.tokens:
            return decoded
        if settings.retry_beam_size <= beam:
            return decoded
        self.second_decodes["unsure"] += 1
        wider = self._generate(encoded, prompt, cap, beam_size=settings.retry_beam_size)
        longest = len(decoded.tokens) + max(2, len(decoded.tokens) // 10)
        surer = wider.avg_logprob > decoded.avg_logprob
        if surer and len(wider.tokens) <= longest and not _loops(wider.tokens):
            return wider
        return decoded

    def _encode(self, mel: np.ndarray):
        features = self._ct2.StorageView.from_array(np.ascontiguousarray(mel[None]))
        return self.model.encode(features, to_cpu=False)

    def _generate(
        self,
        encoded,
        prompt: list[int],
        cap: int,
        *,
        beam_size: int,
        repetition_penalty: float = 0.0,
    ) -> Decoded:
        """One decode of `encoded` after `prompt` with a `beam_size` beam, at most `cap` tokens
        (repetition penalty: the settings' unless given)."""
        result = self.model.generate(
            encoded,
            [prompt],
            beam_size=beam_size,
            repetition_penalty=repetition_penalty or self.settings.repetition_penalty,
            no_repeat_ngram_size=self.settings.no_repeat_ngram_size,
            max_length=_max_length(cap, len(prompt)),
            return_scores=True,
            return_no_speech_prob=True,
        )[0]
        tokens = tuple(result.sequences_ids[0])
        # The score is already divided by the length (length_penalty 1), as faster-whisper reads it.
        avg = result.scores[0] * len(tokens) / (len(tokens) + 1) if result.scores else 0.0
        return Decoded(tokens[:cap], avg, result.no_speech_prob)

    def _align(self, encoded, tokens: list[int], content_frames: int) -> list[tuple[Word, int]]:
        """Timed words, each with the index of its first token: token boundaries from
        cross-attention, grouped into words at leading spaces."""
        result = self.model.align(
            encoded, self.sot_sequence, [tokens], content_frames, median_filter_width=7
        )[0]
        text_indices = np.array([pair[0] for pair in result.alignments])
        time_indices = np.array([pair[1] for pair in result.alignments])
        if not len(text_indices):
            return []
        jumps = np.pad(np.diff(text_indices), (1, 0), constant_values=1).astype(bool)
        jump_times = time_indices[jumps] / (FRAMES_PER_S / 2)
        groups = self._word_tokens(tokens)
        bounds = np.cumsum([0] + [len(g) for g in groups])
        probs = list(result.text_token_probs)
        out: list[tuple[Word, int]] = []
        for group, first, last in zip(groups, bounds[:-1], bounds[1:], strict=True):
            word = self.tokenizer.decode(group).strip().strip(PUNCTUATION)
            if not word or first >= len(jump_times):
                continue
            start_s = float(jump_times[first])
            end_s = float(jump_times[min(last, len(jump_times) - 1)])
            conf = float(np.mean(probs[first:last])) if probs[first:last] else 1.0
            timed = Word(word, round(start_s, 3), round(max(end_s, start_s), 3), conf)
            out.append((timed, int(first)))
        return out

    def _word_tokens(self, tokens: list[int]) -> list[list[int]]:
        """Tokens grouped into words: a token starting with a space starts a word."""
        groups: list[list[int]] = []
        for token in tokens:
            piece = self.tokenizer.id_to_token(token) or ""
            if not groups or piece.startswith("Ġ"):
                groups.append([token])
            else:
                groups[-1].append(token)
        return groups


def _max_length(cap: int, prompt_length: int) -> int:
    """CTranslate2's `max_length` that lets Whisper generate `cap` tokens after the prompt:
    it generates at most min(max_length / 2, max_length - prompt_length + 1) tokens
    (whisper.cc; OpenNMT/CTranslate2 issue 1856), so `prompt_length + cap` gave only half."""
    return min(TEXT_CONTEXT, max(2 * cap, cap + prompt_length))


def _loops(tokens: tuple[int, ...]) -> bool:
    """Whether some phrase of 1-8 tokens repeats REPEAT_LIMIT times in a row."""
    n = len(tokens)
    for size in range(1, 9):
        for start in range(0, n - size * REPEAT_LIMIT + 1):
            phrase = tokens[start : start + size]
            if all(
                tokens[start + k * size : start + (k + 1) * size] == phrase
                for k in range(1, REPEAT_LIMIT)
            ):
                return True
    return False
