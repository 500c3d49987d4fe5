"""Dialogue speed: scenario loading, and a scripted trainee turn (scorer + caller).

    $ .venv/bin/python bench/dialogue.py

Plays every scenario's model call a few times; timings on a shared machine are noisy.
"""

from __future__ import annotations

import time

from voicecoach.dialogue import load_scenarios
from voicecoach.dialogue.text_call import play_script

REPEATS = 5


def main() -> None:
    start_s = time.perf_counter()
    scenarios, issues = load_scenarios()
    load_ms = (time.perf_counter() - start_s) * 1000
    print(f"load {len(scenarios)} scenarios ({len(issues)} issues): {load_ms:.0f} ms (cold)")
    play_script(scenarios[0], scenarios[0].model_call)  # warm the scorer
    turns = 0
    outcomes: dict[str, int] = {}
    start_s = time.perf_counter()
    for scenario in scenarios:
        for seed in range(REPEATS):
            result = play_script(scenario, scenario.model_call, seed=seed)
            turns += len(scenario.model_call)
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    elapsed_s = time.perf_counter() - start_s
    print(
        f"trainee turn (score + caller reaction): {elapsed_s / turns * 1000:.2f} ms "
        f"mean over {turns} turns"
    )
    print(f"model calls' outcomes: {outcomes}")


if __name__ == "__main__":
    main()
