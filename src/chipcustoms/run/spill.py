"""The work folder of a streamed run: spill files, hash-bucket shards and their names.

Every phase of :mod:`chipcustoms.run.streaming` writes what the next one reads here, so that a
map task returns only small results; on a cluster the folder is a shared filesystem.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chipcustoms.assess.pipeline import (
    References,
)
from chipcustoms.assess.selection import (
    Budgets,
)
from chipcustoms.errors import ChipCustomsError
from chipcustoms.lines.mapping import Mapping
from chipcustoms.policy.rules import IDX

PART, LOCAL = "__part", "__li"
DUCKDB_MEMORY = "256MB"  # a group bucket's cap; DuckDB spills to the work folder beyond it
PARTS_PER_BUCKET = 4  # about a million lines per bucket at the default batch size
BUCKET_SEED = 8
Step = Callable[[str], AbstractContextManager[None]]


@dataclass(frozen=True)
class Job:
    """What every task reads; shipped to each worker once (Dask: scattered, broadcast)."""

    refs: References
    mapping: Mapping
    budgets: Budgets
    work: str
    thresholds: dict[str, float | None] | None = None
    buckets: int = 1  # hash buckets of the shuffled context columns (set by stream())


def spill_path(job: Job, kind: str, index: int, ext: str = "parquet") -> str:
    """Spills DuckDB reads are Parquet; spills only Polars reads back are Arrow IPC (lz4),
    which costs no encoding on the way out and in."""
    return str(Path(job.work) / f"{kind}-{index:06d}.{ext}")


def shard_path(job: Job, kind: str, part: int, bucket: int) -> str:
    return str(Path(job.work) / f"{kind}-{part:06d}-{bucket:03d}.arrow")


def bucket_files(job: Job, kind: str, bucket: int) -> list[Path]:
    return sorted(Path(job.work).glob(f"{kind}-*-{bucket:03d}.arrow"))


def bucket_of(columns: list[str], buckets: int) -> pl.Expr:
    """A stable hash bucket of the values of ``columns`` (text, so dtypes cannot differ)."""
    return (
        pl.struct([pl.col(c).cast(pl.Utf8) for c in columns]).hash(seed=BUCKET_SEED) % buckets
    ).alias("__b")


def scatter(job: Job, df: pl.DataFrame, kind: str, part: int, by: list[str]) -> None:
    """Write ``df`` as one shard per hash bucket of ``by`` (only non-empty buckets)."""
    if not df.height:  # one empty shard keeps the columns' types for phase B
        df.write_ipc(shard_path(job, kind, part, 0))
        return
    keyed = df.with_columns(bucket_of(by, job.buckets))
    for (bucket,), frame in keyed.partition_by("__b", as_dict=True).items():
        frame.drop("__b").write_ipc(shard_path(job, kind, part, int(bucket)), compression="lz4")  # type: ignore[call-overload]



def read_bucket(job: Job, kind: str, bucket: int) -> pl.DataFrame | None:
    files = bucket_files(job, kind, bucket)
    if not files:
        return None
    return pl.concat([pl.read_ipc(f) for f in files], how="diagonal_relaxed")


def read_part(path: str) -> pl.DataFrame:
    """One partition's assessments, as :func:`write_partition` left them."""
    return pl.read_ipc(path) if path.endswith(".arrow") else pl.read_parquet(path)


def work_dir(parent: str | None) -> str:
    """A fresh work folder (removed by :func:`cleanup`); on a cluster, a shared filesystem."""
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    try:
        return tempfile.mkdtemp(prefix="chipcustoms-", dir=parent)
    except OSError as exc:
        raise ChipCustomsError(f"cannot create a work folder in {parent}: {exc}") from exc


def cleanup(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def aggregates(job: Job, name: str, part: int, schema: pl.Schema) -> pl.DataFrame:
    files = sorted(Path(job.work).glob(f"agg{name}-{part:06d}-*.arrow"))
    if not files:
        return pl.DataFrame(schema=schema)
    return pl.concat([pl.read_ipc(f) for f in files]).sort(IDX)
