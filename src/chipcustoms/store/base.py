"""The Store interface: what a backend must provide (bulk lines, bulk assessments, the write
lock before the audit append, its connection) and what every backend shares (migrations, the
audit append, `open_store`). Runs, lines, models and lists are written once over it in their
own modules (runs.py, line_reads.py, model_versions.py, lists.py); cases, users, jobs and pages
in casework.py, access.py, pages.py and views.py."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from chipcustoms import settings
from chipcustoms.errors import StoreBusy, StoreError
from chipcustoms.store import (
    audit_log,
    checkpoints,
    line_parts,
    line_reads,
    lists,
    model_versions,
    runlife,
    runs,
)
from chipcustoms.store import tables as t
from chipcustoms.store.audit_log import actor as actor  # re-exported: callers import them here
from chipcustoms.store.audit_log import now as now

HERE = Path(__file__).parent


def default_db_path() -> str:
    return settings.get("db") or "chipcustoms.db"


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

    def hand_out(self) -> None:
        """Called by ``open_store`` last, before its caller gets the store: from here on a
        SQLite store that keeps its connections takes no bulk write (store/sqlite.py)."""
        return None  # nothing to seal elsewhere

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

    def _audit(
        self,
        conn: sa.Connection,
        action: str,
        entity: str,
        entity_id: str | None,
        before: Any,
        after: Any,
        rows_delta: tuple[int, int] | None = None,
    ) -> None:
        """Append one hash-chained entry (store/audit_log.py) in the caller's transaction, after
        the backend's write lock (``rows_delta``: see ``checkpoints.record``)."""
        self._serialize_audit(conn)
        audit_log.append(
            checkpoints.SaDb(conn), self.audit_key, action, entity, entity_id, before, after,
            rows_delta,
        )

    @property
    def audit_key(self) -> bytes:
        """The key of the audit chain and its checkpoints (store/checkpoints.py), read once."""
        key: bytes | None = self.__dict__.get("_audit_key")
        if key is None:
            key = self.__dict__["_audit_key"] = checkpoints.audit_key(self.engine.url)
        return key

    @abstractmethod
    def _serialize_audit(self, conn: sa.Connection) -> None:
        """Hold the store's write lock before reading the chain's tail (one writer at a time)."""

    def audit_entries(self) -> Iterator[dict[str, Any]]:
        """Every audit entry in chain order, streamed."""
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=5000).execute(
                sa.select(t.audit).order_by(t.audit.c.audit_id)
            )
            for row in result.mappings():
                yield dict(row)

    # --- bulk writes (backend-specific fast paths) ------------------------------------------
    @abstractmethod
    def save_lines(self, run_id: int, lines: pl.DataFrame) -> int:
        """Upsert the declared lines (one current row per key); returns how many were updated.

        Separate from the assessments so that a caller may store the lines while it assesses.
        """

    @abstractmethod
    def save_assessments(self, run_id: int, assessments: pl.DataFrame) -> None:
        """Append one assessment per line; hold a case for each selected line, which
        ``finish_run`` opens (or updates) when the run completes."""

    def stage_lines(self, run_id: int, lines: pl.DataFrame) -> line_parts.StagedPart | None:
        """Write a large batch's declared lines as a Parquet part beside the store instead of
        into its tables (store/line_parts.py), returning the part for ``finish_run``; None
        where this backend or batch size writes the tables (then call ``save_lines``)."""
        return None

    def stage_assessments(
        self, run_id: int, assessments: pl.DataFrame
    ) -> line_parts.StagedPart | None:
        """``stage_lines`` for the assessments; the part carries the selected lines, held for
        their cases by ``finish_run`` (``save_assessments`` holds them at once)."""
        return None

    def absorb(self) -> int:
        """Move the staged parts of finished runs into the tables; how many (none here: only
        the SQLite backend stages)."""
        return 0

    def save_batch(self, run_id: int, lines: pl.DataFrame, assessments: pl.DataFrame) -> None:
        """Both of the above, lines first."""
        self.save_lines(run_id, lines)
        self.save_assessments(run_id, assessments)

    # --- the rest is written once over the backend, in the modules that own it; these thin
    # methods keep the callers' `store.x(...)` unchanged.
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
        return runs.start_run(
            self, command=command, inputs=inputs, mapping=mapping, versions=versions,
            seed=seed, budgets=budgets,
        )

    def finish_run(
        self, run_id: int, *, counts: dict[str, Any], thresholds: dict[str, Any],
        parts: list[line_parts.StagedPart] | None = None,
    ) -> None:
        runs.finish_run(self, run_id, counts=counts, thresholds=thresholds, parts=parts)

    def latest_thresholds(
        self, profile: str | None = None
    ) -> tuple[int, dict[str, float | None]] | None:
        return runs.latest_thresholds(self, profile)

    def runs(self) -> list[dict[str, Any]]:
        return runs.runs(self)

    def count(self, table: str) -> int:
        return runs.count(self, table)

    def line(self, declaration_id: str, item_no: int = 1) -> dict[str, Any] | None:
        return line_reads.line(self, declaration_id, item_no)

    def items_of(self, declaration_id: str) -> list[int]:
        return line_reads.items_of(self, declaration_id)

    def labelled_lines(self, until: str | None = None) -> pl.DataFrame:
        return line_reads.labelled_lines(self, until)

    def declared_parties(self) -> pl.DataFrame:
        return line_reads.declared_parties(self)

    def save_model(self, record: dict[str, Any], *, activate: bool = True) -> int:
        return model_versions.save_model(self, record, activate=activate)

    def models(self) -> list[dict[str, Any]]:
        return model_versions.models(self)

    def model(self, version: int | None = None) -> dict[str, Any] | None:
        return model_versions.model(self, version)

    def activate_model(self, version: int) -> None:
        model_versions.activate_model(self, version)

    def save_watchlist(self, name: str, fmt: str, source: str, entities: pl.DataFrame) -> int:
        return lists.save_watchlist(self, name, fmt, source, entities)

    def watchlists(self) -> list[dict[str, Any]]:
        return lists.watchlists(self)

    def watchlist_entities(
        self, names: list[str] | None = None, *, since: str | None = None
    ) -> pl.DataFrame:
        return lists.watchlist_entities(self, names, since=since)

    def allow(self, party_name: str, list_name: str, entity_id: str, reason: str) -> None:
        lists.allow(self, party_name, list_name, entity_id, reason)

    def allowed(self) -> pl.DataFrame:
        return lists.allowed(self)

    def save_screening_hits(self, run_id: int, hits: pl.DataFrame) -> None:
        lists.save_screening_hits(self, run_id, hits)


