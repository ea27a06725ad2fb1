"""SQLite backend: WAL for everyday use, and a bulk path that streams Arrow batches in via ADBC.

A million lines through row-wise INSERTs take longer than screening them. The bulk path appends
Arrow record batches in C (``adbc-driver-sqlite``), converting the frame a slice at a time so
that memory stays bounded, inside one transaction. During that transaction the database is in
rollback-journal mode: new pages are then written once, instead of to the WAL and again at the
checkpoint; it returns to WAL afterwards.

ADBC links its own SQLite. Two SQLite copies in one process must never have the same file open
at once (closing one releases the other's POSIX locks), so the SQLAlchemy engine uses NullPool
and is disposed before the bulk path opens the file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import adbc_driver_sqlite.dbapi as adbc
import polars as pl
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

from chipcustoms.assess.frames import lookup
from chipcustoms.errors import StoreError
from chipcustoms.lines.schema import KEY
from chipcustoms.lines.tableio import json_text
from chipcustoms.store import checkpoints, rows, tables
from chipcustoms.store.audit import GENESIS, entry_hash
from chipcustoms.store.base import Store, actor, now

BULK_PRAGMAS = (
    "PRAGMA journal_mode=DELETE",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA cache_size=-32768",  # 32 MiB: enough for appending in key order
)
SLICE_ROWS = 25_000


# A bulk append at least this large relative to what the table holds rebuilds the table's
# secondary indexes (search by date, trader, model) after the append instead of maintaining them
# row by row: one sorted build of each is several times cheaper for a first large import.
REBUILD_SHARE = 0.5


@contextlib.contextmanager
def _indexes_rebuilt(cur: Any, table: sa.Table, incoming: int) -> Iterator[None]:
    """Drop ``table``'s secondary indexes around a large append (same transaction)."""
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
    for _, ddl in specs:
        cur.execute(ddl)


