"""Turn-by-turn scoring against a protocol rubric, with a quote for every verdict.

`Scorer.add_turn` is called after each turn of a live call and returns what
that trainee turn newly achieved or violated (the caller model reacts to it);
`Scorer.result()` gives the contract's score object at any time.
`score_transcript` scores a whole transcript; `rescore` applies instructor
overrides to a score object and recomputes score and verdict.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from voicecoach.scoring.detectors import (
    CHECK_DETECTORS,
    FAULT_DETECTORS,
    STEP_DETECTORS,
    CallState,
    Detector,
    Hit,
    TurnView,
    desc,
    faults,
    rapport,
    resolution,
)
from voicecoach.scoring.detectors.checks import (
    asks_identifier,
    born_a_minor,
    caller_is_a_parent,
    caller_is_parent_of_minor,
    caller_is_third_party,
    entitlement_update,
    explains_instead,
    other_patient_names,
    patient_names,
    people_named,
    people_spoken_about,
    reads_record_in_sentence,
    record_read_out,
    restates_nothing,
    speaks_of_understanding,
)
from voicecoach.scoring.detectors.faults import jargon_from_confusion
from voicecoach.scoring.detectors.spikes import delivers_news, not_invitation, not_perception
from voicecoach.scoring.framing import clause_before, denies_saying, is_negated, unasserted
from voicecoach.scoring.intents import CONTEXT_IDS, EXTRA_INTENTS, Intent, intent_model
from voicecoach.scoring.protocols import CHECK_IDS, FAULT_IDS, Rubric, load_rubric
from voicecoach.scoring.text import NormText
from voicecoach.scoring.transcript import Transcript, Turn

MAX_EVIDENCE = 3  # quotes kept per step, check or fault
# judged on every turn: they decide other verdicts (brush-offs, news, disclosures)
_ALWAYS_JUDGED = frozenset({"dismissive", "knowledge", "record_disclosure"})
# no call closes in the trainee's first reply: there the meaning layer does not judge these
# ("thank you for calling us right away ... tell me everything" opens the call)
_NOT_IN_FIRST_TURN = frozenset({"close_call"})
# steps that are facts of the words, whatever the tone: a name said sarcastically is still used
_FACTS = frozenset({"use_name"})
# steps a brush-off in the same sentence takes back: an offer to act ("that's all I can do
# today"), thanks ("thanks for the earful, but prescriptions aren't my department")
_UNDONE_BY_BRUSH_OFF = frozenset({"take_ownership", "propose_solution", "thank_caller"})
# meaning-layer DESC steps a pattern brush-off takes back only in their own sentence (their
# heads judge each sentence alone; a trainee who brushes a coworker off in one sentence may
# still say the effect or the ask in the next)
_BRUSH_OFF_IN_SENTENCE_ONLY = desc.UNLABELLED_STEPS
# a meaning-layer step whose sentence is, by form, another act: a DESC step that labels the
# coworker or makes a vague demand, a consequence that threatens, a proposal that refuses or
# tells the caller to act, a closing that asks leave to ask questions, a clarifying sentence
# that explains instead ("let me help you understand"), a help-me-understand that explains
# instead or asks an accusing why, a next-step "check" that asks nothing, imposes the plan
# or advises, a SPIKES perception or invitation that asks nothing, asks the setting question
# or is, by the pattern, the other of the two
_MEANING_VETOES: dict[str, Callable[[TurnView, Hit], bool]] = {
    **dict.fromkeys(desc.UNLABELLED_STEPS, desc.labels_in_sentence),
    "specify": desc.not_a_request,
    "consequences": desc.threatens,
    "propose_solution": resolution.not_offered,
    "close_call": rapport.asks_leave_to_ask,
    "empathize": lambda view, hit: (
        rapport.feels_for_no_caller(view, hit) or reads_record_in_sentence(view, hit)
    ),
    "clarify": lambda view, hit: explains_instead(view, hit) or restates_nothing(view, hit),
    "help_me_understand": lambda view, hit: (
        explains_instead(view, hit) or faults.asks_why_in_sentence(view, hit)
    ),
    "confirm_next_step": resolution.checks_nothing,
    "perception": not_perception,
    "invitation": not_invitation,
}

# a step whose detector also takes another id's meaning-layer hit: that id is judged (and may
# cost an encoder pass) while the step is, in a protocol without it (a plan in new words
# summarises the strategy)
_MEANING_LENT = {"strategy_summary": "propose_solution"}


def _lent(step_ids: set[str]) -> set[str]:
    """The ids whose meaning layer these steps' detectors consult (`_MEANING_LENT`)."""
    return {_MEANING_LENT[i] for i in step_ids if i in _MEANING_LENT}


