"""Benchmark (not a test): pairs of concurrent `screen --db` on one SQLite store while a server
takes single-line screens.

    python benchmarks/bench_concurrency.py --pairs 10 --rows 30000

Generates two files of ROWS lines with disjoint keys (cached in bench-out/), screens a small file
in budget mode so the server has cut-offs, starts `chipcustoms serve` on the store, then runs
PAIRS rounds of two `screen FILE -o OUT -q --db STORE` at once while a thread posts one line at a
time to POST /v1/screen. Prints, per round and in total: failed screens (non-zero exit, with the
last line of their stderr), server answers by status (5xx are server errors; a 503 is the
server saying "busy, retry"), and at the end the store's checks (tests/storecheck.py). Issue 13
asks for 0 failures and 0 server errors over 10 pairs of 30,000 lines.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import storecheck  # noqa: E402
from storecheck import check, cli, env, generate  # noqa: E402

OUT = Path("bench-out")
LINE = {
    "item_no": 1,
    "date": "2025-11-05",
    "flow": "import",
    "office": "SZ01",
    "origin_country": "TW",
    "destination_country": "CN",
    "hs_code": "847330",
    "description": "NVIDIA H20 96GB GPU module",
    "quantity": 8,
    "value": 24000,
    "currency": "USD",
}


def run(*args: str) -> str:
    done = subprocess.run(cli(*args), env=env(), capture_output=True, text=True, check=True)
    return done.stdout.strip()


def poster(url: str, key: str, stop: threading.Event, seen: collections.Counter[int]) -> None:
    """Single-line screens one after another; a dropped connection counts as status 0."""
    n = 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as c:
        while not stop.is_set():
            try:
                r = c.post("/v1/screen", json={"lines": [{**LINE, "declaration_id": f"POST{n}"}]})
                seen[r.status_code] += 1
            except httpx.HTTPError:
                seen[0] += 1
            n += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--rows", type=int, default=30_000)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--src", help="run the chipcustoms of this src/ folder (a baseline)")
    args = ap.parse_args()
    if args.src:
        storecheck.SRC = Path(args.src).resolve()
    OUT.mkdir(exist_ok=True)
    files = []
    for side in ("A", "B"):
        path = OUT / f"conc-{side}-{args.rows}.csv"
        if not path.exists():
            generate(path, args.rows, seed=ord(side), prefix=side)
        files.append(path)
    db = OUT / "concurrency.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    seed_file = OUT / "conc-seed.csv"
    generate(seed_file, 2_000, seed=7, prefix="S")
    run("screen", str(seed_file), "-o", str(OUT / "conc-seed.out.csv"), "-q", "--db", str(db))
    key = run("users", "add", "bench", "--role", "analyst", "--db", str(db))
    server = subprocess.Popen(
        cli("serve", "--db", str(db), "--port", str(args.port)), env=env()
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        seen: collections.Counter[int] = collections.Counter()
        stop = threading.Event()
        thread = threading.Thread(target=poster, args=(url, key, stop, seen))
        thread.start()
        failures = 0
        start = time.perf_counter()
        for pair in range(args.pairs):
            t0 = time.perf_counter()
            procs = [
                subprocess.Popen(
                    cli("screen", str(f), "-o", str(f.with_suffix(".out.csv")), "-q",
                        "--db", str(db)),
                    env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                )
                for f in files
            ]
            for p in procs:
                _, err = p.communicate()
                if p.returncode != 0:
                    failures += 1
                    print(f"pair {pair + 1}: exit {p.returncode}: {err.strip().splitlines()[-1:]}")
            print(f"pair {pair + 1}: {time.perf_counter() - t0:.1f} s, posts so far {dict(seen)}")
        stop.set()
        thread.join()
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = sum(n for status, n in seen.items() if (status >= 500 and status != 503) or not status)
    print(f"{args.pairs} pairs of {args.rows:,}-line screens in {elapsed:.0f} s")
    print(f"failed screens: {failures}")
    print(f"single-line posts: {sum(seen.values())} by status {dict(sorted(seen.items()))}")
    print(f"server errors (5xx other than 503, dropped connections): {errors}; "
          f"503 busy answers: {seen.get(503, 0)}")
    state = check(str(db))
    print({k: state[k] for k in ("integrity", "duplicate_keys", "runs_running",
                                 "live_cases_without_assessment", "runs")})


if __name__ == "__main__":
    main()
