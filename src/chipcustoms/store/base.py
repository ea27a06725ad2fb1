"""The Store interface and what every backend shares (migrations, reads through SQLAlchemy)."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from chipcustoms.errors import StoreError
from chipcustoms.store import tables as t

HERE = Path(__file__).parent


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def actor() -> str:
    """Who is acting: $CHIPCUSTOMS_USER, else the OS user (the server will pass its own)."""
    try:
        fallback = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        fallback = "unknown"
    return os.environ.get("CHIPCUSTOMS_USER") or fallback


def default_db_path() -> str:
    return os.environ.get("CHIPCUSTOMS_DB") or "chipcustoms.db"


def alembic_config(connection: sa.Connection) -> Config:
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


class Store(ABC):
    """What the pipeline and the CLI may ask of a store."""

    engine: sa.Engine

    def upgrade(self) -> None:
        """Apply pending migrations (Alembic)."""
        with self.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")

    def check_schema(self) -> None:
        """Refuse to run on a schema this version does not know (newer than head)."""
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            script = ScriptDirectory.from_config(alembic_config(conn))
            known = {r.revision for r in script.walk_revisions()}
            head = script.get_current_head()
        if current is not None and current not in known:
            raise StoreError(
                f"store schema {current!r} is unknown to this chipcustoms "
                f"(knows up to {head!r}); upgrade chipcustoms"
            )
        if current != head:
            raise StoreError(
                f"store schema is at {current!r}, expected {head!r}: run `chipcustoms db upgrade`"
            )

    # --- runs and audit -------------------------------------------------------------------
    def start_run(
        self,
        *,
        command: str,
        inputs: list[str],
        mapping: str,
        versions: dict[str, Any],
        seed: int,
        budgets: dict[str, Any],
    ) -> int:
        with self.engine.begin() as conn:
            pk = conn.execute(
                t.runs.insert().values(
                    started_at=now(),
                    actor=actor(),
                    command=command,
                    inputs=json.dumps(inputs),
                    mapping=mapping,
                    versions=json.dumps(versions),
                    seed=seed,
                    budgets=json.dumps(budgets),
                    status="running",
                )
            ).inserted_primary_key
            assert pk is not None  # a single-row insert always reports its key
            run_id = pk[0]
            self._audit(
                conn,
                "run.start",
                "run",
                str(run_id),
                None,
                {"command": command, "inputs": inputs, "budgets": budgets, "seed": seed},
            )
        return int(run_id)

    def finish_run(
        self, run_id: int, *, counts: dict[str, Any], thresholds: dict[str, Any]
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.runs.update()
                .where(t.runs.c.run_id == run_id)
                .values(
                    finished_at=now(),
                    counts=json.dumps(counts),
                    thresholds=json.dumps(thresholds),
                    status="done",
                )
            )
            self._audit(
                conn,
                "run.finish",
                "run",
                str(run_id),
                None,
                {"counts": counts, "thresholds": thresholds},
            )

    def _audit(
        self,
        conn: sa.Connection,
        action: str,
        entity: str,
        entity_id: str | None,
        before: Any,
        after: Any,
    ) -> None:
        conn.execute(
            t.audit.insert().values(
                at=now(),
                actor=actor(),
                action=action,
                entity=entity,
                entity_id=entity_id,
                before=None if before is None else json.dumps(before, default=str),
                after=None if after is None else json.dumps(after, default=str),
            )
        )

    # --- bulk writes (backend-specific fast paths) ------------------------------------------
    @abstractmethod
    def save_lines(self, run_id: int, lines: pl.DataFrame) -> int:
        """Upsert the declared lines (one current row per key); returns how many were updated.

        Separate from the assessments so that a caller may store the lines while it assesses.
        """

    @abstractmethod
    def save_assessments(self, run_id: int, assessments: pl.DataFrame) -> None:
        """Append one assessment per line and open (or update) a case for each selected line."""

    def save_batch(self, run_id: int, lines: pl.DataFrame, assessments: pl.DataFrame) -> None:
        """Both of the above, lines first."""
        self.save_lines(run_id, lines)
        self.save_assessments(run_id, assessments)

    # --- reads --------------------------------------------------------------------------------
    def line(self, declaration_id: str, item_no: int = 1) -> dict[str, Any] | None:
        """The declared line, its assessments (newest first), its case and outcomes."""
        with self.engine.connect() as conn:
            decl = (
                conn.execute(
                    sa.select(t.declarations).where(
                        t.declarations.c.declaration_id == declaration_id,
                        t.declarations.c.item_no == item_no,
                    )
                )
                .mappings()
                .first()
            )
            if decl is None:
                return None
            history = (
                conn.execute(
                    sa.select(t.assessments)
                    .where(
                        t.assessments.c.declaration_id == declaration_id,
                        t.assessments.c.item_no == item_no,
                    )
                    .order_by(t.assessments.c.assessment_id.desc())
                )
                .mappings()
                .all()
            )
            case = (
                conn.execute(
                    sa.select(t.cases).where(
                        t.cases.c.declaration_id == declaration_id, t.cases.c.item_no == item_no
                    )
                )
                .mappings()
                .first()
            )
            outcomes = []
            if case is not None:
                outcomes = [
                    dict(r)
                    for r in conn.execute(
                        sa.select(t.outcomes).where(t.outcomes.c.case_id == case["case_id"])
                    )
                    .mappings()
                    .all()
                ]
        return {
            "declaration": dict(decl),
            "assessments": [dict(a) for a in history],
            "case": dict(case) if case else None,
            "outcomes": outcomes,
        }

    def items_of(self, declaration_id: str) -> list[int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.declarations.c.item_no)
                .where(t.declarations.c.declaration_id == declaration_id)
                .order_by(t.declarations.c.item_no)
            ).all()
        return [int(r[0]) for r in rows]

    def latest_thresholds(self) -> tuple[int, dict[str, float | None]] | None:
        """The score cut-offs implied by the newest finished budget-mode run (threshold mode)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.runs.c.run_id, t.runs.c.thresholds)
                .where(t.runs.c.status == "done", t.runs.c.command == "screen")
                .order_by(t.runs.c.run_id.desc())
                .limit(1)
            ).first()
        if row is None or not row.thresholds:
            return None
        return int(row.run_id), json.loads(row.thresholds)

    def runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(sa.select(t.runs).order_by(t.runs.c.run_id)).mappings().all()
            ]

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(t.metadata.tables[table])
                ).scalar_one()
            )


def open_store(url_or_path: str | None = None, *, upgrade: bool = True) -> Store:
    """A store for a SQLite path (default) or a database URL."""
    target = url_or_path or default_db_path()
    if "://" in target and not target.startswith("sqlite"):
        raise StoreError(
            f"{target}: only SQLite is implemented in this version "
            "(PostgreSQL arrives with the server)"
        )
    from chipcustoms.store.sqlite import SQLiteStore

    path = target.removeprefix("sqlite:///")
    store = SQLiteStore(path)
    if upgrade:
        store.upgrade()
    store.check_schema()
    return store