# a meaning-layer id that, in a turn where another step not yet met in the call is found by
# its pattern, is that step's act: the call's first invitation to tell the story ("I'd like
# to hear all of it. What happened when you got there?", "i'm here to help so walk me through
# whats happened so far") is invite_and_listen, as the labelled calls have it, not
# help_me_understand (later, "walk me through how it went wrong at the desk" is), unless its
# sentence speaks of understanding ("help me get my head round what happened")
_OPENED_BY = {"help_me_understand": "invite_and_listen"}


@dataclass(frozen=True)
class Detection:
    """A step or check newly met, or a fault committed, by one trainee turn."""

    id: str
    kind: str  # "step" | "check" | "fault"
    quote: str
    turn_index: int
    start_s: float | None
    found_by: str = "pattern"  # "pattern" | "meaning"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "quote": self.quote,
            "turn": self.turn_index,
            "start": self.start_s,
            "found_by": self.found_by,
        }


@dataclass(frozen=True)
class TurnUpdate:
    """What one turn changed: empty for caller turns."""

    turn_index: int
    detections: tuple[Detection, ...] = ()

    def ids(self, kind: str | None = None) -> set[str]:
        return {d.id for d in self.detections if kind is None or d.kind == kind}

    def to_json(self) -> dict:
        return {"turn": self.turn_index, "detections": [d.to_json() for d in self.detections]}


@dataclass(frozen=True)
class ScoreResult:
    """The contract's score object (see docs and `to_json`)."""

    protocol: str
    steps: dict[str, dict]
    checks: dict[str, dict]
    faults: dict[str, dict]
    score: int
    verdict: str

    def to_json(self) -> dict:
        return {
            "protocol": self.protocol,
            "steps": copy.deepcopy(self.steps),
            "checks": copy.deepcopy(self.checks),
            "faults": copy.deepcopy(self.faults),
            "score": self.score,
            "verdict": self.verdict,
        }


@dataclass
class _Found:
    evidence: list[dict] = field(default_factory=list)
    trainee_indices: list[int] = field(default_factory=list)

    def add(self, evidence: dict, trainee_index: int) -> None:
        if len(self.evidence) < MAX_EVIDENCE:
            self.evidence.append(evidence)
            self.trainee_indices.append(trainee_index)


