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

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from chipcustoms.assess.output import LABELS
from chipcustoms.assess.pipeline import assess
from chipcustoms.assess.selection import (
    SelectionReport,
    random_room,
)
from chipcustoms.lines.ingest import ingest
from chipcustoms.lines.partitions import Partition
from chipcustoms.lines.quarantine import QUARANTINE_SCHEMA, ROW
from chipcustoms.lines.schema import canonical_schema
from chipcustoms.lines.tableio import read_raw_checked
from chipcustoms.policy.rules import IDX
from chipcustoms.run.context import (
    ContextBucket,
    context_bucket,
    duplicate_bucket,
    duplicates_found,
    row_offsets,
)
from chipcustoms.run.engine import Engine, Progress
from chipcustoms.run.opening import ReadAhead
from chipcustoms.run.phases import (
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
    read_part,
    spill_path,
)
from chipcustoms.run.summary import Digest, RunCounts

Step = Callable[[str], AbstractContextManager[None]]

# --- the run ------------------------------------------------------------------------------
Frame = str | pl.DataFrame  # a spill file, or (one partition, no spill) the frame itself


@dataclass
class StreamResult:
    counts: RunCounts
    report: SelectionReport
    digest: Digest | None  # None for one partition: its assessments are all in memory
    parts: list[Frame]  # assessments per partition, in input order
    # Per partition with any: its quarantine spills and their row offsets, in input order.
    quarantine: list[list[tuple[Frame, int]]]
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
    spill: bool = True,
    ahead: ReadAhead | None = None,
) -> StreamResult:
    """Phases A to E over ``parts``; the parts' assessments land in ``out_dir`` or the work.

    ``on_lines`` gets the accepted lines batch by batch as soon as the duplicates are known
    (after phase B), so that a caller can store them while the rest runs. ``spill=False``
    (one partition, in this process): nothing goes to the work folder, see :func:`_whole`;
    ``ahead`` is that partition's read (:func:`read_raw_checked`), started by the caller.
    """
    bar = _Bar(progress)

    def phase(text: str) -> AbstractContextManager[None]:
        return step(text) if step is not None else nullcontext()

    if not spill:
        if len(parts) != 1:
            raise ValueError("only one partition can run without spilling")
        return _whole(job, parts[0], phase, on_lines, ahead)
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
    if on_lines is not None:
        on_lines(_lines(job, tasks))
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
        report = SelectionReport(1, totals, 0, dict(job.thresholds), 0, applied=True)
    digests = [w.digest for w in written if w.digest is not None]
    dup_total = sum(s.duplicates for s in scored)
    read = sum(p.read for p in prepared)
    quarantined = sum(p.quarantined for p in prepared) + dup_total
    counts = RunCounts(read, read - quarantined, quarantined)
    counts.check()
    quarantine: list[list[tuple[Frame, int]]] = []
    for p, prep, off, t in zip(parts, prepared, offsets, tasks, strict=True):
        spills: list[tuple[Frame, int]] = []
        if prep.quarantined:
            spills.append((spill_path(job, "quarantine", p.index), off))
        if t.dups.height:
            spills.append((spill_path(job, "duplicates", p.index), 0))
        quarantine.append(spills)
    return StreamResult(
        counts,
        report,
        Digest.merge(digests) if digests else None,
        [w.path for w in writes],
        quarantine,
        sum(p.unknown_markers for p in prepared),
    )


def _whole(
    job: Job,
    part: Partition,
    phase: Step,
    on_lines: Callable[[Iterator[pl.DataFrame]], object] | None,
    ahead: ReadAhead | None = None,
) -> StreamResult:
    """One partition, nothing spilled: the whole input is the batch.

    With one partition, the global context of phase B (duplicate keys, HS6 peers, group
    aggregates) is the batch's own and selection's unit sizes are the batch's, so phases A to E
    are exactly :func:`~chipcustoms.assess.pipeline.assess` over the batch: it runs here, in
    memory, and the result is held as frames instead of spill files.
    """
    with phase("reading"):
        if ahead is not None:
            raw, lossy = ahead.take()
        else:
            raw, lossy = read_raw_checked(part.path, job.mapping.typed_columns)
    with phase(f"validating {raw.height:,} rows"):
        result = ingest(raw, job.mapping, file=part.path, check_encoding=lossy)
        del raw
    counts = RunCounts(result.read, result.accepted.height, result.quarantined)
    counts.check()
    if on_lines is not None:
        on_lines(iter([result.accepted]))
    with phase(f"assessing {result.accepted.height:,} lines"):
        assessed, report = assess(
            result.accepted, job.refs, job.budgets, thresholds=job.thresholds
        )
    quarantine: list[tuple[Frame, int]] = []
    if result.quarantined:
        quarantine.append((result.quarantine, 0))
    return StreamResult(
        counts, report, None, [assessed], [quarantine], result.unknown_country_markers
    )


def _frame(source: Frame) -> pl.DataFrame:
    return source if isinstance(source, pl.DataFrame) else read_part(source)


def assessments(result: StreamResult) -> Iterator[pl.DataFrame]:
    """The run's assessments part by part, in input order (one frame per partition)."""
    for source in result.parts:
        yield _frame(source)


def _lines(job: Job, tasks: list[ScoreTask]) -> Iterator[pl.DataFrame]:
    """Each partition's accepted lines, the duplicates of earlier lines left out."""
    schema = canonical_schema()
    for task in tasks:
        df = pl.read_ipc(spill_path(job, "enriched", task.index, "arrow"), columns=[ROW, *schema])
        if task.dups.height:
            df = df.join(task.dups.select(pl.col("row").alias(ROW)), on=ROW, how="anti")
        yield df.drop(ROW)


def iter_quarantine(result: StreamResult) -> Iterator[pl.DataFrame]:
    """Quarantined rows with their row numbers in their file, in input order."""
    for spills in result.quarantine:
        if not spills:
            continue
        frames = [
            _frame(source).select(
                *(pl.col(c) + offset if c == "row" else pl.col(c) for c in QUARANTINE_SCHEMA)
            )
            for source, offset in spills
        ]
        yield pl.concat(frames).sort("row", maintain_order=True)
