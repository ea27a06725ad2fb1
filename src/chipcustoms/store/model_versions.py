"""Learned model versions: stored, listed, read, and one active at a time (activating an older
version is the rollback); training and activation are audited."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from chipcustoms.errors import StoreError
from chipcustoms.store import tables as t
from chipcustoms.store.audit_log import actor, now

if TYPE_CHECKING:
    from chipcustoms.store.base import Store


def save_model(store: Store, record: dict[str, Any], *, activate: bool = True) -> int:
    """Store a trained version (JSON fields as dicts); the newest trained is active unless
    ``activate`` is False. Returns its version number."""
    values = {
        **{k: json.dumps(record[k]) for k in ("source", "params", "features", "metrics")},
        **{k: record[k] for k in ("label", "fingerprint", "booster", "encodings")},
    }
    with store.engine.begin() as conn:
        pk = conn.execute(
            t.models.insert().values(
                **values, created_at=now(), actor=actor(), active=False
            )
        ).inserted_primary_key
        assert pk is not None  # a single-row insert always reports its key
        version = int(pk[0])
        store._audit(
            conn,
            "model.train",
            "model",
            str(version),
            None,
            {k: record[k] for k in ("label", "fingerprint", "source", "metrics")},
        )
        if activate:
            _switch(store, conn, version)
    return version


def models(store: Store) -> list[dict[str, Any]]:
    """Every version, oldest first, without the model text and encodings."""
    cols = [c for c in t.models.c if c.name not in ("booster", "encodings")]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(t.models.c.version)).mappings().all()
    return [_decoded(dict(r)) for r in rows]


def model(store: Store, version: int | None = None) -> dict[str, Any] | None:
    """One version in full; the active one when ``version`` is None (None if none is)."""
    where = t.models.c.active.is_(True) if version is None else t.models.c.version == version
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t.models).where(where)).mappings().first()
    return None if row is None else _decoded(dict(row))


def activate_model(store: Store, version: int) -> None:
    """Make ``version`` the one screening uses (activating an older one is the rollback)."""
    with store.engine.begin() as conn:
        _switch(store, conn, version)


def _switch(store: Store, conn: sa.Connection, version: int) -> None:
    exists = conn.execute(
        sa.select(t.models.c.version).where(t.models.c.version == version)
    ).first()
    if exists is None:
        raise StoreError(f"model version {version} is not in the store")
    before = conn.execute(
        sa.select(t.models.c.version).where(t.models.c.active.is_(True))
    ).scalar()
    conn.execute(t.models.update().values(active=t.models.c.version == version))
    store._audit(conn, "model.activate", "model", str(version), before, version)


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A `models` row with its JSON fields parsed."""
    for k in ("source", "params", "features", "metrics"):
        if row.get(k) is not None:
            row[k] = json.loads(row[k])
    return row
