"""The online path's group rules in submission order: each line is assessed online against a
window provider holding the lines submitted before it, and compared with the batch run over the
lines up to and including it (the differential test's set-up, tests/test_online_differential.py).

A file of its own because it is the suite's longest test (one batch run per submitted line,
about a minute): `--dist loadfile` then runs it on one worker beside the rest of the differential
file instead of after it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from chipcustoms.assess.online import OnlineAssessor
from chipcustoms.assess.online_rules import MemoryWindows
from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets
from chipcustoms.synthetic.generator import generate
from test_online_differential import GROUP_LINES, batch, differences


@pytest.fixture(scope="module")
def online(refs: References) -> OnlineAssessor:
    """Cut-offs and peers of a budget-mode run over a background of generated lines (as in the
    differential test)."""
    return OnlineAssessor.from_run(generate(5_000, seed=101), refs, Budgets())


def split_lot_lines(n: int) -> pl.DataFrame:
    """``n`` generated lines recast as a few importers' small accelerator lots over 40 days, in
    date order: lines that the split-lot group rule sees together (and some it does not: large
    quantities, a non-accelerator text)."""
    base = generate(n, seed=505)
    texts = ["NVIDIA H20 96GB HBM3 GPU module", "H100 PCIe 80GB", "AMD Instinct MI308X", "laptop"]
    start = dt.date(2025, 3, 1)
    return base.with_columns(
        pl.Series("importer_id", [f"IMP-SPLIT-{k % 5}" for k in range(n)]),
        pl.Series("date", [start + dt.timedelta(days=(k * 7919) % 40) for k in range(n)]),
        pl.Series("description", [texts[(k * 31) % 4] for k in range(n)]),
        pl.lit(None, pl.Utf8).alias("part_number"),
        pl.lit(None, pl.Utf8).alias("model"),
        pl.lit("847330").alias("hs_code"),
        pl.Series("quantity", [[1.0, 2.0, 1.0, 2.0, 6.0][(k * 13) % 5] for k in range(n)]),
    ).sort(["date", "declaration_id", "item_no"])


def test_group_rules_in_submission_order(refs: References, online: OnlineAssessor) -> None:
    """Each line is assessed online against a window provider holding the lines submitted
    before it, and compared with the batch run over the lines up to and including it."""
    lines = split_lot_lines(GROUP_LINES)
    rows = lines.to_dicts()
    held = MemoryWindows(online.partitions())
    got, want = [], []
    for k, row in enumerate(rows):
        result = online.assess(row, held)
        held.add(result)
        got.append(result)
        prefix = lines.head(k + 1).filter(pl.col("importer_id") == row["importer_id"])
        want.append(batch(prefix, refs, online)[-1])
    assert differences(got, want)[:5] == []
    assert online.window_columns() <= set(got[0])
    hits = [r for r in got if "SPLIT_LOTS" in {x["code"] for x in r["reasons"]}]
    assert 20 <= len(hits) < len(got)  # the rule fires on some lines, not all
