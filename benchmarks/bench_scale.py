"""Benchmark (issue 8): streamed screening in bounded memory, and scale-out on Dask.

    python benchmarks/bench_scale.py --sizes 1000000,3000000,10000000 --workers 1,2

Generates seeded canonical lines once per size (Parquet, cached in bench-out/ under the
generator's digest), then runs `chipcustoms screen` as a child process per measurement:

- local engine, one size after another: seconds, lines/s and peak RSS (max RSS from wait4,
  the command's own process), to show that memory stays flat as the input grows;
- Dask engine on a local cluster of each `--workers` count, on `--dask-size` lines, output to
  a folder of parts: wall seconds, and the seconds of the map phases (read+enrich, scoring,
  writing) from the command's own stage timings, whose ratio is the scale-out speed-up. The
  run's fixed costs (cluster start, the driver's global context and selection) are reported
  beside them.

Prints one table per part; docs/benchmarks.md ("Scale (issue 8)") records the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from bench_screen import OUT, PY, generator_digest

STAGE = re.compile(r"^\s+(?P<name>[^:]+): (?P<s>[\d.]+) s\s*$")
MAP_STAGES = (
    "reading and enriching",
    "duplicate keys",
    "HS6 peers",
    "scoring",
    "writing assessments",
)


def run(cmd: list[str]) -> tuple[float, float, dict[str, float]]:
    """Wall seconds, peak RSS (MiB) and the stage timings printed on stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    stages: dict[str, float] = {}
    for line in err.splitlines():
        m = STAGE.match(line)
        if m:
            stages[m["name"].strip()] = float(m["s"])
    return elapsed, usage.ru_maxrss / 1024, stages


def source(rows: int, seed: int) -> Path:
    src = OUT / f"scale-{rows}-{seed}-{generator_digest()}.parquet"
    if not src.exists():
        cmd = [PY, "-m", "chipcustoms", "generate", "-n", str(rows), "-s", str(seed)]
        t, rss, _ = run([*cmd, "-o", str(src)])
        print(f"generated {rows:,} lines in {t:.1f} s (peak {rss:.0f} MiB): {src}")
    return src


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,3000000,10000000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch-rows", type=int, default=250_000)
    ap.add_argument("--workers", default="1,2", help="Dask cluster sizes ('' to skip)")
    ap.add_argument("--dask-size", type=int, default=3_000_000)
    ap.add_argument("--skip-local", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    screen = [PY, "-m", "chipcustoms", "screen", "--batch-rows", str(args.batch_rows)]
    print(f"chipcustoms scale benchmark: seed {args.seed}, --batch-rows {args.batch_rows:,}")
    if not args.skip_local:
        for rows in sizes:
            source(rows, args.seed)
        print(f"\nlocal engine (Parquet in, Parquet out); {load()}")
        print(f"{'lines':>12} {'seconds':>8} {'lines/s':>9} {'peak MiB':>9}")
        for rows in sizes:
            out = OUT / "scale-out.parquet"
            t, rss, _ = run([*screen, str(source(rows, args.seed)), "-o", str(out), "-q"])
            print(f"{rows:12,} {t:8.1f} {rows / t:9,.0f} {rss:9.0f}", flush=True)
    workers = [int(w) for w in args.workers.split(",") if w]
    if not workers:
        return
    src = source(args.dask_size, args.seed)
    print(f"\nDask local cluster, {args.dask_size:,} lines, output a folder of parts; {load()}")
    print(
        f"{'workers':>7} {'wall s':>7} {'start s':>7} {'map s':>7} {'lines/s':>9} "
        f"{'map lines/s':>11} {'fixed s':>7} {'driver MiB':>10}"
    )
    base: tuple[float, float] | None = None
    for n in workers:
        out = OUT / f"scale-dask-{n}"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [*screen, str(src), "-o", str(out), "--engine", "dask", "--workers", str(n)]
        t, rss, stages = run(cmd)
        mapped = sum(v for k, v in stages.items() if k.startswith(MAP_STAGES))
        start = stages.get("starting the dask engine", 0.0)
        base = base or (mapped, t - start)
        print(
            f"{n:7d} {t:7.1f} {start:7.1f} {mapped:7.1f} {args.dask_size / t:9,.0f} "
            f"{args.dask_size / mapped:11,.0f} {t - mapped:7.1f} {rss:10.0f}"
            f"   speed-up: map {base[0] / mapped:.2f}x, wall after start "
            f"{base[1] / (t - start):.2f}x",
            flush=True,
        )
        shutil.rmtree(out, ignore_errors=True)
    print(f"\n{load()}")


if __name__ == "__main__":
    main()
