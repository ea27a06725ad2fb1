"""Screening an input of any size in bounded batches, on any :class:`~chipcustoms.engine.Engine`.

The pipeline is a function over batches, but three of its parts look beyond a line: the
duplicate-key check, the HS6 peers of VAL_LOW_FOR_HS and the window aggregates of group rules,
and selection, whose budgets are shares of a whole selection unit. A streamed run makes those
global, so that the channels do not depend on where the input was cut or on which engine ran:

A. map: read a partition, ingest it (quarantine per partition), enrich it, spill it to Parquet
   in a work folder;
B. here: the global context from the spilled columns: duplicate keys over the whole input and
   group-rule window aggregates with DuckDB (out of core, memory-capped); then, mapped, HS6
   peer statistics with the in-memory path's own function, one hash bucket of HS6 codes each;
C. map: score each partition with that context; spill its scored lines, long reasons and the
   narrow columns selection reads;
D. here: global selection over the few lines that can be selected (a
   :class:`~chipcustoms.selection.CandidatePool` folded over the narrow spills in input
   order, so the seeded draws are those of an in-memory run);
E. map: join the channels back, gather the reasons, write each partition's assessments;
   then the parts become the output (one file, streamed part by part, or a folder of parts),
   the store gets them batch by batch, and the summary is merged from per-batch digests.

Only the map steps run on the engine; what they return is small (counts, digests).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl
import pyarrow.parquet as pq

from chipcustoms import anomaly
from chipcustoms.engine import Engine, Progress
from chipcustoms.errors import ChipCustomsError
from chipcustoms.frames import compact, lookup
from chipcustoms.ingest import QUARANTINE_SCHEMA, ROW, ingest
from chipcustoms.mapping import Mapping
from chipcustoms.partitions import Partition, read_partition
from chipcustoms.pipeline import (
    OUTPUT_COLUMNS,
    BatchContext,
    References,
    add_anomalies,
    enrich,
    finish,
    score,
)
from chipcustoms.rules import IDX, connect
from chipcustoms.schema import canonical_schema
from chipcustoms.selection import (
    GREEN,
    Budgets,
    CandidatePool,
    SelectionReport,
    select,
    select_by_thresholds,
    unit_key,
)
from chipcustoms.summary import Digest, RunCounts
from chipcustoms.tableio import format_of, json_text

PART, LOCAL = "__part", "__li"
LABELS = ("inspected", "fraud", "critical", "revenue")
DUCKDB_MEMORY = "256MB"  # phase B's cap; DuckDB spills to the work folder beyond it
PEER_BUCKET_ROWS = 2_000_000  # lines of HS6 peers held at once (see global_peers)
PEER_SEED = 8
Step = Callable[[str], AbstractContextManager[None]]


@dataclass(frozen=True)
class Job:
    """What every task reads; shipped to each worker once (Dask: scattered, broadcast)."""

    refs: References
    mapping: Mapping
    budgets: Budgets
    work: str
    thresholds: dict[str, float | None] | None = None


def _spill(job: Job, kind: str, index: int, ext: str = "parquet") -> str:
    """Spills DuckDB reads are Parquet; spills only Polars reads back are Arrow IPC (lz4),
    which costs no encoding on the way out and in."""
    return str(Path(job.work) / f"{kind}-{index:06d}.{ext}")


# --- A: read, ingest, enrich, spill ---------------------------------------------------------
@dataclass(frozen=True)
class Prepared:
    read: int
    accepted: int
    quarantined: int
    unknown_markers: int
    labels: frozenset[str]


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
    ln = pl.when(pl.col("unit_basis_usd") > 0).then(pl.col("unit_basis_usd").log())
    df = df.with_columns(pl.lit(part.index, dtype=pl.UInt32).alias(PART), ln.alias("__ln"))
    df.write_parquet(_spill(job, "enriched", part.index), compression="lz4")
    q = result.quarantine.with_columns(pl.lit(part.index, dtype=pl.UInt32).alias(PART))
    q.write_parquet(_spill(job, "quarantine", part.index))
    labels = frozenset(c for c in LABELS if df[c].null_count() < df.height)
    return Prepared(
        result.read, df.height, result.quarantined, result.unknown_country_markers, labels
    )


# --- B: global context (driver, DuckDB) ---------------------------------------------------
@dataclass
class Context:
    peers: pl.DataFrame
    groups: dict[str, str]  # rule group name -> spilled aggregates (sorted by global id)
    dups: pl.DataFrame  # accepted lines whose key came first elsewhere: part, row, first_*


def row_offsets(parts: list[Partition], prepared: list[Prepared]) -> list[int]:
    """Rows of the same file before each partition: partition row numbers -> file rows."""
    offsets: list[int] = []
    seen: dict[str, int] = {}
    for part, prep in zip(parts, prepared, strict=True):
        offsets.append(seen.get(part.path, 0))
        seen[part.path] = offsets[-1] + prep.read
    return offsets


def global_context(job: Job, parts: list[Partition], offsets: list[int]) -> Context:
    """Duplicate keys and group aggregates (DuckDB); the HS6 peers are :func:`peer_tasks`."""
    work = Path(job.work)
    offs = pl.DataFrame(
        {
            "part": [p.index for p in parts],
            "file": [p.path for p in parts],
            "row_off": offsets,
        },
        schema={"part": pl.UInt32, "file": pl.Utf8, "row_off": pl.Int64},
    )
    con = connect(memory_limit=DUCKDB_MEMORY, temp_directory=str(work / "duckdb"))
    try:
        con.register("offs", offs.to_arrow())
        enriched = f"read_parquet('{work}/enriched-*.parquet', union_by_name = true)"
        quarantine = f"read_parquet('{work}/quarantine-*.parquet', union_by_name = true)"
        # Input order is (partition, row); a key's first line is the least of that order.
        con.sql(
            f"""CREATE VIEW keys AS
            SELECT {PART} AS part, {ROW} AS row, declaration_id AS k1, item_no AS k2,
                   ({PART}::BIGINT << 40) | {ROW} AS ord, TRUE AS accepted FROM {enriched}
            UNION ALL
            SELECT {PART}, row, declaration_id, TRY_CAST(item_no AS BIGINT),
                   ({PART}::BIGINT << 40) | row, FALSE FROM {quarantine}
            WHERE declaration_id IS NOT NULL"""
        )
        dups = con.sql(
            """WITH first AS (
                SELECT k1, k2, min(ord) AS first FROM keys WHERE k1 IS NOT NULL
                GROUP BY ALL HAVING count(*) > 1)
            SELECT k.part, k.row, o.file AS first_file, (f.first & ((1::BIGINT << 40) - 1))
                   + o.row_off AS first_row
            FROM keys k JOIN first f ON k.k1 = f.k1 AND k.k2 IS NOT DISTINCT FROM f.k2
            JOIN offs o ON o.part = (f.first >> 40)
            WHERE k.accepted AND k.ord > f.first"""
        ).pl()
        con.register("dups", dups.select("part", "row").to_arrow())
        con.sql(
            f"""CREATE VIEW kept AS SELECT * FROM {enriched} e
            WHERE NOT EXISTS (SELECT 1 FROM dups d WHERE d.part = e.{PART} AND d.row = e.{ROW})"""
        )
        columns = set(con.sql("SELECT * FROM kept LIMIT 0").columns)
        groups: dict[str, str] = {}
        queries = job.refs.rules.group_queries(columns - {PART, ROW, "__ln"})
        if queries:
            con.sql(
                f"CREATE VIEW lines AS SELECT * REPLACE "
                f"((({PART}::BIGINT << 32) | {IDX}) AS {IDX}) FROM kept"
            )
        for name, body in queries:
            path = str(work / f"group-{name}.parquet")
            con.sql(f"COPY (SELECT * FROM ({body}) ORDER BY {IDX}) TO '{path}' (FORMAT parquet)")
            groups[name] = path
    finally:
        con.close()
    dups = dups.cast({"part": pl.UInt32})
    return Context(pl.DataFrame(), groups, dups.join(offs, on="part"))


@dataclass(frozen=True)
class PeerBucket:
    """One hash bucket of HS6 codes for :func:`peer_bucket` (``gone``: duplicate lines)."""

    index: int
    buckets: int
    gone: pl.DataFrame


def peer_tasks(dups: pl.DataFrame, accepted: int) -> list[PeerBucket]:
    """:func:`anomaly.peer_stats` over the whole input, one bucket of HS6 codes per task.

    A median holds every value of its group, which no database spills to disk; so the HS6
    codes are split by hash into buckets of about PEER_BUCKET_ROWS lines, and each bucket is
    one streaming scan of the spilled ``hs6`` and ln columns (mapped on the engine like the
    other phases). It is the in-memory path's own function, so the statistics are
    bit-identical; memory is one bucket (at least the largest HS6 group: 8 bytes per line).
    """
    buckets = max(1, -(-accepted // PEER_BUCKET_ROWS))
    gone = dups.select(pl.col("part").alias(PART), pl.col("row").alias(ROW))
    return [PeerBucket(k, buckets, gone) for k in range(buckets)]


def peer_bucket(job: Job, task: PeerBucket) -> pl.DataFrame:
    scan = pl.scan_parquet(f"{job.work}/enriched-*.parquet").select(PART, ROW, "hs6", "__ln")
    narrow = (
        scan.filter(pl.col("hs6").hash(seed=PEER_SEED) % task.buckets == task.index)
        .join(task.gone.lazy(), on=[PART, ROW], how="anti")
        .select("hs6", pl.col("__ln").alias("ln"))
        .collect(engine="streaming")
    )
    return compact(anomaly.peer_stats(narrow))


# --- C: score each partition with the global context ---------------------------------------
@dataclass(frozen=True)
class ScoreTask:
    index: int
    peers: pl.DataFrame
    groups: dict[str, str]
    dups: pl.DataFrame  # this partition's: row, first_file, first_row, file, row_off


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
    df = pl.read_parquet(_spill(job, "enriched", task.index))
    duplicates = 0
    if task.dups.height:
        q = _duplicates(df, task.dups)
        duplicates = q.height
        q.write_parquet(_spill(job, "duplicates", task.index))
        df = df.join(task.dups.select(pl.col("row").alias(ROW)), on=ROW, how="anti")
    lo, hi = task.index << 32, (task.index + 1) << 32
    groups = {
        name: pl.scan_parquet(path)
        .filter((pl.col(IDX) >= lo) & (pl.col(IDX) < hi))
        .select(pl.col(IDX) - lo, pl.exclude(IDX))
        .collect()
        for name, path in task.groups.items()
    }
    context = BatchContext(peers=task.peers, groups=groups)
    df = add_anomalies(df.drop("__ln"), job.refs, context)
    df, reasons = score(df, job.refs, context=context)
    keep = [*OUTPUT_COLUMNS, *(c for s in job.refs.scorers for c in s.output_columns()), *LABELS]
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
    narrow.write_parquet(_spill(job, "narrow", task.index))
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
    pool = CandidatePool(job.budgets, sizes)
    offset = 0
    for k, s in enumerate(scored):
        narrow = pl.read_parquet(_spill(job, "narrow", k))
        pool.add(
            narrow.with_row_index(IDX, offset=offset).with_columns(
                pl.lit(k, dtype=pl.UInt32).alias(PART)
            )
        )
        offset += s.lines
    candidates = pool.frame()
    chosen, report = select(candidates, job.budgets, unit_sizes=sizes)
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
    out = df.select(OUTPUT_COLUMNS + extra + list(task.labels))
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

    with phase(f"reading and enriching {len(parts)} partitions"):
        prepared = engine.gather(prepare, parts, shared=job, label="read + enrich", progress=bar)
    with phase("global context (duplicate keys, group rules)"):
        offsets = row_offsets(parts, prepared)
        ctx = global_context(job, parts, offsets)
    with phase("HS6 peers"):
        peers = peer_tasks(ctx.dups, sum(p.accepted for p in prepared))
        ctx.peers = pl.concat(engine.gather(peer_bucket, peers, shared=job, label="HS6 peers"))
    tasks = [
        ScoreTask(
            p.index,
            ctx.peers,
            ctx.groups,
            ctx.dups.filter(pl.col("part") == p.index).drop("part"),
        )
        for p in parts
    ]
    lines = [
        (_spill(job, "enriched", t.index), t.dups.select(pl.col("row").alias(ROW))) for t in tasks
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


def iter_lines(result: StreamResult) -> Iterator[pl.DataFrame]:
    """The accepted canonical lines, batch by batch (what the store keeps as declared)."""
    return _lines(result.lines)


def _lines(spills: list[tuple[str, pl.DataFrame]]) -> Iterator[pl.DataFrame]:
    schema = canonical_schema()
    for enriched, duplicates in spills:
        df = pl.read_parquet(enriched, columns=[ROW, *schema])
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
            out = df.with_columns([json_text(c) for c in self.json_columns if c in df.columns])
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
