"""The unfiltered overview, precomputed: its parts summed from the cells when they change.

The overview sums ``overview_cells`` per load. At a million lines that is some 75,000 cells
(per day, office, channel and model or reason; per month and route), about 0.3 s a load. Most
loads show every office and date, and those sums change only when the cells do, so
:func:`rebuild` computes them in the transaction that refreshes the cells (views.refresh) and
stores each part's rows as JSON in ``overview_layout``, stamped with the assessment the cells
include. A page reads them back (a few rows) while the stamp matches the cells' watermark; a
filtered view (dates, one office) is summed from the cells, through their indexes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from chipcustoms.store import tables as t
from chipcustoms.store import views
from chipcustoms.store.base import Store

lo, st, oc = t.overview_layout.c, t.overview_state.c, t.overview_cells.c
Part = Callable[[sa.Connection, views.Filters], Any]


def _offices(conn: sa.Connection, _: views.Filters) -> list[str]:
    """Offices that have lines (the cells' kind index: no scan of the lines)."""
    q = sa.select(oc.office).where(oc.kind == "model", oc.office.is_not(None)).distinct()
    return sorted(str(r[0]) for r in conn.execute(q))


PARTS: dict[str, Part] = {
    "by_model_month": views.by_model_month,
    "routes": views.by_route,
    "channel_mix": views.channel_mix,
    "flagged_by_reason": views.reasons_flagged,
    "offices": _offices,
}


def rebuild(conn: sa.Connection, mark: int) -> None:
    """Recompute every part of the unfiltered overview from the cells, stamped ``mark`` (the
    newest assessment the cells include); called inside the cells' refresh transaction."""
    everything = views.Filters()
    conn.execute(t.overview_layout.delete())
    conn.execute(t.overview_layout.insert(), [
        {"part": name, "last_assessment_id": mark, "data": json.dumps(part(conn, everything))}
        for name, part in PARTS.items()
    ])


def stamp(conn: sa.Connection) -> int | None:
    """The watermark the stored layout was computed at; None when it is incomplete."""
    rows = conn.execute(sa.select(lo.last_assessment_id)).scalars().all()
    return rows[0] if len(rows) == len(PARTS) and len(set(rows)) == 1 else None


def current(store: Store) -> bool:
    """Whether the stored layout matches the cells (else a refresh rebuilds it)."""
    with store.engine.connect() as conn:
        mark = conn.execute(sa.select(st.last_assessment_id)
                            .where(st.name == views.WATERMARK)).scalar()
        return mark is not None and stamp(conn) == mark


def parts(store: Store, f: views.Filters) -> dict[str, Any]:
    """Every part for these filters: the stored layout when unfiltered and current, otherwise
    (filtered, or cells refreshed by an older version) summed from the cells."""
    with store.engine.connect() as conn:
        if f == views.Filters():
            stored = conn.execute(
                sa.select(lo.part, lo.data)
                .join(t.overview_state, st.last_assessment_id == lo.last_assessment_id)
                .where(st.name == views.WATERMARK)
            ).all()
            if len(stored) == len(PARTS):
                return {r.part: json.loads(r.data) for r in stored}
        return {name: part(conn, f) for name, part in PARTS.items()}


def offices(store: Store) -> list[str]:
    """Offices that have lines: the stored part when current, else from the cells."""
    with store.engine.connect() as conn:
        data = conn.execute(
            sa.select(lo.data)
            .join(t.overview_state, st.last_assessment_id == lo.last_assessment_id)
            .where(st.name == views.WATERMARK, lo.part == "offices")
        ).scalar()
        return list(json.loads(data)) if data is not None else _offices(conn, views.Filters())
