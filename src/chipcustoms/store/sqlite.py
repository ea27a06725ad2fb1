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
from chipcustoms.schema import FIELDS, LABELS
from chipcustoms.store.base import Store, actor, now
from chipcustoms.store.tables import assessments as assessments_table

DECL_COLUMNS = [f.name for f in FIELDS] + [f.name for f in LABELS] + ["extra"]
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
        cols = ", ".join(f'"{c}"' for c in DECL_COLUMNS)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in DECL_COLUMNS[2:])
        self.engine.dispose()
        conn = adbc.connect(self.path)
        try:
            cur = conn.cursor()
            for name, frame in (
                ("stage_decl", decl),
                ("stage_assess", assess),
                ("stage_cases", cases),
            ):
                cur.execute(f"DROP TABLE IF EXISTS temp.{name}")
                cur.adbc_ingest(name, frame.to_arrow(), mode="create", temporary=True)
            cur.execute(
                f"INSERT INTO declarations ({cols}, first_run_id, last_run_id, updated_at) "
                f"SELECT {cols}, last_run_id, last_run_id, updated_at FROM temp.stage_decl "
                f"WHERE true ON CONFLICT (declaration_id, item_no) DO UPDATE SET {updates}, "
                "last_run_id = excluded.last_run_id, updated_at = excluded.updated_at"
            )
            acols = ", ".join(ASSESS_COLUMNS)
            cur.execute(f"INSERT INTO assessments ({acols}) SELECT {acols} FROM temp.stage_assess")
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
                    f'{{"lines": {decl.height}, "assessments": {assess.height}, '
                    f'"cases": {cases.height}}}',
                ),
            )
            for name in ("stage_decl", "stage_assess", "stage_cases"):
                cur.execute(f"DROP TABLE temp.{name}")
            cur.close()
            conn.commit()
        except Exception:
            conn.rollback()
            raise
        finally:
            conn.close()
