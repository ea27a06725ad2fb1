"""SQLite backend: WAL mode, and a bulk path that moves Arrow batches in through ADBC.

A million lines through row-wise INSERTs take longer than screening them; ADBC's bulk ingest
writes an Arrow table into a staging table in C, and one set-based upsert per table moves it
into place inside a single transaction.
"""

from __future__ import annotations

from pathlib import Path

import adbc_driver_sqlite.dbapi as adbc
import polars as pl
import sqlalchemy as sa

from chipcustoms.errors import StoreError
from chipcustoms.frames import lookup
from chipcustoms.schema import FIELDS, KEY, LABELS
from chipcustoms.store.base import Store, actor, now
from chipcustoms.store.tables import assessments as assessments_table

DECL_COLUMNS = [f.name for f in FIELDS] + [f.name for f in LABELS] + ["extra"]
BULK_PRAGMAS = (
    "PRAGMA synchronous=NORMAL",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-262144",
)
ASSESS_COLUMNS = [c.name for c in assessments_table.columns if c.name != "assessment_id"]


def _on_connect(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class SQLiteStore(Store):
    def __init__(self, path: str) -> None:
        self.path = path
        parent = Path(path).parent
        if not parent.exists():
            raise StoreError(f"{path}: folder {parent} does not exist")
        # NullPool: no sqlite3 connection may stay open while the bulk path's own SQLite copy
        # (ADBC) has the file; two SQLite libraries in one process must never share a file.
        self.engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
        sa.event.listen(self.engine, "connect", _on_connect)

    def save_batch(self, run_id: int, lines: pl.DataFrame, assessments: pl.DataFrame) -> None:
        stamp = now()
        decl = lines.select(DECL_COLUMNS).with_columns(
            pl.col("date").cast(pl.Utf8),
            pl.lit(run_id).alias("last_run_id"),
            pl.lit(stamp).alias("updated_at"),
        )
        reasons_json = (
            pl.struct(pl.col("reasons").alias("v"))
            .struct.json_encode()
            .str.strip_prefix('{"v":')
            .str.strip_suffix("}")
        )
        hits_json = (
            pl.struct(pl.col("rule_hits").alias("v"))
            .struct.json_encode()
            .str.strip_prefix('{"v":')
            .str.strip_suffix("}")
        )
        assess = assessments.select(
            pl.lit(run_id).alias("run_id"),
            "declaration_id",
            "item_no",
            "accelerator_id",
            "accelerator_model",
            "resolution_confidence",
            "eccn",
            "license_required",
            "value_usd",
            "risk_score",
            "channel",
            "selection",
            "top_reason",
            hits_json.alias("rule_hits"),
            reasons_json.alias("reasons"),
            pl.lit(stamp).alias("created_at"),
        )
        cases = assessments.filter(pl.col("channel") != "green").select(
            "declaration_id",
            "item_no",
            pl.lit(run_id).alias("run_id"),
            "channel",
            "office",
            "risk_score",
        )
        self.engine.dispose()
        # Autocommit off at the driver, explicit transaction here: the pragmas must be set
        # before it begins (WAL with synchronous=NORMAL: durable at checkpoints, no fsync per
        # commit; staging tables in memory).
        conn = adbc.connect(self.path, autocommit=True)
        cur = conn.cursor()
        try:
            for pragma in BULK_PRAGMAS:
                cur.execute(pragma)
            cur.execute("BEGIN IMMEDIATE")
            for name in ("stage_keys", "stage_cases"):
                cur.execute(f"DROP TABLE IF EXISTS temp.{name}")
            # Which lines are already stored? Only the keys go through a staging table; the
            # lines themselves are appended directly, after their old versions are removed
            # (an update that keeps first_run_id), which is what keeps a million lines fast.
            cur.adbc_ingest(
                "stage_keys", decl.select(KEY).to_arrow(), mode="create", temporary=True
            )
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
            cur.adbc_ingest("declarations", decl.to_arrow(), mode="append")
            cur.adbc_ingest("assessments", assess.to_arrow(), mode="append")
            cur.adbc_ingest("stage_cases", cases.to_arrow(), mode="create", temporary=True)
            cur.execute(
                "INSERT INTO cases (declaration_id, item_no, run_id, channel, office, risk_score, "
                "status, opened_at, updated_at) SELECT declaration_id, item_no, run_id, channel, "
                f"office, risk_score, 'open', '{stamp}', '{stamp}' FROM temp.stage_cases "
                "WHERE true ON CONFLICT (declaration_id, item_no) DO UPDATE SET "
                "run_id = excluded.run_id, channel = excluded.channel, "
                "risk_score = excluded.risk_score, updated_at = excluded.updated_at "
                "WHERE cases.status <> 'closed'"
            )
            cur.execute(
                "INSERT INTO audit (at, actor, action, entity, entity_id, before, after) "
                "VALUES (?, ?, 'run.save', 'run', ?, NULL, ?)",
                (
                    stamp,
                    actor(),
                    str(run_id),
                    f'{{"lines": {decl.height}, "updated": {existing.height}, '
                    f'"assessments": {assess.height}, "cases": {cases.height}}}',
                ),
            )
            for name in ("stage_keys", "stage_cases"):
                cur.execute(f"DROP TABLE temp.{name}")
            cur.execute("COMMIT")
        except Exception:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.close()
            conn.close()
