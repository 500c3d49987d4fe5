"""Numbers reach scoring in one spoken form, whichever way the recogniser wrote them."""

from __future__ import annotations

import numpy as np
import pytest

from voicecoach.asr.base import Recognition, Recognizer, Word, join_words
from voicecoach.asr.normalize import (
    NormalizingRecognizer,
    normalize_recognition,
    normalize_text,
    normalize_words,
)
from voicecoach.scoring import Transcript, Turn, score_transcript

# Each group: forms a recogniser or a typist may write, then the one canonical form.
SAME_MEANING = [
    (["3 p.m.", "3pm", "3 PM", "3 P.M.", "three p m", "three pm", "3:00 p.m."], "three pm"),
    (["10 a.m.", "10am", "ten a m", "10:00 AM"], "ten am"),
    (["3:45 p.m.", "3:45pm", "3.45pm", "three forty five p m"], "three forty five pm"),
    (["at 8:30", "at 8.30", "at 830", "at eight thirty"], "at eight thirty"),
    (["until 11:45 am", "until 1145am", "until 1145 a.m."], "until eleven forty five am"),
    (["seen 830", "at 1200 dollars", "by 2099"], None),
    (["9:05", "nine oh five"], "nine oh five"),
    (["at 3:00", "at 3 o'clock", "at three o'clock"], "at three o'clock"),
    (["$200", "200 dollars", "two hundred dollars"], "two hundred dollars"),
    (
        ["$120", "one hundred and twenty dollars", "a hundred and twenty dollars", "$120.00"],
        "one hundred twenty dollars",
    ),
    (
        ["$1,200", "1,200 dollars", "one thousand two hundred dollars"],
        "one thousand two hundred dollars",
    ),
    (
        ["$62.50", "sixty two dollars and fifty cents", "sixty-two dollars fifty cents"],
        "sixty two dollars fifty cents",
    ),
    (["$0.99", "ninety nine cents", "ninety-nine cents"], "ninety nine cents"),
    (["the 14th", "the fourteenth"], "the fourteenth"),
    (["March 4", "March 4th", "March fourth"], "March fourth"),
    (
        ["June 3rd, 1978", "June third, nineteen seventy-eight"],
        "June third, nineteen seventy eight",
    ),
    (["in 2024", "in twenty twenty four"], "in twenty twenty four"),
    (["2,000 dollars", "$2,000", "two thousand dollars"], "two thousand dollars"),
    (["20%", "twenty percent"], "twenty percent"),
    (["twenty-five", "25"], "twenty five"),
    (["3-5 days", "three to five days"], "three to five days"),
    (["555-0142", "five five five zero one four two"], "five five five zero one four two"),
    (["zip 02139", "zip zero two one three nine"], "zip zero two one three nine"),
    (
        ["3/14/1978", "march fourteenth nineteen seventy eight"],
        "march fourteenth nineteen seventy eight",
    ),
    (["the 1990s", "the nineteen nineties"], "the nineteen nineties"),
    (["suite 210", "suite two ten"], "suite two ten"),
    (["room 1205", "room twelve oh five"], "room twelve oh five"),
    (["at 250 Harbor Drive", "at two fifty Harbor Drive"], "at two fifty Harbor Drive"),
    (["1208 Birch Lane", "twelve oh eight Birch Lane"], "twelve oh eight Birch Lane"),
    (["ending in 4089", "ending in four zero eight nine"], "ending in four zero eight nine"),
    (["extension 512", "extension five one two"], "extension five one two"),
    (["card ending 4417", "card ending four four one seven"], "card ending four four one seven"),
    (["Nov. 26", "Nov 26th", "November 26", "November twenty sixth"], "November twenty sixth"),
    (["call 911", "call 9-1-1", "call nine one one"], "call nine one one"),
    (["2.5 mg", "two point five mg"], "two point five mg"),
    (["98.6 degrees", "ninety eight point six degrees"], "ninety eight point six degrees"),
    (["room #3", "room number three"], "room number three"),
]


@pytest.mark.parametrize(("forms", "canonical"), SAME_MEANING, ids=lambda v: str(v)[:24])
def test_every_written_form_of_a_number_becomes_the_same_words(forms, canonical):
    if canonical is None:  # not clock times
        assert normalize_text(" ".join(forms)) == (
            "seen eight hundred thirty at one thousand two hundred dollars by twenty ninety nine"
        )
        return
    # (a "p.m." ending the text also ends its sentence: "three pm.")
    assert [normalize_text(form).rstrip(".") for form in forms] == [canonical] * len(forms)


@pytest.mark.parametrize(
    "text",
    [
        "I am here for you, and I will call at noon.",
        "Could you spell that for me? One moment.",
        "Thank you, Mrs. Kowalski; take care!",
        "",
    ],
)
def test_text_without_numbers_is_left_exactly_as_written(text):
    assert normalize_text(text) == " ".join(text.split())


