"""Pages at once (issue 19), on SQLite and PostgreSQL: the overview's stored layout is the sum
of its cells and follows them; the queue is read page by page (keyset, after or before a case)
in the order of its partial indexes, and the database really reads it from them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import Store, indexes, layout, open_store, pages, views
from chipcustoms.store import tables as t
from chipcustoms.synthetic.generator import generate
from stores import BACKENDS, target


def _screen(db: str, folder: Path, refs: References, seed: int, rows: int) -> None:
    src = folder / f"g{seed}.parquet"
    lines = generate(rows, seed=seed, days=20)  # ids of their own: new lines, not re-imports
    lines.with_columns(pl.format("S{}-{}", pl.lit(seed), "declaration_id").alias(
        "declaration_id")).write_parquet(src)
    screen_file(str(src), str(folder / f"o{seed}.csv"), db=db,
                budgets=Budgets(red=0.3, yellow=0.2, blue=0.05), refs=refs)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, refs: References) -> Iterator[Store]:
    """A store with a few hundred lines over 20 days, about half of them in the queue."""
    db = target(request.param, tmp_path)
    _screen(db, tmp_path, refs, seed=19, rows=400)
    s = open_store(db)
    s.target = db  # type: ignore[attr-defined]  # to screen into it again
    yield s
    s.engine.dispose()


def _summed(store: Store, f: views.Filters) -> dict[str, Any]:
    with store.engine.connect() as conn:
        parts = {name: part(conn, f) for name, part in layout.PARTS.items()}
    return json.loads(json.dumps(parts))  # as the layout keeps them (JSON)


def _in_force_lines(store: Store) -> int:
    d, a = t.declarations.c, t.assessments.c
    q = sa.select(sa.func.count()).select_from(t.declarations.join(t.assessments, sa.and_(
        a.declaration_id == d.declaration_id, a.item_no == d.item_no,
        a.run_id == d.last_run_id)))
    with store.engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def test_the_overview_layout_is_its_cells_sums_and_follows_them(
    store: Store, tmp_path: Path, refs: References
) -> None:
    assert views.refresh(store)
    lo, st = t.overview_layout.c, t.overview_state.c
    with store.engine.connect() as conn:
        stamps = set(conn.execute(sa.select(lo.last_assessment_id)).scalars())
        mark = conn.execute(sa.select(st.last_assessment_id)).scalar_one()
    assert stamps == {mark}  # written with the cells, in their transaction
    everything = views.Filters()
    stored = layout.parts(store, everything)
    assert stored == _summed(store, everything)
    assert sum(r["lines"] for r in stored["by_model_month"]) == _in_force_lines(store) == 400
    assert stored["offices"] == pages.offices(store) and stored["offices"]

    # Cells refreshed by a version without the layout: the page sums the cells instead.
    with store.engine.begin() as conn:
        conn.execute(t.overview_layout.delete())
    assert layout.parts(store, everything) == stored
    assert pages.offices(store) == stored["offices"]
    assert not layout.current(store)
    assert views.refresh(store) and layout.current(store)  # the layout alone rebuilt
    assert not views.refresh(store)  # nothing left to do
    assert layout.parts(store, everything) == stored

    # A second run lands: the refresh rebuilds the layout with the new lines.
    _screen(store.target, tmp_path, refs, seed=20, rows=100)  # type: ignore[attr-defined]
    assert views.refresh(store)
    again = layout.parts(store, everything)
    assert again == _summed(store, everything)
    assert sum(r["lines"] for r in again["by_model_month"]) == _in_force_lines(store) == 500
    office = stored["offices"][0]
    one = layout.parts(store, views.Filters(office=office))  # filtered: from the cells
    assert {r["office"] for r in one["channel_mix"]} == {office}
    assert one == _summed(store, views.Filters(office=office))


def _key(sort: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return (-row["risk_score"], row["case_id"]) if sort == "risk" else (
        row["opened_at"], row["case_id"])


def test_the_queue_pages_by_keyset_in_its_order(store: Store) -> None:
    every = pages.queue(store, pages.QueueQuery(limit=10_000)).rows
    assert len(every) > 15
    model = max({r["accelerator_id"] for r in every if r["accelerator_id"]},
                key=lambda m: sum(r["accelerator_id"] == m for r in every))
    for qq in (pages.QueueQuery(limit=4), pages.QueueQuery(limit=4, sort="age"),
               pages.QueueQuery(limit=2, channel="red"),
               pages.QueueQuery(limit=1, accelerator=model, sort="age")):
        whole = pages.queue(store, replace(qq, limit=10_000))
        assert [_key(qq.sort, r) for r in whole.rows] == sorted(
            _key(qq.sort, r) for r in whole.rows)
        assert whole.total == len(whole.rows) > qq.limit
        page, seen = pages.queue(store, qq), []
        while True:
            assert page.total == whole.total and page.start == len(seen)
            seen += page.rows
            if not page.rows or len(seen) >= page.total:
                break
            page = pages.queue(store, replace(qq, after=page.rows[-1]["case_id"]))
        assert [r["case_id"] for r in seen] == [r["case_id"] for r in whole.rows]
        back = pages.queue(store, replace(qq, before=seen[-1]["case_id"]))
        n = len(seen) - 1
        assert back.start == max(0, n - qq.limit)
        assert [r["case_id"] for r in back.rows] == [r["case_id"] for r in seen][back.start:n]
        assert pages.queue(store, replace(qq, offset=qq.limit)).rows == seen[qq.limit:
                                                                              2 * qq.limit]


def _statements(store: Store, qq: pages.QueueQuery) -> list[tuple[str, Any]]:
    """The SQL the queue runs, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append((sql, params))

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        pages.queue(store, qq)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("sort,index", [("risk", "ix_cases_queue_risk"),
                                        ("age", "ix_cases_queue_age")])
def test_the_queue_page_is_read_from_its_index(store: Store, sort: str, index: str) -> None:
    indexes.ensure(store)  # SQLite: the statistics the plan needs (store/indexes.py)
    qq = pages.QueueQuery(sort=sort, channel="red")
    cut = [s for s in _statements(store, qq) if "ORDER BY" in s[0] and "LIMIT" in s[0]
           and "count(" not in s[0]]
    assert len(cut) == 1
    sql, params = cut[0]
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        if store.engine.dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql, params))
            assert index in plan and "TEMP B-TREE" not in plan, plan
        else:  # too few rows for the planner to prefer it: show that it can use it
            with raw.cursor() as cur:
                cur.execute("SET enable_seqscan = off; SET enable_sort = off; "
                            "SET enable_bitmapscan = off")
                cur.execute("EXPLAIN " + sql, params)
                plan = " ".join(str(r[0]) for r in cur.fetchall())
            raw.rollback()
            assert index in plan and "Sort" not in plan.split("Limit")[-1].split("->")[1], plan
