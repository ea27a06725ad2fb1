"""SQLite backend: WAL always, and a bulk path that streams Arrow batches in via ADBC.

A million lines through row-wise INSERTs take longer than screening them. The bulk path appends
Arrow record batches in C (``adbc-driver-sqlite``), converting the frame a slice at a time so
that memory stays bounded, inside one transaction.

Writers coordinate through SQLite's own write lock: every connection waits for it
(``busy_timeout``; settings ``busy_seconds``, ``server_busy_seconds``) and the bulk path takes
it up front with ``BEGIN IMMEDIATE``. The database stays in WAL mode, so readers (the server's
pages) never wait for a bulk write. The bulk path used to switch to rollback-journal mode for
its transaction, which needs the file to itself: next to another writer or the server it failed
("database is locked", masked by a failed ROLLBACK). Keeping WAL costs the bulk write about a
checkpoint's copy (docs/benchmarks.md).

ADBC links its own SQLite. Two SQLite copies in one process must never have the same file open
at once (closing one releases the other's POSIX locks), so the SQLAlchemy engine uses NullPool
and is disposed before the bulk path opens the file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import sqlalchemy as sa
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import sqlite as sqlite_dialect

from chipcustoms import settings
from chipcustoms.assess.frames import lookup
from chipcustoms.errors import StoreBusy, StoreError
from chipcustoms.lines.schema import KEY
from chipcustoms.store import audit_log, checkpoints, line_parts, rows, tables
from chipcustoms.store.audit_log import now
from chipcustoms.store.base import Store, alembic_config
from chipcustoms.store.sqlite_lock import begin_immediate, is_busy, on_connect, wal_pragmas

BULK_PRAGMAS = ("PRAGMA cache_size=-32768",)  # 32 MiB: enough for appending in key order
SLICE_ROWS = 25_000


# A bulk append at least this large relative to what the table holds drops the table's secondary
# indexes and builds them after the append instead of maintaining them row by row: one sorted
# build of each is several times cheaper for a first large import. The pages' search indexes
# (tables.SEARCH_INDEXES) are not rebuilt here: they are built after the run, off its critical
# path (store/indexes.py).
REBUILD_SHARE = 0.5


@contextlib.contextmanager
def _indexes_rebuilt(cur: Any, table: sa.Table, incoming: int) -> Iterator[None]:
    """Drop ``table``'s secondary indexes around a large append (same transaction); rebuild
    those the write path needs, leave the search indexes to ``indexes.ensure``."""
    cur.execute(f"SELECT coalesce(max(rowid), 0) FROM {table.name}")
    have = int(cur.fetchone()[0])
    if incoming < REBUILD_SHARE * have or not table.indexes:
        yield
        return
    dialect = sqlite_dialect.dialect()
    specs = sorted(
        (ix.name, str(sa.schema.CreateIndex(ix).compile(dialect=dialect)))
        for ix in table.indexes
        if ix.name
    )
    for name, _ in specs:
        cur.execute(f"DROP INDEX IF EXISTS {name}")
    yield
    for name, ddl in specs:
        if name not in tables.SEARCH_INDEXES:
            cur.execute(ddl)


def _stored_keys(cur: Any, decl: pl.DataFrame) -> pl.DataFrame:
    """(declaration_id, item_no, first_run_id, updated_at) of the lines of ``decl`` already
    stored; the keys go through a staging table (temp.stage_keys, dropped by the caller)."""
    cur.execute("DROP TABLE IF EXISTS temp.stage_keys")
    keys = decl.select(KEY)
    cur.adbc_ingest("stage_keys", _stream(keys, lambda p: p), mode="create", temporary=True)
    cur.execute(
        "SELECT d.declaration_id, d.item_no, d.first_run_id, d.updated_at FROM declarations d "
        "JOIN temp.stage_keys k USING (declaration_id, item_no)"
    )
    existing = pl.from_arrow(cur.fetch_arrow_table())
    assert isinstance(existing, pl.DataFrame)
    return existing


def _stream(
    df: pl.DataFrame, build: Callable[[pl.DataFrame], pl.DataFrame]
) -> pa.RecordBatchReader:
    """``build`` applied slice by slice, as Arrow batches: one slice is converted at a time."""
    first = build(df.slice(0, SLICE_ROWS)).to_arrow()

    def batches() -> Iterator[pa.RecordBatch]:
        yield from first.to_batches()
        for offset in range(SLICE_ROWS, df.height, SLICE_ROWS):
            yield from (
                build(df.slice(offset, SLICE_ROWS)).to_arrow().cast(first.schema).to_batches()
            )

    return pa.RecordBatchReader.from_batches(first.schema, batches())


class SQLiteStore(Store):
    def __init__(
        self, path: str, *, busy_seconds: float | None = None, keep_connections: bool = False
    ) -> None:
        """``keep_connections``: pool the connections instead of opening one per use (a server:
        opening one reads the schema and sets the pragmas, a millisecond of every request's
        key check). Such a store takes one bulk write only: ``open_store``'s absorb, before
        :meth:`hand_out`, while none of its connections is checked out (the pool is emptied
        first). After that its connections stay open, and two SQLite copies must never hold
        one file at once (module docstring), so it takes none (a server runs its batch jobs in
        a worker process)."""
        self.path = path
        self.keep_connections = keep_connections
        self._handed_out = False  # a pooled store's connections are in its callers' hands
        parent = Path(path).parent
        if not parent.exists():
            raise StoreError(f"{path}: folder {parent} does not exist")
        self.busy_seconds = float(
            settings.get("busy_seconds") if busy_seconds is None else busy_seconds
        )
        connect_args: dict[str, Any] = {"timeout": self.busy_seconds}  # pysqlite's busy_timeout
        if keep_connections:  # a pooled connection serves whichever thread checks it out
            connect_args["check_same_thread"] = False
        self.engine = sa.create_engine(
            f"sqlite:///{path}",
            poolclass=sa.pool.QueuePool if keep_connections else sa.pool.NullPool,
            connect_args=connect_args,
        )
        sa.event.listen(self.engine, "connect", on_connect)
        sa.event.listen(self.engine, "handle_error", self._busy_error)

    def hand_out(self) -> None:
        if self.keep_connections:
            self._handed_out = True

    def _busy_error(self, ctx: sa.engine.ExceptionContext) -> None:
        """A write that waited ``busy_seconds`` for the lock in vain raises StoreBusy."""
        if is_busy(ctx.original_exception):
            raise StoreBusy(
                f"{self.path}: another process held the store's write lock for more than "
                f"{self.busy_seconds:g} s; nothing was written"
            ) from ctx.original_exception

    def upgrade(self) -> None:
        """Pending migrations in one real transaction under the write lock.

        pysqlite runs DDL outside any transaction, so a process killed mid-upgrade (or two
        processes creating one store at once) could leave half a schema. A store already at
        head is only read, so opening it never waits for another process's write.
        """
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            head = ScriptDirectory.from_config(alembic_config(conn)).get_current_head()
        if current == head:
            return
        locked = sa.create_engine(
            f"sqlite:///{self.path}",
            poolclass=sa.pool.NullPool,
            connect_args={"timeout": self.busy_seconds, "isolation_level": None},
        )
        sa.event.listen(locked, "connect", on_connect)
        sa.event.listen(locked, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            with locked.begin() as conn:
                command.upgrade(alembic_config(conn), "head")
        finally:
            locked.dispose()

    @contextlib.contextmanager
    def _bulk(self) -> Iterator[Any]:
        """One ADBC write transaction (BEGIN IMMEDIATE, waiting for other writers); the
        SQLAlchemy engine stays closed meanwhile."""
        if self.keep_connections and self._handed_out:
            raise StoreError(f"{self.path}: a store that keeps connections takes no bulk write")
        # Imported here (with pyarrow's compute and dataset modules, about 0.5 s): a run whose
        # lines are staged as Parquet never needs it.
        import adbc_driver_sqlite.dbapi as adbc

        self.engine.dispose()
        conn = adbc.connect(self.path, autocommit=True)  # the transaction is explicit below
        cur = conn.cursor()
        began = False
        try:
            cur.execute(f"PRAGMA busy_timeout={int(self.busy_seconds * 1000)}")
            cur.fetchall()
            wal_pragmas(cur)
            for pragma in BULK_PRAGMAS:
                cur.execute(pragma)
            begin_immediate(cur, self.busy_seconds, self.path)
            began = True
            yield cur
            cur.execute("COMMIT")
            began = False
        except BaseException:
            if began:
                # Never let a failed ROLLBACK (SQLite may already have rolled back) hide the
                # error that brought us here.
                with contextlib.suppress(Exception):
                    cur.execute("ROLLBACK")
            raise
        finally:
            cur.close()
            conn.close()

    def _serialize_audit(self, conn: sa.Connection) -> None:
        # A write statement takes SQLite's write lock (pysqlite begins the transaction before
        # it), so the chain's tail read next cannot be stale. It matches no row.
        conn.execute(sa.text("DELETE FROM users WHERE 0"))

    def _audit_bulk(self, cur: Any, run_id: int, action: str, after: dict[str, Any]) -> None:
        """The audit entry of a bulk write, inside its BEGIN IMMEDIATE transaction (which holds
        the write lock)."""
        audit_log.append(checkpoints.AdbcDb(cur), self.audit_key, action, "run", str(run_id),
                         None, after)

    def save_lines(self, run_id: int, lines: pl.DataFrame) -> int:
        if lines.height <= rows.SMALL:
            return rows.save_lines(self, run_id, lines)
        stamp = now()
        with self._bulk() as cur:
            lines = lines.select(rows.DECL_COLUMNS)
            updated = self._upsert_lines(
                cur, run_id, lines, lambda p: rows.decl_rows(p, run_id, stamp)
            )
        return updated

    def _upsert_lines(
        self, cur: Any, run_id: int, decl: pl.DataFrame,
        build: Callable[[pl.DataFrame], pl.DataFrame], written_at: str | None = None,
    ) -> int:
        """The declared lines' upsert inside a bulk transaction, with its audit entry; ``build``
        shapes a slice as stored (``rows.decl_rows``). ``written_at``: when an absorbed part
        was staged; a row of the same key written after that (a direct write while the part
        waited) stays, as the later write would have won without staging."""
        # Which lines are stored already? Only their keys go through a staging table; old
        # versions are removed and the new ones appended (first_run_id is carried over).
        # Into an empty table (a first import) nothing can be stored already.
        decl = decl.drop("first_run_id", strict=False)
        cur.execute("SELECT EXISTS (SELECT 1 FROM declarations)")
        existing = _stored_keys(cur, decl) if cur.fetchone()[0] else pl.DataFrame()
        if existing.height and written_at is not None:
            newer = existing.filter(pl.col("updated_at") > written_at)
            if newer.height:
                cur.execute(
                    "DELETE FROM temp.stage_keys WHERE EXISTS (SELECT 1 FROM declarations d "
                    "WHERE d.declaration_id = stage_keys.declaration_id "
                    "AND d.item_no = stage_keys.item_no AND d.updated_at > ?)",
                    (written_at,),
                )
                keys = newer.select(KEY).cast({"item_no": pl.Int64})
                decl = decl.join(keys, on=list(KEY), how="anti")
                existing = existing.filter(pl.col("updated_at") <= written_at)
        if existing.height:
            cur.execute(
                "DELETE FROM declarations WHERE (declaration_id, item_no) IN "
                "(SELECT declaration_id, item_no FROM temp.stage_keys)"
            )
            known = existing.select(*KEY, "first_run_id").cast({"item_no": pl.Int64})
            decl = lookup(decl, known, list(KEY))
            decl = decl.with_columns(pl.col("first_run_id").fill_null(run_id))
        else:
            decl = decl.with_columns(pl.lit(run_id).alias("first_run_id"))
        with _indexes_rebuilt(cur, tables.declarations, decl.height):
            cur.adbc_ingest("declarations", _stream(decl, build), mode="append")
        cur.execute("DROP TABLE IF EXISTS temp.stage_keys")
        self._audit_bulk(
            cur, run_id, "run.save_lines", {"lines": decl.height, "updated": existing.height}
        )
        return existing.height

    def save_assessments(self, run_id: int, assessments: pl.DataFrame) -> None:
        if assessments.height <= rows.SMALL:
            rows.save_assessments(self, run_id, assessments)
            return
        stamp = now()
        cases = rows.pending_cases(run_id, assessments)
        with self._bulk() as cur:
            self._append_assessments(
                cur, run_id, assessments, lambda p: rows.assessment_rows(p, run_id, stamp), cases
            )

    def _append_assessments(
        self, cur: Any, run_id: int, assessments: pl.DataFrame,
        build: Callable[[pl.DataFrame], pl.DataFrame], cases: pl.DataFrame | None,
    ) -> None:
        """The assessments' append (and the selected lines held in ``pending_cases``, unless
        ``cases`` is None) inside a bulk transaction, with its audit entry."""
        if assessments.height:
            with _indexes_rebuilt(cur, tables.assessments, assessments.height):
                cur.adbc_ingest("assessments", _stream(assessments, build), mode="append")
        if cases is not None and cases.height:
            # Selected lines wait here until the run finishes (store/runlife.py).
            cur.adbc_ingest("pending_cases", cases.to_arrow(), mode="append")
        self._audit_bulk(
            cur,
            run_id,
            "run.save_assessments",
            {"assessments": assessments.height, "cases": 0 if cases is None else cases.height},
        )

    # --- bulk line data staged as Parquet beside the database (store/line_parts.py) ---------
    def stage_lines(self, run_id: int, lines: pl.DataFrame) -> line_parts.StagedPart | None:
        if not line_parts.stages(lines.height):
            return None
        # As declared, with the time of the write: shaped as stored (dates as text) when
        # absorbed, by the same ``rows.decl_rows`` as the direct path, off the run's critical path.
        staged = lines.select(*rows.DECL_COLUMNS, pl.lit(now()).alias("updated_at"))
        return line_parts.write_part(self.path, run_id, "lines", staged)

    def stage_assessments(
        self, run_id: int, assessments: pl.DataFrame
    ) -> line_parts.StagedPart | None:
        if not line_parts.stages(assessments.height):
            return None
        # Reasons stay nested in the part (Parquet holds them); their JSON text is made when
        # absorbed, by the same ``rows.assessment_rows`` as the direct path.
        staged = assessments.select(*rows.ASSESSMENT_COLUMNS, pl.lit(now()).alias("created_at"))
        part = line_parts.write_part(self.path, run_id, "assessments", staged)
        return replace(part, cases=rows.pending_cases(run_id, assessments))

    def absorb(self) -> int:
        """Every referenced part into the tables, in order, in one transaction that deletes the
        references; the files after the COMMIT (store/line_parts.py). How many parts."""
        if not line_parts.pending(self):
            line_parts.sweep(self, self.path)
            return 0
        with self._bulk() as cur:
            # Read again under the write lock: another process may have absorbed them.
            cur.execute("SELECT part_id, run_id, kind, path FROM line_parts ORDER BY part_id")
            parts = cur.fetchall()
            for _, run_id, kind, path in parts:
                self._absorb_part(cur, int(run_id), kind, line_parts.read_part(self.path, path))
            if parts:
                cur.execute(f"DELETE FROM line_parts WHERE part_id <= {int(parts[-1][0])}")
        line_parts.sweep(self, self.path)
        return len(parts)


    def _absorb_part(self, cur: Any, run_id: int, kind: str, frame: pl.DataFrame) -> None:
        """One staged part into its table, shaped by the direct path's own functions."""
        stamp_column = "updated_at" if kind == "lines" else "created_at"
        stamp = str(frame[stamp_column][0]) if frame.height else now()
        frame = frame.drop(stamp_column)
        if kind == "lines":
            self._upsert_lines(
                cur, run_id, frame, lambda p: rows.decl_rows(p, run_id, stamp), written_at=stamp
            )
        else:
            self._append_assessments(
                cur, run_id, frame, lambda p: rows.assessment_rows(p, run_id, stamp), None
            )

