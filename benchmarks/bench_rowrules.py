"""Benchmark (not a test): every rule of every bundled pack on one line, row evaluators vs the
batch query.

    python benchmarks/bench_rowrules.py --rows 2000 --profile all

Generates ROWS lines (all three flows), enriches them once, then times per line:
``RowRules.evaluate`` (the compiled closures; group rules with an in-memory window provider
holding the other lines) and ``RuleSet.evaluate`` on a one-line frame (what the batch machinery
pays for one line). Prints p50 / p99 / mean microseconds per line for both, and checks on the
way that both give the same answer for every line.
"""

from __future__ import annotations

import argparse
import statistics
import time

import polars as pl

from chipcustoms.assess.pipeline import References, enrich
from chipcustoms.policy.packs import load_packs
from chipcustoms.policy.profiles import load_profile
from chipcustoms.policy.rule_rows import InMemoryWindows
from chipcustoms.policy.rules import IDX, RuleSet
from chipcustoms.synthetic.generator import generate


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--profile", default="all")
    ap.add_argument("--batch-sample", type=int, default=200, help="lines timed on the batch path")
    args = ap.parse_args()
    refs = References.load()
    lines = generate(args.rows, seed=7)
    flows = pl.Series(["import", "export", "transit"] * (lines.height // 3 + 1))[: lines.height]
    batch = enrich(lines.with_columns(flows.alias("flow")), refs, anomalies=False)
    rs = RuleSet(load_packs(), load_profile(args.profile))
    t0 = time.perf_counter()
    rows = rs.row_evaluator(batch.schema)
    compile_ms = (time.perf_counter() - t0) * 1000
    dicts = batch.to_dicts()
    windows = InMemoryWindows(dicts)
    row_us: list[float] = []
    hits = 0
    for line in dicts:
        view = windows.without(line)
        t = time.perf_counter()
        out = rows.evaluate(line, view)
        row_us.append((time.perf_counter() - t) * 1e6)
        hits += out is not None
    want = {r[IDX]: r for r in rs.evaluate(batch).to_dicts()}
    batch_us: list[float] = []
    for k in range(min(args.batch_sample, batch.height)):
        one = batch.slice(k, 1)
        t = time.perf_counter()
        rs.evaluate(one)
        batch_us.append((time.perf_counter() - t) * 1e6)
    n_rules = len(rs.rules)
    print(f"{args.rows} lines, {n_rules} rules ({args.profile}), compiled in {compile_ms:.1f} ms")
    print(f"lines with a hit: row evaluators {hits}, batch query {len(want)}")
    for name, us in (("row evaluators", row_us), ("batch query, one-line frame", batch_us)):
        print(
            f"{name:>28}: p50 {_pct(us, 0.5):8.1f} us  p99 {_pct(us, 0.99):8.1f} us  "
            f"mean {statistics.fmean(us):8.1f} us per line ({len(us)} lines)"
        )


if __name__ == "__main__":
    main()
