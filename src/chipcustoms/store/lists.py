"""Party screening lists: versioned watchlists (an unchanged entity keeps its `changed_at`), the
allow-list of cleared pairs, and the screening hits a run found."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa

from chipcustoms.store import tables as t
from chipcustoms.store.audit_log import actor, now

if TYPE_CHECKING:
    from chipcustoms.store.base import Store


def save_watchlist(store: Store, name: str, fmt: str, source: str, entities: pl.DataFrame) -> int:
    """Store ``entities`` as the next version of list ``name`` in one transaction.

    An entity whose content (digest) is unchanged since the previous version keeps its
    ``changed_at``, so `rescreen --since` sees only what really changed.
    """
    at = now()
    with store.engine.begin() as conn:
        prev = conn.execute(
            sa.select(t.watchlists.c.list_id, t.watchlists.c.version)
            .where(t.watchlists.c.name == name)
            .order_by(t.watchlists.c.version.desc())
            .limit(1)
        ).first()
        kept: dict[tuple[str, str], str] = {}
        if prev is not None:
            kept = {
                (r.entity_id, r.digest): r.changed_at
                for r in conn.execute(
                    sa.select(
                        t.watchlist_entities.c.entity_id,
                        t.watchlist_entities.c.digest,
                        t.watchlist_entities.c.changed_at,
                    ).where(t.watchlist_entities.c.list_id == prev.list_id)
                )
            }
        version = 1 if prev is None else int(prev.version) + 1
        pk = conn.execute(
            t.watchlists.insert().values(
                name=name,
                version=version,
                format=fmt,
                source=source,
                entity_count=entities.height,
                loaded_at=at,
                loaded_by=actor(),
            )
        ).inserted_primary_key
        assert pk is not None  # a single-row insert always reports its key
        multi = ("aliases", "countries", "addresses", "identifiers")
        rows = entities.with_columns(pl.col(c).list.join("\x1f") for c in multi).to_dicts()
        for r in rows:
            for c in multi:
                r[c] = json.dumps(r[c].split("\x1f") if r[c] else [], ensure_ascii=False)
            r["list_id"] = pk[0]
            r["changed_at"] = kept.get((r["entity_id"], r["digest"]), at)
        conn.execute(t.watchlist_entities.insert(), rows)
        store._audit(
            conn, "watchlist.load", "watchlist", name, None,
            {"version": version, "source": source, "entities": entities.height},
        )
    return version


def watchlists(store: Store) -> list[dict[str, Any]]:
    """Every loaded version of every list, oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.watchlists).order_by(t.watchlists.c.name, t.watchlists.c.version)
        )
        return [dict(r) for r in rows.mappings().all()]


def watchlist_entities(store: Store, names: list[str] | None = None, *, since: str | None = None
) -> pl.DataFrame:
    """The entities of the newest version of each list (or of ``names``), with
    ``list_name`` and ``list_version``; with ``since``, only those changed at or after it."""
    latest = (
        sa.select(t.watchlists.c.name, sa.func.max(t.watchlists.c.version).label("v"))
        .group_by(t.watchlists.c.name)
        .subquery()
    )
    w, e = t.watchlists, t.watchlist_entities
    q = (
        sa.select(
            w.c.name.label("list_name"),
            w.c.version.label("list_version"),
            *[e.c[c] for c in ("entity_id", "schema", "name", "aliases", "countries",
                               "addresses", "identifiers", "changed_at")],
        )
        .join(latest, sa.and_(latest.c.name == w.c.name, latest.c.v == w.c.version))
        .join(e, e.c.list_id == w.c.list_id)
    )
    if names:
        q = q.where(w.c.name.in_(names))
    if since:
        q = q.where(e.c.changed_at >= since)
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings().all()]
    lists = ("aliases", "countries", "addresses", "identifiers")
    for r in rows:
        for c in lists:
            r[c] = json.loads(r[c] or "[]")
    text = ("list_name", "entity_id", "schema", "name", "changed_at")
    schema: dict[str, pl.DataType] = {c: pl.Utf8() for c in text}
    schema.update({"list_version": pl.Int64(), **{c: pl.List(pl.Utf8()) for c in lists}})
    return pl.DataFrame(rows, schema=schema)


def allow(store: Store, party_name: str, list_name: str, entity_id: str, reason: str) -> None:
    """Clear one (declared name, list entity) pair; who and when are recorded."""
    with store.engine.begin() as conn:
        conn.execute(
            t.allow_list.insert().values(
                party_name=party_name, list_name=list_name, entity_id=entity_id,
                reason=reason, cleared_by=actor(), cleared_at=now(),
            )
        )
        store._audit(conn, "allow.add", "allow_list", entity_id, None,
                    {"party_name": party_name, "list_name": list_name, "reason": reason})


def allowed(store: Store) -> pl.DataFrame:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.allow_list.c.party_name, t.allow_list.c.list_name,
                      t.allow_list.c.entity_id)
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows], orient="row",
        schema={"party_name": pl.Utf8, "list_name": pl.Utf8, "entity_id": pl.Utf8},
    )


def save_screening_hits(store: Store, run_id: int, hits: pl.DataFrame) -> None:
    with store.engine.begin() as conn:
        write_screening_hits(conn, run_id, hits)


def write_screening_hits(conn: sa.Connection, run_id: int, hits: pl.DataFrame) -> None:
    """``save_screening_hits`` in the caller's transaction."""
    at = now()
    rows = hits.with_columns(
        pl.lit(run_id).alias("run_id"), pl.lit(at).alias("created_at")
    ).select([c.name for c in t.screening_hits.columns if c.name != "hit_id"]).to_dicts()
    if rows:
        conn.execute(t.screening_hits.insert(), rows)
