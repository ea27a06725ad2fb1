"""Reads of stored lines: one line with its history, case and outcomes (`explain`), the items
of a declaration, the labelled lines a model trains on, and the declared parties `rescreen`
screens again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa

from chipcustoms.store import tables as t

if TYPE_CHECKING:
    from chipcustoms.store.base import Store


def line(store: Store, declaration_id: str, item_no: int = 1) -> dict[str, Any] | None:
    """The declared line, its assessments (newest first), its case and outcomes."""
    with store.engine.connect() as conn:
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


def items_of(store: Store, declaration_id: str) -> list[int]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.declarations.c.item_no)
            .where(t.declarations.c.declaration_id == declaration_id)
            .order_by(t.declarations.c.item_no)
        ).all()
    return [int(r[0]) for r in rows]


def labelled_lines(store: Store, until: str | None = None) -> pl.DataFrame:
    """Stored lines with an outcome: the latest recorded inspection (found or not), else
    the label the line was imported with. ``until`` (ISO date) keeps earlier lines only."""
    d, c, o = t.declarations, t.cases, t.outcomes
    latest = (
        sa.select(o.c.case_id, sa.func.max(o.c.outcome_id).label("oid"))
        .group_by(o.c.case_id)
        .subquery()
    )
    found = (
        sa.select(c.c.declaration_id, c.c.item_no, o.c.found)
        .join(latest, latest.c.case_id == c.c.case_id)
        .join(o, o.c.outcome_id == latest.c.oid)
        .subquery()
    )
    label = sa.case((found.c.found.is_not(None), found.c.found), else_=d.c.fraud)
    q = (
        sa.select(*[col for col in d.c if col.name != "fraud"], label.label("fraud"))
        .outerjoin(
            found,
            (found.c.declaration_id == d.c.declaration_id)
            & (found.c.item_no == d.c.item_no),
        )
        .where(label.is_not(None))
    )
    if until:
        q = q.where(d.c.date < until)
    with store.engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pl.DataFrame([dict(r) for r in rows], infer_schema_length=None)


def declared_parties(store: Store) -> pl.DataFrame:
    """Key and party names of every stored line (what `rescreen` screens again)."""
    d = t.declarations
    cols = ["declaration_id", "item_no", "importer_name", "exporter_name", "consignee_name"]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*[d.c[c] for c in cols])).all()
    return pl.DataFrame(
        [tuple(r) for r in rows], orient="row",
        schema={c: pl.Int64 if c == "item_no" else pl.Utf8 for c in cols},
    )
