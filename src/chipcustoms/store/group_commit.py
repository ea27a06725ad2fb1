"""Group commit: the server's single-line screens written by one thread, many per transaction.

A transaction that must reach the disk (SQLite WAL with ``synchronous=FULL``, PostgreSQL's WAL
flush) costs a sync whatever it holds, and every audited write also reads the chain's tail and
writes a checkpoint. One run of four transactions per request held the server to a few requests
a second. Here each request hands what it screened (lines, assessments, hits) to the process's
:class:`GroupWriter` and waits; the writer takes everything queued while it was busy and stores
it in **one** transaction, then wakes each waiting request. A request therefore returns only
once *its* lines, assessments, cases and audit entries are committed with the store's durability
setting, so an answered request survives kill -9; under load the groups grow and the cost of a
commit is shared, with no timer that would add latency when the server is idle.

**What a run is for API lines.** Each group writes one run per (user, cut-off run) among its
requests (almost always one): started, written and finished in the same transaction, with its
counts (lines, requests, channels) and **one** audit entry, ``run.api_screen`` (what a batch run
records as start, save_lines, save_assessments and finish, in one entry: each entry costs a
checkpoint, and this one recomputes the covered rows' digest once, as the run opens cases). The
chain stays one chain, entries in commit order. Such a run is never seen ``running``: a kill
before the commit leaves nothing, after it leaves a done run, so the reaper (store/runlife.py)
has nothing to do for API lines and no long-lived run has to be finished at shutdown or split
at midnight. A response's ``run_id`` is its group's run. The cases of selected lines open in
the same transaction (``runlife.open_cases``).

The writer keeps one connection open for its life: closing the last connection to a SQLite
store in WAL mode checkpoints the log into the database (a sync, tens of milliseconds), which a
connection per transaction paid on every commit.

A group never holds one line key twice (the upsert and the run's single assessment per line
need that): a request whose key is already in the group waits for the next one. If a group fails
for any reason but a busy store, each of its requests is retried alone, so one bad request
cannot fail the others. Several server processes (``serve --workers N``) each have a writer;
they take turns on the store's write lock (SQLite's lock with ``server_busy_seconds`` of
patience, PostgreSQL's audit advisory lock), so the audit chain stays one chain across them:
the chain's head is read only once the lock is held (``Store._serialize_audit``), so two
processes never append to the same head. On SQLite the writers of one store's server
processes first queue on an advisory lock of the database file (``flock``,
:class:`ProcessTurn`): SQLite's busy handler polls, sleeping 1, 2, 5, 10 ms and more between
tries, so two busy writers lost milliseconds per collision and could starve one another,
where the turn is polled every 0.2 ms and taken as soon as the other writer's commit is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa

from chipcustoms import settings
from chipcustoms.errors import StoreBusy
from chipcustoms.store import checkpoints, lists, rows, runs
from chipcustoms.store.audit import acting_as

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's own lock and busy timeout alone there
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from chipcustoms.store.base import Store

Key = tuple[str, int]


@dataclass
class Screened:
    """One request's screened lines, waiting for the writer."""

    actor: str
    source_run: int
    thresholds: dict[str, float | None]
    versions: dict[str, Any]
    lines: pl.DataFrame
    assessments: pl.DataFrame
    hits: pl.DataFrame
    run_id: int | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)
    wake: Callable[[], None] | None = None  # the waiting request's event loop, told once done
    _keys: set[Key] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        # In the request's thread: the writer's gathering then takes no time of its own, so a
        # group holds what was queued when the writer woke, not what came while it read keys.
        ids = self.lines.get_column("declaration_id").to_list()
        items = self.lines.get_column("item_no").to_list()
        self._keys = {(str(d), int(i)) for d, i in zip(ids, items, strict=True)}

    def keys(self) -> set[Key]:
        return self._keys

    def part(self) -> str:
        """Requests of one part share a run: same user, same cut-offs, same reference data."""
        return json.dumps([self.actor, self.source_run, self.thresholds, self.versions],
                          sort_keys=True, default=str)


def write_group(store: Store, conn: sa.Connection, items: list[Screened]) -> None:
    """Store every item in one transaction on ``conn``: one finished run per part (see the
    module docstring). Sets each item's ``run_id`` once committed; raises (nothing written)
    on failure."""
    parts: dict[str, list[Screened]] = {}
    for item in items:
        parts.setdefault(item.part(), []).append(item)
    found: list[tuple[Screened, int]] = []
    # A backend may write a part its own way (PostgreSQL: store/pg_group.py, few round trips).
    write_run = getattr(store, "write_api_run", None) or (lambda c, g: _write_run(store, c, g))
    with conn.begin():
        for group in parts.values():
            run_id = write_run(conn, group)
            found.extend((g, run_id) for g in group)
    for item, run_id in found:  # only once committed
        item.run_id = run_id