def find(
    item_id: str, kind: str, detector: Detector, view: TurnView, call: CallState
) -> Hit | None:
    """A step, check or fault in a trainee turn: the detector's pattern first, else the
    meaning layer (when the id has intent examples). Dropped: a positive act inside a
    sarcastic formula, inside words quoted from others (quotable ids) or after the
    trainee denies it (negatable ids: "I'm not going to pretend I understand"), an offer
    or thanks in a sentence that brushes off ("that's all I can do today"), a meaning-layer
    step whose sentence brushes the caller off or is by form another act
    (`_MEANING_VETOES`: a DESC step that labels the coworker, a consequence that threatens,
    a proposal that refuses or tells the caller to act, a closing that asks leave to ask, a
    clarifying sentence that explains instead, a help-me-understand that explains instead or
    asks an accusing why, a next-step check that asks nothing, imposes the plan or advises,
    a SPIKES perception or invitation that asks nothing, asks the setting question or is,
    by the pattern, the other of the two),
    a meaning-layer help-me-understand in the turn of the call's first invitation to tell
    the story (`_OPENED_BY`)."""
    intent = view.intents.intents.get(item_id) if view.intents else None
    hit = detector(view, call)
    if hit is not None and item_id not in _FACTS and not _asserted(view, hit, intent, kind):
        hit = None
    if (
        hit is not None
        and item_id in _UNDONE_BY_BRUSH_OFF
        and _in_sentence_of(view, hit, faults.dismissive(view, call))
    ):
        hit = None  # "that's all I can do today" offers nothing
    if (
        hit is None
        and intent is not None
        and item_id not in CONTEXT_IDS
        and not (item_id in _NOT_IN_FIRST_TURN and view.trainee_index == 0)
    ):
        hit = _meaning_brush_off(view) if item_id == "dismissive" else view.meaning(item_id)
        if hit is not None and kind != "fault" and _brushes_off(view, call, hit, item_id):
            hit = None
        veto = _MEANING_VETOES.get(item_id)
        if hit is not None and veto is not None and veto(view, hit):
            hit = None
        if hit is not None and _yields(view, call, hit, intent):
            hit = None
        opener = _OPENED_BY.get(item_id)
        if (
            hit is not None
            and opener is not None
            and (view.unmet is None or opener in view.unmet)
            and STEP_DETECTORS[opener](view, call) is not None
            and not speaks_of_understanding(view, hit)
        ):
            hit = None  # the turn of the call's first invitation to tell the story
    return hit


def _in_sentence_of(view: TurnView, hit: Hit, other: Hit | None) -> bool:
    """Whether another hit starts in the sentence of `hit`."""
    if other is None:
        return False
    a, b = view.norm.sentence_of(hit.span.first_token)
    return a <= other.span.first_token < b


def _yields(view: TurnView, call: CallState, hit: Hit, intent: Intent) -> bool:
    """Whether the sentence of a meaning-layer hit is, by another id's pattern, that id's act
    (the intent's `yields_to`: an identity question is not a clarifying one)."""
    return any(
        _in_sentence_of(
            view, hit, (STEP_DETECTORS.get(other) or CHECK_DETECTORS[other])(view, call)
        )
        for other in intent.yields_to
    )


def _asserted(view: TurnView, hit: Hit, intent: Intent | None, kind: str) -> bool:
    """Whether a pattern hit is the trainee's own act: not a positive act inside a sarcastic
    formula, nor quoted (quotable intents), a question after "I'm not going to ask" (asking
    intents) or denied (negatable intents; a quotable fault after "I'm not saying" in its
    sentence)."""
    why = unasserted(view.norm, hit.span.first_token)
    if why == "sarcastic" and kind != "fault":
        return False
    if intent is None:
        return True
    if why == "reported" and intent.quotable or why == "denied" and intent.asks:
        return False
    if kind == "fault" and intent.quotable:
        start, _ = view.norm.sentence_of(hit.span.first_token)
        if denies_saying(" ".join(view.norm.tokens[start : hit.span.first_token])):
            return False
    return not (intent.negatable and is_negated(clause_before(view.norm, hit.span.first_token)))


def _brushes_off(view: TurnView, call: CallState, hit: Hit, item_id: str) -> bool:
    """Whether the sentence of a meaning-layer hit is sarcastic, an accusatory question or
    itself a brush-off, or the turn brushes the caller off by pattern (a learned head
    judges the whole turn, so "The fee stays. That's all I can tell you." is no step in
    any of its sentences; a DESC step's head judges each sentence alone, so only a
    brush-off in its own sentence takes it back: "That's not my problem. When you come
    late, I spend the morning rebooking people" still says how it affects the speaker)."""
    a, _ = view.norm.sentence_of(hit.span.first_token)
    if unasserted(view.norm, a) == "sarcastic":
        return True
    brush_off = faults.dismissive(view, call)
    if brush_off is not None and (
        item_id not in _BRUSH_OFF_IN_SENTENCE_ONLY or _in_sentence_of(view, hit, brush_off)
    ):
        return True
    # "why didn't you call us before" asks nothing
    return _in_sentence_of(view, hit, faults.why_did_you(view, call)) or _in_sentence_of(
        view, hit, _meaning_brush_off(view)
    )


