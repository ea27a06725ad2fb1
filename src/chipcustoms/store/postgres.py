"""PostgreSQL backend: the multi-user store behind the server.

Bulk writes stream the frame as CSV through ``COPY ... FROM STDIN`` (psycopg 3) into a temporary
staging table, a slice at a time, then upsert from it in one statement: no row-by-row Python. The
hash-chained audit log is serialised by a transaction-scoped advisory lock, so concurrent
writers (server workers, batch jobs) append one after another. Connections are pooled
(``pg_pool_size``) and pinged only after sitting idle; the server's group of single-line
screens is written in a few round trips by store/pg_group.py.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa

from chipcustoms import settings
from chipcustoms.lines.tablewrite import json_text
from chipcustoms.store import pg_group, rows
from chipcustoms.store.audit_log import now
from chipcustoms.store.base import Store

if TYPE_CHECKING:
    from chipcustoms.store.group_commit import Screened

SLICE_ROWS = 50_000
AUDIT_LOCK = 0x63686970  # "chip": any constant the store's writers agree on
PING_AFTER_IDLE = 2.0  # seconds a pooled connection may sit unused and still be taken unpinged


def engine_url(url: str) -> str:
    """postgresql://... (as users write it) with the psycopg 3 driver named for SQLAlchemy."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    raise ValueError(f"not a PostgreSQL URL: {url}")


def _copy(cur: Any, table: str, df: pl.DataFrame) -> None:
    cols = ", ".join(f'"{c}"' for c in df.columns)
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
        for offset in range(0, df.height, SLICE_ROWS):
            part = df.slice(offset, SLICE_ROWS).with_columns(pl.col(pl.Date).cast(pl.Utf8))
            copy.write(part.write_csv(include_header=False))


def _ping_when_idle(engine: sa.Engine) -> None:
    """``pool_pre_ping``, for connections idle longer than ``PING_AFTER_IDLE`` only.

    A connection that sat in the pool may have been cut (a server restart, a proxy's timeout):
    it is pinged when taken and replaced if dead, as ``pool_pre_ping`` does. A connection given
    back moments ago is taken without the ping's round trip: the server takes one per request
    for its key and office checks, and the ping was as much work as the check. A connection cut
    within those seconds fails its request once; the pool then replaces every connection."""

    @sa.event.listens_for(engine, "connect")
    def connected(dbapi_conn: Any, record: Any) -> None:
        record.info["used"] = time.monotonic()

    @sa.event.listens_for(engine, "checkin")
    def given_back(dbapi_conn: Any, record: Any) -> None:
        record.info["used"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def taken(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        if time.monotonic() - record.info.get("used", 0.0) < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool retries with a new connection
            raise sa.exc.DisconnectionError(str(exc)) from exc


class PostgresStore(Store):
    def __init__(self, url: str) -> None:
        self.url = url
        size = max(1, int(settings.get("pg_pool_size")))
        self.engine = sa.create_engine(engine_url(url), pool_size=size, max_overflow=size)
        _ping_when_idle(self.engine)

    def _serialize_audit(self, conn: sa.Connection) -> None:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK})

    def save_lines(self, run_id: int, lines: pl.DataFrame) -> int:
        if lines.height <= rows.SMALL:
            return rows.save_lines(self, run_id, lines)
        cols = rows.DECL_COLUMNS
        quoted = ", ".join(f'"{c}"' for c in cols)
        updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in [*cols, "last_run_id", "updated_at"])
        with self.engine.begin() as conn:
            cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cur.execute(
                "CREATE TEMP TABLE stage_lines (LIKE declarations) ON COMMIT DROP; "
                "ALTER TABLE stage_lines DROP CONSTRAINT IF EXISTS stage_lines_pkey"
            )
            _copy(cur, "stage_lines", lines.select(cols))
            cur.execute(
                "SELECT count(*) FROM declarations d JOIN stage_lines s "
                "USING (declaration_id, item_no)"
            )
            updated = int(cur.fetchone()[0])
            cur.execute(
                f"INSERT INTO declarations ({quoted}, first_run_id, last_run_id, updated_at) "
                f"SELECT {quoted}, %(r)s, %(r)s, %(t)s FROM stage_lines "
                f"ON CONFLICT (declaration_id, item_no) DO UPDATE SET {updates}",
                {"r": run_id, "t": now()},
            )
            self._audit(
                conn,
                "run.save_lines",
                "run",
                str(run_id),
                None,
                {"lines": lines.height, "updated": updated},
            )
        return updated

    def save_assessments(self, run_id: int, assessments: pl.DataFrame) -> None:
        if assessments.height <= rows.SMALL:
            rows.save_assessments(self, run_id, assessments)
            return
        stamp = now()
        frame = assessments.select(rows.ASSESSMENT_COLUMNS).with_columns(
            json_text("reasons"), pl.lit(run_id).alias("run_id"), pl.lit(stamp).alias("created_at")
        )
        cases = rows.pending_cases(run_id, assessments)
        with self.engine.begin() as conn:
            cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            _copy(cur, "assessments", frame)
            # Selected lines wait here until the run finishes (store/runlife.py).
            _copy(cur, "pending_cases", cases)
            self._audit(
                conn,
                "run.save_assessments",
                "run",
                str(run_id),
                None,
                {"assessments": assessments.height, "cases": cases.height},
            )

    def write_api_run(self, conn: sa.Connection, group: list[Screened]) -> int:
        """One part of the server's group commit in three round trips (store/pg_group.py)."""
        return pg_group.write_api_run(self, conn, group)