def _on_connect(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


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
    def __init__(self, path: str) -> None:
        self.path = path
        parent = Path(path).parent
        if not parent.exists():
            raise StoreError(f"{path}: folder {parent} does not exist")
        self.engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
        sa.event.listen(self.engine, "connect", _on_connect)

    @contextlib.contextmanager
    def _bulk(self) -> Iterator[Any]:
        """One ADBC transaction in rollback-journal mode; the SQLAlchemy engine stays closed."""
        self.engine.dispose()
        conn = adbc.connect(self.path, autocommit=True)  # the transaction is explicit below
        cur = conn.cursor()
        try:
            for pragma in BULK_PRAGMAS:
                cur.execute(pragma)
                if pragma.startswith("PRAGMA journal_mode"):
                    cur.fetchall()
            cur.execute("BEGIN IMMEDIATE")
            yield cur
            cur.execute("COMMIT")
        except Exception:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.fetchall()
            cur.close()
            conn.close()

    def _serialize_audit(self, conn: sa.Connection) -> None:
        # A write statement takes SQLite's write lock (pysqlite begins the transaction before
        # it), so the chain's tail read next cannot be stale. It matches no row.
        conn.execute(sa.text("DELETE FROM users WHERE 0"))

    def _audit_bulk(self, cur: Any, run_id: int, action: str, after: str) -> None:
        """The hash-chained entry of a bulk write (inside its BEGIN IMMEDIATE transaction)."""
        cur.execute("SELECT audit_id, hash FROM audit ORDER BY audit_id DESC LIMIT 1")
        last = cur.fetchone()
        entry = {
            "audit_id": 1 if last is None else int(last[0]) + 1,
            "at": now(),
            "actor": actor(),
            "action": action,
            "entity": "run",
            "entity_id": str(run_id),
            "before": None,
            "after": after,
        }
        prev = GENESIS if last is None else str(last[1])
        cur.execute(
            "INSERT INTO audit (audit_id, at, actor, action, entity, entity_id, before, after, "
            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*entry.values(), prev, entry_hash(prev, entry, self.audit_key)),
        )
        checkpoints.record(checkpoints.AdbcDb(cur), self.audit_key, str(entry["at"]), action)

    def save_lines(self, run_id: int, lines: pl.DataFrame) -> int:
        if lines.height <= rows.SMALL:
            return rows.save_lines(self, run_id, lines)
        stamp = now()
        decl = lines.select(rows.DECL_COLUMNS)

        def decl_rows(part: pl.DataFrame) -> pl.DataFrame:
            return part.with_columns(
                pl.col("date").cast(pl.Utf8),
                pl.lit(run_id).alias("last_run_id"),
                pl.lit(stamp).alias("updated_at"),
            )

        with self._bulk() as cur:
            # Which lines are stored already? Only their keys go through a staging table; old
            # versions are removed and the new ones appended (first_run_id is carried over).
            cur.execute("DROP TABLE IF EXISTS temp.stage_keys")
            keys = decl.select(KEY)
            cur.adbc_ingest("stage_keys", _stream(keys, lambda p: p), mode="create", temporary=True)
            cur.execute(
                "SELECT d.declaration_id, d.item_no, d.first_run_id FROM declarations d "
                "JOIN temp.stage_keys k USING (declaration_id, item_no)"
            )
            existing = pl.from_arrow(cur.fetch_arrow_table())
            assert isinstance(existing, pl.DataFrame)
            if existing.height:
                cur.execute(
                    "DELETE FROM declarations WHERE (declaration_id, item_no) IN "
                    "(SELECT declaration_id, item_no FROM temp.stage_keys)"
                )
                decl = lookup(decl, existing.cast({"item_no": pl.Int64}), list(KEY))
                decl = decl.with_columns(pl.col("first_run_id").fill_null(run_id))
            else:
                decl = decl.with_columns(pl.lit(run_id).alias("first_run_id"))
            with _indexes_rebuilt(cur, tables.declarations, decl.height):
                cur.adbc_ingest("declarations", _stream(decl, decl_rows), mode="append")
            cur.execute("DROP TABLE temp.stage_keys")
            self._audit_bulk(
                cur,
                run_id,
                "run.save_lines",
                f'{{"lines": {decl.height}, "updated": {existing.height}}}',
            )
        return existing.height

    def save_assessments(self, run_id: int, assessments: pl.DataFrame) -> None:
        if assessments.height <= rows.SMALL:
            rows.save_assessments(self, run_id, assessments)
            return
        stamp = now()
        cases = (
            assessments.select("declaration_id", "item_no", "channel", "office", "risk_score")
            .filter(pl.col("channel") != "green")
            .with_columns(pl.lit(run_id).alias("run_id"))
        )

        def assess_rows(part: pl.DataFrame) -> pl.DataFrame:
            keyed = part.select(pl.lit(run_id).alias("run_id"), *rows.ASSESSMENT_COLUMNS)
            return keyed.with_columns(json_text("reasons"), pl.lit(stamp).alias("created_at"))

        with self._bulk() as cur:
            with _indexes_rebuilt(cur, tables.assessments, assessments.height):
                cur.adbc_ingest("assessments", _stream(assessments, assess_rows), mode="append")
            cur.execute("DROP TABLE IF EXISTS temp.stage_cases")
            cur.adbc_ingest("stage_cases", cases.to_arrow(), mode="create", temporary=True)
            cur.execute(
                "INSERT INTO cases (declaration_id, item_no, run_id, channel, office, risk_score, "
                "status, opened_at, updated_at) SELECT declaration_id, item_no, run_id, channel, "
                "office, risk_score, 'open', ?, ? FROM temp.stage_cases "
                "WHERE true ON CONFLICT (declaration_id, item_no) DO UPDATE SET "
                "run_id = excluded.run_id, channel = excluded.channel, "
                "risk_score = excluded.risk_score, updated_at = excluded.updated_at "
                "WHERE cases.status <> 'closed'",
                (stamp, stamp),
            )
            cur.execute("DROP TABLE temp.stage_cases")
            self._audit_bulk(
                cur,
                run_id,
                "run.save_assessments",
                f'{{"assessments": {assessments.height}, "cases": {cases.height}}}',
            )