def test_punctuation_and_case_around_numbers_stay():
    said = "Sure. Is 3:45 p.m. okay? Your balance is $62.50, Maria. See you at 4 p.m. Bye."
    assert normalize_text(said) == (
        "Sure. Is three forty five pm okay? Your balance is sixty two dollars fifty cents, "
        "Maria. See you at four pm. Bye."
    )


def test_a_house_number_is_said_in_pairs_only_before_a_street_name():
    assert normalize_text("I saw 250 patients on Main Street") == (
        "I saw two hundred fifty patients on Main Street"
    )
    assert normalize_text("We moved to 1450 Lakeview Road.") == (
        "We moved to fourteen fifty Lakeview Road."
    )


def test_month_abbreviations_become_months_only_before_a_day():
    assert (
        normalize_text("Call Jan. She knows, Dec. 12.") == "Call Jan. She knows, December twelfth."
    )


def test_timed_words_come_out_lower_case_like_every_engines():
    words = normalize_words([Word(w, i, i + 1.0) for i, w in enumerate(["Thank", "you", "Priya"])])
    assert [w.word for w in words] == ["thank", "you", "priya"]
    street = normalize_words(
        [Word(w, i, i + 1.0) for i, w in enumerate(["at", "250", "Harbor", "Drive"])]
    )
    assert join_words(street) == normalize_text("at 250 Harbor Drive").lower()


def test_am_stays_a_verb_unless_it_follows_a_number():
    assert normalize_text("I am sure two am works") == "I am sure two am works"
    assert normalize_text("at 2 AM I am up") == "at two am I am up"


def test_a_token_split_into_words_shares_its_time_span_in_order():
    words = normalize_words(
        [Word("about", 0.0, 0.4, 0.9), Word("$200,", 0.5, 1.5, 0.8), Word("okay", 1.6, 2.0)]
    )
    assert [w.word for w in words] == ["about", "two", "hundred", "dollars,", "okay"]
    assert words[0] == Word("about", 0.0, 0.4, 0.9) and words[-1] == Word("okay", 1.6, 2.0)
    money = words[1:4]
    assert money[0].start_s == 0.5 and money[-1].end_s == 1.5
    assert all(a.end_s == b.start_s for a, b in zip(money, money[1:], strict=False))
    assert all(w.start_s < w.end_s for w in money)
    assert money[1].end_s - money[1].start_s > money[0].end_s - money[0].start_s  # by length
    assert {w.conf for w in money} == {0.8}


def test_tokens_that_merge_take_the_span_of_both_and_dropped_words_leave_no_gap_word():
    words = normalize_words(
        [
            Word("three", 1.0, 1.3),
            Word("p", 1.35, 1.5, 0.7),
            Word("m", 1.5, 1.7, 0.9),
            Word("two", 2.0, 2.2),
            Word("hundred", 2.2, 2.6),
            Word("and", 2.6, 2.7),
            Word("ten", 2.7, 3.0),
        ]
    )
    assert words == (
        Word("three", 1.0, 1.3),
        Word("pm", 1.35, 1.7, 0.7),
        Word("two", 2.0, 2.2),
        Word("hundred", 2.2, 2.6),
        Word("ten", 2.7, 3.0),
    )


def test_words_and_text_of_a_recognition_agree():
    words = (Word("at", 0.0, 0.2), Word("3:30pm", 0.2, 1.0), Word("on", 1.0, 1.2))
    result = normalize_recognition(Recognition("at 3:30pm on", words))
    assert result.text == join_words(result.words) == "at three thirty pm on"
    assert result.words[-1] == Word("on", 1.0, 1.2)
    assert 0.2 <= result.words[1].start_s < result.words[3].end_s <= 1.0


class ScriptedDigitEngine(Recognizer):
    """Writes numbers as Whisper does (stands in for an engine this test cannot load)."""

    name = "scripted"

    def __init__(self):
        self.fed = 0
        self.primed = False

    def accept(self, pcm: bytes) -> bool:
        self.fed += len(pcm)
        return False

    def partial(self) -> str:
        return "It's $45" if self.fed else ""

    def final(self) -> Recognition:
        words = (Word("It's", 0.1, 0.3), Word("$45.", 0.3, 1.0))
        return Recognition("It's $45.", words)

    def prime(self, pcm: bytes) -> None:
        self.primed = True


def test_the_wrapping_recogniser_normalises_partials_and_finals_and_passes_the_rest_through():
    from voicecoach.asr.transcribe import recognize_samples

    engine = ScriptedDigitEngine()
    wrapped = NormalizingRecognizer(engine)
    result = recognize_samples(wrapped, np.zeros(16000, dtype=np.float32))
    assert engine.primed and engine.fed == 32000
    assert wrapped.partial() == "It's forty five dollars"
    assert result.text == "It's forty five dollars."
    assert wrapped.fed == 32000  # the engine's own attributes stay reachable


