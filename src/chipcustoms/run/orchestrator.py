"""`chipcustoms screen` as a library call: read, ingest, assess, write, store.

The CLI, the demo, the server's batch jobs and the benchmarks all call :func:`screen_file`, so
what is measured is what users run. An input of one batch (``batch_rows``) is assessed in
memory as one batch; a larger one, a folder of partitions, or any input on a Dask engine is
streamed in bounded batches (:mod:`chipcustoms.run.streaming`) with the same results.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from chipcustoms.assess.pipeline import References, assess, enrich
from chipcustoms.assess.selection import Budgets, SelectionReport
from chipcustoms.errors import ChipCustomsError
from chipcustoms.lines.ingest import IngestResult, ingest
from chipcustoms.lines.mapping import Mapping, load_mapping
from chipcustoms.lines.partitions import Partition, plan
from chipcustoms.lines.tableio import format_of, read_raw_checked, write_table
from chipcustoms.parties.party_scorer import hits_from_reasons
from chipcustoms.policy.messages import rules_by_ref
from chipcustoms.policy.packs import Rule
from chipcustoms.policy.profiles import Profile
from chipcustoms.run.engine import Engine, LocalEngine, Progress
from chipcustoms.run.references import load_references
from chipcustoms.run.summary import Digest, RunCounts

if TYPE_CHECKING:
    from chipcustoms.store import Store

# Rows per batch: a 250,000-line batch peaks near 0.5 GB, so a streamed run of any size stays
# under 1 GB.
DEFAULT_BATCH_ROWS = 250_000
# Without --batch-rows, an input up to about this size is assessed in memory as one batch: the
# fastest path (no spill, one pass), at about 1.6 GiB for a million lines. Larger inputs stream.
IN_MEMORY_ROWS = 1_250_000
JSON_COLUMNS = ("reasons", "rule_hits")

Step = Callable[[str], contextlib.AbstractContextManager[None]]


@contextlib.contextmanager
def _quiet(_: str) -> Iterator[None]:
    yield


def failing(store: Store | None, run_id: int | None) -> contextlib.AbstractContextManager[None]:
    """store/runlife.failing around a stored run; nothing to do (and no store import, which
    a run without the store does not pay for) otherwise."""
    if store is None or run_id is None:
        return contextlib.nullcontext()
    from chipcustoms.store.runlife import failing as run_failing

    return run_failing(store, run_id)


@dataclass
class ScreenResult:
    """What a run produced. ``assessments`` holds every line for an in-memory run; a streamed
    run (``streamed``) keeps only its riskiest lines in memory (the digest's) and the full set
    is in the output."""

    counts: RunCounts
    report: SelectionReport
    assessments: pl.DataFrame
    quarantine_path: str | None
    run_id: int | None
    digest: Digest | None = None
    streamed: bool = False
    profile: Profile | None = None  # the jurisdiction profile in force
    rules: dict[str, Rule] | None = None  # pack/rule@version -> rule, for zh messages


def default_quarantine(output: str) -> str:
    """Beside the output: out.csv -> out.quarantine.csv; stdout -> ./quarantine.csv."""
    if output == "-":
        return "quarantine.csv"
    p = Path(output)
    return str(p.with_name(p.stem + ".quarantine.csv"))


def check_rules(refs: References) -> None:
    """Compile and run every rule over an empty assessed batch (through ingest and enrich), so a
    pack naming an unknown column or SQL DuckDB cannot bind is refused before any input is
    read, any run is stored or any file is written, not halfway through a run."""
    empty = ingest(pl.DataFrame(schema={"declaration_id": pl.Utf8}), load_mapping(None), file="-")
    refs.rules.check(enrich(empty.accepted, refs))


def screen_file(
    input_path: str,
    output: str,
    *,
    mapping: str | None = None,
    policies: list[str] | None = None,
    budgets: Budgets | None = None,
    db: str | None = None,
    quarantine: str | None = None,
    refs: References | None = None,
    step: Step = _quiet,
    command: str = "screen",
    threshold_mode: bool = False,
    engine: Engine | None = None,
    batch_rows: int | None = None,
    work_dir: str | None = None,
    progress: Progress | None = None,
    profile: str | None = None,
) -> ScreenResult:
    """Screen a file or a folder of partitions end to end; unreadable rows go to quarantine.

    ``profile`` names who screens (a jurisdiction profile; default: the `profile` setting),
    unless ``refs`` is given (it carries its own). ``output`` is a file (format by extension,
    ``-`` for CSV on stdout) or, for a streamed run, a folder (a path without a table
    extension) that gets one Parquet file per batch.
    """
    budgets = budgets or Budgets()
    the_mapping = load_mapping(mapping)
    to_folder = output != "-" and (
        output.endswith("/")
        or Path(output).is_dir()
        or (not Path(output).suffix and not Path(output).exists())
    )
    if not to_folder:
        format_of(output)  # an unknown extension fails now, not after the work
    parts: list[Partition] | None = None
    if input_path != "-":
        local = engine is None or isinstance(engine, LocalEngine)
        parts = plan(input_path, batch_rows or (IN_MEMORY_ROWS if local else DEFAULT_BATCH_ROWS))
        if batch_rows is None and local and len(parts) > 1:
            parts = plan(input_path, DEFAULT_BATCH_ROWS)
    streamed = parts is not None and (
        len(parts) > 1
        or Path(input_path).is_dir()
        or to_folder
        or (engine is not None and not isinstance(engine, LocalEngine))
    )
    if threshold_mode and not db:
        raise ChipCustomsError("--mode threshold needs --db: the cut-offs come from a stored run")
    with step("loading reference data"):
        refs = refs or load_references(policies, db, profile)
        check_rules(refs)
    if streamed:
        assert parts is not None
        return _screen_streamed(
            input_path,
            output,
            parts,
            mapping=the_mapping,
            refs=refs,
            budgets=budgets,
            db=db,
            quarantine=quarantine,
            step=step,
            command=command,
            threshold_mode=threshold_mode,
            engine=engine or LocalEngine(),
            to_folder=to_folder,
            work_dir=work_dir,
            progress=progress,
        )
    with step("reading"):
        raw, lossy = read_raw_checked(input_path, the_mapping.typed_columns)
    with step(f"validating {raw.height:,} rows"):
        result: IngestResult = ingest(raw, the_mapping, file=input_path, check_encoding=lossy)
        del raw
    counts = RunCounts(result.read, result.accepted.height, result.quarantined)
    counts.check()
    store, run_id, saving = None, None, None
    thresholds: dict[str, float | None] | None = None
    pool = ThreadPoolExecutor(max_workers=1)
    if db:
        store, run_id, thresholds = _start_run(
            db, input_path, the_mapping, refs, budgets, command, threshold_mode
        )
        # The declared lines do not depend on the assessment: SQLite stores them on a worker
        # thread (in C, GIL released) while Polars and DuckDB assess on the others.
        saving = pool.submit(store.save_lines, run_id, result.accepted)
    with failing(store, run_id):
        try:
            with step(f"assessing {result.accepted.height:,} lines"):
                assessments, report = assess(result.accepted, refs, budgets, thresholds=thresholds)
            with step("writing assessments"):
                write_table(assessments, output, json_columns=("reasons", "rule_hits"))
            q_path = None
            if result.quarantined:
                q_path = quarantine or default_quarantine(output)
                write_table(result.quarantine, q_path)
        finally:
            if saving is not None:
                saving.result()
            pool.shutdown()
        if store is not None and run_id is not None:
            with step("saving to the store"):
                store.save_assessments(run_id, assessments)
                store.save_screening_hits(run_id, hits_from_reasons(assessments))
                _finish_run(store, run_id, counts, report)
    return ScreenResult(counts, report, assessments, q_path, run_id, profile=refs.rules.profile,
                        rules=rules_by_ref(lp.pack for lp in refs.packs))


def _start_run(
    db: str,
    input_path: str,
    mapping: Mapping,
    refs: References,
    budgets: Budgets,
    command: str,
    threshold_mode: bool,
    engine: dict[str, object] | None = None,
) -> tuple[Store, int, dict[str, float | None] | None]:
    from chipcustoms.store import open_store

    store = open_store(db)
    thresholds: dict[str, float | None] | None = None
    if threshold_mode:
        profile = refs.rules.profile.id
        latest = store.latest_thresholds(profile)
        if latest is None:
            raise ChipCustomsError(
                f"{db}: no finished budget-mode screening run under profile {profile!r} to take "
                "cut-offs from; screen a batch with budgets (and the same --profile) first"
            )
        source_run, thresholds = latest
        command = f"screen --mode threshold (cut-offs of run {source_run})"
    versions = refs.versions()
    if engine is not None:
        versions = {**versions, "engine": engine}
    run_id = store.start_run(
        command=command,
        inputs=[input_path],
        mapping=mapping.name,
        versions=versions,
        seed=budgets.seed,
        budgets={
            "red": budgets.red,
            "yellow": budgets.yellow,
            "blue": budgets.blue,
            "random_share": budgets.random_share,
            "per": list(budgets.per),
        },
    )
    return store, run_id, thresholds


def _finish_run(store: Store, run_id: int, counts: RunCounts, report: SelectionReport) -> None:
    store.finish_run(
        run_id,
        counts={
            "read": counts.read,
            "accepted": counts.accepted,
            "quarantined": counts.quarantined,
            "channels": report.counts,
            "floor_overflow": report.floor_overflow,
        },
        thresholds=report.thresholds,
    )


def _save_all(store: Store, run_id: int, batches: Iterator[pl.DataFrame]) -> None:
    for lines in batches:
        store.save_lines(run_id, lines)


def _screen_streamed(
    input_path: str,
    output: str,
    parts: list[Partition],
    *,
    mapping: Mapping,
    refs: References,
    budgets: Budgets,
    db: str | None,
    quarantine: str | None,
    step: Step,
    command: str,
    threshold_mode: bool,
    engine: Engine,
    to_folder: bool,
    work_dir: str | None,
    progress: Progress | None,
) -> ScreenResult:
    """Bounded batches on ``engine``; the output file is written batch by batch."""
    from chipcustoms.run.engine.base import describe

    store, run_id, thresholds = None, None, None
    if db:
        store, run_id, thresholds = _start_run(
            db, input_path, mapping, refs, budgets, command, threshold_mode, describe(engine)
        )
    with failing(store, run_id):
        return _stream_and_store(
            input_path, output, parts, mapping=mapping, refs=refs, budgets=budgets,
            quarantine=quarantine, step=step, engine=engine, to_folder=to_folder,
            work_dir=work_dir, progress=progress, store=store, run_id=run_id,
            thresholds=thresholds,
        )


def _stream_and_store(
    input_path: str,
    output: str,
    parts: list[Partition],
    *,
    mapping: Mapping,
    refs: References,
    budgets: Budgets,
    quarantine: str | None,
    step: Step,
    engine: Engine,
    to_folder: bool,
    work_dir: str | None,
    progress: Progress | None,
    store: Store | None,
    run_id: int | None,
    thresholds: dict[str, float | None] | None,
) -> ScreenResult:
    from chipcustoms.run import spill, streaming

    work = spill.work_dir(work_dir)
    pool = ThreadPoolExecutor(max_workers=1)
    saving: list[Future[None]] = []

    def save_lines(batches: Iterator[pl.DataFrame]) -> None:
        # As in memory: the declared lines do not depend on the assessment, so the store
        # takes them on a worker thread while the batches are scored (the store is touched
        # by nothing else until this finishes).
        if store is not None and run_id is not None:
            saving.append(pool.submit(_save_all, store, run_id, batches))

    try:
        job = streaming.Job(refs, mapping, budgets, work, thresholds)
        try:
            result = streaming.stream(
                job,
                parts,
                engine,
                out_dir=output if to_folder else None,
                progress=progress,
                step=step,
                on_lines=save_lines,
            )
        finally:
            for future in saving:
                future.result()
            pool.shutdown()
        q_path = None
        if result.counts.quarantined:
            q_path = quarantine or default_quarantine(output)
            sink = streaming.TableSink(q_path)
            try:
                for q in streaming.iter_quarantine(result):
                    sink.write(q)
            finally:
                sink.close()
        if store is not None and run_id is not None:
            with step("saving to the store"):
                for path in result.parts:
                    part = spill.read_part(path)
                    store.save_assessments(run_id, part)
                    store.save_screening_hits(run_id, hits_from_reasons(part))
                _finish_run(store, run_id, result.counts, result.report)
        if not to_folder:
            with step("writing the output file"):
                streaming.concatenate(result.parts, output, json_columns=JSON_COLUMNS)
    finally:
        spill.cleanup(work)
    digest = result.digest
    top = digest.riskiest if digest is not None else pl.DataFrame()
    return ScreenResult(
        result.counts,
        result.report,
        top,
        q_path,
        run_id,
        digest=digest,
        streamed=True,
        profile=refs.rules.profile,
        rules=rules_by_ref(lp.pack for lp in refs.packs),
    )
