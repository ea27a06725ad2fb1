"""Phase B of a streamed run: the global context, bucket by bucket.

Every bucket holds all the lines of its keys, groups or HS6 codes, so the duplicate keys, the
group-rule window aggregates and the HS6 peer statistics of a bucket are those of the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chipcustoms.assess import anomalies as anomaly
from chipcustoms.assess.frames import compact
from chipcustoms.lines.partitions import Partition
from chipcustoms.lines.quarantine import ROW
from chipcustoms.policy.rules import IDX, GroupSpec, connect
from chipcustoms.run.phases import Prepared
from chipcustoms.run.spill import (
    DUCKDB_MEMORY,
    PART,
    Job,
    read_bucket,
    shard_path,
)


# --- B: global context, bucket by bucket ------------------------------------------------
def row_offsets(parts: list[Partition], prepared: list[Prepared]) -> list[int]:
    """Rows of the same file before each partition: partition row numbers -> file rows."""
    offsets: list[int] = []
    seen: dict[str, int] = {}
    for part, prep in zip(parts, prepared, strict=True):
        offsets.append(seen.get(part.path, 0))
        seen[part.path] = offsets[-1] + prep.read
    return offsets


def duplicate_bucket(job: Job, bucket: int) -> pl.DataFrame:
    """Accepted lines of this bucket whose key an earlier line had: part, row, first.

    Input order is (partition, row), ``ord`` = part << 40 | row; a key's first line is the
    least of that order, quarantined or not (a null item_no is a key value like any other).
    """
    empty = pl.DataFrame(schema={"part": pl.UInt32, "row": pl.Int64, "first": pl.Int64})
    keys = read_bucket(job, "keys", bucket)
    if keys is None:
        return empty
    order = pl.col("part").cast(pl.Int64) * (1 << 40) + pl.col("row")
    keyed = keys.with_columns(order.alias("ord")).with_columns(
        pl.col("ord").min().over("k1", "k2").alias("first")
    )
    return keyed.filter(pl.col("accepted") & (pl.col("ord") > pl.col("first"))).select(
        "part", "row", "first"
    )


def duplicates_found(
    found: list[pl.DataFrame], parts: list[Partition], offsets: list[int]
) -> pl.DataFrame:
    """part, row, first_file, first_row, file, row_off of every duplicate line."""
    offs = pl.DataFrame(
        {"part": [p.index for p in parts], "file": [p.path for p in parts], "row_off": offsets},
        schema={"part": pl.UInt32, "file": pl.Utf8, "row_off": pl.Int64},
    )
    dups = pl.concat(found).with_columns(
        (pl.col("first") // (1 << 40)).cast(pl.UInt32).alias("first_part"),
        (pl.col("first") % (1 << 40)).alias("first_local"),
    )
    first = offs.select(
        pl.col("part").alias("first_part"),
        pl.col("file").alias("first_file"),
        pl.col("row_off").alias("first_off"),
    )
    dups = dups.join(first, on="first_part").select(
        "part",
        "row",
        "first_file",
        (pl.col("first_local") + pl.col("first_off")).alias("first_row"),
    )
    return dups.join(offs, on="part").sort("part", "row")


@dataclass(frozen=True)
class ContextBucket:
    """One bucket of phase B's second step (``gone``: the duplicate lines, part and row):
    the HS6 peers (``group`` None) or one group rule's aggregates."""

    bucket: int
    gone: pl.DataFrame
    group: GroupSpec | None = None


def context_bucket(job: Job, task: ContextBucket) -> pl.DataFrame:
    """HS6 peers: :func:`anomaly.peer_stats` of the bucket's codes (the in-memory path's own
    function, so bit-identical; memory is one bucket). A group rule: its window aggregates
    over the bucket (DuckDB, the rule's own SQL; a window never leaves its partition_by
    values, so never its bucket), written per partition; returns their empty frame."""
    kind = "hs6" if task.group is None else task.group.name
    lines = read_bucket(job, kind, task.bucket)
    if lines is not None:
        lines = lines.join(task.gone, on=[PART, ROW], how="anti")
    if task.group is None:
        if lines is None:  # an empty bucket: the statistics' own (empty) columns
            lines = pl.DataFrame(schema={"hs6": pl.Utf8, "ln": pl.Float64})
        return compact(anomaly.peer_stats(lines.select("hs6", "ln")))
    spec = task.group
    if lines is None:
        return pl.DataFrame()
    part_shift = pl.col(PART).cast(pl.Int64) * (1 << 32)
    lines = lines.with_columns((part_shift + pl.col(IDX).cast(pl.Int64)).alias(IDX)).drop(PART, ROW)
    con = connect(memory_limit=DUCKDB_MEMORY, temp_directory=str(Path(job.work) / "duckdb"))
    try:
        con.register("lines", lines.to_arrow())
        out = con.sql(spec.sql).pl()
    finally:
        con.close()
    out = out.with_columns(
        (pl.col(IDX) // (1 << 32)).cast(pl.UInt32).alias(PART), pl.col(IDX) % (1 << 32)
    )
    for (part,), frame in out.partition_by(PART, as_dict=True).items():
        name = f"agg{spec.name}"
        frame.drop(PART).write_ipc(shard_path(job, name, int(part), task.bucket))  # type: ignore[call-overload]
    return out.drop(PART).clear()
