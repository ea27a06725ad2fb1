"""`chipcustoms screen` as a library call: read, ingest, assess, write, store.

The CLI, the demo, the server's batch jobs and the benchmarks all call :func:`screen_file`, so
what is measured is what users run. There is one run: :func:`chipcustoms.run.streaming.stream`
over the input's partitions. An input of one batch on an in-process engine is one partition
that is not spilled (assessed in memory, the fastest path); a larger one, a folder of
partitions, or any input on a Dask engine streams in bounded batches with the same results.
Either way the same code writes the output and the quarantine and stores the run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from chipcustoms.assess.pipeline import References, enrich
from chipcustoms.assess.selection import Budgets, SelectionReport
from chipcustoms.errors import ChipCustomsError
from chipcustoms.lines.ingest import ingest
from chipcustoms.lines.mapping import Mapping, load_mapping
from chipcustoms.lines.partitions import Partition
from chipcustoms.lines.tablewrite import write_table
from chipcustoms.policy.messages import rules_by_ref
from chipcustoms.policy.packs import Rule
from chipcustoms.policy.profiles import Profile
from chipcustoms.run import spill as spill_dir
from chipcustoms.run import streaming
from chipcustoms.run.engine import Engine, LocalEngine, Progress
from chipcustoms.run.engine.base import describe
from chipcustoms.run.opening import Opening, ReadAhead, open_input
from chipcustoms.run.references import load_references
from chipcustoms.run.spill import Job
from chipcustoms.run.summary import Digest, RunCounts

if TYPE_CHECKING:
    from chipcustoms.store import Store
    from chipcustoms.store.line_parts import StagedPart

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
    absorb: bool = True,
    opened: Opening | None = None,
) -> ScreenResult:
    """Screen a file or a folder of partitions end to end; unreadable rows go to quarantine.

    ``profile`` names who screens (a jurisdiction profile; default: the `profile` setting),
    unless ``refs`` is given (it carries its own). ``output`` is a file (format by extension,
    ``-`` for CSV on stdout) or, for a streamed run, a folder (a path without a table
    extension) that gets one Parquet file per batch. ``db`` is opened once, for the scorers
    and the run; ``absorb``: whether that open absorbs earlier runs' staged parts
    (``open_store``). ``opened``: the input as :func:`~chipcustoms.run.opening.open_input`
    opened it for this ``engine`` (its read may be under way); by default it is opened here,
    from ``mapping`` and ``batch_rows``.
    """
    budgets = budgets or Budgets()
    engine = engine or LocalEngine()
    if threshold_mode and not db:
        if opened is not None:
            opened.abandon()
        raise ChipCustomsError("--mode threshold needs --db: the cut-offs come from a stored run")
    # The input is read while the reference data loads (not stdin: a pipe may never end).
    if opened is None:
        opened = open_input(
            input_path, output, in_process=engine.in_process, mapping=mapping,
            batch_rows=batch_rows,
        )
    the_mapping, parts, spill, to_folder = (
        opened.mapping, opened.parts, opened.spill, opened.to_folder
    )
    try:
        store, run_id, thresholds = None, None, None
        if db:
            from chipcustoms.store import open_store

            store = open_store(db, absorb=absorb)
        with step("loading reference data"):
            refs = refs or load_references(policies, store, profile)
            check_rules(refs)
        if db and store is not None:
            where = describe(engine) if spill else None
            run_id, thresholds = _start_run(
                store, db, input_path, the_mapping, refs, budgets, command, threshold_mode, where
            )
    except BaseException:
        opened.abandon()  # the reference data's error is the one reported
        raise
    job = Job(refs, the_mapping, budgets, "", thresholds)
    with failing(store, run_id):
        result = _run(
            job, parts, engine, output, spill=spill, to_folder=to_folder, quarantine=quarantine,
            step=step, work_dir=work_dir, progress=progress, store=store, run_id=run_id,
            ahead=opened.ahead,
        )
    return result


def _run(
    job: Job,
    parts: list[Partition],
    engine: Engine,
    output: str,
    *,
    spill: bool,
    to_folder: bool,
    quarantine: str | None,
    step: Step,
    work_dir: str | None,
    progress: Progress | None,
    store: Store | None,
    run_id: int | None,
    ahead: ReadAhead | None = None,
) -> ScreenResult:
    """The one run: stream (one partition without spill, or many), write the output and the
    quarantine, store what was assessed. One worker thread does the store's bulk writes (in C,
    GIL released): the declared lines while Polars and DuckDB assess (they do not depend on
    the assessment), then the assessments while this thread writes the output; the store is
    touched by nothing else until that thread is done, then the run is finished here."""
    work = spill_dir.work_dir(work_dir) if spill else None
    pool = ThreadPoolExecutor(max_workers=1)
    saving: list[Future[None]] = []
    staged: list[StagedPart] = []  # Parquet parts staged beside the store

    def save_lines(batches: Iterator[pl.DataFrame]) -> None:
        if store is not None and run_id is not None:
            saving.append(pool.submit(_save_all, store, run_id, batches, staged))

    try:
        try:
            result = streaming.stream(
                replace(job, work=work or ""),
                parts,
                engine,
                out_dir=output if to_folder else None,
                progress=progress,
                step=step,
                on_lines=save_lines,
                spill=spill,
                ahead=ahead,
            )
            if store is not None and run_id is not None:
                # Queued behind the lines on the same thread: the store takes the assessments
                # while this thread writes the output file.
                screens = any(s.name == "screening" for s in job.refs.scorers)
                saving.append(
                    pool.submit(_save_assessed, store, run_id, result, staged, screens)
                )
            if not to_folder:
                with step("writing the output file" if spill else "writing assessments"):
                    write_table(streaming.assessments(result), output, json_columns=JSON_COLUMNS)
            q_path = None
            if result.counts.quarantined:
                q_path = quarantine or default_quarantine(output)
                write_table(streaming.iter_quarantine(result), q_path)
        finally:
            with step("saving to the store") if saving else contextlib.nullcontext():
                for future in saving:
                    future.result()
            pool.shutdown()
        if store is not None and run_id is not None:
            _finish_run(store, run_id, result.counts, result.report, staged)
    finally:
        if work is not None:
            spill_dir.cleanup(work)
    refs, digest = job.refs, result.digest
    if not spill:  # one partition in memory: the result holds every line
        held = next(streaming.assessments(result))
    else:  # the output holds them; the digest keeps the riskiest
        held = digest.riskiest if digest is not None else pl.DataFrame()
    return ScreenResult(
        result.counts,
        result.report,
        held,
        q_path,
        run_id,
        digest=digest,
        streamed=spill,
        profile=refs.rules.profile,
        rules=rules_by_ref(lp.pack for lp in refs.packs),
    )


def _start_run(
    store: Store,
    db: str,
    input_path: str,
    mapping: Mapping,
    refs: References,
    budgets: Budgets,
    command: str,
    threshold_mode: bool,
    engine: dict[str, object] | None = None,
) -> tuple[int, dict[str, float | None] | None]:
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
    return run_id, thresholds


def _finish_run(
    store: Store, run_id: int, counts: RunCounts, report: SelectionReport,
    parts: list[StagedPart],
) -> None:
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
        parts=parts,
    )


def _save_all(
    store: Store, run_id: int, batches: Iterator[pl.DataFrame], parts: list[StagedPart]
) -> None:
    """Each batch of declared lines staged as a Parquet part beside the store where the
    backend does that for its size (store/line_parts.py), else written to its tables."""
    for lines in batches:
        part = store.stage_lines(run_id, lines)
        if part is None:
            store.save_lines(run_id, lines)
        else:
            parts.append(part)


def _save_assessed(
    store: Store, run_id: int, result: streaming.StreamResult,
    parts: list[StagedPart], screens: bool,
) -> None:
    """The assessments, staged or written, and the party screening's hits where the run had
    a screening scorer (without one there are none, and the party toolkit, about 0.3 s to
    import with the GIL held beside the output writer, is not imported)."""
    for part in streaming.assessments(result):
        staged = store.stage_assessments(run_id, part)
        if staged is None:
            store.save_assessments(run_id, part)
        else:
            parts.append(staged)
        if screens:
            from chipcustoms.parties.party_scorer import hits_from_reasons

            store.save_screening_hits(run_id, hits_from_reasons(part))