def _meaning_brush_off(view: TurnView) -> Hit | None:
    """The meaning layer's `dismissive` sentence, unless the turn offers an alternative: the
    meaning layer cannot tell "calm down" from "it's policy", so it is read as the patterns
    read policy ("It's policy to charge the fee, but I can waive it" is no brush-off; a
    learned head judging a 12-word window may not see the "but")."""
    hit = view.meaning("dismissive")
    return None if hit is None or faults.offers_alternative(view.norm.text) else hit


def _word_start_s(turn: Turn, norm: NormText, hit: Hit) -> float | None:
    """The recogniser's time for the first word of a match, else the turn's start."""
    word_index = norm.word_index(hit.span)
    if turn.words and len(turn.words) == len(norm.word_spans):
        start = turn.words[word_index].start
        if start is not None:
            return round(start, 2)
    return turn.start


def _first_name(caller_name: str) -> str:
    parts = caller_name.split()
    return parts[0] if parts else ""


class Scorer:
    """Scores a call turn by turn against a protocol's rubric."""

    def __init__(
        self,
        protocol: str,
        *,
        caller_name: str,
        record_sensitive: bool,
        jargon: dict[str, str] | None = None,
    ):
        self.rubric: Rubric = load_rubric(protocol)
        self.intents = intent_model()
        self.call = CallState(protocol, caller_name or "", record_sensitive, dict(jargon or {}))
        self._turn_count = 0
        self._trainee_count = 0
        self._found: dict[str, _Found] = {}
        self._last_trainee: tuple[Turn, TurnView] | None = None
        # the first record detail read out before anyone was checked, in case the caller
        # turns out later not to be the patient
        self._read_out_unchecked: tuple[Turn, TurnView, Hit] | None = None

    @classmethod
    def for_transcript(cls, transcript: Transcript) -> Scorer:
        """A fresh scorer set up for `transcript`'s protocol, caller and jargon (no turns added)."""
        return cls(
            transcript.protocol,
            caller_name=transcript.caller_name,
            record_sensitive=transcript.record_sensitive,
            jargon=transcript.jargon,
        )

    def add_turn(self, turn: Turn) -> TurnUpdate:
        """Score one more turn; return what it newly achieved or violated."""
        index = self._turn_count
        self._turn_count += 1
        norm = NormText(turn.text)
        if turn.speaker != "trainee":
            detections = self._caller_confusion(norm)
            self.call.caller_turns.append(norm)
            if caller_is_parent_of_minor(norm.text) or self._child_checked(norm):
                self.call.entitlement_checked = True  # a parent may hear a child's record
            if not self.call.third_party:
                if caller_is_third_party(norm.text):
                    self.call.third_party = True
                    detections += self._told_before_known()
                else:
                    self.call.unplaced_callers.append(turn.text)  # for the caller-role model
            self.call.patient_names |= patient_names(norm.text)
            named = people_named(turn.text) - set(self.call.name_parts)
            self.call.patient_names |= named
            self.call.spoken_about |= people_spoken_about(turn.text, named)
            self.call.other_patients |= other_patient_names(turn.text) - set(self.call.name_parts)
            self._last_trainee = None
            return TurnUpdate(index, detections)
        done = {i for i, f in self._found.items() if len(f.evidence) >= MAX_EVIDENCE}
        steps, met = set(self.rubric.step_ids), set(self._found)
        view = TurnView(
            index,
            self._trainee_count,
            norm,
            self.intents,
            _ALWAYS_JUDGED | (steps | set(CHECK_IDS) | set(FAULT_IDS)) - done | _lent(steps - done),
            # a step or check may cost an encoder pass until it is met, a fault (and a record
            # detail, which a breach needs) on every turn
            frozenset(
                (steps | set(CHECK_IDS)) - met
                | _lent(steps - met)
                | set(FAULT_IDS)
                | set(EXTRA_INTENTS)
            ),
        )
        self._trainee_count += 1
        detections = []
        entitled = entitlement_update(view)
        if entitled is not None:
            self.call.entitlement_checked = entitled
        for kind, ids, registry in (
            ("step", self.rubric.step_ids, STEP_DETECTORS),
            ("check", CHECK_IDS, CHECK_DETECTORS),
            ("fault", FAULT_IDS, FAULT_DETECTORS),
        ):
            for item_id in ids:
                if kind != "fault" and item_id in done:
                    continue  # three quotes kept already
                hit = find(item_id, kind, registry[item_id], view, self.call)
                if hit is None:
                    continue
                quote = norm.quote(hit.span)
                start_s = _word_start_s(turn, norm, hit)
                found = self._found.setdefault(item_id, _Found())
                if kind == "fault" or not found.evidence:
                    detections.append(Detection(item_id, kind, quote, index, start_s, hit.found_by))
                evidence = {"turn": index, "quote": quote, "start": start_s}
                found.add({**evidence, "found_by": hit.found_by}, view.trainee_index)
        self._update_context(turn, view)
        self.call.trainee_turns.append(norm)
        self._last_trainee = (turn, view)
        return TurnUpdate(index, tuple(detections))

    def _caller_confusion(self, norm: NormText) -> tuple[Detection, ...]:
        """Jargon in the trainee turn just before, shown by the caller's confusion ("My what?").
        The fault belongs to that trainee turn; this caller turn's update reports it."""
        if self._last_trainee is None:
            return ()
        turn, view = self._last_trainee
        found = self._found.get("jargon")
        if found and view.index in {e["turn"] for e in found.evidence}:
            return ()
        hit = jargon_from_confusion(view, norm, self.call)
        if hit is None:
            return ()
        quote = view.norm.quote(hit.span)
        start_s = _word_start_s(turn, view.norm, hit)
        self._found.setdefault("jargon", _Found()).add(
            {"turn": view.index, "quote": quote, "start": start_s}, view.trainee_index
        )
        return (Detection("jargon", "fault", quote, view.index, start_s),)

    def _child_checked(self, norm: NormText) -> bool:
        """Whether a parent caller answered the identity question with a child's birth date."""
        asked = self._last_trainee is not None and asks_identifier(self._last_trainee[1])
        return (
            asked and born_a_minor(norm.text, date.today().year) and caller_is_a_parent(self.call)
        )

    def _told_before_known(self) -> tuple[Detection, ...]:
        """A caller who turns out not to be the patient ("it's actually not me, it's my
        brother") after record details were read out to them unchecked: that earlier trainee
        turn breached confidentiality; this caller turn's update reports it."""
        told, self._read_out_unchecked = self._read_out_unchecked, None
        if told is None or self.call.entitlement_checked or "confidentiality_breach" in self._found:
            return ()
        turn, view, hit = told
        quote = view.norm.quote(hit.span)
        start_s = _word_start_s(turn, view.norm, hit)
        self._found["confidentiality_breach"] = _Found()
        self._found["confidentiality_breach"].add(
            {"turn": view.index, "quote": quote, "start": start_s, "found_by": hit.found_by},
            view.trainee_index,
        )
        return (Detection("confidentiality_breach", "fault", quote, view.index, start_s),)

    def _update_context(self, turn: Turn, view: TurnView) -> None:
        if asks_identifier(view):
            self.call.identity_checked = True
        elif not self.call.identity_checked and (read_out := record_read_out(view)):
            self.call.disclosed_unverified = True
            if self._read_out_unchecked is None and not self.call.third_party:
                self._read_out_unchecked = (turn, view, read_out)
        if delivers_news(view) or view.meaning("knowledge"):
            self.call.news_given = True

    def _in_order(self, step_order: str, trainee_indices: list[int]) -> bool:
        n = self._trainee_count
        window = max(2, math.ceil(n / 3))
        if step_order == "early":
            return any(i < window for i in trainee_indices)
        if step_order == "late":
            return any(i >= n - window for i in trainee_indices)
        return True

    def result(self) -> ScoreResult:
        """The score so far, in the contract's shape (every id of the protocol present)."""
        names = {
            "name": _first_name(self.call.caller_name) or "the caller",
            "full_name": self.call.caller_name or "the caller",
        }
        steps = {}
        for rule in self.rubric.steps:
            found = self._found.get(rule.id)
            if found:
                steps[rule.id] = {
                    "met": True,
                    "in_order": self._in_order(rule.order, found.trainee_indices),
                    "evidence": list(found.evidence),
                }
            else:
                steps[rule.id] = {"met": False, "evidence": [], "tip": rule.tip.format_map(names)}
        checks = {}
        for check_id in CHECK_IDS:
            found = self._found.get(check_id)
            checks[check_id] = {
                "met": bool(found),
                "evidence": list(found.evidence) if found else [],
            }
        checks["verify_identity"] = {
            "required": self.call.record_sensitive,
            **checks["verify_identity"],
        }
        faults = {}
        for fault_id in FAULT_IDS:
            found = self._found.get(fault_id)
            faults[fault_id] = {
                "present": bool(found),
                "evidence": list(found.evidence) if found else [],
            }
        score, verdict = compute_score(self.rubric, steps, checks, faults)
        return ScoreResult(self.rubric.protocol, steps, checks, faults, score, verdict)


