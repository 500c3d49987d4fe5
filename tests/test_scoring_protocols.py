"""Rubric files are data validated by a schema; errors name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.errors import ScenarioError
from voicecoach.scoring.protocols import load_rubric, parse_rubric, protocol_names

BUILT_IN = Path(__file__).parent.parent / "scenarios" / "protocols"


def test_built_in_rubrics_load_with_weights_and_verdict_bands():
    assert protocol_names() == ["desc", "spikes", "upset_caller"]
    rubric = load_rubric("upset_caller")
    assert rubric.step_ids[0] == "thank_caller" and rubric.step("close_call").order == "late"
    assert rubric.faults["confidentiality_breach"].critical
    assert rubric.verdict_for(90, critical=False) == "excellent"
    assert rubric.verdict_for(90, critical=True) == "not yet competent"


def _broken(replace: str, by: str) -> str:
    text = (BUILT_IN / "spikes.yaml").read_text()
    assert replace in text
    return text.replace(replace, by, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("weight: 14", "weight: lots", "rubric.yaml:12: steps.0.weight"),
        ("id: setting", "id: small_talk", "rubric.yaml:10: steps.0.id: no detector for step"),
        (
            "  jargon: {penalty: 10, critical: false,\n"
            "    title: Unexplained jargon, absent_title: No unexplained jargon}\n",
            "",
            "faults: 'jargon' is a required",
        ),
        ("order: any", "order: whenever", "rubric.yaml:13: steps.0.order"),
        ("protocol: spikes", "protocol: [spikes", "rubric.yaml:"),
    ],
)
def test_schema_errors_name_file_and_line(old, new, expected):
    with pytest.raises(ScenarioError) as err:
        parse_rubric(_broken(old, new), "rubric.yaml")
    assert expected in str(err.value)


def test_unknown_protocol_lists_the_known_ones():
    with pytest.raises(ScenarioError, match="known: desc, spikes, upset_caller"):
        load_rubric("karaoke")
