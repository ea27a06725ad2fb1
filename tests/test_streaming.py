"""Streamed screening gives the in-memory results, whatever the batch size and the engine.

One generated input with the awkward cases in it (duplicate keys within and across batches,
unreadable rows, quoted newlines in descriptions), screened as one in-memory batch, in 5,000-
line batches on the local engine, and on a two-worker local Dask cluster: the assessments,
channels, reports and quarantines must be identical.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets, CandidatePool, select, unit_key
from chipcustoms.errors import ChipCustomsError, InputError
from chipcustoms.lines.partitions import plan, read_partition
from chipcustoms.run.engine import Engine, LocalEngine, make_engine
from chipcustoms.run.orchestrator import ScreenResult, screen_file
from chipcustoms.synthetic.generator import generate

ROWS, BATCH = 20_000, 5_000
QUARANTINE_KEYS = ["file", "row", "declaration_id", "item_no", "field", "reason"]


@pytest.fixture(scope="module")
def dirty_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    df = generate(ROWS, seed=11)
    df = df.with_columns(pl.col(c).cast(pl.Utf8) for c in df.columns)
    rows = df.to_dicts()
    rows[3]["description"] = 'GPU "board",\nsecond line of the description'
    rows[6000]["date"] = "not a date"
    rows[12000]["quantity"] = "-4"
    rows[120] = dict(rows[100])  # duplicate key inside the first batch
    rows[15000] = dict(rows[10])  # duplicate key in a later batch
    rows[15001] = dict(rows[6000])  # a duplicate of a quarantined row
    rows[15001]["date"] = rows[10]["date"]
    path = tmp_path_factory.mktemp("stream") / "dirty.csv"
    pl.DataFrame(rows, schema=df.schema).write_csv(path)
    return path


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[Engine]:
    with make_engine("dask", workers=2) as engine:
        yield engine


def _screen(
    src: Path, out: Path, refs: References, budgets: Budgets, **kw: object
) -> tuple[ScreenResult, pl.DataFrame, pl.DataFrame]:
    result = screen_file(str(src), str(out), refs=refs, budgets=budgets, **kw)  # type: ignore[arg-type]
    if not out.suffix:
        assessed = pl.read_parquet(sorted(out.glob("*.parquet")))
    elif out.suffix == ".csv":
        assessed = pl.read_csv(out)
    else:
        assessed = pl.read_parquet(out)
    quarantine = pl.read_csv(result.quarantine_path) if result.quarantine_path else pl.DataFrame()
    return result, assessed, quarantine


@pytest.mark.parametrize("per", [(), ("office", "date")])
def test_streamed_equals_in_memory_on_both_engines(
    dirty_csv: Path, tmp_path: Path, refs: References, dask_engine: Engine, per: tuple[str, ...]
) -> None:
    budgets = Budgets(per=per, seed=5, red=0.05, random_share=0.2)
    whole, a_mem, q_mem = _screen(dirty_csv, tmp_path / "mem.parquet", refs, budgets)
    assert not whole.streamed
    local, a_loc, q_loc = _screen(
        dirty_csv, tmp_path / "loc.parquet", refs, budgets, batch_rows=BATCH
    )
    assert local.streamed
    dask, a_dask, q_dask = _screen(
        dirty_csv, tmp_path / "dask", refs, budgets, batch_rows=BATCH, engine=dask_engine
    )
    # The evidence that looks beyond a line did fire, so the check means something.
    assert a_mem["rule_hits"].list.join(",").str.contains("split-lot").sum() > 0
    assert (a_mem["anom_value_low_for_hs"] > 0).sum() > 0
    assert a_mem["selection"].eq("random").sum() > 0
    for other in (a_loc, a_dask):
        assert other.equals(a_mem)
    assert local.report == whole.report == dask.report
    assert local.counts == whole.counts == dask.counts
    assert whole.counts.quarantined == 5  # bad date, negative quantity, three duplicate keys
    for other in (q_loc, q_dask):
        assert other.select(QUARANTINE_KEYS).equals(q_mem.select(QUARANTINE_KEYS))
    assert local.digest is not None and dask.digest is not None
    assert local.digest.reasons.equals(dask.digest.reasons)


def test_streamed_run_is_stored_batch_by_batch(
    dirty_csv: Path, tmp_path: Path, refs: References
) -> None:
    from chipcustoms.store import open_store

    db = str(tmp_path / "s.db")
    result, assessed, _ = _screen(
        dirty_csv, tmp_path / "o.parquet", refs, Budgets(), batch_rows=BATCH, db=db
    )
    store = open_store(db)
    assert store.count("assessments") == assessed.height == result.counts.accepted
    assert store.count("declarations") == result.counts.accepted
    # Threshold mode (the stored cut-offs of that run) streams to the same channels too.
    kw: dict[str, object] = {"db": db, "threshold_mode": True}
    _, mem, _ = _screen(dirty_csv, tmp_path / "t1.parquet", refs, Budgets(), **kw)
    _, streamed, _ = _screen(
        dirty_csv, tmp_path / "t2.parquet", refs, Budgets(), batch_rows=BATCH, **kw
    )
    assert streamed.equals(mem)
    assert set(mem["selection"]) >= {"threshold", "none"}


def test_folder_of_parquet_partitions_matches_one_file(tmp_path: Path, refs: References) -> None:
    clean = tmp_path / "clean.parquet"
    df = generate(12_000, seed=4)
    df.write_parquet(clean)
    folder = tmp_path / "parts"
    folder.mkdir()
    for k, lo in enumerate(range(0, df.height, 5_000)):
        df.slice(lo, 5_000).write_parquet(folder / f"p{k}.parquet")
    _, one, _ = _screen(clean, tmp_path / "one.csv", refs, Budgets(seed=2))
    many, rows, _ = _screen(folder, tmp_path / "many.csv", refs, Budgets(seed=2), batch_rows=3_000)
    assert many.streamed
    assert rows.height == 12_000 and rows.equals(one)


def test_csv_cuts_never_split_a_quoted_row(dirty_csv: Path) -> None:
    parts = plan(str(dirty_csv), 700)
    assert len(parts) > 20
    frames = [read_partition(p)[0] for p in parts]
    whole = pl.read_csv(dirty_csv, infer_schema=False)
    assert pl.concat(frames).equals(whole)


def test_candidate_pool_selects_as_the_whole_batch() -> None:
    """Budget selection over the pool of a batch stream equals selection over every line."""
    rng = np.random.default_rng(3)
    n = 30_000
    scored = rng.random(n) < 0.05
    df = pl.DataFrame(
        {
            "__i": np.arange(n, dtype=np.uint32),
            "risk_score": np.where(scored, rng.random(n).round(2), 0.0),
            "floor_red": rng.random(n) < 0.002,
            "floor_yellow": rng.random(n) < 0.01,
            "top_category": ["valuation" if v else None for v in rng.random(n) < 0.5],
            "office": rng.choice(["A", "B", "C"], n),
        }
    )
    for budgets in (Budgets(seed=9, random_share=0.5), Budgets(seed=9, per=("office",))):
        full, full_report = select(df, budgets)
        sizes = df.group_by(unit_key(budgets.per)).agg(pl.len().cast(pl.Int64).alias("__n"))
        pool = CandidatePool(budgets, sizes)
        for lo in range(0, n, 7_000):
            pool.add(df.slice(lo, 7_000))
        reduced, report = select(pool.frame(), budgets, unit_sizes=sizes)
        assert reduced.height < n / 5
        assert report == full_report
        picked = reduced.filter(pl.col("channel") != "green").select("__i", "channel", "selection")
        expected = full.filter(pl.col("channel") != "green").select(
            "__i", "channel", "selection"
        )
        assert picked.sort("__i").equals(expected.sort("__i"))


def test_input_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"no \.csv"):
        plan(str(empty), 100)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    generate(10, seed=1).write_csv(mixed / "a.csv")
    generate(10, seed=2).write_parquet(mixed / "b.parquet")
    with pytest.raises(InputError, match="mixed formats"):
        plan(str(mixed), 100)
    with pytest.raises(ChipCustomsError, match="--engine"):
        make_engine("spark")
    with pytest.raises(ChipCustomsError, match="need --engine dask"):
        make_engine("local", workers=2)
    assert isinstance(make_engine("local"), LocalEngine)


def test_unreachable_scheduler_is_a_clear_error() -> None:
    from chipcustoms.run.engine.dask import DaskEngine

    with pytest.raises(ChipCustomsError, match="cannot reach the Dask scheduler"):
        DaskEngine(scheduler="tcp://127.0.0.1:9", timeout=1)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chipcustoms", *args], capture_output=True, text=True, check=False
    )


def test_screen_command_streams_and_refuses_bad_engine_options(
    dirty_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "parts"
    res = _cli("screen", str(dirty_csv), "-o", str(out), "--batch-rows", "5000")
    assert res.returncode == 0, res.stderr
    assert len(list(out.glob("part-*.parquet"))) >= 4  # byte ranges of about 5,000 rows
    assert pl.read_parquet(sorted(out.glob("*.parquet"))).height == ROWS - 5
    assert "partitions" in res.stderr and "lines read: 20,000" in res.stderr
    for args, message in (
        (["--engine", "spark"], "--engine must be one of local, dask"),
        (["--workers", "2"], "need --engine dask"),
        (["--engine", "dask", "--workers", "2", "--scheduler", "tcp://h:1"], "not both"),
        (["--batch-rows", "0"], "--batch-rows must be at least 1"),
    ):
        res = _cli("screen", str(dirty_csv), "-o", str(tmp_path / "x.csv"), *args)
        assert res.returncode == 2 and message in res.stderr, (args, res.stderr)


def _square_plus(shared: int, item: int) -> int:
    return item * item + shared


@pytest.mark.parametrize("kind", ["local", "dask"])
def test_engines_map_in_item_order_with_shared_data(
    kind: str, dask_engine: Engine, refs: References
) -> None:
    """The seam's contract, the same for every engine: gather() returns results in item
    order and every task sees the shared object (here also References, which must pickle)."""
    engine = dask_engine if kind == "dask" else LocalEngine()
    seen: list[tuple[str, int, int]] = []
    got = engine.gather(
        _square_plus,
        list(range(12)),
        shared=7,
        label="t",
        progress=lambda label, done, total: seen.append((label, done, total)),
    )
    assert got == [k * k + 7 for k in range(12)]
    assert seen[-1] == ("t", 12, 12)
    versions = engine.gather(_versions, [0, 1], shared=refs, label="refs")
    assert versions[0] == versions[1] == refs.versions()


def _versions(refs: References, _: int) -> dict[str, object]:
    return refs.versions()