def compute_score(rubric: Rubric, steps: dict, checks: dict, faults: dict) -> tuple[int, str]:
    """Score 0-100 and verdict from met steps, checks and faults (formula in the rubric YAML)."""
    total = sum(rule.weight for rule in rubric.steps)
    earned = 0.0
    for rule in rubric.steps:
        item = steps.get(rule.id, {})
        if item.get("met"):
            credit = 1.0 if item.get("in_order", True) else rubric.out_of_order_credit
            earned += rule.weight * credit
    score = 100.0 * earned / total
    if checks.get("help_me_understand", {}).get("met"):
        score += rubric.bonus
    verify = checks.get("verify_identity", {})
    if verify.get("required") and not verify.get("met"):
        score -= rubric.verify_penalty
    critical = False
    for fault_id, rule in rubric.faults.items():
        if faults.get(fault_id, {}).get("present"):
            score -= rule.penalty
            critical = critical or rule.critical
    score_int = int(round(min(100.0, max(0.0, score))))
    return score_int, rubric.verdict_for(score_int, critical=critical)


def score_transcript(transcript: Transcript) -> ScoreResult:
    """Score a whole transcript."""
    scorer = Scorer.for_transcript(transcript)
    for turn in transcript.turns:
        scorer.add_turn(turn)
    return scorer.result()


