"""Whole typed calls for every scenario, scored by the real scoring engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from voicecoach.cli import cli
from voicecoach.dialogue import load_scenarios
from voicecoach.dialogue.text_call import play_script
from voicecoach.scoring import score_transcript
from voicecoach.scoring.transcript import transcript_from_json

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
ALL_SCENARIOS, _ = load_scenarios(SCENARIOS_DIR)
BY_ID = {s.id: s for s in ALL_SCENARIOS}
DISMISSIVE = (
    "Calm down, {first}. That's not my problem.",
    "Why did you not read the paperwork? There's nothing I can do.",
    "It's policy. You need to calm down.",
    "That's not my job. Why didn't you deal with this earlier?",
    "Calm down. There's nothing I can do about it.",
)


def dismissive_script(scenario) -> list[str]:
    lines = [line.format(first=scenario.caller.first_name) for line in DISMISSIVE]
    return (lines * scenario.max_turns)[: scenario.max_turns]


@pytest.fixture(autouse=True)
def _scenarios_dir(monkeypatch):
    monkeypatch.setenv("VOICECOACH_SCENARIOS_DIR", str(SCENARIOS_DIR))


@pytest.mark.parametrize("scenario_id", sorted(BY_ID))
def test_a_strong_trainee_resolves_the_call(scenario_id):
    scenario = BY_ID[scenario_id]
    result = play_script(scenario, scenario.model_call, seed=1)
    trace = [(c.reason, c.new) for _, c in result.mood_changes]
    assert result.outcome == "resolved", trace
    assert result.mood_curve[-1] < scenario.caller.mood_start
    assert len(result.turns) == 2 * len(scenario.model_call) + 1  # every line was used
    score = result.score.to_json()
    assert not score["faults"]["dismissive"]["present"]
    assert not score["faults"]["confidentiality_breach"]["present"]


@pytest.mark.parametrize("scenario_id", sorted(BY_ID))
def test_a_dismissive_trainee_gets_escalated_or_hung_up_on(scenario_id):
    scenario = BY_ID[scenario_id]
    result = play_script(scenario, dismissive_script(scenario), seed=1)
    assert result.outcome in ("escalated", "hung_up"), result.mood_curve
    assert max(result.mood_curve) > scenario.caller.mood_start
    reasons = [change.reason for _, change in result.mood_changes]
    assert any(r.startswith("dismissive") for r in reasons)
    assert result.score.to_json()["faults"]["dismissive"]["present"]


def test_the_same_seed_gives_the_same_call_and_seeds_vary_the_wording():
    scenario = BY_ID["double_billing"]
    script = scenario.model_call
    first = play_script(scenario, script, seed=5).to_json()
    assert play_script(scenario, script, seed=5).to_json() == first
    transcripts = {
        json.dumps(play_script(scenario, script, seed=seed).transcript_json()) for seed in range(5)
    }
    assert len(transcripts) > 1


def test_mood_log_ties_each_change_to_a_trainee_turn_and_its_quote():
    scenario = BY_ID["surprise_bill"]
    result = play_script(scenario, scenario.model_call, seed=0)
    for turn, change in result.mood_changes:
        assert result.turns[turn].speaker == "trainee"
        assert change.evidence and change.evidence.lower().split()[0] in (
            result.turns[turn].text.lower()
        )


def _run_practice(tmp_path: Path, lines: list[str], *args: str) -> object:
    script = tmp_path / "script.txt"
    script.write_text("# trainee lines\n" + "\n".join(lines) + "\n")
    return CliRunner().invoke(
        cli, ["practice", "--text", "--no-speak", "--script", str(script), *args]
    )


def test_practice_script_json_has_outcome_mood_score_and_contract_transcript(tmp_path):
    scenario = BY_ID["doctor_out_reschedule"]
    result = _run_practice(
        tmp_path, list(scenario.model_call), "--scenario", scenario.id, "--json", "--seed", "2"
    )
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    call = json.loads(line)
    assert call["outcome"] == "resolved"
    assert call["mood"][0] == scenario.caller.mood_start
    assert len(call["mood"]) == len(scenario.model_call) + 1
    transcript = call["transcript"]
    assert transcript["protocol"] == "spikes" and transcript["caller_name"] == "Robert Hayes"
    assert [t["speaker"] for t in transcript["turns"][:3]] == ["caller", "trainee", "caller"]
    rescored = score_transcript(transcript_from_json(transcript, "practice")).to_json()
    assert rescored["score"] == call["score"]["score"]
    assert rescored["steps"]["strategy_summary"]["met"]


def test_practice_readable_report_has_outcome_mood_curve_and_score(tmp_path):
    scenario = BY_ID["coworker_phones_unattended"]
    result = _run_practice(tmp_path, dismissive_script(scenario), "--scenario", scenario.id)
    assert result.exit_code == 0, result.output
    assert "Jake Sullivan" in result.output
    assert "Outcome: escalated" in result.output or "Outcome: hung up" in result.output
    assert "Caller mood: 5.0 " in result.output
    assert "Dismissive remark" in result.output


def test_practice_typed_call_reads_the_keyboard_until_quit():
    result = CliRunner().invoke(
        cli,
        ["practice", "--text", "--no-speak", "--scenario", "double_billing", "--json"],
        input="Thank you for calling, Mary. I'm listening, please tell me what happened.\n/quit\n",
    )
    assert result.exit_code == 0, result.output
    call = json.loads(result.stdout.splitlines()[-1])
    assert call["outcome"] == "incomplete"
    assert [t["speaker"] for t in call["transcript"]["turns"]] == ["caller", "trainee", "caller"]
    assert call["mood"][1] < call["mood"][0]
    from voicecoach.session.store import open_store

    with open_store() as store:  # kept as a session, incomplete, with why
        saved = store.get_session(call["session_id"])
    assert not saved.complete and "ended the typed call" in saved.reason


def test_practice_unknown_scenario_lists_valid_ids():
    result = CliRunner().invoke(cli, ["practice", "--text", "--scenario", "nope"])
    assert result.exit_code == 2
    assert "double_billing" in result.output and "Traceback" not in result.output


def test_practice_speaks_the_caller_lines_when_an_output_device_exists(tmp_path):
    """Through a virtual ALSA speaker (a file) in a subprocess: the last caller line lands there."""
    from voicecoach.audio.virtual import read_speaker_file, virtual_alsa_config

    config = virtual_alsa_config(tmp_path / "mic.raw", tmp_path / "alsa")
    (tmp_path / "mic.raw").write_bytes(b"")
    script = tmp_path / "script.txt"
    script.write_text("Calm down, Mary. That's not my problem.\n")
    env = {
        **os.environ,
        "ALSA_CONFIG_PATH": str(config),
        "VOICECOACH_CACHE_DIR": str(tmp_path / "cache"),
        "VOICECOACH_SCENARIOS_DIR": str(SCENARIOS_DIR),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "voicecoach",
            "practice",
            "--text",
            "--scenario",
            "double_billing",
            "--script",
            str(script),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] in ("escalated", "hung_up")
    assert "warning" not in done.stderr
    played = read_speaker_file(tmp_path / "alsa" / "speaker.raw")
    assert played.size > 16000 * 0.5 and float(abs(played).max()) > 0.05
