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

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import polars as pl
import pyarrow.parquet as pq

from chipcustoms.assess.selection import (
    SelectionReport,
    random_room,
)
from chipcustoms.lines.ingest import QUARANTINE_SCHEMA, ROW
from chipcustoms.lines.partitions import Partition
from chipcustoms.lines.schema import canonical_schema
from chipcustoms.lines.tableio import for_people, format_of, json_text
from chipcustoms.policy.rules import IDX
from chipcustoms.run.context import (
    ContextBucket,
    context_bucket,
    duplicate_bucket,
    duplicates_found,
    row_offsets,
)
from chipcustoms.run.engine import Engine, Progress
from chipcustoms.run.phases import (
    LABELS,
    ScoreTask,
    WriteTask,
    global_selection,
    prepare,
    score_partition,
    write_partition,
)
from chipcustoms.run.spill import (
    PART,
    PARTS_PER_BUCKET,
    Job,
    spill_path,
)
from chipcustoms.run.summary import Digest, RunCounts

Step = Callable[[str], AbstractContextManager[None]]

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
    first = pl.read_ipc_schema(spill_path(job, "enriched", parts[0].index, "arrow"))
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
        (spill_path(job, "enriched", t.index, "arrow"), t.dups.select(pl.col("row").alias(ROW)))
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
        [(spill_path(job, "quarantine", p.index), off)] * bool(prep.quarantined)
        + [(spill_path(job, "duplicates", p.index), 0)] * bool(t.dups.height)
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
