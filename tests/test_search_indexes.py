"""The pages' search indexes are built after a bulk run, not during it (issue 12, item 6), and
the pages and the server still find them."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from chipcustoms.app.server import create_app
from chipcustoms.assess.pipeline import References
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import indexes, open_store, pages
from chipcustoms.store.tables import SEARCH_INDEXES
from storecheck import generate


def _bulk_run(tmp_path: Path, refs: References) -> tuple[str, str]:
    src = tmp_path / "lines.csv"
    lines = generate(src, 3_000, seed=4, prefix="S")  # > rows.SMALL: the ADBC bulk path
    db = str(tmp_path / "s.db")
    screen_file(str(src), str(tmp_path / "o.csv"), db=db, refs=refs)
    return db, str(lines["importer_name"].drop_nulls()[0])


def test_a_large_bulk_run_leaves_the_search_indexes_to_be_built_after_it(
    tmp_path: Path, refs: References
) -> None:
    db, name = _bulk_run(tmp_path, refs)
    store = open_store(db)
    assert set(indexes.missing(store)) == SEARCH_INDEXES
    scanned = pages.search(store, name, None, [])  # no index yet: a scan, same answer
    assert scanned and all(r["importer_name"] == name for r in scanned)
    assert set(indexes.ensure(store)) == SEARCH_INDEXES
    assert indexes.missing(store) == [] and indexes.ensure(store) == []
    assert pages.search(store, name, None, []) == scanned
    # The line lookup index is rebuilt in the run itself: explain and the line page need it.
    with store.engine.connect() as conn:
        names = {ix["name"] for ix in sa.inspect(conn).get_indexes("assessments")}
    assert "ix_assessments_line" in names


def test_the_server_builds_missing_search_indexes_at_start(
    tmp_path: Path, refs: References
) -> None:
    db, _ = _bulk_run(tmp_path, refs)
    create_app(db, refs=refs, jobs_dir=str(tmp_path / "jobs"))
    store = open_store(db, upgrade=False)
    deadline = time.monotonic() + 60
    while indexes.missing(store) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert indexes.missing(store) == []