def open_store(
    url_or_path: str | None = None,
    *,
    upgrade: bool = True,
    busy_seconds: float | None = None,
    keep_connections: bool = False,
    absorb: bool = True,
) -> Store:
    """A store for a SQLite path (default) or a database URL; runs whose process is gone are
    marked failed (store/runlife.py). ``busy_seconds``: how long a SQLite write waits for
    another writer (default: the ``busy_seconds`` setting). ``keep_connections``: a pool of
    SQLite connections, for a server (see ``SQLiteStore``); PostgreSQL always pools.
    ``absorb``: move finished runs' staged Parquet parts into the tables now
    (store/line_parts.py), so every reader sees them; a pooled store does it before its pool
    is handed out. A caller that already holds this process's connections to the file (a
    server's pooled store) opens with ``absorb=False`` (or passes its store instead)."""
    target = url_or_path or default_db_path()
    store: Store
    if target.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from chipcustoms.store.postgres import PostgresStore

        store = PostgresStore(target)
    elif "://" in target and not target.startswith("sqlite:///"):
        raise StoreError(f"{target}: use a SQLite path or a postgresql:// URL")
    else:
        from chipcustoms.store.sqlite import SQLiteStore

        store = SQLiteStore(
            target.removeprefix("sqlite:///"),
            busy_seconds=busy_seconds,
            keep_connections=keep_connections,
        )
    try:
        if upgrade:
            store.upgrade()
        store.check_schema()
        with contextlib.suppress(StoreBusy):  # a writer holds the store: reap at the next open
            runlife.reap(store)
            if absorb:  # before anything else of this process holds the file open
                store.absorb()
    except sa.exc.OperationalError as exc:
        raise StoreError(f"{_shown(target)}: cannot reach the store ({exc.orig})") from exc
    store.hand_out()
    return store


def _shown(target: str) -> str:
    """The URL without its password, for messages."""
    return sa.engine.make_url(target).render_as_string() if "://" in target else target
