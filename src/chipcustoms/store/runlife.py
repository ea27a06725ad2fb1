"""A run's life in the store: who runs it, its cases opened when it finishes, and a dead run failed.

A run is stored in several transactions (start, lines, assessments, finish), so a process killed
between them used to leave the run "running" forever with its cases live in the queue. Now:

- ``start_run`` records the run's owner: host, process id and the process's start time (the pid
  alone could be reused by a later process).
- ``save_assessments`` holds the selected lines in ``pending_cases``; :func:`open_cases` moves
  them into ``cases`` in the transaction that marks the run done. A run's cases become visible
  only when it completes, so a dead run never has cases in the queue.
- :func:`reap`, at every open of the store, marks failed each running run whose owner is on this
  host and gone, and drops its pending cases. A run owned by another host is left alone (its
  process cannot be checked from here); ``chipcustoms runs`` shows it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import psutil
import sqlalchemy as sa

from chipcustoms.store import tables as t

if TYPE_CHECKING:
    from chipcustoms.store.base import Store

# Process start times are read with this much slack (seconds), so that the same process always
# matches itself whatever the clock's resolution.
START_SLACK = 1.0


def owner() -> str:
    """This process, as stored in ``runs.owner``."""
    return _owner_of(os.getpid())


@functools.cache
def _owner_of(pid: int) -> str:
    """Read once per process (keyed by pid, so a forked child reads its own): the server
    starts a run per group commit, and psutil's read of the start time cost a tenth of a
    millisecond each time."""
    me = psutil.Process(pid)
    return json.dumps({"host": socket.gethostname(), "pid": me.pid, "started": me.create_time()})


def gone(owner_json: str | None) -> bool:
    """True when the run's process has certainly ended (same host, pid absent, reused or a
    zombie); False when it lives or cannot be checked from here."""
    if not owner_json:
        return False  # a run from before migration 0008: nothing to check it against
    try:
        who: dict[str, Any] = json.loads(owner_json)
        host, pid, started = str(who["host"]), int(who["pid"]), float(who["started"])
    except (ValueError, KeyError, TypeError):
        return False
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        return abs(psutil.Process().create_time() - started) > START_SLACK
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return True
        return abs(proc.create_time() - started) > START_SLACK
    except psutil.NoSuchProcess:
        return True
    except psutil.AccessDenied:
        return False


def open_cases(conn: sa.Connection, run_id: int, stamp: str) -> int:
    """Move the run's pending cases into ``cases`` (in the caller's transaction): a new case
    opens; an existing one takes the new run, channel and score unless it is closed."""
    p = t.pending_cases.c
    moved = conn.execute(_open_cases(conn.dialect.name), {"run": run_id, "stamp": stamp}).rowcount
    conn.execute(t.pending_cases.delete().where(p.run_id == run_id))
    return int(moved or 0)


@functools.cache
def _open_cases(dialect: str) -> Any:
    """``open_cases``'s statement, built once per dialect with the run and the time as
    parameters (built per call, it cost the server's group writer more than running it)."""
    from sqlalchemy.dialects import postgresql, sqlite

    p, c = t.pending_cases.c, t.cases.c
    cols = ["declaration_id", "item_no", "run_id", "channel", "office", "risk_score"]
    stamp = sa.bindparam("stamp", type_=sa.String)
    pending = (
        sa.select(*[p[k] for k in cols], sa.literal("open"), stamp, stamp)
        .where(p.run_id == sa.bindparam("run"))
        .order_by(sa.desc(p.risk_score), p.declaration_id, p.item_no)
    )
    ins = (postgresql if dialect == "postgresql" else sqlite).insert(t.cases)
    stmt = ins.from_select([*cols, "status", "opened_at", "updated_at"], pending)
    return stmt.on_conflict_do_update(
        index_elements=[c.declaration_id, c.item_no],
        set_={k: stmt.excluded[k] for k in ("run_id", "channel", "risk_score", "updated_at")},
        where=c.status != "closed",
    )


def _fail(store: Store, conn: sa.Connection, run_id: int, error: str, stamp: str) -> bool:
    r = t.runs.c
    changed = conn.execute(
        t.runs.update()
        .where(r.run_id == run_id, r.status == "running")
        .values(status="failed", finished_at=stamp, error=error)
    ).rowcount
    if not changed:
        return False
    conn.execute(t.pending_cases.delete().where(t.pending_cases.c.run_id == run_id))
    store._audit(conn, "run.fail", "run", str(run_id), {"status": "running"}, {"error": error})
    return True


def fail_run(store: Store, run_id: int, error: str) -> None:
    """Mark a running run failed (its pending cases dropped): the run raised and is ending."""
    from chipcustoms.store.audit_log import now

    with store.engine.begin() as conn:
        _fail(store, conn, run_id, error, now())


@contextlib.contextmanager
def failing(store: Store | None, run_id: int | None) -> Iterator[None]:
    """Around a run's writes: a run that raises is marked failed on the way out (its pending
    cases dropped). One killed outright is found by :func:`reap` at the next open."""
    try:
        yield
    except BaseException as exc:
        if store is not None and run_id is not None:
            with contextlib.suppress(Exception):  # the original error is what matters
                fail_run(store, run_id, f"{type(exc).__name__}: {exc}")
        raise


def reap(store: Store) -> list[int]:
    """Fail every running run whose process is gone; the ids of the runs failed."""
    from chipcustoms.store.audit_log import now

    r = t.runs.c
    with store.engine.connect() as conn:
        running = conn.execute(
            sa.select(r.run_id, r.owner).where(r.status == "running").order_by(r.run_id)
        ).all()
    dead = [(int(row.run_id), json.loads(row.owner)) for row in running if gone(row.owner)]
    if not dead:
        return []
    failed = []
    stamp = now()
    with store.engine.begin() as conn:
        for run_id, who in dead:
            error = (
                f"process {who['pid']} on {who['host']} ended without finishing the run "
                "(found at the next open of the store); its cases were never opened"
            )
            if _fail(store, conn, run_id, error, stamp):
                failed.append(run_id)
    return failed
