"""The ingest fuzzing campaign: N generated CSV / JSONL / Parquet files through the table reader
and ``ingest`` in process, and M of them through the installed console script.

Each input must be screened (``read = accepted + quarantined``, no row lost) or, where that
is a right answer, refused with a message naming the file; through the CLI, exit 0 or 2 and
never a traceback, the output and quarantine files holding every row read. Prints the counts
of unexpected failures, with the seed of each for a rerun (``--seed S --inputs 1``).

    PYTHONPATH=src python benchmarks/fuzz_ingest.py --inputs 100000 --cli 1000
"""

from __future__ import annotations

import argparse
import collections
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import polars as pl

from fuzz_inputs import FuzzInput, check_in_process, make_input


def cli_failure(inp: FuzzInput, path: Path, chipcustoms: str) -> str | None:
    """Screen ``path`` through the console script; None when the outcome is a right one."""
    out = path.with_name("out.csv")
    quarantine = path.with_name("q.csv")
    for p in (out, quarantine):
        p.unlink(missing_ok=True)
    proc = subprocess.run(
        [chipcustoms, "screen", str(path), "-o", str(out), "--quarantine", str(quarantine), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if "Traceback" in proc.stderr or proc.returncode not in (0, 2):
        return f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
    if proc.returncode == 2:
        return None if inp.refusable else f"refused: {proc.stderr.strip()[-300:]}"
    accepted = pl.read_csv(out, infer_schema=False).height if out.stat().st_size else 0
    quarantined = pl.read_csv(quarantine, infer_schema=False).height if quarantine.exists() else 0
    if inp.rows is not None and accepted + quarantined != inp.rows:
        return f"{accepted} written + {quarantined} quarantined != {inp.rows} rows"
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=10_000, help="inputs run in process")
    ap.add_argument("--cli", type=int, default=100, help="inputs run through the console script")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first input")
    ap.add_argument("--chipcustoms", default=shutil.which("chipcustoms") or "chipcustoms")
    args = ap.parse_args()
    failures: collections.Counter[str] = collections.Counter()
    formats: collections.Counter[str] = collections.Counter()
    examples: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, count, check in (
            ("in process", args.inputs, None),
            ("through the CLI", args.cli, args.chipcustoms),
        ):
            start = time.perf_counter()
            bad = 0
            for k in range(count):
                seed = args.seed + k
                inp = make_input(random.Random(seed))
                path = Path(tmp) / f"input{inp.suffix}"
                path.write_bytes(inp.data)
                formats[inp.fmt] += check is None
                why = (
                    check_in_process(inp, str(path))
                    if check is None
                    else cli_failure(inp, path, check)
                )
                if why is not None:
                    bad += 1
                    key = f"{label} {inp.fmt}: {why.splitlines()[0][:120]}"
                    failures[key] += 1
                    examples.setdefault(key, seed)
            took = time.perf_counter() - start
            print(
                f"{label:16} {count:8,} inputs  {bad:5,} unexpected failures  {took:8.1f} s",
                flush=True,
            )
    print("in-process inputs by format:", dict(formats))
    for key, n in failures.most_common():
        print(f"  {n:5}  {key}  (first seed {examples[key]})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
