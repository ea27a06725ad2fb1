"""Small writes through SQLAlchemy Core, shared by every backend.

The bulk paths (ADBC for SQLite, COPY for PostgreSQL) pay a fixed cost per call that a server's
single-line request should not; and on SQLite the ADBC path must never run while another
connection of the server has the file open. Batches up to ``SMALL`` lines come here instead.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from chipcustoms.lines.schema import FIELDS, LABELS
from chipcustoms.lines.tablewrite import json_text
from chipcustoms.store import tables as t
from chipcustoms.store.audit_log import now

if TYPE_CHECKING:
    from chipcustoms.store.base import Store

SMALL = 1_000
DECL_COLUMNS = [f.name for f in FIELDS] + [f.name for f in LABELS] + ["extra"]
ASSESSMENT_COLUMNS = [
    "declaration_id",
    "item_no",
    "accelerator_id",
    "resolution_confidence",
    "eccn",
    "license_required",
    "value_usd",
    "risk_score",
    "channel",
    "selection",
    "top_reason",
    "reasons",
    "units_per_item",
    "value_per_accelerator_usd",
    "possible_models",
]


def _records(df: pl.DataFrame) -> list[dict[str, Any]]:
    return df.with_columns(pl.col(pl.Date).cast(pl.Utf8)).to_dicts()


def pending_cases(run_id: int, assessments: pl.DataFrame) -> pl.DataFrame:
    """The lines that wait for a case until the run finishes (store/runlife.py): every line
    not released green. One rule for the small path and both bulk paths."""
    return assessments.filter(pl.col("channel") != "green").select(
        pl.lit(run_id).alias("run_id"),
        "declaration_id",
        "item_no",
        "channel",
        "office",
        "risk_score",
    )


def decl_rows(part: pl.DataFrame, run_id: int, stamp: str) -> pl.DataFrame:
    """Declared lines as the table stores them (first_run_id is decided when they are written)."""
    return part.with_columns(
        pl.col("date").cast(pl.Utf8),
        pl.lit(run_id).alias("last_run_id"),
        pl.lit(stamp).alias("updated_at"),
    )


def assessment_rows(part: pl.DataFrame, run_id: int, stamp: str) -> pl.DataFrame:
    """Assessments as the table stores them: reasons as JSON text (vectorised)."""
    keyed = part.select(pl.lit(run_id).alias("run_id"), *ASSESSMENT_COLUMNS)
    return keyed.with_columns(json_text("reasons"), pl.lit(stamp).alias("created_at"))


def dialect_insert(conn: sa.Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


@functools.cache
def _upsert_lines(dialect: str) -> Any:
    """The lines' upsert, built once per dialect: built per call, its ``excluded`` columns and
    its cache key alone cost more than the server's one-line write (store/group_commit.py)."""
    d = t.declarations.c
    ins = (postgresql if dialect == "postgresql" else sqlite).insert(t.declarations)
    return ins.on_conflict_do_update(
        index_elements=[d.declaration_id, d.item_no],
        set_={c: ins.excluded[c] for c in [*DECL_COLUMNS, "last_run_id", "updated_at"]},
    )


# Lines of a run that were stored before it (updated, not new), counted after its upsert.
_UPDATED = sa.select(sa.func.count()).where(
    t.declarations.c.last_run_id == sa.bindparam("run"),
    t.declarations.c.first_run_id != sa.bindparam("run"),
    t.declarations.c.updated_at == sa.bindparam("stamp"),
)


def save_lines(store: Store, run_id: int, lines: pl.DataFrame) -> int:
    with store.engine.begin() as conn:
        return write_lines(store, conn, run_id, lines)


def write_lines(
    store: Store, conn: sa.Connection, run_id: int, lines: pl.DataFrame, *, audit: bool = True
) -> int:
    """``save_lines`` in the caller's transaction (the server's group commit writes several
    runs in one, and audits each run once: ``audit=False`` here)."""
    stamp = now()
    records = _records(lines.select(DECL_COLUMNS))
    if records:
        # One statement with the rows as parameters (executemany): compiled once and cached,
        # where a multi-row VALUES is compiled anew for every call, bind by bind.
        conn.execute(
            _upsert_lines(conn.dialect.name),
            [
                {**r, "first_run_id": run_id, "last_run_id": run_id, "updated_at": stamp}
                for r in records
            ],
        )
    updated = conn.execute(_UPDATED, {"run": run_id, "stamp": stamp}).scalar_one()
    if audit:
        store._audit(
            conn,
            "run.save_lines",
            "run",
            str(run_id),
            None,
            {"lines": len(records), "updated": updated},
        )
    return int(updated)


def save_assessments(store: Store, run_id: int, assessments: pl.DataFrame) -> None:
    """Append the assessments; the selected lines wait in ``pending_cases`` until the run
    finishes (store/runlife.py)."""
    with store.engine.begin() as conn:
        write_assessments(store, conn, run_id, assessments)


def write_assessments(
    store: Store, conn: sa.Connection, run_id: int, assessments: pl.DataFrame, *,
    audit: bool = True,
) -> None:
    """``save_assessments`` in the caller's transaction."""
    stamp = now()
    rows = _records(assessments.select(ASSESSMENT_COLUMNS).with_columns(json_text("reasons")))
    pending = pending_cases(run_id, assessments).to_dicts()
    if rows:
        conn.execute(
            t.assessments.insert(), [{**r, "run_id": run_id, "created_at": stamp} for r in rows]
        )
    if pending:
        conn.execute(t.pending_cases.insert(), pending)
    if audit:
        store._audit(
            conn,
            "run.save_assessments",
            "run",
            str(run_id),
            None,
            {"assessments": len(rows), "cases": len(pending)},
        )


def decode(value: str | None) -> Any:
    return None if value is None else json.loads(value)
