"""Benchmark: `chipcustoms screen` against a bare Polars read of the same file.

    python benchmarks/bench_screen.py --rows 1000000        (or: make bench)

Generates N canonical lines once (CSV and Parquet, cached in bench-out/), then measures in one
run: the Polars read alone, `chipcustoms screen` to an output file without the store, and with
the store (--db, a fresh SQLite file), each as a separate process so that peak memory (max RSS
from wait4) is the command's own. Prints seconds, ratios to the bare read and peak RSS.
Targets (issue 2): <= 6x without the store, <= 12x with it, peak memory < 2 GB.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path("bench-out")
PY = sys.executable


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        detail = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"failed: {' '.join(cmd)}\n{detail}")
    return elapsed, usage.ru_maxrss / 1024


def generator_digest() -> str:
    """Cached inputs are keyed by the generator's code and by the data it draws from (its own
    YAML, the catalog's models and systems, the plants and exchange rates), so a change to any
    of them regenerates them: a file cached under an older catalog would otherwise be screened
    by a tree whose catalog it was not drawn from."""
    import chipcustoms

    root = Path(chipcustoms.__file__).parent
    data = root / "refdata"
    parts = [
        *sorted((root / "synthetic").glob("*.py")),
        data / "generator.yaml",
        *sorted((data / "catalog").glob("*.yaml")),
        data / "plants.yaml",
        data / "fx" / "usd_rates.csv",
    ]
    digest = hashlib.sha256()
    for p in parts:
        digest.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()[:8]


def bare_read(path: Path) -> list[str]:
    reader = "read_csv" if path.suffix == ".csv" else "read_parquet"
    return [PY, "-c", f"import polars as pl; pl.{reader}('{path}')"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", default="csv,parquet")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    print(
        f"chipcustoms screen benchmark: {args.rows:,} generated lines, seed {args.seed}, "
        f"median of {args.repeat} interleaved rounds (ratios per round), peak = highest max RSS"
    )
    print(f"{'input':8} {'step':28} {'seconds':>8} {'x read':>7} {'peak MiB':>9}")
    for fmt in args.formats.split(","):
        src = OUT / f"lines-{args.rows}-{args.seed}-{generator_digest()}.{fmt}"
        if not src.exists():
            t, _ = run(
                [
                    PY,
                    "-m",
                    "chipcustoms",
                    "generate",
                    "--rows",
                    str(args.rows),
                    "--seed",
                    str(args.seed),
                    "-o",
                    str(src),
                ]
            )
            print(f"{fmt:8} {'generate (not timed below)':28} {t:8.2f}")
        out = OUT / f"assessed.{fmt}"  # same format as the input
        db = OUT / f"bench-{fmt}.db"
        steps = {
            "polars read": bare_read(src),
            "screen, no store": [PY, "-m", "chipcustoms", "screen", str(src), "-o", str(out), "-q"],
            "screen, with store (--db)": [
                PY,
                "-m",
                "chipcustoms",
                "screen",
                str(src),
                "-o",
                str(out),
                "-q",
                "--db",
                str(db),
            ],
        }
        # Interleaved rounds: each round measures all three back to back, so a slow spell of
        # this shared machine hits the baseline and the screens alike; ratios are per round.
        seconds: dict[str, list[float]] = {k: [] for k in steps}
        peaks: dict[str, list[float]] = {k: [] for k in steps}
        for _ in range(args.repeat):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.rmtree(f"{db}.lines", ignore_errors=True)  # Parquet parts staged beside it
            for name, cmd in steps.items():
                t, rss = run(cmd)
                seconds[name].append(t)
                peaks[name].append(rss)
        base = seconds["polars read"]
        for name in steps:
            ratios = [t / b for t, b in zip(seconds[name], base, strict=True)]
            print(
                f"{fmt:8} {name:28} {statistics.median(seconds[name]):8.2f} "
                f"{statistics.median(ratios):7.2f} {max(peaks[name]):9.0f}"
            )


if __name__ == "__main__":
    main()
