"""Benchmark (not a test): the online assessment path, one line at a time.

    PYTHONPATH=src python benchmarks/bench_online.py --rows 20000

Builds the assessor from a budget-mode run over BACKGROUND generated lines (its cut-offs and HS6
peers), then assesses ROWS other generated lines one at a time, in input order, with every
cache empty at the start (a fresh assessor: resolution misses are paid as they come; with
``--warm`` the cache first holds the background run's texts, as a server can load them). Prints
p50 / p95 / p99 / max per line; the process's CPU time per line (on a shared machine the
wall-clock tail is mostly waiting for a core); the same without the rule evaluation (where the
RuleSet has no row evaluator yet, rules go through the batch evaluator on a one-row frame: that
figure is what the row evaluator replaces); the rules alone; the lines that brought a text not
seen before (a resolution miss); and the batch path's time for one line (``assess`` on a
one-line frame in threshold mode, median of BATCH_SAMPLES lines) measured in the same run, with
the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from chipcustoms.assess.online import OnlineAssessor
from chipcustoms.assess.pipeline import References, assess
from chipcustoms.assess.selection import Budgets
from chipcustoms.synthetic.generator import generate


def pct(xs: list[float], p: float) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def timed(fn: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    """``fn`` that adds its own time to ``spent`` (the rule stage's share of a line)."""

    def run(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kw)
        finally:
            spent.append(time.perf_counter() - t0)

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--background", type=int, default=5_000)
    ap.add_argument("--batch-samples", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--warm", action="store_true", help="resolve the background run's texts first")
    a = ap.parse_args()

    refs = References.load()
    t0 = time.perf_counter()
    background = generate(a.background, seed=a.seed + 1)
    first = OnlineAssessor.from_run(background, refs, Budgets())
    print(f"cut-offs and peers from a {a.background:,}-line run: {time.perf_counter() - t0:.1f} s")
    online = OnlineAssessor(refs, thresholds=first.thresholds, peers=first.peers)  # empty caches
    if a.warm:
        print(f"cache warmed with the run's texts: {online.warm(background):,} texts")
    mode = "row evaluator" if online.row_rules is not None else "batch evaluator (fallback)"
    lines = generate(a.rows, seed=a.seed)
    rows = lines.to_dicts()

    rule_time: list[float] = []
    if online.row_rules is not None:
        online.row_rules.evaluate = timed(online.row_rules.evaluate, rule_time)  # type: ignore[method-assign]
    else:
        online.frame_rules.evaluate_many = timed(online.frame_rules.evaluate_many, rule_time)  # type: ignore[method-assign]
    per_line: list[float] = []
    missed: list[float] = []  # the lines that brought a text not seen before
    texts = online.enricher.texts
    cpu: list[float] = []  # the process's CPU time per line: what a shared machine's wait hides
    for row in rows:
        before = texts.misses
        c = time.process_time()
        t = time.perf_counter()
        online.assess(row)
        per_line.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if texts.misses > before:
            missed.append(per_line[-1])
    without = [t - r for t, r in zip(per_line, rule_time, strict=True)]

    batch: list[float] = []
    context = online.batch_context()
    for k in range(a.batch_samples):
        one = lines.slice(k * (a.rows // max(a.batch_samples, 1)), 1)
        t = time.perf_counter()
        assess(one, refs, Budgets(), thresholds=online.thresholds, context=context)
        batch.append(time.perf_counter() - t)

    ms = 1000.0
    print(f"online path, {a.rows:,} lines one at a time (rules: {mode}):")
    parts = [
        ("per line", per_line),
        ("CPU per line", cpu),
        ("without rules", without),
        ("rules", rule_time),
    ]
    for name, xs in [*parts, ("with a miss", missed)] if missed else parts:
        print(
            f"  {name:>14}: p50 {pct(xs, 50) * ms:.2f} ms  p95 {pct(xs, 95) * ms:.2f} ms  "
            f"p99 {pct(xs, 99) * ms:.2f} ms  max {max(xs) * ms:.1f} ms"
        )
    print(f"  resolution misses: {online.enricher.texts.misses:,} distinct texts")
    b50 = statistics.median(batch)
    print(f"batch path, one line (median of {len(batch)}): {b50 * ms:.1f} ms")
    print(f"ratio batch / online p50: {b50 / pct(per_line, 50):.1f}x")


if __name__ == "__main__":
    main()
