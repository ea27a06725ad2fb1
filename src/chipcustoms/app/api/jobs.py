"""Batch jobs: an uploaded file screened in a separate process.

A separate process, because the SQLite bulk path links its own SQLite and must never share a
process with connections that have the same file open (see store/sqlite.py), and because a
million-line file should not hold the server's interpreter.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl

from chipcustoms.errors import StoreBusy


def run_job(db: str, job_id: int, path: str, mapping: str | None, user: str) -> None:
    """Screen ``path`` in budget mode and record the result on the job (in the worker)."""
    from chipcustoms.app.api.uploads import discard, public_message
    from chipcustoms.run.orchestrator import screen_file
    from chipcustoms.store import indexes, open_store
    from chipcustoms.store.access import update_job
    from chipcustoms.store.audit import acting_as

    store = open_store(db, upgrade=False)
    with acting_as(user):
        update_job(store, job_id, state="running")
        try:
            out = str(Path(path).with_suffix(".assessments.parquet"))
            result = screen_file(path, out, mapping=mapping, db=db, command="api job")
            # A large run's lines were staged as Parquet beside the store: into its tables
            # before the job says done, so the server's pages show them (store/line_parts.py).
            store.absorb()
            quarantine = []
            if result.quarantine_path:
                quarantine = (
                    pl.read_csv(result.quarantine_path, infer_schema=False)
                    .select("row", "field", "reason")
                    .head(1000)
                    .to_dicts()
                )
            c = result.counts
            update_job(
                store,
                job_id,
                state="done",
                total=c.read,
                done=c.accepted + c.quarantined,
                counts={
                    "channels": result.report.counts,
                    "accepted": c.accepted,
                    "quarantined": c.quarantined,
                },
                quarantine=quarantine,
                run_id=result.run_id,
            )
        except Exception as exc:  # a job's failure is its state, not a server crash
            message = f"{type(exc).__name__}: {public_message(exc)}"
            update_job(store, job_id, state="failed", error=message)
            return
        finally:  # the upload, a mapping uploaded with it, and what the run wrote beside them
            discard(path, mapping if mapping and Path(mapping).is_absolute() else None)
        # The pages' search indexes a bulk run leaves to be built: here, after the job is done,
        # in this worker rather than during the run (store/indexes.py).
        with contextlib.suppress(StoreBusy):
            indexes.ensure(store)


class JobRunner:
    """One worker process, started on the first job (spawned: no inherited connections)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, db: str, job_id: int, path: str, mapping: str | None, user: str) -> None:
        if self._pool is None:
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
        self._pool.submit(run_job, db, job_id, path, mapping, user)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=False)
