"""`voicecoach demo`: watch a whole spoken call, headless, on any machine.

The trainee's side is the scenario's model call spoken by festival into a
virtual microphone; the caller answers through a null speaker. Everything
else is the real live call: capture, recognition, turn detection, scoring,
delivery analysis, the caller's reactions and the session recording.
"""

from __future__ import annotations

from pathlib import Path

import click

from voicecoach.cli.common import console, database_option, echo_json, err_console

DEFAULT_SCENARIO = "results_not_called_back"


@click.command(name="demo")
@click.option(
    "--scenario",
    "scenario_id",
    metavar="ID",
    default=DEFAULT_SCENARIO,
    show_default=True,
    help="Scenario to play (see `voicecoach scenarios list`).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the session is saved (default: the platform's user data folder).",
)
@database_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def command(scenario_id: str, data_dir: Path | None, as_json: bool) -> None:
    """Play a scripted practice call through a virtual microphone and show how it went.

    Needs no sound card, microphone or model download; takes a minute or two.
    The session is saved like any practice call (`voicecoach sessions list`).
    """
    from voicecoach.dialogue import get_scenario
    from voicecoach.live.scripted import festival_speech, run_scripted_call
    from voicecoach.live.view import CallView, RichCallView, print_summary
    from voicecoach.results.vocabulary import titled_score

    scenario = get_scenario(scenario_id)
    with err_console.status("Preparing the scripted trainee's voice...") as status:
        for index, line in enumerate(scenario.model_call, start=1):
            status.update(f"Preparing the scripted trainee's voice: line {index}")
            festival_speech(line)
    if not as_json:
        console.print(f"[bold]{scenario.title}[/]  (scripted trainee, virtual microphone)")
        console.print(f"[dim]{scenario.situation}[/]")
    view = CallView() if as_json else RichCallView(console, protocol=scenario.protocol)
    result, _ = run_scripted_call(scenario_id, data_dir=data_dir, view=view)
    summary = result.to_json()
    if as_json:
        echo_json(summary | {"score": titled_score(summary["score"])})
    else:
        print_summary(console, summary)
    if not result.complete:
        raise click.exceptions.Exit(1)