def part_of(group: list[Screened]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, str,
                                             dict[str, Any]]:
    """A part's lines, assessments and hits as one frame each, and its run's command and counts:
    what every backend's writer stores for it."""
    # The group's frames as one (a group of one request, the common case, as it is).
    parts = ([g.lines for g in group], [g.assessments for g in group], [g.hits for g in group])
    lines, assessments, hits = (f[0] if len(f) == 1 else pl.concat(f, how="diagonal_relaxed")
                                for f in parts)
    channels: dict[str, int] = {}
    for channel in assessments.get_column("channel").to_list():
        channels[channel] = channels.get(channel, 0) + 1
    counts = {"accepted": lines.height, "requests": len(group), "channels": channels}
    return lines, assessments, hits, f"api screen (cut-offs of run {group[0].source_run})", counts


def _write_run(store: Store, conn: sa.Connection, group: list[Screened]) -> int:
    """One part's run, written and finished, with one audit entry (and so one checkpoint)."""
    first = group[0]
    lines, assessments, hits, command, counts = part_of(group)
    with acting_as(first.actor):
        store._serialize_audit(conn)  # the write lock first: the cases read below stay as read
        run_id = runs.insert_run(store, conn, command=command, inputs=["request"],
                                 mapping="canonical", versions=first.versions, seed=0,
                                 budgets={}, audit=False)
        updated = rows.write_lines(store, conn, run_id, lines, audit=False)
        rows.write_assessments(store, conn, run_id, assessments, audit=False)
        lists.write_screening_hits(conn, run_id, hits)
        before = _cases_before(store, conn, run_id)
        cases = runs.close_run(store, conn, run_id, counts=counts,
                               thresholds=first.thresholds, audit=False)
        delta = (before, _cases_after(store, conn, run_id, lines))
        store._audit(conn, "run.api_screen", "run", str(run_id), None, {
            "command": command, "counts": counts, "updated": updated, "cases": cases,
            "thresholds": first.thresholds,
        }, rows_delta=delta)
    return run_id


# The covered rows a group's run touches are the cases it opens or moves (runlife.open_cases):
# those of its pending lines, unless closed. Their keyed sum before and after lets the audit
# checkpoint update its rows digest with them alone (store/checkpoints.py), instead of reading
# every case of the store once per group.
def _cases_before(store: Store, conn: sa.Connection, run_id: int) -> int:
    return checkpoints.row_sum(
        checkpoints.SaDb(conn), store.audit_key, "cases",
        "WHERE status <> 'closed' AND EXISTS (SELECT 1 FROM pending_cases p WHERE "
        "p.run_id = :run AND p.declaration_id = cases.declaration_id "
        "AND p.item_no = cases.item_no)",
        {"run": run_id},
    )


def _cases_after(store: Store, conn: sa.Connection, run_id: int, lines: pl.DataFrame) -> int:
    """Every case now naming the run (opened or moved by it) is one of its lines' keys: found
    by declaration id through the cases' key index, not by a scan for the run."""
    ids = sorted(set(lines.get_column("declaration_id").cast(pl.Utf8).to_list()))
    if not ids:
        return 0
    return checkpoints.row_sum(
        checkpoints.SaDb(conn), store.audit_key, "cases",
        "WHERE run_id = :run AND declaration_id IN :ids", {"run": run_id, "ids": ids},
    )


class ProcessTurn:
    """Turns between the group writers of several server processes on one SQLite file: an
    exclusive ``flock`` of the database file, held around each group's transaction.

    ``flock`` locks are separate from the POSIX record locks SQLite itself takes on the file
    (Linux and the BSDs keep the two kinds apart), so this adds a queue in front of SQLite's
    own lock and changes nothing about it: a writer outside the server (the CLI, a batch run)
    still meets SQLite's lock and its busy timeout as before. PostgreSQL's writers queue on
    its advisory lock, which already blocks without polling: no turn is taken there."""

    def __init__(self, store: Store) -> None:
        url = store.engine.url
        path = url.database if url.get_backend_name() == "sqlite" else None
        self.fd: int | None = None
        if fcntl is not None and path and path != ":memory:" and os.path.exists(path):
            self.fd = _turn_fd(os.path.realpath(path))

    @contextlib.contextmanager
    def held(self, patience: float) -> Iterator[None]:
        """The turn, waited for up to ``patience`` seconds; past that the writer goes on
        without it and meets SQLite's lock and busy timeout as before (a process stopped in
        its transaction then gives a busy store, a 503, not a server that hangs). The wait
        polls every 0.2 ms: a wait here is one other writer's transaction, a few ms."""
        locked = self.fd is not None and fcntl is not None and self._take(patience)
        try:
            yield
        finally:
            if locked and self.fd is not None and fcntl is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def _take(self, patience: float) -> bool:
        assert self.fd is not None and fcntl is not None
        deadline = time.monotonic() + patience
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.0002)



# One descriptor per database file and process, never closed: closing any descriptor of a file
# drops every POSIX lock the process holds on it, SQLite's included ("How To Corrupt An SQLite
# Database File", 2.2), so it stays open until the process ends, as SQLite's own do.
_TURN_FDS: dict[str, int] = {}
_TURN_FDS_LOCK = threading.Lock()


