"""The session store on PostgreSQL under load: 200 trainees x 20 sessions, 50 readers.

Starts a throwaway PostgreSQL cluster (as the tests do, tests/postgres_server.py)
unless `--database URL` names one, indexes `--trainees` x `--sessions` sessions
(each folder with the score and delivery files of one realistic session, a
comment on every fifth and an override on every tenth), then runs `--readers`
threads at once, as one app server's request threads would, each repeating
(back to back, or with `--think-s` pauses as people reading pages do):
the session list as the web page asks for it (all sessions, and the first 50),
searches (by trainee; by scenario and verdict), and a trainee's progress
(`results.progress.trainee_progress`, which also reads the session files).
Prints p50/p95/max per kind against the targets (list and search p95 <= 200 ms,
progress p95 <= 300 ms).

    .venv/bin/python bench/store.py [--trainees 200] [--sessions 20] [--readers 50]

Timings on a shared 2-core machine (the database, its clients and other work
on the same cores) are noisy: run it twice.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from postgres_server import running_postgres  # noqa: E402
from session_fixture import make_session  # noqa: E402

from voicecoach.results.progress import trainee_progress  # noqa: E402
from voicecoach.session.store import SessionStore, open_store  # noqa: E402

TARGETS_MS = {"list all": 200, "list first 50": 200, "search trainee": 200}
TARGETS_MS |= {"search scenario+verdict": 200, "trainee progress": 300}
SCENARIOS = ("double_billing", "late_results", "lost_referral", "rude_reschedule")
VERDICTS = ("needs work", "competent", "proficient")
COPIED_FILES = ("score.json", "delivery.json", "transcript.json")


def fill(store: SessionStore, trainees: int, per_trainee: int) -> list[str]:
    """Index trainees x per_trainee sessions whose folders hold a real session's files."""
    sample = make_session(store, trainee="sample").folder
    rng = random.Random(7)
    names = [f"trainee{n:03d}" for n in range(trainees)]
    start = datetime(2026, 9, 1, 8, tzinfo=timezone.utc)
    count = 0
    for name in names:
        for call in range(per_trainee):
            started = start + timedelta(days=call * 3, minutes=rng.randrange(600))
            session_id = f"{started:%Y%m%d-%H%M%S}-{count:04x}"
            folder = store.sessions_dir / session_id
            folder.mkdir(mode=0o700)
            for file_name in COPIED_FILES:
                shutil.copyfile(sample / file_name, folder / file_name)
            store.index_session(
                {
                    "id": session_id,
                    "trainee": name,
                    "scenario_id": rng.choice(SCENARIOS),
                    "protocol": "upset_caller",
                    "started_at": started.isoformat(timespec="seconds"),
                    "duration_s": rng.uniform(60, 600),
                    "outcome": "resolved",
                    "score": rng.uniform(20, 100),
                    "verdict": rng.choice(VERDICTS),
                    "complete": True,
                    "reason": None,
                }
            )
            if count % 5 == 0:
                store.add_comment(session_id, t_s=3.0, text="good opening", author="sam")
            if count % 10 == 0:
                store.set_override(session_id, "why_did_you", True, reason="ok", author="sam")
            count += 1
    return names


def read_load(
    store: SessionStore, names: list[str], readers: int, rounds: int, think_s: float
) -> dict:
    """Each reader thread repeats every kind of read `rounds` times, pausing up to
    `think_s` (uniformly) between reads as a person does; latencies in ms by kind."""
    kinds = {
        "list all": lambda rng: store.list_sessions(),
        "list first 50": lambda rng: store.list_sessions(limit=50),
        "search trainee": lambda rng: store.list_sessions(trainee=rng.choice(names)),
        "search scenario+verdict": lambda rng: store.list_sessions(
            scenario=rng.choice(SCENARIOS), verdict=rng.choice(VERDICTS), order="score"
        ),
        "trainee progress": lambda rng: trainee_progress(store, rng.choice(names)),
    }
    for read in kinds.values():  # warm up as a running server is (rubrics, scenarios loaded)
        read(random.Random(0))
    timings: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    start_together = threading.Barrier(readers)

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        start_together.wait()
        for _ in range(rounds):
            for kind, read in rng.sample(list(kinds.items()), len(kinds)):
                began = time.perf_counter()
                read(rng)
                took = (time.perf_counter() - began) * 1000
                with lock:
                    timings[kind].append(took)
                time.sleep(rng.uniform(0, think_s))

    threads = [threading.Thread(target=reader, args=(seed,)) for seed in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=20, help="sessions per trainee")
    parser.add_argument("--readers", type=int, default=50, help="concurrent reader threads")
    parser.add_argument("--rounds", type=int, default=3, help="reads of each kind per reader")
    parser.add_argument(
        "--think-s",
        type=float,
        default=0.0,
        help="a reader's pause between reads, up to this many seconds (0: back to back)",
    )
    parser.add_argument("--database", default=None, help="an empty PostgreSQL database URL")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url = args.database or stack.enter_context(running_postgres()) + "/postgres"
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-store-")))
        store = stack.enter_context(open_store(data, url))
        began = time.perf_counter()
        names = fill(store, args.trainees, args.sessions)
        total = args.trainees * args.sessions
        print(f"indexed {total} sessions in {time.perf_counter() - began:.1f} s ({store.location})")
        timings = read_load(store, names, args.readers, args.rounds, args.think_s)
    pause = f"pauses up to {args.think_s} s" if args.think_s else "back to back"
    print(f"{args.readers} concurrent readers in one process, {args.rounds} rounds, {pause} (ms):")
    print(f"{'read':26} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}  target p95")
    for kind, values in timings.items():
        p50, p95 = np.percentile(values, [50, 95])
        target = TARGETS_MS[kind]
        mark = "ok" if p95 <= target else "MISSED"
        print(
            f"{kind:26} {len(values):5d} {p50:8.1f} {p95:8.1f} {max(values):8.1f}"
            f"  <= {target} {mark}"
        )


if __name__ == "__main__":
    main()
