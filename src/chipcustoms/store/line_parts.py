"""Bulk line data in Parquet beside a SQLite store (issue 12; ``../shared/design.md``, Storage).

Writing a million declared lines and their assessments into SQLite cost more than screening
them (about 8 s of SQLite against 5 s of screening on a quiet machine, one writer in series). A
large batch run instead writes both as zstd Parquet parts beside the database, on the run's
store worker thread while the batch is assessed and while the output is written:

    <db>.lines/run=<run_id>/lines-<id>.parquet         declared lines as declared, written at
    <db>.lines/run=<run_id>/assessments-<id>.parquet   assessments, reasons nested, created at

Each part is written to a temporary name, synced and renamed, so a part either exists whole or
not at all; it is referenced (table ``line_parts``) only in the transaction that marks its run
done (``runs.finish_run``), which also holds the run's selected lines for their cases. A run
killed before that leaves files nothing refers to: invisible, and removed by the next
:func:`sweep`.

``Store.absorb`` (store/sqlite.py) moves every referenced part into ``declarations`` (the same
upsert and shaping as a direct write: one current row per key, ``first_run_id`` carried over)
and ``assessments`` (append-only), in part order, in one transaction with their audit entries,
and deletes the references in it; the files go after the COMMIT. It runs at every open of the
store (``open_store``; its caller may pass ``absorb=False``), in a server's one open before the
pool of connections is handed out, in the server's batch-job worker before the job is
reported done, and in ``chipcustoms db upgrade``, so every reader of the tables (pages, explain,
training, parties, patterns) sees the lines of every finished run; a server already running
beside a CLI ``screen --db`` sees them after its next start. The cost of the SQLite write is not
removed: it moves off the screen's critical path, to the next open of the store.
"""
from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
import sqlalchemy as sa

from chipcustoms import settings
from chipcustoms.store import tables as t

if TYPE_CHECKING:
    from chipcustoms.store.base import Store

KINDS = ("lines", "assessments")
# A part is one batch, zstd at level 1: the part is written on the run's store thread beside the
# assessment, so its CPU time is what counts; the files are read back once, by ``absorb``.
COMPRESSION: Literal["zstd"] = "zstd"
COMPRESSION_LEVEL = 1


@dataclass(frozen=True)
class StagedPart:
    """A part written beside the store, and (assessments) the selected lines it holds, which
    wait for their cases in ``pending_cases`` from the run's finishing transaction on."""

    kind: str
    path: str  # relative to the stage root
    rows: int
    cases: pl.DataFrame | None = None


def stage_root(db_path: str) -> Path:
    """The folder of a SQLite store's staged parts: beside the file, ``<db>.lines``."""
    return Path(f"{db_path}.lines")


def stages(lines: int) -> bool:
    """Whether a batch of ``lines`` lines is staged as Parquet (setting ``store_stage_rows``;
    0: never)."""
    limit = int(settings.get("store_stage_rows"))
    return limit > 0 and lines >= limit


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_part(db_path: str, run_id: int, kind: str, frame: pl.DataFrame) -> StagedPart:
    """Write one part whole or not at all (temporary name, fsync, rename, fsync of the folder)."""
    if kind not in KINDS:
        raise ValueError(f"unknown part kind {kind!r}")
    root = stage_root(db_path)
    folder = root / f"run={run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{kind}-{uuid.uuid4().hex[:16]}.parquet"
    tmp = folder / f".{name}.tmp"
    frame.write_parquet(
        tmp, compression=COMPRESSION, compression_level=COMPRESSION_LEVEL, statistics=False
    )
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, folder / name)
    _sync_dir(folder)
    return StagedPart(kind, f"run={run_id}/{name}", frame.height)


def hold_cases(conn: sa.Connection, parts: list[StagedPart]) -> None:
    """The staged assessments' selected lines into ``pending_cases``, in the caller's
    transaction (the one that opens them: ``runs.finish_run``)."""
    columns = [c.name for c in t.pending_cases.columns]
    insert = (  # only SQLite stages: its DB-API takes rows as tuples, qmark style
        f"INSERT INTO pending_cases ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    for part in parts:
        if part.cases is not None and part.cases.height:
            conn.exec_driver_sql(insert, part.cases.select(columns).rows())


def register(conn: sa.Connection, run_id: int, parts: list[StagedPart]) -> None:
    """Reference a finished run's parts, in the caller's transaction (the one marking it done)."""
    if parts:
        conn.execute(
            t.line_parts.insert(),
            [{"run_id": run_id, "kind": p.kind, "path": p.path, "rows": p.rows} for p in parts],
        )


def pending(store: Store) -> list[dict[str, Any]]:
    """The referenced parts not yet absorbed, in order."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(t.line_parts).order_by(t.line_parts.c.part_id))
        return [dict(r) for r in rows.mappings()]


def read_part(db_path: str, path: str) -> pl.DataFrame:
    """One referenced part; a missing or unreadable one is an error that names it."""
    from chipcustoms.errors import StoreError

    full = stage_root(db_path) / path
    try:
        return pl.read_parquet(full)
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise StoreError(f"{full}: a staged part of the store cannot be read ({exc})") from exc


def sweep(store: Store, db_path: str) -> None:
    """Remove the files of absorbed parts and of runs that will never reference theirs (done
    or failed runs whose parts are not referenced): a killed run's parts go here."""
    root = stage_root(db_path)
    if not root.is_dir():
        return
    # The running runs first, then the references: a run that finishes in between is still
    # counted running (its folder kept), as it references its parts in the transaction that
    # ends its running; the other order could take a just-referenced part for an orphan.
    with store.engine.connect() as conn:
        running = {
            int(r)
            for r in conn.execute(
                sa.select(t.runs.c.run_id).where(t.runs.c.status == "running")
            ).scalars()
        }
    with store.engine.connect() as conn:
        referenced = {str(p) for p in conn.execute(sa.select(t.line_parts.c.path)).scalars()}
    for folder in root.glob("run=*"):
        try:
            run_id = int(folder.name.removeprefix("run="))
        except ValueError:
            continue
        if run_id in running:
            continue
        keep = [f for f in folder.iterdir() if f"{folder.name}/{f.name}" in referenced]
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        for f in folder.iterdir():
            if f not in keep:
                f.unlink(missing_ok=True)
    if not any(root.iterdir()):
        root.rmdir()
