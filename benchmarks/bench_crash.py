"""Benchmark (not a test): kill -9 a `chipcustoms screen --db` at random points, then rerun it.

    python benchmarks/bench_crash.py --kills 50 --rows 200000 [--seed 1]

Generates ROWS lines (cached in bench-out/), times one clean screen on a throwaway store, then on
a fresh store starts the same `screen FILE -o OUT -q --db STORE` KILLS times and sends SIGKILL at
a uniformly random moment of that duration (a run that finishes first counts as not killed, and
its time becomes the duration if shorter: a busy machine makes the first timing long).
After every kill the file is checked with SQLite's integrity_check; at the end the same command
runs to completion and the store is checked (tests/storecheck.py): corrupt files, duplicate
keys, runs left running, live cases without their assessment, live cases of unfinished runs
(issue 13: all must be 0). The kill -9 test in CI (tests/test_crash.py) does three kills.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import storecheck  # noqa: E402
from storecheck import check, cli, env, generate  # noqa: E402

OUT = Path("bench-out")


def screen(src: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cli("screen", str(src), "-o", str(OUT / "crash-out.csv"), "-q", "--db", str(db)),
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{db}.lines", ignore_errors=True)  # Parquet parts staged beside it


def integrity(db: Path) -> str:
    if not db.exists():
        return "ok"  # killed before the store was created
    conn = sqlite3.connect(db, timeout=60)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def runs_recorded(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=60)
    try:
        return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
    except sqlite3.Error:  # killed before the tables were created
        return 0
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--src", help="run the chipcustoms of this src/ folder (a baseline)")
    args = ap.parse_args()
    if args.src:
        storecheck.SRC = Path(args.src).resolve()
    OUT.mkdir(exist_ok=True)
    src = OUT / f"crash-{args.rows}-{args.seed}.csv"
    if not src.exists():
        generate(src, args.rows, args.seed, prefix="")
    db = OUT / "crash.db"
    fresh(db)
    start = time.perf_counter()
    clean = screen(src, db)
    if clean.wait() != 0:
        raise SystemExit(clean.stderr.read().decode() if clean.stderr else "screen failed")
    duration = time.perf_counter() - start
    fresh(db)
    print(f"{args.rows:,} lines; one clean screen --db takes {duration:.1f} s; {args.kills} kills")
    rng = random.Random(args.seed)
    corrupt = finished = recorded = 0
    for i in range(args.kills):
        at = rng.uniform(0.0, duration)
        before = runs_recorded(db)
        began = time.perf_counter()
        proc = screen(src, db)
        try:
            proc.wait(timeout=at)
            finished += 1
            duration = min(duration, time.perf_counter() - began)  # the machine got quieter
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            recorded += runs_recorded(db) > before
        if (state := integrity(db)) != "ok":
            corrupt += 1
            print(f"kill {i + 1} at {at:.1f} s: integrity_check says {state}")
    rerun = screen(src, db)
    rc = rerun.wait()
    result = check(str(db)) if rc == 0 else {}
    print(
        f"kills: {args.kills - finished}, of which {recorded} after the run was recorded "
        f"(runs that finished before their kill: {finished})"
    )
    print(f"rerun exit code: {rc}")
    print(f"corrupt files after a kill: {corrupt}")
    for name in (
        "integrity",
        "duplicate_keys",
        "duplicate_assessments",
        "runs_running",
        "live_cases_without_assessment",
        "live_cases_of_unfinished_runs",
        "runs",
        "lines",
    ):
        print(f"{name}: {result.get(name)}")


if __name__ == "__main__":
    main()
