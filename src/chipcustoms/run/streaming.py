"""Screening an input of any size in bounded batches, on any engine (`run.engine`).

The pipeline is a function over batches, but three of its parts look beyond a line: the
duplicate-key check, the HS6 peers of VAL_LOW_FOR_HS and the window aggregates of group rules,
and selection, whose budgets are shares of a whole selection unit. A streamed run makes those
global, so that the channels do not depend on where the input was cut or on which engine ran:

A. map: read a partition, ingest it (quarantine per partition), enrich it, spill it (Arrow
   IPC) in a work folder, and shuffle the few columns the global context reads into hash buckets:
   the keys by declaration_id, each group rule's columns by its partition_by columns, the HS6
   peers' columns by HS6 code;
B. map, bucket by bucket (every bucket holds all the lines of its keys, groups or codes): the
   duplicate keys; then, without the duplicates, the group-rule window aggregates (DuckDB, the
   in-memory path's own SQL) and the HS6 peer statistics (the in-memory path's function);
C. map: score each partition with that context; spill its scored lines and long reasons, and
   its candidates for selection (:func:`~chipcustoms.assess.selection.candidates`, with the seeded
   draws of its own place in the input, so they are those of an in-memory run);
D. here: global selection over the merged candidates, the few lines that can be selected;
E. map: join the channels back, gather each line's reasons, write one Parquet part each; here,
   the parts become the output (one file streamed part by part, or a folder of parts).

Only the map steps run on the engine; what they return is small (counts, digests).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import polars as pl
import pyarrow.parquet as pq

from chipcustoms.assess import anomalies as anomaly
from chipcustoms.assess.frames import compact, lookup
from chipcustoms.assess.pipeline import (
    BatchContext,
    References,
    add_anomalies,
    enrich,
    finish,
    output_columns,
    score,
)
from chipcustoms.assess.selection import (
    GREEN,
    Budgets,
    SelectionReport,
    candidates,
    draws,
    random_room,
    select,
    select_by_thresholds,
    unit_key,
)
from chipcustoms.errors import ChipCustomsError
from chipcustoms.lines.ingest import QUARANTINE_SCHEMA, ROW, ingest
from chipcustoms.lines.mapping import Mapping
from chipcustoms.lines.partitions import Partition, read_partition
from chipcustoms.lines.schema import canonical_schema
from chipcustoms.lines.tableio import for_people, format_of, json_text
from chipcustoms.policy.rules import IDX, GroupSpec, connect
from chipcustoms.run.engine import Engine, Progress
from chipcustoms.run.summary import Digest, RunCounts

PART, LOCAL = "__part", "__li"
LABELS = ("inspected", "fraud", "critical", "revenue")
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


def _spill(job: Job, kind: str, index: int, ext: str = "parquet") -> str:
    """Spills DuckDB reads are Parquet; spills only Polars reads back are Arrow IPC (lz4),
    which costs no encoding on the way out and in."""
    return str(Path(job.work) / f"{kind}-{index:06d}.{ext}")


def _shard(job: Job, kind: str, part: int, bucket: int) -> str:
    return str(Path(job.work) / f"{kind}-{part:06d}-{bucket:03d}.arrow")


def _bucket_files(job: Job, kind: str, bucket: int) -> list[Path]:
    return sorted(Path(job.work).glob(f"{kind}-*-{bucket:03d}.arrow"))


def _bucket_of(columns: list[str], buckets: int) -> pl.Expr:
    """A stable hash bucket of the values of ``columns`` (text, so dtypes cannot differ)."""
    return (
        pl.struct([pl.col(c).cast(pl.Utf8) for c in columns]).hash(seed=BUCKET_SEED) % buckets
    ).alias("__b")


def _scatter(job: Job, df: pl.DataFrame, kind: str, part: int, by: list[str]) -> None:
    """Write ``df`` as one shard per hash bucket of ``by`` (only non-empty buckets)."""
    if not df.height:  # one empty shard keeps the columns' types for phase B
        df.write_ipc(_shard(job, kind, part, 0))
        return
    keyed = df.with_columns(_bucket_of(by, job.buckets))
    for (bucket,), frame in keyed.partition_by("__b", as_dict=True).items():
        frame.drop("__b").write_ipc(_shard(job, kind, part, int(bucket)), compression="lz4")  # type: ignore[call-overload]


def _key_columns(df: pl.DataFrame, quarantine: pl.DataFrame, part: int) -> pl.DataFrame:
    """(part, row, k1, k2, accepted) of every line with a declaration_id, both outcomes."""
    q = quarantine.filter(pl.col("declaration_id").is_not_null())
    if q.height:  # DuckDB's TRY_CAST, as the key check has always read quarantined item_no
        con = connect()
        try:
            con.register("q", q.select("item_no").to_arrow())
            k2 = con.sql("SELECT TRY_CAST(item_no AS BIGINT) AS k2 FROM q").pl()["k2"]
        finally:
            con.close()
        q = q.with_columns(k2.alias("__k2"))
    else:
        q = q.with_columns(pl.lit(None, dtype=pl.Int64).alias("__k2"))
    frames = [
        df.filter(pl.col("declaration_id").is_not_null()).select(
            pl.col(ROW).alias("row"), "declaration_id", "item_no", pl.lit(True).alias("accepted")
        ),
        q.select("row", "declaration_id", pl.col("__k2").alias("item_no"), pl.lit(False)),
    ]
    return pl.concat(
        [
            f.select(
                pl.lit(part, dtype=pl.UInt32).alias("part"),
                pl.col("row").cast(pl.Int64),
                pl.col("declaration_id").cast(pl.Utf8).alias("k1"),
                pl.col("item_no").cast(pl.Int64).alias("k2"),
                pl.col(f.columns[-1]).cast(pl.Boolean).alias("accepted"),
            )
            for f in frames
        ]
    )


# --- A: read, ingest, enrich, spill ---------------------------------------------------------
@dataclass(frozen=True)
class Prepared:
    read: int
    accepted: int
    quarantined: int
    unknown_markers: int
    labels: frozenset[str]
    units: pl.DataFrame  # __unit_key, __n: an upper bound (duplicates still in)


def prepare(job: Job, part: Partition) -> Prepared:
    raw, lossy = read_partition(part, job.mapping.typed_columns)
    result = ingest(
        raw,
        job.mapping,
        file=part.path,
        check_encoding=lossy,
        check_duplicates=False,  # over the whole input, in phase B
        keep_row=True,
    )
    del raw
    df = enrich(result.accepted, job.refs, anomalies=False)
    df.write_ipc(_spill(job, "enriched", part.index, "arrow"), compression="lz4")
    q = result.quarantine.with_columns(pl.lit(part.index, dtype=pl.UInt32).alias(PART))
    q.write_parquet(_spill(job, "quarantine", part.index))
    # The shuffle of phase B: a few columns, bucketed by the keys their computation groups by.
    _scatter(job, _key_columns(df, result.quarantine, part.index), "keys", part.index, ["k1"])
    ids = [pl.lit(part.index, dtype=pl.UInt32).alias(PART), pl.col(ROW)]
    ln = pl.when(pl.col("unit_basis_usd") > 0).then(pl.col("unit_basis_usd").log())
    _scatter(job, df.select(*ids, "hs6", ln.alias("ln")), "hs6", part.index, ["hs6"])
    for spec in job.refs.rules.group_specs(set(df.columns) - {ROW, IDX}):
        cols = [c for c in spec.columns if c in df.columns]
        _scatter(job, df.select(*ids, IDX, *cols), spec.name, part.index, list(spec.partition_by))
    labels = frozenset(c for c in LABELS if df[c].null_count() < df.height)
    units = df.group_by(unit_key(job.budgets.per)).agg(pl.len().cast(pl.Int64).alias("__n"))
    return Prepared(
        result.read,
        df.height,
        result.quarantined,
        result.unknown_country_markers,
        labels,
        compact(units),
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


def _read_bucket(job: Job, kind: str, bucket: int) -> pl.DataFrame | None:
    files = _bucket_files(job, kind, bucket)
    if not files:
        return None
    return pl.concat([pl.read_ipc(f) for f in files], how="diagonal_relaxed")


def duplicate_bucket(job: Job, bucket: int) -> pl.DataFrame:
    """Accepted lines of this bucket whose key an earlier line had: part, row, first.

    Input order is (partition, row), ``ord`` = part << 40 | row; a key's first line is the
    least of that order, quarantined or not (a null item_no is a key value like any other).
    """
    empty = pl.DataFrame(schema={"part": pl.UInt32, "row": pl.Int64, "first": pl.Int64})
    keys = _read_bucket(job, "keys", bucket)
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
    lines = _read_bucket(job, kind, task.bucket)
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
        frame.drop(PART).write_ipc(_shard(job, name, int(part), task.bucket))  # type: ignore[call-overload]
    return out.drop(PART).clear()


def _aggregates(job: Job, name: str, part: int, schema: pl.Schema) -> pl.DataFrame:
    files = sorted(Path(job.work).glob(f"agg{name}-{part:06d}-*.arrow"))
    if not files:
        return pl.DataFrame(schema=schema)
    return pl.concat([pl.read_ipc(f) for f in files]).sort(IDX)


# --- C: score each partition with the global context ---------------------------------------
@dataclass(frozen=True)
class ScoreTask:
    index: int
    peers: pl.DataFrame
    groups: dict[str, pl.Schema]  # group rule -> its aggregates' columns
    dups: pl.DataFrame  # this partition's: row, first_file, first_row, file, row_off
    offset: int = 0  # lines of the input before this partition, duplicates left out
    room: pl.DataFrame | None = None  # selection's random room per unit, at least (None: none)


@dataclass(frozen=True)
class Scored:
    lines: int
    duplicates: int
    units: pl.DataFrame  # __unit_key, __n


def _duplicates(df: pl.DataFrame, dups: pl.DataFrame) -> pl.DataFrame:
    """Quarantine entries for lines whose key an earlier line of the input already had.

    Their raw source row is no longer at hand, so ``raw`` holds the canonical values.
    """
    gone = df.join(dups.rename({"row": ROW}), on=ROW)
    reason = pl.concat_str(
        pl.lit("duplicate key (declaration_id, item_no), first seen in row "),
        pl.col("first_row").cast(pl.Utf8),
        pl.when(pl.col("first_file") != pl.col("file"))
        .then(pl.concat_str(pl.lit(" of "), pl.col("first_file")))
        .otherwise(pl.lit("")),
    )
    canonical = [c for c in canonical_schema() if c in gone.columns]
    return gone.select(
        pl.col("file"),
        (pl.col(ROW) + pl.col("row_off")).alias("row"),
        pl.col("declaration_id"),
        pl.col("item_no").cast(pl.Utf8),
        pl.lit("declaration_id").alias("field"),
        pl.concat_str(pl.lit("declaration_id: "), reason).alias("reason"),
        pl.struct(
            pl.concat_list(
                pl.struct(pl.lit("declaration_id").alias("field"), reason.alias("reason"))
            ).alias("e")
        )
        .struct.json_encode()
        .alias("errors"),
        pl.struct([pl.col(c) for c in canonical]).struct.json_encode().alias("raw"),
    ).cast(QUARANTINE_SCHEMA)


def score_partition(job: Job, task: ScoreTask) -> Scored:
    df = pl.read_ipc(_spill(job, "enriched", task.index, "arrow"))
    duplicates = 0
    if task.dups.height:
        q = _duplicates(df, task.dups)
        duplicates = q.height
        q.write_parquet(_spill(job, "duplicates", task.index))
        df = df.join(task.dups.select(pl.col("row").alias(ROW)), on=ROW, how="anti")
    groups = {
        name: _aggregates(job, name, task.index, schema) for name, schema in task.groups.items()
    }
    context = BatchContext(peers=task.peers, groups=groups)
    df = add_anomalies(df, job.refs, context)
    df, reasons = score(df, job.refs, context=context)
    keep = [*output_columns(), *(c for s in job.refs.scorers for c in s.output_columns()), *LABELS]
    keep += [c for c in (*job.budgets.per, "top_category") if c not in keep]
    dropped = {"channel", "selection", "reasons"}
    df.select(IDX, *(c for c in keep if c not in dropped and c in df.columns)).write_ipc(
        _spill(job, "scored", task.index, "arrow"), compression="lz4"
    )
    reasons.write_ipc(_spill(job, "reasons", task.index, "arrow"), compression="lz4")
    narrow = df.select(
        pl.col(IDX).alias(LOCAL),
        "risk_score",
        "floor_red",
        "floor_yellow",
        "top_category",
        *job.budgets.per,
    )
    if task.room is not None:
        # This partition's draws of the seeded stream (its place in the input), thinned here
        # to the lines selection can pick; the driver only merges the thinned partitions.
        narrow = narrow.with_columns(
            pl.int_range(task.offset, task.offset + narrow.height, dtype=pl.Int64).alias(IDX),
            pl.lit(task.index, dtype=pl.UInt32).alias(PART),
            pl.Series("__u", draws(job.budgets.seed, task.offset, narrow.height)),
        )
        candidates(narrow, job.budgets, task.room).write_ipc(
            _spill(job, "pool", task.index, "arrow")
        )
    units = compact(
        narrow.group_by(unit_key(job.budgets.per)).agg(pl.len().cast(pl.Int64).alias("__n"))
    )
    return Scored(df.height, duplicates, units)


# --- D: global selection (driver) ------------------------------------------------------------
def global_selection(
    job: Job, scored: list[Scored]
) -> tuple[dict[int, pl.DataFrame], SelectionReport]:
    """Channels of the selected lines per partition (`__i`, channel, selection), and the report."""
    sizes = pl.concat([s.units for s in scored]).group_by("__unit_key").agg(pl.col("__n").sum())
    pools = [pl.read_ipc(_spill(job, "pool", k, "arrow")) for k in range(len(scored))]
    pool = candidates(pl.concat(pools), job.budgets, random_room(job.budgets, sizes))
    chosen, report = select(pool, job.budgets, unit_sizes=sizes)
    picked = chosen.filter(pl.col("channel") != GREEN).select(
        PART, pl.col(LOCAL).alias(IDX), "channel", "selection"
    )
    by_part = {
        int(key[0]): frame.drop(PART)  # type: ignore[call-overload]
        for key, frame in picked.partition_by(PART, as_dict=True).items()
    }
    return by_part, report


# --- E: channels back, reasons gathered, each partition written ------------------------------
@dataclass(frozen=True)
class WriteTask:
    index: int
    channels: pl.DataFrame | None  # None in threshold mode
    labels: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class Written:
    digest: Digest | None
    counts: dict[str, int] = field(default_factory=dict)


def write_partition(job: Job, task: WriteTask) -> Written:
    df = pl.read_ipc(_spill(job, "scored", task.index, "arrow"))
    reasons = pl.read_ipc(_spill(job, "reasons", task.index, "arrow"))
    counts: dict[str, int] = {}
    if task.channels is None:
        assert job.thresholds is not None
        df, report = select_by_thresholds(df, job.thresholds)
        counts = report.counts
    else:
        df = lookup(df, task.channels, IDX).with_columns(
            pl.col("channel").fill_null(GREEN), pl.col("selection").fill_null("none")
        )
    df = finish(df, reasons)
    extra = [c for s in job.refs.scorers for c in s.output_columns()]
    out = df.select(output_columns() + extra + list(task.labels))
    if task.path.endswith(".arrow"):  # a part of one output file: read back once, here
        out.write_ipc(task.path, compression="lz4")
    else:
        out.write_parquet(task.path)
    return Written(Digest.of(out) if out.height else None, counts)


# --- the run ------------------------------------------------------------------------------
@dataclass
class StreamResult:
    counts: RunCounts
    report: SelectionReport
    digest: Digest | None
    parts: list[str]  # assessments per partition, in input order
    # Per partition with any: its quarantine spills and their row offsets, in input order.
    quarantine: list[list[tuple[str, int]]]
    lines: list[tuple[str, pl.DataFrame]]  # enriched spill, and its duplicate rows to drop
    unknown_markers: int


class _Bar:
    """Progress of the map steps through the caller's callback (stderr in the CLI)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def __call__(self, label: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(label, done, total)


