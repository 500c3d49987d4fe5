"""Scenario files: the shipped set loads, and malformed files are located precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voicecoach.dialogue import get_scenario, load_scenarios
from voicecoach.dialogue.scenario import PROTOCOL_STEPS, load_scenario_file
from voicecoach.errors import ScenarioError

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
UPSET_SITUATIONS = (
    "double_billing",
    "surprise_bill",
    "results_not_called_back",
    "appointment_cancelled",
    "long_hold_no_callback",
    "prescription_refill",
    "rude_staff_complaint",
    "relative_information",
)


@pytest.fixture(scope="module")
def shipped():
    scenarios, issues = load_scenarios(SCENARIOS)
    return scenarios, issues


def test_shipped_scenarios_load_without_issues_and_cover_the_protocols(shipped):
    scenarios, issues = shipped
    assert issues == []
    by_protocol = {p: [s for s in scenarios if s.protocol == p] for p in PROTOCOL_STEPS}
    assert len(scenarios) >= 12
    assert len(by_protocol["upset_caller"]) >= 8
    assert len(by_protocol["spikes"]) >= 2
    assert len(by_protocol["desc"]) >= 2
    assert set(UPSET_SITUATIONS) <= {s.id for s in by_protocol["upset_caller"]}


def test_each_caller_has_its_own_name_voice_and_personality(shipped):
    scenarios, _ = shipped
    assert len({s.caller.name for s in scenarios}) == len(scenarios)
    assert len({s.caller.personality for s in scenarios}) == len(scenarios)
    voices = {(s.caller.voice.rate_wpm, s.caller.voice.pitch) for s in scenarios}
    assert len(voices) == len(scenarios)


def test_every_scenario_has_several_variants_for_its_conversation_lines(shipped):
    scenarios, _ = shipped
    for scenario in scenarios:
        for phase in ("opening", "story", "details", "pushback", "waiting"):
            for band, variants in scenario.lines[phase].items():
                assert len(variants) >= 2, (scenario.id, phase, band)


def test_record_sensitive_scenarios_give_identity_facts(shipped):
    scenarios, _ = shipped
    for scenario in (s for s in scenarios if s.record_sensitive):
        assert scenario.facts["date_of_birth"] and scenario.facts["address"], scenario.id


def test_relative_scenario_names_an_unauthorized_patient():
    scenario = get_scenario("relative_information", SCENARIOS)
    patient = scenario.facts["patient"]
    assert patient["authorized"] is False
    assert patient["name"] != scenario.caller.name


def _broken_copy(tmp_path: Path, replace: str, by: str, name: str = "broken.yaml") -> Path:
    text = (SCENARIOS / "double_billing.yaml").read_text()
    assert replace in text
    path = tmp_path / name
    path.write_text(text.replace(replace, by, 1).replace("id: double_billing", "id: broken", 1))
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_out_of_range_value_names_file_line_column_and_field_path(tmp_path):
    path = _broken_copy(tmp_path, "pitch: 55", "pitch: 150")
    scenario, issues = load_scenario_file(path)
    assert scenario is None
    [issue] = issues
    line = _line_of(path, "pitch: 150")
    column = path.read_text().splitlines()[line - 1].index("150") + 1
    assert (issue.path, issue.line, issue.column) == (path, line, column)
    assert issue.field_path == "caller.voice.pitch"
    assert str(issue).startswith(f"{path}:{line}:{column}: caller.voice.pitch: ")
    assert "99" in issue.message


def test_wrong_type_inside_banded_lines_points_at_the_list_item(tmp_path):
    path = _broken_copy(tmp_path, 'calm: ["Thank you. I was', 'calm: [42, "Thank you. I was')
    _, [issue] = load_scenario_file(path)
    assert issue.field_path == "lines.story.calm[0]"
    assert issue.line == _line_of(path, "calm: [42")
    assert "expected string" in issue.message


def test_missing_required_field_and_unknown_reaction_id(tmp_path):
    path = _broken_copy(tmp_path, "  mood_start: 7\n", "")
    _, issues = load_scenario_file(path)
    assert [i.field_path for i in issues] == ["caller"]
    assert "'mood_start' is a required property" in issues[0].message
    path = _broken_copy(tmp_path, "dismissive: 3.0", "dismisive: 3.0", "typo.yaml")
    _, [issue] = load_scenario_file(path)
    assert issue.field_path == "caller.sensitivities.dismisive"
    assert "dismissive" in issue.message


def test_unknown_placeholder_in_a_line_is_reported(tmp_path):
    path = _broken_copy(tmp_path, "All right. So what happens now?", "So what now, {nmae}?")
    _, [issue] = load_scenario_file(path)
    assert issue.field_path == "lines.waiting.calm[0]"
    assert "{nmae}" in issue.message


def test_yaml_syntax_error_is_located(tmp_path):
    path = tmp_path / "syntax.yaml"
    path.write_text("id: syntax\ntitle: [not closed\nprotocol: desc\n")
    _, [issue] = load_scenario_file(path)
    assert issue.line >= 2 and "not valid YAML" in issue.message


def test_a_malformed_file_does_not_stop_the_others_and_protocols_are_ignored(tmp_path):
    shutil.copy(SCENARIOS / "surprise_bill.yaml", tmp_path)
    _broken_copy(tmp_path, "pitch: 55", "pitch: 150")
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "upset_caller.yaml").write_text("protocol: upset_caller\n")
    scenarios, issues = load_scenarios(tmp_path)
    assert [s.id for s in scenarios] == ["surprise_bill"]
    assert [i.path.name for i in issues] == ["broken.yaml"]


def test_duplicate_id_is_an_issue_of_the_second_file(tmp_path):
    shutil.copy(SCENARIOS / "surprise_bill.yaml", tmp_path / "a.yaml")
    shutil.copy(SCENARIOS / "surprise_bill.yaml", tmp_path / "b.yaml")
    scenarios, [issue] = load_scenarios(tmp_path)
    assert len(scenarios) == 1
    assert issue.path.name == "b.yaml" and issue.field_path == "id"
    assert "duplicate" in issue.message


def test_unknown_scenario_id_lists_the_valid_ones():
    with pytest.raises(ScenarioError) as excinfo:
        get_scenario("no_such_call", SCENARIOS)
    message = str(excinfo.value)
    assert "no_such_call" in message
    assert "double_billing" in message and "coworker_phones_unattended" in message


def test_a_key_written_twice_is_reported_at_the_second_one(tmp_path):
    path = _broken_copy(tmp_path, "  doubting:\n", '  waiting: ["Well?", "And?"]\n  doubting:\n')
    _, [issue] = load_scenario_file(path)
    assert issue.field_path == "lines.waiting" and "twice" in issue.message
    assert issue.line == _line_of(path, 'waiting: ["Well?"')


def test_a_phase_that_is_neither_known_nor_a_protocol_step_is_reported(tmp_path):
    path = _broken_copy(tmp_path, "  doubting:\n", '  perception: ["Hm."]\n  doubting:\n')
    _, [issue] = load_scenario_file(path)
    assert issue.field_path == "lines.perception"
    assert "upset_caller step" in issue.message
