"""kill -9 of a `screen --db` at random points, then the same command again (issue 13,
finding 7): the file stays sound, each key is stored once, no run is left "running" and no case
is live without its assessment. The benchmark (benchmarks/bench_crash.py) does many more."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa

from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import Store, open_store, runlife
from chipcustoms.store import tables as t
from storecheck import check, cli, env, generate

ROWS = 10_000


def _screen(src: Path, db: str) -> subprocess.Popen[bytes]:
    out = src.with_suffix(".out.csv")
    return subprocess.Popen(
        cli("screen", str(src), "-o", str(out), "-q", "--db", db),
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _assessed_but_running(db: str) -> bool:
    """The newest run has its assessments stored and is not finished: the window in which a
    kill used to leave a run "running" with live cases."""
    if not Path(db).exists():
        return False
    try:
        conn = sqlite3.connect(db, timeout=0.1)
        try:
            row = conn.execute(
                "SELECT r.status, (SELECT count(*) FROM pending_cases p WHERE p.run_id = r.run_id)"
                " FROM runs r ORDER BY r.run_id DESC LIMIT 1"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or mid-migration
        return False
    return row is not None and row[0] == "running" and row[1] > 0


def _kill(proc: subprocess.Popen[bytes], *, after: float | None, db: str) -> None:
    """SIGKILL at ``after`` seconds, or (None) as soon as assessments are stored."""
    deadline = time.monotonic() + (after if after is not None else 120)
    while time.monotonic() < deadline and proc.poll() is None:
        if after is None and _assessed_but_running(db):
            break
        time.sleep(0.01)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_killed_runs_are_failed_and_leave_a_sound_store(tmp_path: Path) -> None:
    src = tmp_path / "lines.csv"
    lines = generate(src, ROWS, seed=5, prefix="K")
    db = str(tmp_path / "s.db")
    rng = random.Random(13)
    # A kill at a random moment, one just after the assessments are stored, one more at random.
    for after in (rng.uniform(1.0, 5.0), None, rng.uniform(2.0, 6.0)):
        _kill(_screen(src, db), after=after, db=db)
    rerun = _screen(src, db)
    assert rerun.wait(timeout=240) == 0
    state = check(db)
    assert state["integrity"] == "ok"
    assert state["lines"] == lines.select("declaration_id", "item_no").unique().height
    for name in (
        "duplicate_keys",
        "duplicate_assessments",
        "runs_running",
        "live_cases_without_assessment",
        "live_cases_of_unfinished_runs",
    ):
        assert state[name] == 0, (name, state)
    runs = open_store(db).runs()
    assert runs[-1]["status"] == "done"
    failed = [r for r in runs if r["status"] == "failed"]
    assert failed, "the kill after the assessments must leave a failed run"
    assert all("ended without finishing" in r["error"] for r in failed)


def _run_with_pending(store: Store, owner_json: str) -> int:
    run = store.start_run(command="t", inputs=[], mapping="", versions={}, seed=0, budgets={})
    with store.engine.begin() as conn:
        conn.execute(t.runs.update().where(t.runs.c.run_id == run).values(owner=owner_json))
        conn.execute(
            t.pending_cases.insert().values(
                run_id=run, declaration_id="X1", item_no=1, channel="red", risk_score=0.9
            )
        )
    return run


def test_reap_fails_only_runs_whose_process_is_gone(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    child = psutil.Popen([sys.executable, "-c", "pass"])
    started = child.create_time()
    child.wait()  # gone, and reaped by us: its pid names no process now
    host = socket.gethostname()
    dead = _run_with_pending(
        store, json.dumps({"host": host, "pid": child.pid, "started": started})
    )
    alive = _run_with_pending(store, runlife.owner())  # this process
    elsewhere = _run_with_pending(
        store, json.dumps({"host": host + "-other", "pid": child.pid, "started": started})
    )
    reused = _run_with_pending(  # our pid, but a process that started at another time
        store, json.dumps({"host": host, "pid": os.getpid(), "started": started - 3600})
    )
    assert runlife.reap(store) == [dead, reused]
    status = {r["run_id"]: r["status"] for r in store.runs()}
    assert (status[dead], status[alive], status[elsewhere]) == ("failed", "running", "running")
    with store.engine.connect() as conn:
        left = {r.run_id for r in conn.execute(sa.select(t.pending_cases.c.run_id))}
    assert left == {alive, elsewhere}
    assert store.count("cases") == 0
    assert [e["action"] for e in store.audit_entries()].count("run.fail") == 2
    store.finish_run(alive, counts={}, thresholds={})  # the live run's cases open when it ends
    assert store.count("cases") == 1


def test_a_run_that_raises_is_marked_failed(
    tmp_path: Path, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chipcustoms.run import orchestrator

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(orchestrator, "write_table", broken)
    db = str(tmp_path / "s.db")
    with pytest.raises(RuntimeError, match="disk full"):
        screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=db)
    run = open_store(db).runs()[-1]
    assert run["status"] == "failed" and run["error"] == "RuntimeError: disk full"
    assert check(db)["live_cases_of_unfinished_runs"] == 0
    assert open_store(db).count("cases") == 0