def stream(
    job: Job,
    parts: list[Partition],
    engine: Engine,
    *,
    out_dir: str | None = None,
    progress: Progress | None = None,
    step: Step | None = None,
    on_lines: Callable[[Iterator[pl.DataFrame]], object] | None = None,
) -> StreamResult:
    """Phases A to E over ``parts``; the parts' assessments land in ``out_dir`` or the work.

    ``on_lines`` gets the accepted lines batch by batch as soon as the duplicates are known
    (after phase B), so that a caller can store them while the rest runs.
    """
    bar = _Bar(progress)

    def phase(text: str) -> AbstractContextManager[None]:
        return step(text) if step is not None else nullcontext()

    job = replace(job, buckets=max(2, -(-len(parts) // PARTS_PER_BUCKET)))
    with phase(f"reading and enriching {len(parts)} partitions"):
        prepared = engine.gather(prepare, parts, shared=job, label="read + enrich", progress=bar)
    buckets = list(range(job.buckets))
    offsets = row_offsets(parts, prepared)
    with phase(f"duplicate keys ({job.buckets} buckets)"):
        found = engine.gather(duplicate_bucket, buckets, shared=job, label="duplicate keys")
        dups = duplicates_found(found, parts, offsets)
    gone = dups.select(pl.col("part").alias(PART), pl.col("row").alias(ROW))
    first = pl.read_ipc_schema(_spill(job, "enriched", parts[0].index, "arrow"))
    specs = job.refs.rules.group_specs(set(first) - {ROW, IDX})
    context = [ContextBucket(b, gone) for b in buckets]
    context += [ContextBucket(b, gone, spec) for spec in specs for b in buckets]
    with phase("HS6 peers and group rules"):
        computed = engine.gather(context_bucket, context, shared=job, label="HS6 peers, groups")
    peers = pl.concat(computed[: len(buckets)])
    groups: dict[str, pl.Schema] = {}
    for task, frame in zip(context[len(buckets) :], computed[len(buckets) :], strict=True):
        assert task.group is not None
        if frame.width or task.group.name not in groups:
            groups[task.group.name] = frame.schema
    room = None
    if job.thresholds is None:
        upper = (
            pl.concat([p.units for p in prepared]).group_by("__unit_key").agg(pl.col("__n").sum())
        )
        room = random_room(job.budgets, upper)
    tasks: list[ScoreTask] = []
    before = 0
    for p, prep in zip(parts, prepared, strict=True):
        mine = dups.filter(pl.col("part") == p.index).drop("part")
        tasks.append(ScoreTask(p.index, peers, groups, mine, before, room))
        before += prep.accepted - mine.height
    lines = [
        (_spill(job, "enriched", t.index, "arrow"), t.dups.select(pl.col("row").alias(ROW)))
        for t in tasks
    ]
    if on_lines is not None:
        on_lines(_lines(lines))
    with phase("scoring"):
        scored = engine.gather(score_partition, tasks, shared=job, label="score", progress=bar)
    report: SelectionReport | None = None
    channels: dict[int, pl.DataFrame] = {}
    if job.thresholds is None:
        with phase("selecting (global ranking)"):
            channels, report = global_selection(job, scored)
    labels = tuple(c for c in LABELS if any(c in p.labels for p in prepared))
    target = Path(out_dir) if out_dir else Path(job.work)
    target.mkdir(parents=True, exist_ok=True)
    empty = pl.DataFrame(schema={IDX: pl.UInt32, "channel": pl.Utf8, "selection": pl.Utf8})
    writes = [
        WriteTask(
            p.index,
            None if job.thresholds is not None else channels.get(p.index, empty),
            labels,
            str(target / f"part-{p.index:06d}.{'parquet' if out_dir else 'arrow'}"),
        )
        for p in parts
    ]
    with phase("writing assessments"):
        written = engine.gather(write_partition, writes, shared=job, label="write", progress=bar)
    if report is None:  # threshold mode: channels were decided per partition
        assert job.thresholds is not None
        totals = {c: sum(w.counts.get(c, 0) for w in written) for c in written[0].counts}
        report = SelectionReport(1, totals, 0, dict(job.thresholds), 0)
    digests = [w.digest for w in written if w.digest is not None]
    dup_total = sum(s.duplicates for s in scored)
    read = sum(p.read for p in prepared)
    quarantined = sum(p.quarantined for p in prepared) + dup_total
    counts = RunCounts(read, read - quarantined, quarantined)
    counts.check()
    quarantine = [
        [(_spill(job, "quarantine", p.index), off)] * bool(prep.quarantined)
        + [(_spill(job, "duplicates", p.index), 0)] * bool(t.dups.height)
        for p, prep, off, t in zip(parts, prepared, offsets, tasks, strict=True)
    ]
    return StreamResult(
        counts,
        report,
        Digest.merge(digests) if digests else None,
        [w.path for w in writes],
        quarantine,
        lines,
        sum(p.unknown_markers for p in prepared),
    )


def _lines(spills: list[tuple[str, pl.DataFrame]]) -> Iterator[pl.DataFrame]:
    schema = canonical_schema()
    for enriched, duplicates in spills:
        df = pl.read_ipc(enriched, columns=[ROW, *schema])
        if duplicates.height:
            df = df.join(duplicates, on=ROW, how="anti")
        yield df.drop(ROW)


def iter_quarantine(result: StreamResult) -> Iterator[pl.DataFrame]:
    """Quarantined rows with their row numbers in their file, in input order."""
    for spills in result.quarantine:
        if not spills:
            continue
        frames = [
            pl.read_parquet(path).select(
                *(pl.col(c) + offset if c == "row" else pl.col(c) for c in QUARANTINE_SCHEMA)
            )
            for path, offset in spills
        ]
        yield pl.concat(frames).sort("row", maintain_order=True)


class TableSink:
    """One output file written batch by batch (CSV, JSONL or Parquet), or stdout for CSV."""

    def __init__(self, path: str, *, json_columns: tuple[str, ...] = ()) -> None:
        self.path, self.fmt = path, format_of(path)
        self.json_columns = json_columns
        self._fh: IO[bytes] | None = None
        self._pq: pq.ParquetWriter | None = None
        self._header = True

    def write(self, df: pl.DataFrame) -> None:
        if self.fmt == "parquet":
            table = df.to_arrow()
            if self._pq is None:
                sink: Any = sys.stdout.buffer if self.path == "-" else self.path
                self._pq = pq.ParquetWriter(sink, table.schema)
            if table.schema != self._pq.schema:
                table = table.cast(self._pq.schema)
            self._pq.write_table(table)
            return
        if self._fh is None:
            # Held open across batches and closed in close(): not a with-block by design.
            self._fh = sys.stdout.buffer if self.path == "-" else open(self.path, "wb")  # noqa: SIM115
        if self.fmt == "csv":
            out = for_people(df).with_columns(
                [json_text(c) for c in self.json_columns if c in df.columns]
            )
            nested = [c for c, t in out.schema.items() if t.is_nested()]
            out = out.with_columns([json_text(c) for c in nested])
            out.write_csv(self._fh, include_header=self._header)
        else:
            df.write_ndjson(self._fh)
        self._header = False

    def close(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._fh is not None and self.path != "-":
            self._fh.close()
        elif self._fh is not None:
            self._fh.flush()


def read_part(path: str) -> pl.DataFrame:
    """One partition's assessments, as :func:`write_partition` left them."""
    return pl.read_ipc(path) if path.endswith(".arrow") else pl.read_parquet(path)


def concatenate(parts: list[str], output: str, *, json_columns: tuple[str, ...] = ()) -> int:
    """Stream the parts (Arrow IPC) into one file in ``output``'s format; returns its rows."""
    sink = TableSink(output, json_columns=json_columns)
    rows = 0
    try:
        for path in parts:
            df = pl.read_ipc(path)
            sink.write(df)
            rows += df.height
            del df
            Path(path).unlink()
    finally:
        sink.close()
    return rows


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
