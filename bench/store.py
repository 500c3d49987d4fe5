"""The session store on PostgreSQL under load: 200 trainees x 20 sessions, 50 viewers.

Starts a throwaway PostgreSQL cluster (as the tests do, tests/postgres_server.py)
unless `--database URL` names one, indexes `--trainees` x `--sessions` sessions
(each folder with the score, delivery and transcript files of one realistic
session, a comment on every fifth and an override on every tenth), then runs
`--readers` viewers at once, split over `--processes` processes (a deployment's
uvicorn workers, each with its own store and connection pool) as threads (each
worker's request threads). Each viewer repeats, back to back or with `--think-s`
pauses as people reading pages do, every read a page makes:

- the session list's first page and a later page (`--page` rows, the total counted
  in SQL, each row as the page shows it: `SessionInfo.to_json`, which also checks
  the recording is there);
- searches (by trainee; by scenario and verdict, best score first), first page;
- a trainee's progress (`results.progress.trainee_progress`);
- with `--list-all`, also every session at once (an export, not a page: no target).

Prints p50/p95/max per kind against the targets (list and search p95 <= 200 ms,
progress p95 <= 300 ms).

    .venv/bin/python bench/store.py [--trainees 200] [--sessions 20] [--readers 50]
        [--processes 1 2] [--think-s 0 2] [--list-all]

Timings on a shared 2-core machine (the database, its clients and other work
on the same cores) are noisy: run it twice.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from percentiles import percentile  # noqa: E402
from postgres_server import running_postgres  # noqa: E402
from session_fixture import make_session  # noqa: E402

from voicecoach.results.progress import trainee_progress  # noqa: E402
from voicecoach.session.database import POOL_MAX_OVERFLOW, POOL_SIZE  # noqa: E402
from voicecoach.session.store import SessionFilter, SessionStore, open_store  # noqa: E402

TARGETS_MS = {"list first page": 200, "list later page": 200, "search trainee": 200}
TARGETS_MS |= {"search scenario+verdict": 200, "trainee progress": 300}
SCENARIOS = ("double_billing", "late_results", "lost_referral", "rude_reschedule")
VERDICTS = ("needs work", "competent", "proficient")
COPIED_FILES = ("score.json", "delivery.json", "transcript.json")


def fill(store: SessionStore, trainees: int, per_trainee: int) -> None:
    """Index trainees x per_trainee sessions whose folders hold a real session's files."""
    sample = make_session(store, trainee="sample").folder
    rng = random.Random(7)
    start = datetime(2026, 9, 1, 8, tzinfo=timezone.utc)
    count = 0
    for name in trainee_names(trainees):
        for call in range(per_trainee):
            started = start + timedelta(days=call * 3, minutes=rng.randrange(600))
            session_id = f"{started:%Y%m%d-%H%M%S}-{count:04x}"
            folder = store.sessions_dir / session_id
            folder.mkdir(mode=0o700)
            for file_name in COPIED_FILES:
                shutil.copyfile(sample / file_name, folder / file_name)
            (folder / "call.wav").touch()  # the list only checks the recording is there
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


def trainee_names(trainees: int) -> list[str]:
    return [f"trainee{n:03d}" for n in range(trainees)]


def page_reads(store: SessionStore, names: list[str], page: int, list_all: bool) -> dict:
    """Each kind of read, as a function of a random generator, doing what its page does."""

    def shown(sessions: list) -> list[dict]:
        return [s.to_json() for s in sessions]  # the page's rows, incl. the recording check

    def listed(offset: int = 0, order: str = "date", **filters) -> tuple[int, list[dict]]:
        where = SessionFilter(**filters)
        found = store.list_sessions(where, order=order, limit=page, offset=offset)
        return store.count_sessions(where), shown(found)

    total = store.count_sessions()
    kinds: dict[str, Callable[[random.Random], object]] = {
        "list first page": lambda rng: listed(),
        "list later page": lambda rng: listed(offset=rng.randrange(page, total, page)),
        "search trainee": lambda rng: listed(trainee=rng.choice(names)),
        "search scenario+verdict": lambda rng: listed(
            scenario=rng.choice(SCENARIOS), verdict=rng.choice(VERDICTS), order="score"
        ),
        "trainee progress": lambda rng: trainee_progress(store, rng.choice(names)),
    }
    if list_all:
        kinds["list all (export)"] = lambda rng: shown(store.list_sessions())
    return kinds


