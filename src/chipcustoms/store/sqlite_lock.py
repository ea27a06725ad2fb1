"""SQLite connection settings and the write lock, shared by the SQLAlchemy engine and the ADBC
bulk path (store/sqlite.py): both must set the same WAL and durability pragmas and wait for
other writers the same way, or a bulk write beside the server fails ("database is locked").
"""

from __future__ import annotations

import time
from typing import Any

from chipcustoms import settings
from chipcustoms.errors import StoreBusy, StoreError

# After a checkpoint the WAL file is cut back to this size (a bulk write grows it to its size).
WAL_LIMIT = 64 * 2**20
SYNC_LEVELS = ("FULL", "NORMAL", "EXTRA")


def sync_level() -> str:
    level = str(settings.get("sqlite_synchronous")).upper()
    if level not in SYNC_LEVELS:
        raise StoreError(f"CHIPCUSTOMS_SQLITE_SYNCHRONOUS={level!r}: use one of {SYNC_LEVELS}")
    return level


def wal_pragmas(cur: Any) -> None:
    """WAL (set once, kept: switching needs the file to itself), durability, WAL size cap."""
    cur.execute("PRAGMA journal_mode")
    if str(cur.fetchone()[0]).lower() != "wal":
        cur.execute("PRAGMA journal_mode=WAL")
        cur.fetchall()
    cur.execute(f"PRAGMA synchronous={sync_level()}")
    cur.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
    cur.fetchall()


def on_connect(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    wal_pragmas(cur)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text or "sqlite_busy" in text


def begin_immediate(cur: Any, wait: float, path: str) -> None:
    """Take the write lock now, waiting up to ``wait`` seconds for other writers.

    ``busy_timeout`` makes SQLite itself wait; the loop covers the few cases where SQLite
    answers BUSY without calling its busy handler (WAL recovery by another connection).
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            cur.execute("BEGIN IMMEDIATE")
            return
        except Exception as exc:  # the ADBC driver's OperationalError
            if not is_busy(exc):
                raise
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"{path}: another process held the store's write lock for more than "
                    f"{wait:g} s (CHIPCUSTOMS_BUSY_SECONDS); nothing was written"
                ) from exc
            time.sleep(0.05)
