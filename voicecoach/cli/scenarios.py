"""`voicecoach scenarios`: list, show and validate the practice calls."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from voicecoach.cli.common import console, echo_json, err_console
from voicecoach.dialogue.scenario import (
    Scenario,
    get_scenario,
    load_scenario_paths,
    load_scenarios,
)
from voicecoach.paths import scenarios_dir
from voicecoach.textsafe import visible


@click.group(name="scenarios")
def command() -> None:
    """List, show and validate the practice calls (YAML files under scenarios/)."""


def _summary_json(scenario: Scenario) -> dict:
    return {
        "id": scenario.id,
        "title": scenario.title,
        "protocol": scenario.protocol,
        "caller_name": scenario.caller.name,
        "mood_start": scenario.caller.mood_start,
        "record_sensitive": scenario.record_sensitive,
    }


@command.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per scenario and line.")
def list_command(as_json: bool) -> None:
    """List the scenarios you can practise, with their protocol and caller."""
    scenarios, issues = load_scenarios()
    if issues:
        err_console.print(
            f"[yellow]warning:[/] {len(issues)} problem(s) in scenario files were skipped: "
            "run `voicecoach scenarios validate`",
            highlight=False,
        )
    if as_json:
        for scenario in scenarios:
            echo_json(_summary_json(scenario))
        return
    table = Table(title=f"{len(scenarios)} scenarios in {scenarios_dir()}")
    table.add_column("id", no_wrap=True, min_width=max((len(s.id) for s in scenarios), default=2))
    table.add_column("protocol", no_wrap=True)
    for column in ("caller", "mood", "title"):
        table.add_column(column)
    for s in scenarios:
        table.add_row(s.id, s.protocol, s.caller.name, f"{s.caller.mood_start:g}", s.title)
    console.print(table)
    console.print("Practise one with: voicecoach practice --text --scenario ID")


def _print_scenario(scenario: Scenario) -> None:
    persona = scenario.caller
    voice = persona.voice
    console.print(f"[bold]{scenario.title}[/]  ({scenario.id}, protocol {scenario.protocol})")
    console.print(f"\n[bold]Situation[/]\n{scenario.situation}")
    console.print(
        f"\n[bold]Caller[/]  {persona.name}, starting mood {persona.mood_start:g}/10\n"
        f"{persona.personality}\n"
        f"voice: {voice.voice_id or 'default'}, {voice.rate_wpm} wpm, pitch {voice.pitch}, "
        f"volume {voice.volume:g}"
    )
    facts = {k: v for k, v in scenario.facts.items() if k not in ("details", "offers")}
    if facts:
        console.print("\n[bold]Facts[/]")
        for key, value in facts.items():
            if key == "patient":
                value = (
                    f"{value['name']} ({value['relation']}), born {value['date_of_birth']}, "
                    + ("authorized" if value["authorized"] else "NOT authorized")
                    + " to share with the caller"
                )
            console.print(f"  {key}: {value}", highlight=False)
    for key, title in (("details", "What happened"), ("offers", "What you can offer")):
        if scenario.facts.get(key):
            console.print(f"\n[bold]{title}[/]")
            for item in scenario.facts[key]:
                console.print(f"  - {item}", highlight=False)
    if scenario.jargon:
        console.print("\n[bold]Jargon to avoid[/] (say instead)")
        for term, plain in scenario.jargon.items():
            console.print(f"  {term} -> {plain}", highlight=False)
    console.print(f"\nIdentity check required: {'yes' if scenario.record_sensitive else 'no'}")
    if scenario.model_call:
        console.print("\n[bold]A model call[/] (the trainee's lines)")
        for number, line in enumerate(scenario.model_call, 1):
            console.print(f"  {number}. {line}", highlight=False)


@command.command(name="show")
@click.argument("scenario_id", metavar="ID")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the whole scenario (caller name, protocol, facts...) as one JSON object.",
)
def show_command(scenario_id: str, as_json: bool) -> None:
    """Show one scenario: situation, caller, facts, jargon and a model call."""
    scenario = get_scenario(scenario_id)
    if as_json:
        echo_json(scenario.to_json())
    else:
        _print_scenario(scenario)


@command.command(name="validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Check scenario files (default: the scenarios folder) against the schema.

    Each problem is printed as FILE:LINE:COLUMN: FIELD PATH: MESSAGE; the exit
    status is 1 when there is any problem.
    """
    scenarios, issues = load_scenario_paths(list(paths) or [scenarios_dir()])
    for issue in issues:
        click.echo(visible(str(issue)))
    if issues:
        files = len({issue.path for issue in issues})
        err_console.print(
            f"[red]{len(issues)} problem(s) in {files} file(s)[/]; "
            f"{len(scenarios)} scenario(s) valid",
            highlight=False,
        )
        raise click.exceptions.Exit(1)
    console.print(f"[green]ok[/]: {len(scenarios)} scenario(s) valid", highlight=False)