def run_worker(
    args: argparse.Namespace,
    url: str,
    data: Path,
    threads: int,
    think_s: float,
    first_seed: int,
    barrier,
    results,
) -> None:
    """One worker process: its own store, `threads` viewers; puts its latencies on `results`."""
    names = trainee_names(args.trainees)
    with open_store(data, url) as store:
        kinds = page_reads(store, names, args.page, args.list_all)
        for read in kinds.values():  # warm up as a running server is (rubrics, scenarios loaded)
            read(random.Random(0))
        timings: dict[str, list[float]] = defaultdict(list)
        lock = threading.Lock()

        def viewer(seed: int) -> None:
            rng = random.Random(seed)
            barrier.wait()
            for _ in range(args.rounds):
                for kind, read in rng.sample(list(kinds.items()), len(kinds)):
                    began = time.perf_counter()
                    read(rng)
                    took = (time.perf_counter() - began) * 1000
                    with lock:
                        timings[kind].append(took)
                    time.sleep(rng.uniform(0, think_s))

        pool = [threading.Thread(target=viewer, args=(first_seed + n,)) for n in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    results.put(dict(timings))


def read_load(
    args: argparse.Namespace, url: str, data: Path, processes: int, think_s: float
) -> dict[str, list[float]]:
    """Run the viewers over `processes` worker processes; latencies in ms by kind."""
    context = multiprocessing.get_context("spawn")  # a fresh store and pool per worker
    barrier = context.Barrier(args.readers)
    results = context.Queue()
    split = [args.readers // processes + (n < args.readers % processes) for n in range(processes)]
    workers = []
    for n, threads in enumerate(split):
        seed = sum(split[:n])
        worker = context.Process(
            target=run_worker,
            args=(args, url, data, threads, think_s, seed, barrier, results),
        )
        worker.start()
        workers.append(worker)
    timings: dict[str, list[float]] = defaultdict(list)
    for _ in workers:
        for kind, values in results.get().items():
            timings[kind].extend(values)
    for worker in workers:
        worker.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=20, help="sessions per trainee")
    parser.add_argument("--readers", type=int, default=50, help="concurrent viewers in all")
    parser.add_argument(
        "--processes",
        type=int,
        nargs="+",
        default=[1, 2],
        help="worker processes the viewers are split over (each count timed in turn)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="reads of each kind per viewer")
    parser.add_argument("--page", type=int, default=50, help="rows on a list page")
    parser.add_argument(
        "--think-s",
        type=float,
        nargs="+",
        default=[0.0],
        help="a viewer's pause between reads, up to this many seconds (0: back to back); "
        "each value timed in turn",
    )
    parser.add_argument("--list-all", action="store_true", help="also time listing every session")
    parser.add_argument("--database", default=None, help="an empty PostgreSQL database URL")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url = args.database or stack.enter_context(running_postgres()) + "/postgres"
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-store-")))
        with open_store(data, url) as store:
            began = time.perf_counter()
            fill(store, args.trainees, args.sessions)
            total = args.trainees * args.sessions
            took_s = time.perf_counter() - began
            print(f"indexed {total} sessions in {took_s:.1f} s ({store.location})")
            for label in ("first sync (reads every session.json)", "next sync (none changed)"):
                began = time.perf_counter()
                store.sync()  # as the web server does every few seconds
                print(f"{label}: {(time.perf_counter() - began) * 1000:.0f} ms")
        for think_s in args.think_s:
            for processes in args.processes:
                timings = read_load(args, url, data, processes, think_s)
                report(args, processes, think_s, timings)


def report(
    args: argparse.Namespace, processes: int, think_s: float, timings: dict[str, list[float]]
) -> None:
    pause = f"pauses up to {think_s} s" if think_s else "back to back"
    print(
        f"{args.readers} concurrent viewers in {processes} process(es), pool "
        f"{POOL_SIZE}+{POOL_MAX_OVERFLOW} connections each, {args.rounds} rounds, {pause} (ms):"
    )
    print(f"{'read':26} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}  target p95")
    for kind, values in timings.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        target = TARGETS_MS.get(kind)
        mark = "-" if target is None else f"<= {target} " + ("ok" if p95 <= target else "MISSED")
        print(f"{kind:26} {len(values):5d} {p50:8.1f} {p95:8.1f} {max(values):8.1f}  {mark}")


if __name__ == "__main__":
    main()