def test_make_recognizer_normalises_a_real_engine():
    from voicecoach.asr.select import make_recognizer
    from voicecoach.audio.io import float_to_pcm16

    recognizer = make_recognizer("pocketsphinx")
    assert isinstance(recognizer, NormalizingRecognizer)
    assert recognizer.name == "pocketsphinx"
    recognizer.accept(float_to_pcm16(np.zeros(8000, dtype=np.float32)))
    assert recognizer.final().text == ""
    recognizer.close()


# A call typed with digits (as Whisper writes) and the same call as a recogniser that writes
# words hears it: after normalisation the scorer must reach the same verdicts.
_CALLER = [
    "Hi, I was charged twice for my visit and I'm really annoyed.",
    "Omar Haddad.",
    "Yes, June third.",
    "Okay.",
    "Yes, that works, thanks.",
]
_TRAINEE_DIGITS = [
    "Thank you for calling Lakeside Clinic, this is Dana. Who am I speaking with?",
    "Thanks, Omar. I'm sorry about the double charge, that's frustrating. Can you confirm your "
    "date of birth, June 3rd, 1978?",
    "I see two charges of $120 from March 4th on your account. I'll remove the second one "
    "and call you back by 3 p.m. to confirm.",
    "Great, so I'll call you at 3:30pm on the 14th. Does that work for you?",
    "Thanks for calling, Omar. Have a good day.",
]
_TRAINEE_WORDS = [
    "thank you for calling lakeside clinic this is dana who am i speaking with",
    "thanks omar im sorry about the double charge thats frustrating can you confirm your date "
    "of birth june third nineteen seventy eight",
    "i see two charges of a hundred and twenty dollars from march fourth on your account ill "
    "remove the second one and call you back by three p m to confirm",
    "great so ill call you at three thirty p m on the fourteenth does that work for you",
    "thanks for calling omar have a good day",
]


def _call(trainee_lines: list[str]) -> Transcript:
    turns = []
    for caller, trainee in zip(_CALLER, trainee_lines, strict=True):
        turns += [Turn("caller", caller), Turn("trainee", normalize_text(trainee))]
    return Transcript("upset_caller", "Omar Haddad", True, tuple(turns))


def _verdicts(score: dict) -> dict:
    return {
        section: {k: (v.get("met", v.get("present")), v.get("in_order")) for k, v in items.items()}
        for section, items in score.items()
        if section in ("steps", "checks", "faults")
    } | {"score": score["score"], "verdict": score["verdict"]}


def test_the_scorer_reaches_the_same_verdicts_for_digits_and_words():
    digits = score_transcript(_call(_TRAINEE_DIGITS)).to_json()
    words = score_transcript(_call(_TRAINEE_WORDS)).to_json()
    assert _verdicts(digits) == _verdicts(words)
    steps = digits["steps"]
    assert steps["propose_solution"]["met"] and steps["confirm_next_step"]["met"]
    assert digits["checks"]["verify_identity"]["met"]
    assert "three pm" in steps["propose_solution"]["evidence"][0]["quote"]
    assert "three pm" in words["steps"]["propose_solution"]["evidence"][0]["quote"]


def test_the_wrapper_forwards_every_hook_of_the_recogniser_interface():
    hooks = {name for name, value in vars(Recognizer).items() if callable(value)}
    hooks -= {"__enter__", "__exit__"}
    assert {h for h in hooks if not h.startswith("_")} <= set(vars(NormalizingRecognizer))


def test_the_default_engine_hears_spoken_numbers_and_scoring_gets_words(tmp_path):
    import subprocess

    from voicecoach.asr.select import make_recognizer
    from voicecoach.asr.transcribe import recognize_samples
    from voicecoach.audio.io import load_audio

    said = "your copay is forty five dollars and I can see you at three thirty pm on march fourth"
    wav = tmp_path / "numbers.wav"
    subprocess.run(["text2wave", "-o", str(wav)], input=said.encode(), check=True)
    y, _ = load_audio(wav, sr=16000)
    pad = np.zeros(8000, np.float32)
    padded = np.concatenate([pad, y, pad])
    with make_recognizer() as recognizer:
        raw = recognize_samples(recognizer.engine, padded)
        heard = recognize_samples(recognizer, padded)
    assert any(c.isdigit() for c in raw.text)  # the engine itself writes digits ("$45", "3:30")
    text = heard.text.lower()
    assert not any(c.isdigit() for c in text)
    for phrase in ("forty five dollars", "three thirty pm", "march fourth"):
        assert phrase in text
    assert [w.word.lower() for w in heard.words] == [t.strip(".,?!") for t in text.split()]
    starts = [w.start_s for w in heard.words]
    assert starts == sorted(starts) and all(w.start_s <= w.end_s for w in heard.words)
    assert heard.words[-1].end_s <= len(padded) / 16000
