"""The ingest fuzzing campaign: N generated CSV / JSONL / Parquet files through the table reader
and ``ingest`` in process, and M of them through the installed console script.

Each input must be screened (``read = accepted + quarantined``, no row lost) or, where that
is a right answer, refused with a message naming the file; through the CLI, exit 0 or 2 and
never a traceback, the output and quarantine files holding every row read. Prints the counts
of unexpected failures, with the seed of each for a rerun (``--seed S --inputs 1``). The
in-process inputs run in a worker process: an input that kills it from native code (an abort, a
panic) is counted as an unexpected failure at its seed, and the campaign goes on after it.

    PYTHONPATH=src python benchmarks/fuzz_ingest.py --inputs 100000 --cli 1000 --jobs 2
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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


def in_process(start: int, count: int, progress: Path, tmp: str) -> None:
    """Worker: inputs ``start`` .. ``start + count - 1`` in this process, one JSON line per
    unexpected failure on stdout; the seed being checked is written to ``progress`` first, so
    the parent can name the input that killed a worker from native code (an abort, a panic)."""
    for seed in range(start, start + count):
        inp = make_input(random.Random(seed))
        path = Path(tmp) / f"input{inp.suffix}"
        path.write_bytes(inp.data)
        progress.write_text(str(seed))
        why = check_in_process(inp, str(path))
        print(json.dumps({"seed": seed, "fmt": inp.fmt, "why": why}), flush=True)


def run_in_process(start: int, count: int, tmp: str) -> list[dict[str, object]]:
    """All ``count`` inputs through worker processes; a worker that dies is restarted after
    the input it died on, which is recorded as an unexpected failure."""
    results: list[dict[str, object]] = []
    progress = Path(tmp) / "progress"
    seed, end = start, start + count
    while seed < end:
        progress.write_text("")
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", str(seed), str(end - seed), str(progress)],
            capture_output=True,
            text=True,
        )
        done = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        results += done
        if proc.returncode == 0:
            break
        died = int(progress.read_text() or seed)
        results.append(
            {
                "seed": died,
                "fmt": "?",
                "why": f"process died (exit {proc.returncode}): "
                + (proc.stderr.strip().splitlines() or [""])[-1][:200],
            }
        )
        seed = died + 1
    return results


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        with tempfile.TemporaryDirectory() as tmp:
            in_process(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), tmp)
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=10_000, help="inputs run in process")
    ap.add_argument("--cli", type=int, default=100, help="inputs run through the console script")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first input")
    ap.add_argument("--chipcustoms", default=shutil.which("chipcustoms") or "chipcustoms")
    ap.add_argument("--jobs", type=int, default=1, help="inputs checked at once (processes)")
    args = ap.parse_args()
    failures: collections.Counter[str] = collections.Counter()
    formats: collections.Counter[str] = collections.Counter()
    examples: dict[str, int] = {}

    def record(label: str, fmt: str, seed: int, why: str | None) -> bool:
        if why is None:
            return False
        key = f"{label} {fmt}: {why.splitlines()[0][:120]}"
        failures[key] += 1
        examples.setdefault(key, seed)
        return True

    jobs = max(1, args.jobs)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(jobs) as pool:
        if args.inputs:
            t0 = time.perf_counter()
            cuts = [args.seed + args.inputs * j // jobs for j in range(jobs + 1)]
            dirs = [Path(tmp) / f"w{j}" for j in range(jobs)]
            for d in dirs:
                d.mkdir()
            chunks = pool.map(
                lambda j: run_in_process(cuts[j], cuts[j + 1] - cuts[j], str(dirs[j])),
                range(jobs),
            )
            results = [r for chunk in chunks for r in chunk]
            bad = 0
            for r in results:
                formats[str(r["fmt"])] += 1
                bad += record("in process", str(r["fmt"]), int(r["seed"]), r["why"])  # type: ignore[arg-type]
            print(
                f"{'in process':16} {len(results):8,} inputs  {bad:5,} unexpected failures  "
                f"{time.perf_counter() - t0:8.1f} s",
                flush=True,
            )

        def one_cli(k: int) -> tuple[str, int, str | None]:
            seed = args.seed + k
            inp = make_input(random.Random(seed))
            folder = Path(tmp) / f"cli{k}"
            folder.mkdir()
            path = folder / f"input{inp.suffix}"
            path.write_bytes(inp.data)
            why = cli_failure(inp, path, args.chipcustoms)
            shutil.rmtree(folder)
            return inp.fmt, seed, why

        if args.cli:
            start = time.perf_counter()
            bad = sum(
                record("through the CLI", fmt, seed, why)
                for fmt, seed, why in pool.map(one_cli, range(args.cli))
            )
            print(
                f"{'through the CLI':16} {args.cli:8,} inputs  {bad:5,} unexpected failures  "
                f"{time.perf_counter() - start:8.1f} s",
                flush=True,
            )
    print("in-process inputs by format:", dict(formats))
    for key, n in failures.most_common():
        print(f"  {n:5}  {key}  (first seed {examples[key]})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
