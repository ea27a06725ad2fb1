"""Appending to the audit chain, written once for every path that writes.

Who acts and when, the next entry of the keyed hash chain (store/audit.py) and its signed
checkpoint (store/checkpoints.py) are built here whether the write goes through SQLAlchemy
(every small write, both backends) or through SQLite's ADBC bulk path; a backend adds only its
write lock, taken before the chain's tail is read so two writers never fork the chain.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from typing import Any

from chipcustoms import settings
from chipcustoms.store import checkpoints
from chipcustoms.store.audit import GENESIS, current_actor, entry_hash

TAIL = "SELECT audit_id, hash FROM audit ORDER BY audit_id DESC LIMIT 1"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def actor() -> str:
    """Who is acting: the server's user for this request, $CHIPCUSTOMS_USER, else the OS user."""
    acting = current_actor()
    if acting:
        return acting
    try:
        fallback = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        fallback = "unknown"
    return settings.get("user") or fallback


def append(
    db: checkpoints.SaDb | checkpoints.AdbcDb,
    key: bytes,
    action: str,
    entity: str,
    entity_id: str | None,
    before: Any,
    after: Any,
    rows_delta: tuple[int, int] | None = None,
) -> None:
    """Append one hash-chained entry and its checkpoint in the caller's transaction, which
    already holds the store's write lock (``rows_delta``: see ``checkpoints.record``)."""
    last = db.one(TAIL)
    entry: dict[str, Any] = {
        "audit_id": 1 if last is None else int(last[0]) + 1,
        "at": now(),
        "actor": actor(),
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": None if before is None else json.dumps(before, default=str),
        "after": None if after is None else json.dumps(after, default=str),
    }
    prev = GENESIS if last is None else str(last[1])
    db.add("audit", {**entry, "prev_hash": prev, "hash": entry_hash(prev, entry, key)})
    checkpoints.record(db, key, entry["at"], action, rows_delta)
