"""vosk (Kaldi): the primary recogniser when a vosk model directory is available.

Loaded models are cached by directory (loading takes seconds and a model can
serve many recognisers); each recogniser is a cheap `KaldiRecognizer`.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from voicecoach.asr.base import Recognition, Recognizer, Word, join_words
from voicecoach.asr.models import check_model_dir
from voicecoach.errors import ModelError


@functools.lru_cache(maxsize=2)
def load_model(model_dir: Path):
    """The vosk `Model` for `model_dir` (cached); ModelError if vosk cannot load it."""
    import vosk

    vosk.SetLogLevel(-1)
    check_model_dir(model_dir)
    try:
        return vosk.Model(str(model_dir))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelError(
            f"vosk could not load the model in {model_dir} ({exc}); the files may be "
            "incomplete: download the model again"
        ) from None


class VoskRecognizer(Recognizer):
    """Streaming vosk recogniser for 16-bit mono PCM at `sample_rate` Hz."""

    name = "vosk"

    def __init__(self, model_dir: str | Path, *, sample_rate: int = 16000):
        import vosk

        self.sample_rate = sample_rate
        self.model_dir = Path(model_dir).expanduser().resolve()
        self._recognizer = vosk.KaldiRecognizer(load_model(self.model_dir), sample_rate)
        self._recognizer.SetWords(True)
        self._pending: list[Word] = []  # words of utterances vosk already closed
        self._fed_samples = 0
        self._final_at_samples = 0  # vosk's clock runs on; ours restarts at each final()

    def accept(self, pcm: bytes) -> bool:
        self._fed_samples += len(pcm) // 2
        if not self._recognizer.AcceptWaveform(pcm):
            return False
        self._pending += self._words(self._recognizer.Result())
        return True

    def partial(self) -> str:
        current = json.loads(self._recognizer.PartialResult()).get("partial", "")
        current_words = [w for w in current.split() if not _is_filler(w)]
        return " ".join([w.word for w in self._pending] + current_words)

    def final(self) -> Recognition:
        words = tuple(self._pending + self._words(self._recognizer.FinalResult()))
        self._pending = []
        self._final_at_samples = self._fed_samples
        return Recognition(text=join_words(words), words=words)

    def _words(self, result_json: str) -> list[Word]:
        """Timed words of a vosk result on our clock, noise tokens (`[0]`, `-`) left out."""
        offset_s = self._final_at_samples / self.sample_rate
        return [
            Word(
                word=item["word"],
                start_s=round(float(item["start"]) - offset_s, 3),
                end_s=round(float(item["end"]) - offset_s, 3),
                conf=round(float(item.get("conf", 1.0)), 3),
            )
            for item in json.loads(result_json).get("result", [])
            if not _is_filler(item["word"])
        ]


def _is_filler(token: str) -> bool:
    return token.startswith("[") or not any(ch.isalnum() for ch in token)


if __name__ == "__main__":
    import sys

    from voicecoach.asr.models import korean_test_model
    from voicecoach.audio.io import float_to_pcm16, load_audio

    y, sr = load_audio(sys.argv[1])
    model = sys.argv[2] if len(sys.argv) > 2 else korean_test_model()
    recognizer = VoskRecognizer(model)
    pcm = float_to_pcm16(y)
    for start in range(0, len(pcm), 8000):
        recognizer.accept(pcm[start : start + 8000])
        print("partial:", recognizer.partial())
    print(recognizer.final())
