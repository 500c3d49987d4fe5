"""Short adversarial calls (negation, sarcasm, quoting, disclosure, paraphrase).

Each file in fixtures/adversarial is a transcript in the contract's shape plus
`expect`: ids the whole call must show (`present`) and must not (`absent`).
They were written for these tests, not taken from any development set.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voicecoach.scoring import load_transcript, score_transcript

CALLS = sorted((Path(__file__).parent / "fixtures" / "adversarial").glob("*.json"))


def found_ids(score: dict) -> set[str]:
    ids = {k for k, v in score["steps"].items() if v["met"]}
    ids |= {k for k, v in score["checks"].items() if v["met"]}
    return ids | {k for k, v in score["faults"].items() if v["present"]}


def test_there_are_at_least_thirty_calls():
    assert len(CALLS) >= 30


@pytest.mark.parametrize("path", CALLS, ids=[p.stem for p in CALLS])
def test_adversarial_call(path: Path):
    expect = json.loads(path.read_text())["expect"]
    score = score_transcript(load_transcript(path)).to_json()
    found = found_ids(score)
    assert set(expect["present"]) <= found, f"missing {set(expect['present']) - found}"
    assert not set(expect["absent"]) & found, f"wrongly found {set(expect['absent']) & found}"
    for section in ("steps", "checks", "faults"):
        for item in score[section].values():
            for evidence in item["evidence"]:
                assert evidence["quote"] and evidence["found_by"] in {"pattern", "meaning"}
