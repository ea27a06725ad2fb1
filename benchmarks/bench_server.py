"""Load benchmark of the server (not a test): single-line POST /v1/screen at a fixed rate.

A uvicorn server (``chipcustoms serve``, access log on, to a file) runs in one process; the load
generator runs in another (this script with ``--load``), open-loop: request i is sent at
t0 + i/rate whether or not earlier ones have returned, so a slow server shows as latency rather
than as a lower offered rate. ``--runs`` runs (default 3) of ``--seconds`` each, with the
machine's load average at the start of each and the server's CPU per request (user + system,
all its processes); the median run (by p99) is the figure. Each
request is one new line, stored with its assessment, case and audit entry before it is
answered (store/group_commit.py): afterwards the store must hold every answered line and
``chipcustoms audit verify`` must pass. The benchmark's key is not rate-limited (the server
runs with ``CHIPCUSTOMS_API_RATE_PER_SECOND=0``). Then schemathesis fuzzes every operation of
/openapi.json and counts server errors (5xx); ``--examples 0`` skips it.

    python benchmarks/bench_server.py --seconds 60 --rate 200 [--runs 3] [--db postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LANES = 64  # connections the load generator keeps open


async def _load(
    url: str, key: str, rate: float, seconds: float, lines: list[dict[str, Any]], prefix: str
) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {key}"}
    # One client per connection, request i on lane i % LANES: httpcore's pool matches every
    # queued request against every connection on each event, so one pool of 200 connections
    # with thousands of requests queued spends the client's CPU there, not on sending.
    lanes = [
        httpx.AsyncClient(
            base_url=url,
            headers=headers,
            timeout=30,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        for _ in range(LANES)
    ]
    async with contextlib.AsyncExitStack() as stack:
        for c in lanes:
            await stack.enter_async_context(c)

        async def one(i: int) -> None:
            line = dict(lines[i % len(lines)], declaration_id=f"{prefix}{i:07d}")
            start = time.perf_counter()
            try:
                r = await lanes[i % LANES].post("/v1/screen", json={"lines": [line]})
                code = str(r.status_code)
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            latencies.append(time.perf_counter() - start)
            statuses[code] = statuses.get(code, 0) + 1

        t0 = time.perf_counter()
        tasks, n = [], int(rate * seconds)
        for i in range(n):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(q: float) -> float:
        return round(lat[int(q * (len(lat) - 1))] * 1000, 1)

    return {
        "offered_rps": rate,
        "requests": n,
        "elapsed_s": round(elapsed, 1),
        "held_rps": round(statuses.get("200", 0) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
        "errors": n - statuses.get("200", 0),
        "statuses": statuses,
    }


def _prepare(folder: Path, db: str) -> tuple[str, list[dict[str, Any]]]:
    """A store with a budget-mode run (the cut-offs) and an analyst; lines to send."""
    import polars as pl

    from chipcustoms.run.orchestrator import screen_file
    from chipcustoms.store import open_store
    from chipcustoms.store.access import add_user
    from chipcustoms.synthetic.writer import write_generated

    src = folder / "lines.csv"
    write_generated(5_000, 7, str(src))
    screen_file(str(src), str(folder / "out.parquet"), db=db)
    key = add_user(open_store(db), "bench", "analyst")
    fields = [
        "declaration_id",
        "item_no",
        "date",
        "flow",
        "office",
        "importer_id",
        "importer_name",
        "origin_country",
        "destination_country",
        "transport_mode",
        "hs_code",
        "description",
        "brand",
        "model",
        "part_number",
        "quantity",
        "value",
        "currency",
    ]
    lines = (
        pl.read_csv(src, infer_schema=False)
        .select(fields)
        .head(1000)
        .with_columns(  # JSON numbers, as the request schema wants them
            pl.col("item_no").cast(pl.Int64), pl.col("quantity", "value").cast(pl.Float64)
        )
        .to_dicts()
    )
    return key, [{k: v for k, v in r.items() if v is not None} for r in lines]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (``--workers N``)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def _stored(db: str, prefix: str) -> int:
    """How many lines of one run the store holds, each with an assessment."""
    import sqlalchemy as sa

    from chipcustoms.store import open_store

    store = open_store(db, upgrade=False)
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "SELECT count(DISTINCT d.declaration_id) FROM declarations d "
                    "JOIN assessments a "
                    "ON a.declaration_id = d.declaration_id AND a.item_no = d.item_no "
                    "AND a.run_id = d.last_run_id WHERE d.declaration_id LIKE :p"
                ),
                {"p": f"{prefix}%"},
            ).scalar_one()
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--runs", type=int, default=3, help="runs; the median run is reported")
    ap.add_argument("--workers", type=int, default=1, help="serve --workers")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--db", help="PostgreSQL URL (emptied first is up to you); default SQLite")
    ap.add_argument(
        "--examples",
        type=int,
        default=25,
        help="schemathesis examples per operation (0: no fuzzing)",
    )
    ap.add_argument(
        "--load", nargs=4, metavar=("URL", "KEY", "LINES_JSON", "PREFIX"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.load:  # the load-generator process
        url, key, lines_file, prefix = args.load
        lines = json.loads(Path(lines_file).read_text())
        print(json.dumps(asyncio.run(_load(url, key, args.rate, args.seconds, lines, prefix))))
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-server-"))
    db = args.db or str(folder / "bench.db")
    key, lines = _prepare(folder, db)
    (folder / "lines.json").write_text(json.dumps(lines))
    exe = Path(sys.executable).parent / "chipcustoms"
    log = (folder / "access.log").open("w")
    server = subprocess.Popen(
        [str(exe), "serve", "--db", db, "--port", str(args.port), "--workers", str(args.workers)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "CHIPCUSTOMS_API_RATE_PER_SECOND": "0"},
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        results = []
        for run in range(args.runs):
            prefix = f"L{run}-"
            load_avg = [round(x, 2) for x in os.getloadavg()]
            cpu_before = _cpu_seconds(server.pid)
            load = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--seconds",
                    str(args.seconds),
                    "--rate",
                    str(args.rate),
                    "--load",
                    url,
                    key,
                    str(folder / "lines.json"),
                    prefix,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            result = {"run": run + 1, "load_avg_at_start": load_avg, **json.loads(load.stdout)}
            # The server's own CPU per request (all its processes): what the machine's other
            # load does not change much, unlike the latencies.
            result["server_cpu_ms_per_request"] = round(
                (_cpu_seconds(server.pid) - cpu_before) * 1000 / max(1, result["requests"]), 2
            )
            results.append(result)
            print("run:", json.dumps(result), flush=True)
        median = sorted(results, key=lambda r: r["p99_ms"])[len(results) // 2]
        print("median run (by p99):", json.dumps(median))
        for name in ("p50_ms", "p95_ms", "p99_ms", "held_rps", "errors"):
            print(f"  {name}: median {statistics.median(r[name] for r in results)}")
        if args.examples > 0:
            _fuzz(url, key, args.examples, folder)
        # Requests a client gave up on may still be committing: stop the server (uvicorn lets
        # them finish), then count and verify a store at rest (verify reads it in pieces).
        server.terminate()
        server.wait(timeout=120)
        answered = sum(r["statuses"].get("200", 0) for r in results)
        stored = sum(_stored(db, f"L{run}-") for run in range(args.runs))
        print(
            f"answered 200: {answered}, stored with an assessment: {stored} "
            f"(requests sent: {sum(r['requests'] for r in results)})"
        )
        verify = subprocess.run(
            [str(exe), "audit", "verify", "--db", db], capture_output=True, text=True
        )
        print("audit verify exit code:", verify.returncode, verify.stderr.strip()[-300:])
        log.flush()
        print("access log lines:", sum(1 for _ in (folder / "access.log").open()))
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _fuzz(url: str, key: str, examples: int, folder: Path) -> None:
    st = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    fuzz = subprocess.run(
        [
            st,
            "run",
            f"{url}/openapi.json",
            "-H",
            f"Authorization: Bearer {key}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(examples),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=folder,  # its .schemathesis/ cache goes with the temporary folder
    )
    print("schemathesis exit code:", fuzz.returncode)
    print("\n".join(fuzz.stdout.splitlines()[-25:]))


if __name__ == "__main__":
    main()
