"""Bulk line data staged in Parquet beside a SQLite store (store/line_parts.py, issue 12): the
tables a reader sees after the next open equal those of a run written straight into them; a
re-import updates the current row; a run that dies leaves nothing visible and its files go."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from chipcustoms.assess.pipeline import References
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import line_parts, open_store
from chipcustoms.store.chain_check import check as check_chain
from chipcustoms.store.runlife import failing
from storecheck import check, generate

ROWS = 3_000
VOLATILE = {"updated_at", "created_at", "opened_at", "assessment_id", "case_id", "run_id",
            "first_run_id", "last_run_id"}


def _table(db: str, name: str) -> pl.DataFrame:
    conn = sqlite3.connect(db)
    try:
        cur = conn.execute(f"SELECT * FROM {name}")
        cols = [c[0] for c in cur.description]
        frame = pl.DataFrame(cur.fetchall(), schema=cols, orient="row", infer_schema_length=None)
    finally:
        conn.close()
    keep = [c for c in frame.columns if c not in VOLATILE]
    return frame.select(keep).sort("declaration_id", "item_no")


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "lines.csv"
    generate(path, ROWS, seed=8, prefix="P")
    return path


def _screen(src: Path, db: str, refs: References, *, absorb: bool = True) -> None:
    screen_file(str(src), str(Path(db).with_suffix(".out.csv")), db=db, refs=refs, absorb=absorb)


def test_a_staged_run_reads_as_one_written_into_the_tables(
    tmp_path: Path, src: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = str(tmp_path / "direct.db")
    monkeypatch.setenv("CHIPCUSTOMS_STORE_STAGE_ROWS", "0")
    _screen(src, direct, refs)
    staged = str(tmp_path / "staged.db")
    monkeypatch.setenv("CHIPCUSTOMS_STORE_STAGE_ROWS", "1500")
    _screen(src, staged, refs)

    # Before the next open: the run is done, its cases open, its lines in two Parquet parts.
    conn = sqlite3.connect(staged)
    parts = conn.execute("SELECT kind, path, rows FROM line_parts ORDER BY part_id").fetchall()
    lines = conn.execute("SELECT count(*) FROM declarations").fetchone()[0]
    cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    conn.close()
    assert [p[0] for p in parts] == ["lines", "assessments"]
    assert all(n == ROWS for _, _, n in parts) and lines == 0 and cases > 0
    root = line_parts.stage_root(staged)
    assert all((root / path).is_file() for _, path, _ in parts)

    store = open_store(staged)  # absorbs
    assert store.count("line_parts") == 0 and not root.exists()
    for table in ("declarations", "assessments", "cases"):
        assert _table(staged, table).equals(_table(direct, table)), table
    state = check(staged)
    assert state["live_cases_without_assessment"] == 0 and state["duplicate_keys"] == 0
    assert check_chain(store).intact
    key = _table(direct, "cases").row(0, named=True)
    line = store.line(key["declaration_id"], key["item_no"])
    assert line is not None and line["assessments"][0]["channel"] == key["channel"]


def test_a_staged_reimport_updates_the_current_row(
    tmp_path: Path, src: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPCUSTOMS_STORE_STAGE_ROWS", "1500")
    db = str(tmp_path / "s.db")
    _screen(src, db, refs)
    _screen(src, db, refs)  # its open absorbed the first run's parts; its own wait
    store = open_store(db)
    assert store.count("declarations") == ROWS
    assert store.count("assessments") == 2 * ROWS
    conn = sqlite3.connect(db)
    runs = conn.execute(
        "SELECT DISTINCT first_run_id, last_run_id FROM declarations").fetchall()
    conn.close()
    assert runs == [(1, 2)]
    assert check(db)["duplicate_keys"] == 0


def test_a_run_that_dies_leaves_its_parts_unseen_and_they_are_removed(
    tmp_path: Path, src: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPCUSTOMS_STORE_STAGE_ROWS", "1500")
    db = str(tmp_path / "s.db")
    store = open_store(db)
    run_id = store.start_run(command="screen", inputs=["x"], mapping="canonical", versions={},
                             seed=1, budgets={})
    frame = pl.read_csv(src, infer_schema=False).head(1)  # any frame: never referenced
    part = line_parts.write_part(db, run_id, "lines", frame)
    assert (line_parts.stage_root(db) / part.path).is_file()
    store.absorb()  # the run is running: its folder stays
    assert (line_parts.stage_root(db) / part.path).is_file()
    with contextlib.suppress(RuntimeError), failing(store, run_id):
        raise RuntimeError("the run fails")
    assert store.absorb() == 0
    assert not line_parts.stage_root(db).exists()
    assert store.count("declarations") == 0 and store.count("line_parts") == 0


def test_a_missing_part_is_an_error_that_names_it(
    tmp_path: Path, src: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chipcustoms.errors import StoreError

    monkeypatch.setenv("CHIPCUSTOMS_STORE_STAGE_ROWS", "1500")
    db = str(tmp_path / "s.db")
    _screen(src, db, refs)
    victim = next(line_parts.stage_root(db).rglob("lines-*.parquet"))
    victim.unlink()
    store = open_store(db, absorb=False)
    with pytest.raises(StoreError, match=victim.name):
        store.absorb()
    assert store.count("line_parts") == 2  # nothing half absorbed


def test_a_direct_write_after_the_part_was_staged_is_kept_at_absorb(
    tmp_path: Path, src: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small run of some of the same keys lands while the large run's part waits: the later
    write stays current, as it would have without staging."""
    monkeypatch.setenv("CHIPCUSTOMS_STORE_STAGE_ROWS", "1500")
    db = str(tmp_path / "s.db")
    _screen(src, db, refs)  # run 1, staged, not absorbed
    time.sleep(1.1)  # write times are kept to the second
    few = tmp_path / "few.csv"
    pl.read_csv(src, infer_schema=False).head(10).write_csv(few)
    _screen(few, db, refs, absorb=False)  # run 2, ten lines straight into the tables
    store = open_store(db, absorb=False)
    assert store.absorb() == 2
    conn = sqlite3.connect(db)
    current = dict(conn.execute(
        "SELECT last_run_id, count(*) FROM declarations GROUP BY last_run_id").fetchall())
    firsts = dict(conn.execute(
        "SELECT first_run_id, count(*) FROM declarations GROUP BY first_run_id").fetchall())
    conn.close()
    assert current == {1: ROWS - 10, 2: 10}
    assert firsts == {1: ROWS - 10, 2: 10}
    assert store.count("declarations") == ROWS and store.count("assessments") == ROWS + 10


