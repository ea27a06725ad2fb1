"""Writers that wait for each other: two `screen --db` processes on one SQLite store and a
server taking single-line screens all finish (issue 13, finding 6); a write that cannot get the
lock in time fails with its own error, and the API answers 503 with Retry-After, never 500."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from chipcustoms.assess.pipeline import References
from chipcustoms.errors import StoreBusy
from chipcustoms.store import open_store
from server_fixtures import served
from storecheck import check, cli, env, generate
from test_server import LINE

ROWS = 5_000


def test_two_screens_and_the_server_all_finish(
    tmp_path: Path, fixtures: Path, refs: References
) -> None:
    db = str(tmp_path / "s.db")
    api = served(db, tmp_path, fixtures, refs)  # budget-mode run: the server has cut-offs
    files = [tmp_path / f"{p}.csv" for p in ("a", "b")]
    keys = set()
    for i, (path, prefix) in enumerate(zip(files, ("A", "B"), strict=True)):
        lines = generate(path, ROWS, seed=10 + i, prefix=prefix)
        keys |= set(lines.select("declaration_id", "item_no").iter_rows())
    statuses: list[int] = []
    done = threading.Event()

    def post() -> None:
        n = 0
        while not done.is_set() or n < 5:
            line = {**LINE, "declaration_id": f"P{n}"}
            r = api.client.post("/v1/screen", json={"lines": [line]}, headers=api.auth("ana"))
            statuses.append(r.status_code)
            n += 1

    with api.client:
        poster = threading.Thread(target=post)
        poster.start()
        procs = [
            subprocess.Popen(
                cli("screen", str(f), "-o", str(f.with_suffix(".out.csv")), "-q", "--db", db),
                env=env(),
                stderr=subprocess.PIPE,
                text=True,
            )
            for f in files
        ]
        results = [(p.wait(timeout=240), p.communicate()[1]) for p in procs]
        done.set()
        poster.join(timeout=120)
    assert [rc for rc, _ in results] == [0, 0], results
    assert statuses and set(statuses) == {200}, statuses
    state = check(db)
    posted = len(statuses)
    assert state["integrity"] == "ok"
    assert state["runs"] == {"done": 1 + 2 + posted}  # fixtures run, two screens, the posts
    assert state["lines"] == len(keys) + posted + pl.read_csv(fixtures / "lines.csv").height
    for name in ("duplicate_keys", "duplicate_assessments", "runs_running"):
        assert state[name] == 0, name
    assert state["live_cases_without_assessment"] == 0


HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("taken", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@contextlib.contextmanager
def write_lock_held(db: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the store's write lock for ``seconds`` (another process: POSIX
    locks do not keep apart two SQLite libraries of one process, see store/sqlite.py)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "taken"
    try:
        yield proc
    finally:
        proc.communicate(timeout=30)


def test_bulk_write_waits_for_the_lock_then_writes(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    store = open_store(db, busy_seconds=30)
    frame = _lines(tmp_path)
    run = store.start_run(command="t", inputs=[], mapping="", versions={}, seed=0, budgets={})
    with write_lock_held(db, 1.5):
        start = time.monotonic()
        store.save_lines(run, frame)  # waits for the holder instead of failing
        assert time.monotonic() - start >= 1.0
    assert store.count("declarations") == frame.height


def test_bulk_write_that_cannot_get_the_lock_says_so(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    store = open_store(db, busy_seconds=0.3)
    frame = _lines(tmp_path)
    run = store.start_run(command="t", inputs=[], mapping="", versions={}, seed=0, budgets={})
    with write_lock_held(db, 2.0), pytest.raises(StoreBusy, match="write lock"):
        store.save_lines(run, frame)  # its own error, not "cannot rollback"
    assert store.count("declarations") == 0
    store.save_lines(run, frame)  # the lock is free again: the same call succeeds
    assert store.count("declarations") == frame.height


def _lines(tmp_path: Path) -> pl.DataFrame:
    from chipcustoms.lines.ingest import ingest
    from chipcustoms.lines.mapping import load_mapping

    raw = generate(tmp_path / "g.csv", 1_500, seed=3, prefix="G")  # > rows.SMALL: bulk path
    return ingest(raw, load_mapping(None), file="g.csv").accepted


def test_api_answers_503_with_retry_after_while_a_writer_holds_the_store(
    tmp_path: Path, fixtures: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "s.db")
    monkeypatch.setenv("CHIPCUSTOMS_SERVER_BUSY_SECONDS", "0.3")
    api = served(db, tmp_path, fixtures, refs)
    with api.client:
        with write_lock_held(db, 2.0):
            r = api.client.post("/v1/screen", json={"lines": [LINE]}, headers=api.auth("ana"))
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] and r.json()["error"]["code"] == "store_busy"
            page = api.client.get("/v1/cases", headers=api.auth("ana"))  # reads never wait
            assert page.status_code == 200
        r = api.client.post("/v1/screen", json={"lines": [LINE]}, headers=api.auth("ana"))
        assert r.status_code == 200, r.text
    assert check(db)["runs_running"] == 0  # the busy request left no run behind
