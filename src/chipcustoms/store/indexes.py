"""The pages' search indexes (tables.SEARCH_INDEXES), built off a run's critical path.

Maintaining five secondary indexes row by row during a million-line bulk write cost the run
about a third of its store time (issue 12). A large SQLite bulk append now drops them and does
not rebuild them; :func:`ensure` builds what is missing in one sorted pass each, after the run:
the server at start and when a page searches (on a background thread, so a page never waits for
it), a server's batch job once its run is done, and `chipcustoms db upgrade`. Until then a
search still answers, by scanning. Small writes maintain the indexes that exist.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from chipcustoms.errors import StoreBusy
from chipcustoms.store import tables as t
from chipcustoms.store.base import Store

# A build that finds the store busy (a batch write holds the lock) tries again this often.
RETRIES, RETRY_SECONDS = 20, 5.0
_building = threading.Lock()


def _declared() -> dict[str, sa.Index]:
    return {
        ix.name: ix
        for table in t.metadata.tables.values()
        for ix in table.indexes
        if ix.name in t.SEARCH_INDEXES
    }


def missing(store: Store) -> list[str]:
    """The search indexes the store lacks, by name."""
    inspector = sa.inspect(store.engine)
    have = {
        ix["name"]
        for table in {ix.table.name for ix in _declared().values()}  # type: ignore[union-attr]
        for ix in inspector.get_indexes(table)
    }
    return sorted(set(_declared()) - have)


def ensure(store: Store) -> list[str]:
    """Build every missing search index, one write transaction each, then give SQLite's planner
    the queue's statistics (:func:`analyze_cases`); the names built."""
    built = []
    with _building:
        declared = _declared()
        for name in missing(store):
            with store.engine.begin() as conn:
                conn.execute(sa.schema.CreateIndex(declared[name], if_not_exists=True))
            built.append(name)
        analyze_cases(store)
    return built


def _cases_unanalysed(store: Store) -> bool:
    if store.engine.dialect.name != "sqlite":
        return False
    with store.engine.connect() as conn:
        known = conn.execute(sa.text(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
        return known is None or conn.execute(sa.text(
            "SELECT 1 FROM sqlite_stat1 WHERE tbl = 'cases'")).first() is None


def analyze_cases(store: Store) -> None:
    """``ANALYZE cases`` on SQLite (its indexes only: ~50 ms at 30,000 cases).

    Without statistics SQLite guesses that ``status IN ('open', 'assigned')`` picks few rows,
    reads every open case through ``ix_cases_status_channel`` and sorts them (100 ms and more
    at a million lines), instead of reading the page from the front of the queue's ordered
    index (tables.OPEN_CASES; 1 ms). The ratios, not the counts, decide the plan, so statistics
    taken once stay right as the queue grows. PostgreSQL's autovacuum keeps its own.
    """
    if store.engine.dialect.name == "sqlite":
        with store.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE cases"))


def ensure_in_background(store: Store) -> threading.Thread | None:
    """:func:`ensure` on a daemon thread, retrying while the store is busy; None when nothing
    is missing or a build is already under way in this process."""
    if _building.locked() or not (missing(store) or _cases_unanalysed(store)):
        return None

    def build() -> None:
        for _ in range(RETRIES):
            try:
                ensure(store)
                return
            except StoreBusy:
                time.sleep(RETRY_SECONDS)

    thread = threading.Thread(target=build, name="chipcustoms-search-indexes", daemon=True)
    thread.start()
    return thread