def rescore(score_json: dict[str, Any], overrides: dict[str, bool]) -> dict:
    """The score with step/check/fault ids forced met/present (True) or not (False).

    Score and verdict are recomputed; the first original score, verdict and each
    overridden value are kept under "original". An unknown id raises ScenarioError.
    """
    from voicecoach.errors import ScenarioError

    out = copy.deepcopy(score_json)
    rubric = load_rubric(out.get("protocol", ""))
    original = out.setdefault(
        "original",
        {"score": score_json.get("score"), "verdict": score_json.get("verdict"), "values": {}},
    )
    for item_id, value in overrides.items():
        section, key = _locate(out, item_id)
        if section is None:
            raise ScenarioError(f"{item_id!r} is not a step, check or fault of this score")
        item = out[section][item_id]
        original["values"].setdefault(item_id, bool(item.get(key)))
        item[key] = bool(value)
        item["overridden"] = True
        if section == "steps":
            if value:
                item.setdefault("in_order", True)
                item.pop("tip", None)
            else:
                item.pop("in_order", None)
                step = rubric.step(item_id) if item_id in rubric.step_ids else None
                if step:
                    item.setdefault(
                        "tip",
                        step.tip.format_map({"name": "the caller", "full_name": "the caller"}),
                    )
    out["score"], out["verdict"] = compute_score(
        rubric, out.get("steps", {}), out.get("checks", {}), out.get("faults", {})
    )
    return out


def _locate(score: dict, item_id: str) -> tuple[str | None, str]:
    for section, key in (("steps", "met"), ("checks", "met"), ("faults", "present")):
        if item_id in score.get(section, {}):
            return section, key
    return None, ""
