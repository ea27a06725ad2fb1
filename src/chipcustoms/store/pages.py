"""Reads behind the web pages that are not the overview's cells: the queue with age and sort,
live hit rates from inspection outcomes, search, and what a line page shows beside
``Store.line``. Every query is bounded by an index or a LIMIT, so a page stays fast at any size.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from chipcustoms.store import tables as t
from chipcustoms.store.base import Store
from chipcustoms.store.views import Filters, plain

c, a, d, o = t.cases.c, t.assessments.c, t.declarations.c, t.outcomes.c
# Each sort's order, as the queue's partial indexes hold it (tables.OPEN_CASES).
SORTS = {"risk": (c.risk_score.desc(), c.case_id), "age": (c.opened_at, c.case_id)}
REVERSED = {"risk": (c.risk_score, c.case_id.desc()), "age": (c.opened_at.desc(),
                                                             c.case_id.desc())}


@dataclass(frozen=True)
class QueueQuery:
    """Filters, sort and which page: ``after`` / ``before`` a case (keyset: the page starts
    right after that case in the sort's order, read from the front of an index), else
    ``offset`` cases in."""

    channel: str | None = None
    office: str | None = None
    accelerator: str | None = None
    min_age_days: int | None = None
    status: str = "open"  # open: open or assigned; or one status; "all"
    sort: str = "risk"
    limit: int = 50
    offset: int = 0
    after: int | None = None
    before: int | None = None


@dataclass(frozen=True)
class QueuePage:
    total: int  # cases matching the filters
    start: int  # how many come before this page (its first row is number start + 1)
    rows: list[dict[str, Any]]


def _case_line(cases: Any) -> Any:
    """``cases`` (the table or a page of it) with its assessment and declared line."""
    return cases.join(
        t.assessments,
        sa.and_(
            a.declaration_id == cases.c.declaration_id,
            a.item_no == cases.c.item_no,
            a.run_id == cases.c.run_id,
        ),
    ).join(
        t.declarations,
        sa.and_(d.declaration_id == cases.c.declaration_id, d.item_no == cases.c.item_no),
    )


def _filters(qq: QueueQuery) -> list[Any]:
    # The open queue's filter is the partial indexes' own WHERE text (see tables.OPEN_CASES).
    conds: list[Any] = []
    if qq.status == "open":
        conds.append(sa.text(f"cases.{t.OPEN_CASES}"))
    elif qq.status != "all":
        conds.append(c.status == qq.status)
    for col, value in ((c.channel, qq.channel), (c.office, qq.office)):
        if value:
            conds.append(col == value)
    if qq.min_age_days:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=qq.min_age_days)
        conds.append(c.opened_at <= cutoff.isoformat(timespec="seconds"))
    if qq.accelerator:
        conds.append(a.accelerator_id == qq.accelerator)
    return conds


def _before(sort: str, key: Any) -> Any:
    """Cases that come before ``key`` (a case row) in the sort's order."""
    if sort == "risk":
        return sa.or_(c.risk_score > key.risk_score,
                      sa.and_(c.risk_score == key.risk_score, c.case_id < key.case_id))
    return sa.or_(c.opened_at < key.opened_at,
                  sa.and_(c.opened_at == key.opened_at, c.case_id < key.case_id))


def _after(sort: str, key: Any) -> Any:
    if sort == "risk":
        return sa.or_(c.risk_score < key.risk_score,
                      sa.and_(c.risk_score == key.risk_score, c.case_id > key.case_id))
    return sa.or_(c.opened_at > key.opened_at,
                  sa.and_(c.opened_at == key.opened_at, c.case_id > key.case_id))


def queue(store: Store, qq: QueueQuery) -> QueuePage:
    """One page of cases, how many match and how many come before it; each row with its
    line's date, importer and model.

    The page is read in the sort's order from an index of the open cases (tables.OPEN_CASES),
    its LIMIT rows and no more: after/before a case (keyset) the page starts at that case's
    place in the index, with no OFFSET to step over. Only the page's rows are joined to their
    line, except under a model filter, where the join is the filter. The counts walk the same
    index (no table rows).
    """
    conds = _filters(qq)
    extra = (a.accelerator_id, a.top_reason, d.date, d.importer_name, d.description)
    base = _case_line(t.cases) if qq.accelerator else t.cases
    with store.engine.connect() as conn:
        key_id = qq.after if qq.after is not None else qq.before
        key = None
        if key_id is not None:
            key = conn.execute(sa.select(c.risk_score, c.opened_at, c.case_id)
                               .where(c.case_id == key_id)).first()
        total = conn.execute(sa.select(sa.func.count()).select_from(base).where(*conds)
                             ).scalar_one()
        cut = sa.select(c.case_id).select_from(base).where(*conds)
        if key is not None and qq.after is not None:
            cut = cut.where(_after(qq.sort, key)).order_by(*SORTS[qq.sort])
        elif key is not None:
            cut = cut.where(_before(qq.sort, key)).order_by(*REVERSED[qq.sort])
        else:
            cut = cut.order_by(*SORTS[qq.sort]).offset(qq.offset)
        ids = [r[0] for r in conn.execute(cut.limit(qq.limit))]
        page = sa.select(t.cases, *extra).select_from(_case_line(t.cases)).where(
            c.case_id.in_(ids)).order_by(*SORTS[qq.sort])
        rows = [dict(r) for r in conn.execute(page).mappings()] if ids else []
        if rows and key is not None:
            first = conn.execute(sa.select(c.risk_score, c.opened_at, c.case_id)
                                 .where(c.case_id == rows[0]["case_id"])).one()
            start = conn.execute(sa.select(sa.func.count()).select_from(base)
                                 .where(*conds, _before(qq.sort, first))).scalar_one()
        else:
            start = qq.offset if key is None else 0
    return QueuePage(int(total), int(start), rows)


def _outcomes(f: Filters) -> sa.Select[Any]:
    """Inspection outcomes with their case's assessment and line."""
    q = sa.select().select_from(_case_line(t.cases).join(t.outcomes, o.case_id == c.case_id))
    if f.date_from:
        q = q.where(d.date >= f.date_from)
    if f.date_to:
        q = q.where(d.date <= f.date_to)
    if f.office:
        q = q.where(d.office == f.office)
    return q


def hit_rates(store: Store, f: Filters, by: str) -> list[dict[str, Any]]:
    """Inspected and found per month and top reason (``by="code"``) or per model version
    (``by="model"``: the model in force in the run that opened the case)."""
    month = sa.func.substr(d.date, 1, 7).label("month")
    key = a.top_reason if by == "code" else c.run_id
    found = sa.func.sum(sa.case((o.found.is_(True), 1), else_=0)).label("found")
    q = (
        _outcomes(f)
        .add_columns(key.label("key"), month, sa.func.count().label("inspected"), found)
        .group_by(key, month)
        .order_by(month, key)
    )
    with store.engine.connect() as conn:
        rows = [{k: plain(v) for k, v in r.items()} for r in conn.execute(q).mappings()]
        if by == "model":
            versions = {
                r.run_id: (json.loads(r.versions or "{}") or {}).get("model")
                for r in conn.execute(sa.select(t.runs.c.run_id, t.runs.c.versions))
            }
            rows = _by_model_label(rows, versions)
    for r in rows:
        r["hit_rate"] = r["found"] / r["inspected"] if r["inspected"] else None
    return rows


def run_profiles(store: Store, run_ids: set[int]) -> dict[int, str]:
    """The jurisdiction profile each run screened under (``versions.profile``); runs from
    before profiles existed read as ``all``, which is what they applied."""
    if not run_ids:
        return {}
    q = sa.select(t.runs.c.run_id, t.runs.c.versions).where(t.runs.c.run_id.in_(run_ids))
    with store.engine.connect() as conn:
        return {int(r.run_id): str((json.loads(r.versions or "{}") or {}).get("profile") or "all")
                for r in conn.execute(q)}


def model_label(model: Any) -> str:
    """How a model version reads in a legend: "model v3", not the run's JSON object."""
    if not model:
        return "rules only"
    if isinstance(model, dict):
        return f"model v{model.get('version', '?')}"
    return str(model)


def _by_model_label(rows: list[dict[str, Any]], versions: dict[Any, Any]
                    ) -> list[dict[str, Any]]:
    """Rows per run summed per model label and month (runs of one model are one series)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (model_label(versions.get(r["key"])), r["month"])
        cell = out.setdefault(key, {"key": key[0], "month": key[1], "inspected": 0, "found": 0})
        cell["inspected"] += r["inspected"] or 0
        cell["found"] += r["found"] or 0
    return sorted(out.values(), key=lambda r: (r["month"], r["key"]))


def screening_hits(store: Store, declaration_id: str, item_no: int) -> list[dict[str, Any]]:
    h = t.screening_hits.c
    q = (
        sa.select(t.screening_hits)
        .where(h.declaration_id == declaration_id, h.item_no == item_no)
        .order_by(h.hit_id.desc())
        .limit(100)
    )
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def overrides(store: Store, declaration_id: str, item_no: int) -> list[dict[str, Any]]:
    v = t.overrides.c
    q = sa.select(t.overrides).where(v.declaration_id == declaration_id, v.item_no == item_no)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q.order_by(v.override_id)).mappings()]


def _prefix(col: Any, text: str) -> Any:
    """``col`` starts with ``text``, as a range an index can serve (LIKE often cannot)."""
    return sa.and_(col >= text, col < text + "\U0010ffff")


def search(
    store: Store, text: str, office: str | None, accelerators: list[str], limit: int = 50
) -> list[dict[str, Any]]:
    """Lines whose declaration id starts with ``text``, whose importer id is ``text``, whose
    importer or exporter name starts with it (as typed, upper or title case), or whose in-force
    model is one of ``accelerators`` (best match first: "H20" lists H20 lines before H200's).
    Id and name matches come first, then the models in the given order, each newest first;
    every row carries its newest assessment's model, channel and risk."""
    cols = (d.declaration_id, d.item_no, d.date, d.office, d.importer_id, d.importer_name,
            d.exporter_name, d.description)
    names = {text, text.upper(), text.title()}
    probes: list[Any] = [
        sa.select(*cols).where(_prefix(d.declaration_id, text)),
        sa.select(*cols).where(d.importer_id == text),
        *[sa.select(*cols).where(_prefix(col, n)) for n in names
          for col in (d.importer_name, d.exporter_name)],
    ]
    by_text = len(probes)
    for model in accelerators:  # one probe per model, so a near name cannot crowd it out
        newest = (
            sa.select(a.declaration_id, a.item_no)
            .where(a.accelerator_id == model)
            .order_by(a.assessment_id.desc())
            .limit(limit)
            .subquery()
        )
        probes.append(
            sa.select(*cols).join(
                newest,
                sa.and_(newest.c.declaration_id == d.declaration_id,
                        newest.c.item_no == d.item_no),
            )
        )
    found: dict[tuple[str, int], dict[str, Any]] = {}
    with store.engine.connect() as conn:
        for i, probe in enumerate(probes):
            if office:
                probe = probe.where(d.office == office)
            for r in conn.execute(probe.limit(limit)).mappings():
                how = "text" if i < by_text else "model"
                found.setdefault((r["declaration_id"], r["item_no"]), {**r, "matched_by": how})
        _add_newest_assessment(conn, found)
    rank = {m: i + 1 for i, m in enumerate(accelerators)}
    rows = sorted(found.values(), key=lambda r: (r["date"] or "", r["declaration_id"]),
                  reverse=True)
    rows.sort(key=lambda r: 0 if r["matched_by"] == "text" else rank.get(r["accelerator_id"], 0))
    return rows[:limit]


def _add_newest_assessment(conn: sa.Connection, found: dict[tuple[str, int], dict[str, Any]]
                           ) -> None:
    """Model, channel and risk of each found line's newest assessment (by the line index)."""
    for r in found.values():
        r.update(accelerator_id=None, channel=None, risk_score=None)
    ids = sorted({k[0] for k in found})
    q = (sa.select(a.declaration_id, a.item_no, a.accelerator_id, a.channel, a.risk_score)
         .where(a.declaration_id.in_(ids)).order_by(a.assessment_id))
    for row in conn.execute(q).mappings() if ids else []:
        if (row["declaration_id"], row["item_no"]) in found:
            found[(row["declaration_id"], row["item_no"])].update(dict(row))


def login_record(store: Store, name: str) -> dict[str, Any] | None:
    """Role, office and password hash of an active user (the web login)."""
    u = t.users.c
    q = sa.select(u.name, u.role, u.office, u.password_hash, u.session_version).where(
        u.name == name, u.revoked_at.is_(None)
    )
    with store.engine.connect() as conn:
        row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def offices(store: Store) -> list[str]:
    """Offices that have lines (the overview's stored layout, else its cells: no scan of the
    lines)."""
    from chipcustoms.store import layout  # layout sums the views this module's readers share

    return layout.offices(store)