def test_a_server_absorbs_in_its_one_open_before_the_pool_is_handed_out(
    tmp_path: Path, src: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    """create_app opens the store once (one reap, one schema check): the pooled store absorbs
    the staged parts before its connections are handed out, and takes no bulk write after."""
    from chipcustoms.app.server import create_app
    from chipcustoms.errors import StoreError
    from chipcustoms.store import runlife

    monkeypatch.setenv("CHIPCUSTOMS_STORE_STAGE_ROWS", "1500")
    db = str(tmp_path / "s.db")
    _screen(src, db, refs)  # staged, waiting for the next open
    reaps: list[object] = []
    reap = runlife.reap
    monkeypatch.setattr(runlife, "reap", lambda store: (reaps.append(store), reap(store))[1])
    app = create_app(db, jobs_dir=str(tmp_path / "jobs"))
    store = app.state.chipcustoms.store
    assert len(reaps) == 1 and reaps[0] is store  # one open, the scorers read this store
    assert store.count("line_parts") == 0 and store.count("declarations") == ROWS
    assert not line_parts.stage_root(db).exists()
    _screen(src, db, refs, absorb=False)  # another process's run lands beside the server
    with pytest.raises(StoreError, match="takes no bulk write"):
        store.absorb()
    assert store.count("line_parts") == 2  # left for the next open outside the pool
    for thread in threading.enumerate():  # the search indexes the absorb left to build
        if thread.name == "chipcustoms-search-indexes":
            thread.join()
    app.state.chipcustoms.close()
