"""The overview's aggregates, computed in the store (SQLAlchemy Core, SQLite and PostgreSQL).

Grouping a million joined lines takes seconds on either backend, too slow for a page. So the
in-force assessment of every line is summed once into ``overview_cells`` (one row per period,
office, channel and key), and each page sums those few thousand rows. A refresh recomputes only
the days touched by assessments appended since the last one (the watermark in
``overview_state``): a single screened line costs one day, a full run every day. Outcomes and
overrides are few and are aggregated live, so an inspection shows up at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from chipcustoms.store import tables as t
from chipcustoms.store.audit_log import now
from chipcustoms.store.base import Store

d, a, oc = t.declarations.c, t.assessments.c, t.overview_cells.c
WATERMARK = "overview"
FLAGGED = ("red", "yellow", "blue")


@dataclass(frozen=True)
class Filters:
    """Date range (ISO days, inclusive) and office; None means no bound."""

    date_from: str | None = None
    date_to: str | None = None
    office: str | None = None


def _in_force() -> sa.Select[Any]:
    """Lines joined with the assessment of their last run (the one in force)."""
    return sa.select().select_from(
        t.declarations.join(
            t.assessments,
            sa.and_(
                a.declaration_id == d.declaration_id,
                a.item_no == d.item_no,
                a.run_id == d.last_run_id,
            ),
        )
    )


KINDS: dict[str, tuple[Any, list[Any]]] = {
    # kind: (period expression, key columns k1..k3)
    "model": (d.date, [a.accelerator_id]),
    "reason": (d.date, [a.top_reason]),
    "route": (
        sa.func.substr(d.date, 1, 7),
        [d.origin_country, d.shipped_from_country, d.destination_country],
    ),
}


def freshness(store: Store) -> tuple[str | None, bool]:
    """When the cells were last refreshed, and whether assessments have arrived since (two
    indexed lookups: cheap enough for every page load)."""
    st = t.overview_state.c
    with store.engine.connect() as conn:
        top = conn.execute(sa.select(sa.func.max(a.assessment_id))).scalar() or 0
        row = conn.execute(
            sa.select(st.last_assessment_id, st.refreshed_at).where(st.name == WATERMARK)
        ).first()
    if row is None:
        return None, True
    return str(row.refreshed_at), int(row.last_assessment_id) < top


def refresh(store: Store) -> bool:
    """Bring ``overview_cells`` up to the newest assessment; True when anything changed.

    Runs under the store's write lock, so two servers never add the same days twice.
    """
    with store.engine.begin() as conn:
        store._serialize_audit(conn)
        top = conn.execute(sa.select(sa.func.max(a.assessment_id))).scalar() or 0
        mark = conn.execute(
            sa.select(t.overview_state.c.last_assessment_id).where(
                t.overview_state.c.name == WATERMARK
            )
        ).scalar()
        from chipcustoms.store import layout  # it sums these cells: imported late, no cycle

        if mark is not None and mark >= top:
            if layout.stamp(conn) == mark:
                return False
            layout.rebuild(conn, mark)  # cells current, layout not (a store from before 0009)
            return True
        days: Any = None  # None: every day
        if mark:
            days = (
                sa.select(d.date)
                .join(
                    t.assessments,
                    sa.and_(a.declaration_id == d.declaration_id, a.item_no == d.item_no),
                )
                .where(a.assessment_id > mark)
                .distinct()
                .scalar_subquery()
            )
        _recompute(conn, days)
        layout.rebuild(conn, top)
        values = {"last_assessment_id": top, "refreshed_at": now()}
        if mark is None:
            conn.execute(t.overview_state.insert().values(name=WATERMARK, **values))
        else:
            conn.execute(
                t.overview_state.update()
                .where(t.overview_state.c.name == WATERMARK)
                .values(**values)
            )
    return True


def _recompute(conn: sa.Connection, days: Any) -> None:
    cols = ["kind", "period", "office", "channel", "k1", "k2", "k3", "lines", "units", "value_usd"]
    for kind, (period, keys) in KINDS.items():
        stale = oc.kind == kind
        if days is not None:
            months = sa.select(sa.func.substr(d.date, 1, 7)).where(d.date.in_(days))
            stale = stale & oc.period.in_(days if kind != "route" else months.scalar_subquery())
        conn.execute(t.overview_cells.delete().where(stale))
        keyed = [*keys, *[sa.null()] * (3 - len(keys))]
        q = _in_force().add_columns(
            sa.literal(kind),
            period,
            d.office,
            a.channel,
            *keyed,
            sa.func.count(),
            sa.func.sum(d.quantity),
            sa.func.sum(a.value_usd),
        )
        if days is not None:
            if kind == "route":  # a month is recomputed whole
                q = q.where(sa.func.substr(d.date, 1, 7).in_(months.scalar_subquery()))
            else:
                q = q.where(d.date.in_(days))
        q = q.group_by(period, d.office, a.channel, *keys)
        conn.execute(t.overview_cells.insert().from_select(cols, q))


def _where(kind: str, f: Filters) -> list[Any]:
    conds: list[Any] = [oc.kind == kind]
    lo, hi = f.date_from, f.date_to
    if kind == "route":  # monthly rows: a range keeps the months it touches
        lo, hi = lo and lo[:7], hi and hi[:7]
    if lo:
        conds.append(oc.period >= lo)
    if hi:
        conds.append(oc.period <= hi)
    if f.office:
        conds.append(oc.office == f.office)
    return conds


def _flagged(col: Any) -> Any:
    return sa.func.sum(sa.case((oc.channel.in_(FLAGGED), col), else_=0))


def plain(value: Any) -> Any:
    """PostgreSQL sums integers as NUMERIC: back to int (or float) for the charts and JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def rows(store: Store | sa.Connection, q: sa.Select[Any]) -> list[dict[str, Any]]:
    """The query's rows as plain dicts, on a store or inside an open transaction."""
    if isinstance(store, sa.Connection):
        return [{k: plain(v) for k, v in r.items()} for r in store.execute(q).mappings()]
    with store.engine.connect() as conn:
        return rows(conn, q)