def _turn_fd(path: str) -> int:
    with _TURN_FDS_LOCK:
        if path not in _TURN_FDS:
            _TURN_FDS[path] = os.open(path, os.O_RDONLY)
        return _TURN_FDS[path]


class GroupWriter:
    """The process's one writer of API screens: :meth:`commit` returns once the item is stored.

    ``lock`` is held around each transaction: the other writes of this process (the pages'
    case work) take it too, so they queue here rather than on SQLite's busy handler.
    """

    def __init__(
        self, store: Store, lock: threading.Lock, *, max_lines: int, wait_ms: float = 0.0
    ) -> None:
        self.store = store
        self.lock = lock
        self.max_lines = max(1, max_lines)
        self.queue: queue.SimpleQueue[Screened | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.starting = threading.Lock()
        self.groups = 0  # transactions committed, for tests and the benchmark
        self.conn: sa.Connection | None = None  # the writer thread's own, kept open
        self.turn: ProcessTurn | None = None  # opened by the writer thread
        # Requests of this process between their start and their hand-over (``arriving``):
        # while there are some, the writer waits up to ``wait`` seconds for them to join.
        self.arriving = 0
        self.wait = max(0.0, wait_ms / 1000)
        self._arrivals = threading.Lock()

    @contextlib.contextmanager
    def arrival(self) -> Iterator[None]:
        """Around a request's work up to :meth:`commit`: counted as arriving meanwhile, so a
        writer holding another request waits for it (PostgreSQL's ``commit_delay`` with
        ``commit_siblings``). Each transaction costs a run, an audit entry and a checkpoint
        whatever it holds, so the CPU a request costs falls as groups grow."""
        with self._arrivals:
            self.arriving += 1
        try:
            yield
        finally:
            with self._arrivals:
                self.arriving -= 1

    async def commit(self, item: Screened) -> int:
        """Queue ``item`` and wait until its transaction has committed; its run id.

        Awaited on the request's event loop: the writer thread wakes it through the loop
        (``call_soon_threadsafe``), so a waiting request holds no worker thread. A request
        blocking a thread of the pool for its commit cost two thread hand-overs a request
        and, past the pool's 40 threads, queued requests behind ones merely waiting."""
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()

        def settle() -> None:
            if not woken.done():
                woken.set_result(None)

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
                loop.call_soon_threadsafe(settle)

        item.wake = wake
        self.start()
        self.queue.put(item)
        await woken
        if item.error is not None:
            raise item.error
        assert item.run_id is not None  # set by write_group before done
        return item.run_id

    def close(self) -> None:
        """Finish what is queued and stop the thread (the app's shutdown)."""
        with self.starting:
            thread, self.thread = self.thread, None
        if thread is not None:
            self.queue.put(None)
            thread.join(timeout=60)

    def start(self) -> None:
        """Start the writer thread unless it runs (``commit`` calls it too)."""
        with self.starting:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="chipcustoms-group-commit", daemon=True
                )
                self.thread.start()

    def _run(self) -> None:
        held: Screened | None = None
        try:
            while True:
                first = held if held is not None else self.queue.get()
                held = None
                if first is None:
                    return
                group, held, stop = self._gather(first)
                self._write(group)
                if stop:
                    return
        finally:
            self._drop_connection()

    def _gather(self, first: Screened) -> tuple[list[Screened], Screened | None, bool]:
        """``first`` and whatever else is queued now, up to ``max_lines`` lines and with no key
        twice; the item that did not fit is held for the next group."""
        group, keys, n = [first], first.keys(), first.lines.height
        deadline = time.monotonic() + self.wait
        while n < self.max_lines:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                left = deadline - time.monotonic()
                if self.arriving <= 0 or left <= 0:
                    break
                try:  # a request being assessed now: it joins this group if it comes in time
                    item = self.queue.get(timeout=left)
                except queue.Empty:
                    break
            if item is None:
                return group, None, True
            mine = item.keys()
            if mine & keys or n + item.lines.height > self.max_lines:
                return group, item, False
            group.append(item)
            keys |= mine
            n += item.lines.height
        return group, None, False

    def _write(self, group: list[Screened]) -> None:
        try:
            if self.turn is None:
                self.turn = ProcessTurn(self.store)
            with self.lock, self.turn.held(settings.get("server_busy_seconds")):
                if self.conn is None:
                    self.conn = self.store.engine.connect()
                write_group(self.store, self.conn, group)
            self.groups += 1
        except BaseException as exc:  # handed to the waiting requests, whatever it is
            self._drop_connection()
            if len(group) == 1 or isinstance(exc, StoreBusy):
                for item in group:
                    item.error = exc
            else:  # one bad request must not fail the others: each alone
                for item in group:
                    self._write([item])
        finally:
            for item in group:
                if item.run_id is not None or item.error is not None:
                    item.done.set()
                    if item.wake is not None:
                        item.wake()

    def _drop_connection(self) -> None:
        """Close the kept connection (after a failure it may be broken; at the end, done)."""
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
