"""Writers that wait for each other: two `screen --db` processes on one SQLite store and a
server taking single-line screens all finish (issue 13, finding 6); a write that cannot get the
lock in time fails with its own error, and the API answers 503 with Retry-After, never 500.

No assertion here reads the clock: on a loaded machine any request may wait past the server's
busy limit, so each is checked for what it promises (its answer and its stored line, or a 503
with Retry-After and nothing stored), and a competing writer holds the lock until the test lets
it go, not for a number of seconds.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import threading
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
    answers: list[tuple[str, int, str | None]] = []  # (declaration id, status, Retry-After)
    done = threading.Event()

    def post(n: int) -> None:
        line = {**LINE, "declaration_id": f"P{n}"}
        r = api.client.post("/v1/screen", json={"lines": [line]}, headers=api.auth("ana"))
        answers.append((line["declaration_id"], r.status_code, r.headers.get("Retry-After")))

    def keep_posting() -> None:
        n = 0
        while not done.is_set() or n < 5:
            post(n)
            n += 1

    with api.client:
        poster = threading.Thread(target=keep_posting)
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
        assert not poster.is_alive()
        post(len(answers))  # the screens are done: nothing holds the store now
    assert [rc for rc, _ in results] == [0, 0], results
    # Each request got its answer, or a 503 with Retry-After when the screens held the store
    # past the server's busy limit (on a loaded machine they may, any number of times).
    assert {status for _, status, _ in answers} <= {200, 503}, answers
    assert all(after for _, status, after in answers if status == 503), answers
    assert answers[-1][1] == 200, answers[-1]
    stored = {key for key, status, _ in answers if status == 200}
    state = check(db)
    assert state["integrity"] == "ok"
    # No write lost, none half done: a run and a line for each 200, nothing for a 503.
    assert state["runs"] == {"done": 1 + 2 + len(stored)}  # fixtures run, two screens, posts
    assert state["lines"] == len(keys) + len(stored) + pl.read_csv(fixtures / "lines.csv").height
    assert _declared(db, [key for key, _, _ in answers]) == stored
    for name in ("duplicate_keys", "duplicate_assessments", "runs_running"):
        assert state[name] == 0, name
    assert state["live_cases_without_assessment"] == 0


def _declared(db: str, keys: list[str]) -> set[str]:
    """Which of these declaration ids the store holds."""
    conn = sqlite3.connect(db, timeout=60)
    try:
        marks = ",".join("?" * len(keys))
        sql = f"SELECT declaration_id FROM declarations WHERE declaration_id IN ({marks})"
        return {row[0] for row in conn.execute(sql, keys)}
    finally:
        conn.close()


HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("taken", flush=True)
sys.stdin.readline()  # held until the test says so (or closes the pipe)
conn.execute("ROLLBACK")
"""


@contextlib.contextmanager
def write_lock_held(db: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the store's write lock until the block ends (another process:
    POSIX locks do not keep apart two SQLite libraries of one process, see store/sqlite.py).
    Held for the whole block, however slowly the machine runs it: a timed hold let a request
    delayed past the hold succeed where the test expected a refusal."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "taken"
    try:
        yield proc
    finally:
        proc.communicate("release\n", timeout=60)
        assert proc.returncode == 0


def test_bulk_write_waits_for_the_lock_then_writes(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    store = open_store(db, busy_seconds=120)
    frame = _lines(tmp_path)
    run = store.start_run(command="t", inputs=[], mapping="", versions={}, seed=0, budgets={})
    outcome: list[object] = []

    def write() -> None:
        try:
            outcome.append(store.save_lines(run, frame))  # waits for the holder
        except Exception as exc:  # any failure: the assertion below shows it
            outcome.append(exc)

    writer = threading.Thread(target=write)
    with write_lock_held(db):
        writer.start()
        writer.join(timeout=1.0)  # however long this takes, the lock is still held
        assert writer.is_alive() and not outcome, outcome  # waiting, not failed nor done
        assert _count(db, "declarations") == 0
    writer.join(timeout=120)
    assert not writer.is_alive() and not isinstance(outcome[0], Exception), outcome
    assert store.count("declarations") == frame.height


def test_bulk_write_that_cannot_get_the_lock_says_so(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    store = open_store(db, busy_seconds=0.3)
    frame = _lines(tmp_path)
    run = store.start_run(command="t", inputs=[], mapping="", versions={}, seed=0, budgets={})
    with write_lock_held(db), pytest.raises(StoreBusy, match="write lock"):
        store.save_lines(run, frame)  # its own error, not "cannot rollback"
    assert store.count("declarations") == 0
    store.save_lines(run, frame)  # the lock is free again: the same call succeeds
    assert store.count("declarations") == frame.height


def _lines(tmp_path: Path) -> pl.DataFrame:
    from chipcustoms.lines.ingest import ingest
    from chipcustoms.lines.mapping import load_mapping

    raw = generate(tmp_path / "g.csv", 1_500, seed=3, prefix="G")  # > rows.SMALL: bulk path
    return ingest(raw, load_mapping(None), file="g.csv").accepted


def _count(db: str, table: str) -> int:
    """Rows committed to ``table``, read beside the writers (WAL: a reader never waits)."""
    conn = sqlite3.connect(db, timeout=60)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_api_answers_503_with_retry_after_while_a_writer_holds_the_store(
    tmp_path: Path, fixtures: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "s.db")
    monkeypatch.setenv("CHIPCUSTOMS_SERVER_BUSY_SECONDS", "0.3")
    api = served(db, tmp_path, fixtures, refs)
    with api.client:
        with write_lock_held(db):
            r = api.client.post("/v1/screen", json={"lines": [LINE]}, headers=api.auth("ana"))
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] and r.json()["error"]["code"] == "store_busy"
            page = api.client.get("/v1/cases", headers=api.auth("ana"))  # reads never wait
            assert page.status_code == 200
        r = api.client.post("/v1/screen", json={"lines": [LINE]}, headers=api.auth("ana"))
        assert r.status_code == 200, r.text
    assert check(db)["runs_running"] == 0  # the busy request left no run behind
