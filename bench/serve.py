"""Replay server under load: N concurrent viewers of one long session, or of a school.

Default: builds a temporary data dir holding a realistic session of `--minutes` minutes
(tests/session_fixture.py), starts `voicecoach serve --port 0` as a separate
process, then runs `--viewers` processes that each behave like a browser opening
the session: the sessions list, the session page, its JSON twin, the scripts,
then audio range requests (the first bytes, then seeks to random places, as the
audio element does while an instructor scrubs). Prints p50/p95/max latency per
kind of request; the target is p95 <= 200 ms for pages and audio ranges.

    .venv/bin/python bench/serve.py [--viewers 20] [--minutes 10] [--seeks 15]

`--school`: a school's sessions on PostgreSQL instead (a throwaway cluster, as the
tests start one, tests/postgres_server.py): `--trainees` x `--sessions` sessions
indexed by bench/store.py's `fill`, served by `voicecoach serve --database`, and
`--viewers` (default 50) browsers each fetching, `--rounds` times in a random order
(back to back, then pausing up to `--think-s` seconds after each as people read):
the sessions page (first page, and a later one), a search by trainee, a search by
scenario and verdict (best score first) and a trainee's progress page.
Targets: list and search p95 <= 200 ms, progress p95 <= 300 ms.

    .venv/bin/python bench/serve.py --school [--viewers 50] [--trainees 200] [--sessions 20]
        [--rounds 3] [--think-s 0 5]

Timings on a shared 2-core machine are noisy: run it twice.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import queue
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from percentiles import percentile  # noqa: E402
from postgres_server import running_postgres  # noqa: E402
from session_fixture import DEFAULT_TURNS, make_session  # noqa: E402
from store import SCENARIOS, VERDICTS, fill, trainee_names  # noqa: E402

from voicecoach.session.store import open_store  # noqa: E402

SCHOOL_TARGETS_MS = {"sessions page": 200, "sessions later page": 200, "search trainee": 200}
SCHOOL_TARGETS_MS |= {"search scenario+verdict": 200, "trainee progress": 300}
RANGE_BYTES = 256 * 1024
STATIC = (
    "/static/vendor/wavesurfer.min.js",
    "/static/vendor/uPlot.iife.min.js",
    "/static/session.js",
    "/static/app.css",
)


def build_data(folder: Path, minutes: float) -> str:
    """A data dir with one `minutes`-long session (plus a few short ones); returns its id."""
    with open_store(folder) as store:
        one_pass_s = make_session(store, trainee="warmup").duration_s
        repeat = max(1, round(minutes * 60 / one_pass_s))
        long = make_session(store, trainee="amy", turns=DEFAULT_TURNS, repeat=repeat)
        delivery_path = long.folder / "delivery.json"  # as the live call saves it: no tracks
        delivery = json.loads(delivery_path.read_text())
        for turn in delivery["turns"]:
            turn.pop("tracks")
        delivery_path.write_text(json.dumps(delivery))
        for name in ("bob", "kim"):
            make_session(store, trainee=name)
    return long.info.id, long.duration_s


def start_server(data_dir: Path, database: str | None = None) -> tuple[subprocess.Popen, int]:
    """`voicecoach serve --port 0` in its own process; the process and its port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "serve", "--port", "0", "--data-dir", str(data_dir)]
        + (["--database", database] if database else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in process.stdout:
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if match:
            return process, int(match.group(1))
    raise SystemExit("the server did not start: " + process.stdout.read())


class Viewer:
    """One instructor's browser: keep-alive connection, page assets, then audio seeks."""

    def __init__(
        self,
        port: int,
        session_id: str,
        audio_bytes: int,
        seeks: int,
        seed: int,
        results: dict,
        start,
    ):
        self.port, self.sid, self.size, self.seeks = port, session_id, audio_bytes, seeks
        self.random = random.Random(seed)
        self.results, self.start_barrier = results, start

    def get(self, kind: str, path: str, headers: dict | None = None, first_byte: bool = False):
        began = time.perf_counter()
        self.conn.request("GET", path, headers=headers or {})
        response = self.conn.getresponse()
        if first_byte:
            response.read(4096)
            elapsed = time.perf_counter() - began
            self.conn.close()  # the browser drops an open-ended stream when it seeks
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        else:
            response.read()
            elapsed = time.perf_counter() - began
        if response.status not in (200, 206):
            raise SystemExit(f"{path}: HTTP {response.status}")
        self.results[kind].append(elapsed)

    def run(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.start_barrier.wait()
        self.get("page: list", "/sessions")
        self.get("page: session", f"/sessions/{self.sid}")
        self.get("page: json twin", f"/sessions/{self.sid}.json")
        for path in STATIC:
            self.get("static", path)
        audio = f"/sessions/{self.sid}/audio.wav"
        self.get("audio first bytes", audio, {"Range": "bytes=0-"}, first_byte=True)
        for _ in range(self.seeks):
            start = self.random.randrange(0, self.size - RANGE_BYTES)
            self.get("audio range", audio, {"Range": f"bytes={start}-{start + RANGE_BYTES - 1}"})
            time.sleep(self.random.uniform(0.0, 0.2))
        self.conn.close()


def report(results: dict[str, list[float]], wall_s: float) -> bool:
    ok = True
    print(f"{'request':<20}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for kind, values in results.items():
        ms = np.array(values) * 1000
        p95 = float(np.percentile(ms, 95))
        print(f"{kind:<20}{len(ms):>6}{np.median(ms):>9.1f}{p95:>9.1f}{ms.max():>9.1f}")
        if not kind.startswith("static") and p95 > 200:
            ok = False
    total = sum(len(v) for v in results.values())
    if wall_s:
        print(f"{total} requests in {wall_s:.1f} s ({total / wall_s:.0f} req/s)")
    return ok


def viewer_process(port, session_id, audio_bytes, seeks, seed, barrier, out) -> None:
    """One viewer in its own process (a browser is not bound by this script's GIL)."""
    results: dict[str, list[float]] = defaultdict(list)
    Viewer(port, session_id, audio_bytes, seeks, seed, results, barrier).run()
    out.put(dict(results))


def run_viewers(args, port: int, session_id: str, audio_bytes: int):
    """All viewers at once, each a forked process; their latencies merged."""
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(args.viewers), context.Queue()
    processes = [
        context.Process(
            target=viewer_process,
            args=(port, session_id, audio_bytes, args.seeks, seed, barrier, out),
        )
        for seed in range(args.viewers)
    ]
    return gather(processes, out, timeout_s=300)


def gather(processes: list, out, *, timeout_s: float) -> tuple[dict[str, list[float]], float]:
    """Start the viewer processes, merge the latencies each puts on `out`, wait for them;
    the merged latencies by kind and the wall time."""
    began = time.perf_counter()
    for process in processes:
        process.start()
    timings: dict[str, list[float]] = defaultdict(list)
    for _ in processes:
        for kind, values in out.get(timeout=timeout_s).items():
            timings[kind].extend(values)
    wall_s = time.perf_counter() - began
    for process in processes:
        process.join()
    return timings, wall_s


def school_viewer(
    port: int, names: list[str], pages: int, rounds: int, think_s: float, seed: int, barrier, out
):
    """One browser on a school's pages: each kind `rounds` times in a random order, pausing
    up to `think_s` seconds after each (as people read a page)."""
    rng = random.Random(seed)
    by_score = {"scenario": SCENARIOS, "verdict": VERDICTS}
    kinds = {
        "sessions page": lambda: "/sessions",
        "sessions later page": lambda: f"/sessions?page={rng.randint(2, max(2, pages))}",
        "search trainee": lambda: f"/sessions?trainee={rng.choice(names)}",
        "search scenario+verdict": lambda: (
            "/sessions?"
            + urlencode({k: rng.choice(v) for k, v in by_score.items()} | {"order": "score"})
        ),
        "trainee progress": lambda: f"/trainees/{rng.choice(names)}",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    timings: dict[str, list[float]] = defaultdict(list)
    barrier.wait()
    time.sleep(rng.uniform(0, think_s))  # people do not all click at the same instant
    for _ in range(rounds):
        for kind, path in rng.sample(list(kinds.items()), len(kinds)):
            began = time.perf_counter()
            conn.request("GET", path())
            response = conn.getresponse()
            response.read()
            took = (time.perf_counter() - began) * 1000
            timings[kind if response.status == 200 else f"{kind}: HTTP {response.status}"].append(
                took
            )
            time.sleep(rng.uniform(0, think_s))
    conn.close()
    out.put(dict(timings))


def school_report(timings: dict[str, list[float]]) -> None:
    print(f"{'page':26} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}  target p95")
    for kind, values in timings.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        target = SCHOOL_TARGETS_MS.get(kind)
        mark = (
            "MISSED" if target is None else f"<= {target} " + ("ok" if p95 <= target else "MISSED")
        )
        print(f"{kind:26} {len(values):5d} {p50:8.1f} {p95:8.1f} {max(values):8.1f}  {mark}")


def load_average() -> str:
    return "load average " + " ".join(f"{n:.1f}" for n in os.getloadavg())


def run_school(args: argparse.Namespace) -> None:
    """Fill PostgreSQL with a school's sessions, serve them, time the viewers' pages."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(running_postgres()) + "/postgres"
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-serve-")))
        with open_store(data, url) as store:
            began = time.perf_counter()
            fill(store, args.trainees, args.sessions)
            total = store.count_sessions()
        print(f"indexed {total} sessions in {time.perf_counter() - began:.1f} s ({load_average()})")
        process, port = start_server(data, url)
        stack.callback(process.wait, timeout=10)
        stack.callback(process.terminate)
        names, pages = trainee_names(args.trainees), -(-total // 50)
        alone: queue.Queue = queue.Queue()
        school_viewer(port, names, pages, 1, 0.0, 0, threading.Barrier(1), alone)  # warm up
        school_viewer(port, names, pages, args.rounds, 0.0, 0, threading.Barrier(1), alone)
        alone.get()
        print(f"one viewer alone, {args.rounds} rounds, ms:")
        school_report(alone.get())
        for think_s in args.think_s:
            school_load(args, port, names, pages, think_s)


def school_load(
    args: argparse.Namespace, port: int, names: list[str], pages: int, think_s: float
) -> None:
    """`args.viewers` viewers at once, each in its own process; their latencies reported."""
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(args.viewers), context.Queue()
    viewers = [
        context.Process(
            target=school_viewer,
            args=(port, names, pages, args.rounds, think_s, seed, barrier, out),
        )
        for seed in range(1, args.viewers + 1)
    ]
    pause = f"pauses up to {think_s} s" if think_s else "back to back"
    print(f"\n{args.viewers} concurrent viewers, {args.rounds} rounds, {pause} ({load_average()})")
    timings, wall_s = gather(viewers, out, timeout_s=900)
    requests = sum(len(v) for v in timings.values())
    print(f"{requests} requests in {wall_s:.1f} s ({load_average()} at end), ms:")
    school_report(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--viewers", type=int, default=None, help="concurrent viewers (default 20; 50 --school)"
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the session")
    parser.add_argument("--seeks", type=int, default=15, help="audio range requests per viewer")
    parser.add_argument("--school", action="store_true", help="a school's sessions on PostgreSQL")
    parser.add_argument("--trainees", type=int, default=200, help="--school: trainees")
    parser.add_argument("--sessions", type=int, default=20, help="--school: sessions each")
    parser.add_argument("--rounds", type=int, default=3, help="--school: fetches of each page")
    parser.add_argument(
        "--think-s",
        type=float,
        nargs="+",
        default=[0.0, 5.0],
        help="--school: a viewer's pause after each page, up to this many seconds (0: back "
        "to back); each value timed in turn",
    )
    args = parser.parse_args()
    if args.school:
        args.viewers = args.viewers or 50
        run_school(args)
        return
    args.viewers = args.viewers or 20
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        began = time.perf_counter()
        session_id, duration_s = build_data(data_dir, args.minutes)
        audio_bytes = (data_dir / "sessions" / session_id / "call.wav").stat().st_size
        print(
            f"session {session_id}: {duration_s / 60:.1f} min, call.wav "
            f"{audio_bytes / 1e6:.1f} MB (built in {time.perf_counter() - began:.1f} s)"
        )
        process, port = start_server(data_dir)
        try:
            first: dict[str, list[float]] = defaultdict(list)
            warm = Viewer(port, session_id, audio_bytes, 1, 0, first, threading.Barrier(1))
            warm.run()  # the first view computes and caches the waveform peaks
            warm.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            warm.get("tracks (measured)", f"/sessions/{session_id}/tracks.json")
            print("first view, cold caches (one viewer):")
            report(first, 0.0)
            print()
            results, wall_s = run_viewers(args, port, session_id, audio_bytes)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"{args.viewers} concurrent viewers:")
    ok = report(results, wall_s)
    print("target p95 <= 200 ms for pages and audio:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