def by_model_month(store: Store | sa.Connection, f: Filters) -> list[dict[str, Any]]:
    """Declared and flagged lines, units and value (USD) per accelerator model and month."""
    month = sa.func.substr(oc.period, 1, 7).label("month")
    q = (
        sa.select(
            oc.k1.label("accelerator_id"),
            month,
            sa.func.sum(oc.lines).label("lines"),
            sa.func.sum(oc.units).label("units"),
            sa.func.sum(oc.value_usd).label("value_usd"),
            _flagged(oc.lines).label("flagged_lines"),
            _flagged(oc.units).label("flagged_units"),
            _flagged(oc.value_usd).label("flagged_value_usd"),
        )
        .where(*_where("model", f))
        .group_by(oc.k1, month)
        .order_by(month, oc.k1)
    )
    return rows(store, q)


def by_route(store: Store | sa.Connection, f: Filters, limit: int = 20) -> list[dict[str, Any]]:
    """The largest routes (origin, shipped-from, destination) by declared value."""
    value = sa.func.sum(oc.value_usd)
    q = (
        sa.select(
            oc.k1.label("origin"),
            oc.k2.label("shipped_from"),
            oc.k3.label("destination"),
            sa.func.sum(oc.lines).label("lines"),
            sa.func.sum(oc.units).label("units"),
            value.label("value_usd"),
            _flagged(oc.lines).label("flagged_lines"),
            _flagged(oc.value_usd).label("flagged_value_usd"),
        )
        .where(*_where("route", f))
        .group_by(oc.k1, oc.k2, oc.k3)
        .order_by(value.desc().nulls_last(), oc.k1, oc.k2, oc.k3)
        .limit(limit)
    )
    return rows(store, q)


def channel_mix(store: Store | sa.Connection, f: Filters) -> list[dict[str, Any]]:
    """Lines per office and channel."""
    q = (
        sa.select(oc.office, oc.channel, sa.func.sum(oc.lines).label("lines"))
        .where(*_where("model", f))
        .group_by(oc.office, oc.channel)
        .order_by(oc.office, oc.channel)
    )
    return rows(store, q)


def reasons_flagged(store: Store | sa.Connection, f: Filters) -> list[dict[str, Any]]:
    """Lines sent to a check per top reason (rule or anomaly code) and month."""
    month = sa.func.substr(oc.period, 1, 7).label("month")
    q = (
        sa.select(oc.k1.label("code"), month, sa.func.sum(oc.lines).label("lines"))
        .where(*_where("reason", f), oc.channel.in_(FLAGGED))
        .group_by(oc.k1, month)
        .order_by(month, oc.k1)
    )
    return rows(store, q)
