"""Phases A, C, D and E of a streamed run: the map tasks around the global context.

A reads, ingests, enriches and spills a partition; C scores it with the global context; D (on
the driver) selects over the merged candidates; E joins the channels back and writes the part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from chipcustoms.assess.frames import compact, lookup
from chipcustoms.assess.output import LABELS, assessment_columns, labels_in
from chipcustoms.assess.pipeline import (
    BatchContext,
    add_anomalies,
    enrich,
    finish,
    score,
)
from chipcustoms.assess.selection import (
    GREEN,
    SelectionReport,
    candidates,
    draws,
    random_room,
    select,
    select_by_thresholds,
    unit_key,
)
from chipcustoms.lines.ingest import ingest
from chipcustoms.lines.partitions import Partition, read_partition
from chipcustoms.lines.quarantine import QUARANTINE_SCHEMA, ROW, duplicate_reason
from chipcustoms.lines.schema import canonical_schema
from chipcustoms.policy.rules import IDX, connect
from chipcustoms.run.spill import LOCAL, PART, Job, aggregates, scatter, spill_path
from chipcustoms.run.summary import Digest


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
    df.write_ipc(spill_path(job, "enriched", part.index, "arrow"), compression="lz4")
    q = result.quarantine.with_columns(pl.lit(part.index, dtype=pl.UInt32).alias(PART))
    q.write_parquet(spill_path(job, "quarantine", part.index))
    # The shuffle of phase B: a few columns, bucketed by the keys their computation groups by.
    scatter(job, _key_columns(df, result.quarantine, part.index), "keys", part.index, ["k1"])
    ids = [pl.lit(part.index, dtype=pl.UInt32).alias(PART), pl.col(ROW)]
    ln = pl.when(pl.col("unit_basis_usd") > 0).then(pl.col("unit_basis_usd").log())
    scatter(job, df.select(*ids, "hs6", ln.alias("ln")), "hs6", part.index, ["hs6"])
    for spec in job.refs.rules.group_specs(set(df.columns) - {ROW, IDX}):
        cols = [c for c in spec.columns if c in df.columns]
        scatter(job, df.select(*ids, IDX, *cols), spec.name, part.index, list(spec.partition_by))
    labels = frozenset(labels_in(df))
    units = df.group_by(unit_key(job.budgets.per)).agg(pl.len().cast(pl.Int64).alias("__n"))
    return Prepared(
        result.read,
        df.height,
        result.quarantined,
        result.unknown_country_markers,
        labels,
        compact(units),
    )


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
    reason = duplicate_reason(
        pl.col("first_row"),
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
    df = pl.read_ipc(spill_path(job, "enriched", task.index, "arrow"))
    duplicates = 0
    if task.dups.height:
        q = _duplicates(df, task.dups)
        duplicates = q.height
        q.write_parquet(spill_path(job, "duplicates", task.index))
        df = df.join(task.dups.select(pl.col("row").alias(ROW)), on=ROW, how="anti")
    groups = {
        name: aggregates(job, name, task.index, schema) for name, schema in task.groups.items()
    }
    context = BatchContext(peers=task.peers, groups=groups)
    df = add_anomalies(df, job.refs, context)
    df, reasons = score(df, job.refs, context=context)
    keep = assessment_columns(job.refs.scorers, LABELS)
    keep += [c for c in (*job.budgets.per, "top_category") if c not in keep]
    dropped = {"channel", "selection", "reasons"}
    df.select(IDX, *(c for c in keep if c not in dropped and c in df.columns)).write_ipc(
        spill_path(job, "scored", task.index, "arrow"), compression="lz4"
    )
    reasons.write_ipc(spill_path(job, "reasons", task.index, "arrow"), compression="lz4")
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
            spill_path(job, "pool", task.index, "arrow")
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
    pools = [pl.read_ipc(spill_path(job, "pool", k, "arrow")) for k in range(len(scored))]
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
    df = pl.read_ipc(spill_path(job, "scored", task.index, "arrow"))
    reasons = pl.read_ipc(spill_path(job, "reasons", task.index, "arrow"))
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
    out = df.select(assessment_columns(job.refs.scorers, task.labels))
    if task.path.endswith(".arrow"):  # a part of one output file: read back once, here
        out.write_ipc(task.path, compression="lz4")
    else:
        out.write_parquet(task.path)
    return Written(Digest.of(out) if out.height else None, counts)
