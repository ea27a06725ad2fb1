"""Benchmark: the CLI's start-up, wall time of whole commands that do little else.

    python benchmarks/bench_startup.py --runs 5 [--src OTHER/src ...]

Times ``python -m chipcustoms --help``, ``catalog`` and ``screen`` of the seven-line test
fixture (``-q``, to a temporary file), each ``--runs`` times, and prints the median and the
range in seconds. With ``--src``, the same commands also run against other source trees (e.g.
the previous commit: ``git archive HEAD~1 src | tar -x -C /tmp/old``), the trees taking turns
run by run, so every tree meets the same load on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "lines.csv"


def commands(out: str) -> dict[str, list[str]]:
    return {
        "--help": ["--help"],
        "catalog": ["catalog"],
        "screen (7 lines)": ["screen", str(FIXTURE), "-o", out, "-q"],
    }


def once(src: str, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": src}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "chipcustoms", *args], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--src", action="append", default=[], help="another source tree")
    a = parser.parse_args()
    trees = [str(ROOT / "src"), *a.src]
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(str(Path(tmp) / "out.csv"))
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(a.runs):
            for name, args in cmds.items():
                for src in trees:
                    times.setdefault((name, src), []).append(once(src, args))
    for (name, src), t in times.items():
        print(
            f"{name:<18} {src:<40} median {statistics.median(t):.3f} s "
            f"(min {min(t):.3f}, max {max(t):.3f}, n={len(t)})"
        )


if __name__ == "__main__":
    main()
