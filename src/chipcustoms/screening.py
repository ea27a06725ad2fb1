"""`chipcustoms screen` as a library call: read, ingest, assess, write, store.

The CLI, the demo and the benchmarks all call :func:`screen_file`, so what is measured is what
users run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chipcustoms.errors import ChipCustomsError
from chipcustoms.ingest import IngestResult, ingest
from chipcustoms.mapping import load_mapping
from chipcustoms.pipeline import References, assess
from chipcustoms.selection import Budgets, SelectionReport
from chipcustoms.summary import RunCounts
from chipcustoms.tableio import read_raw_checked, write_table

Step = Callable[[str], contextlib.AbstractContextManager[None]]


@contextlib.contextmanager
def _quiet(_: str) -> Iterator[None]:
    yield


@dataclass
class ScreenResult:
    counts: RunCounts
    report: SelectionReport
    assessments: pl.DataFrame
    quarantine_path: str | None
    run_id: int | None


def default_quarantine(output: str) -> str:
    """Beside the output: out.csv -> out.quarantine.csv; stdout -> ./quarantine.csv."""
    if output == "-":
        return "quarantine.csv"
    p = Path(output)
    return str(p.with_name(p.stem + ".quarantine.csv"))


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
) -> ScreenResult:
    """Screen one file end to end; rows that cannot be read go to the quarantine file."""
    budgets = budgets or Budgets()
    the_mapping = load_mapping(mapping)
    with step("loading reference data"):
        refs = refs or References.load(policies, db)
    with step("reading"):
        raw, lossy = read_raw_checked(input_path, the_mapping.typed_columns)
    with step(f"validating {raw.height:,} rows"):
        result: IngestResult = ingest(raw, the_mapping, file=input_path, check_encoding=lossy)
        del raw
    counts = RunCounts(result.read, result.accepted.height, result.quarantined)
    counts.check()
    store, run_id, saving = None, None, None
    thresholds: dict[str, float | None] | None = None
    if threshold_mode and not db:
        raise ChipCustomsError("--mode threshold needs --db: the cut-offs come from a stored run")
    pool = ThreadPoolExecutor(max_workers=1)
    if db:
        from chipcustoms.store import open_store

        store = open_store(db)
        if threshold_mode:
            latest = store.latest_thresholds()
            if latest is None:
                raise ChipCustomsError(
                    f"{db}: no finished budget-mode screening run to take cut-offs from; "
                    "screen a batch with budgets first"
                )
            source_run, thresholds = latest
            command = f"screen --mode threshold (cut-offs of run {source_run})"
        run_id = store.start_run(
            command=command,
            inputs=[input_path],
            mapping=the_mapping.name,
            versions=refs.versions(),
            seed=budgets.seed,
            budgets={
                "red": budgets.red,
                "yellow": budgets.yellow,
                "blue": budgets.blue,
                "random_share": budgets.random_share,
                "per": list(budgets.per),
            },
        )
        # The declared lines do not depend on the assessment: SQLite stores them on a worker
        # thread (in C, GIL released) while Polars and DuckDB assess on the others.
        saving = pool.submit(store.save_lines, run_id, result.accepted)
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
    return ScreenResult(counts, report, assessments, q_path, run_id)
