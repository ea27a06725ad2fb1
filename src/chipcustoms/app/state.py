"""What one app holds for its lifetime: the store, the reference data, metrics, the job runner,
the writer of single-line screens and the cut-offs they are screened against."""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from fastapi import Request

from chipcustoms import settings
from chipcustoms.app.api.jobs import JobRunner
from chipcustoms.app.api.prometheus import Metrics
from chipcustoms.app.online_screen import OnlineScreen
from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import SelectionReport
from chipcustoms.store import Store
from chipcustoms.store.group_commit import GroupWriter

Cutoffs = tuple[int, dict[str, float | None]]


@dataclass
class AppState:
    db: str
    store: Store
    refs: References
    jobs_dir: Path
    serving: bool = False  # the process's own app (``serve``): settle_heap once loaded
    metrics: Metrics = field(default_factory=Metrics)
    runner: JobRunner = field(default_factory=JobRunner)
    # One writer at a time from this process: SQLite would otherwise answer "database is locked"
    # under load, and the audit chain serialises writers anyway.
    writing: threading.Lock = field(default_factory=threading.Lock)
    writer: GroupWriter = field(init=False)
    online: OnlineScreen = field(init=False)
    versions: dict[str, Any] = field(init=False)  # of the reference data, fixed for the app
    _cutoffs: Cutoffs | None = field(default=None, init=False)
    _cutoffs_read: float = field(default=float("-inf"), init=False)
    _cutoffs_lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _loading: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.versions = self.refs.versions()
        self.online = OnlineScreen(self.store, self.refs)
        self.writer = GroupWriter(
            self.store, self.writing, max_lines=settings.get("group_commit_max_lines"),
            wait_ms=settings.get("group_commit_wait_ms"),
        )
        self.writer.start()  # waiting already: the first request does not pay a thread's start
        # The online assessor's run (cut-offs, peers, resolved texts) loads in the background
        # at start, so the first requests do not wait for it; a request that comes first waits.
        # Not a daemon: the interpreter joins it before it finalises. A daemon thread still
        # inside Polars or DuckDB then is stopped by a forced unwind that native code may not
        # pass ("FATAL: exception not rethrown", exit 134 after a clean run).
        self._loading = threading.Thread(target=self._load_online, name="online-load")
        self._loading.start()

    def _load_online(self) -> None:
        with contextlib.suppress(Exception):  # a store without a run yet: the first request sees
            latest = self.cutoffs()
            if latest is not None:
                self.online.assessor(*latest)
        if self.serving:
            settle_heap()

    def assess_lines(
        self, frame: pl.DataFrame, cutoffs: Cutoffs
    ) -> tuple[pl.DataFrame, SelectionReport, list[dict[str, Any]]]:
        """Assess a request's lines in threshold mode against ``cutoffs`` (the run and its
        cut-offs) on the online path (app/online_screen.py): the batch path's answer, in about
        a millisecond a line once a text has been seen; also as dicts."""
        run_id, thresholds = cutoffs
        return self.online.assess(frame, run_id, thresholds)

    def cutoffs(self) -> Cutoffs | None:
        """The newest budget-mode run's id and cut-offs under the server's profile, read from
        the store at most every ``thresholds_refresh_seconds`` (a new run lands that much later
        at the latest) instead of on every request."""
        with self._cutoffs_lock:
            now = time.monotonic()
            if self._cutoffs is None or now - self._cutoffs_read >= settings.get(
                "thresholds_refresh_seconds"
            ):
                self._cutoffs = self.store.latest_thresholds(self.refs.rules.profile.id)
                self._cutoffs_read = now
            return self._cutoffs

    def close(self) -> None:
        """The app's shutdown: queued screens committed, jobs stopped."""
        self.writer.close()
        self._loading.join()
        self.runner.shutdown()
        self.store.engine.dispose()  # the pooled connections (server.create_app keeps them)


def state(request: Request) -> AppState:
    st: AppState = request.app.state.chipcustoms
    return st


def settle_heap() -> None:
    """For a process that serves (process-wide settings, so never for an app built in tests
    or inside another program).

    Move what start-up built (reference data, catalog, compiled rules, the run's resolved
    texts: about 200,000 objects) out of the collector's reach. Python's full collection
    walks every tracked object: over the loaded app it took 99-113 ms on the 2-core machine
    (once in a 20 s run at 150 requests/s), a pause the event loop and every request then in
    flight waited out, which alone puts the slowest requests past a 50 ms p99. Frozen
    objects are never walked again; what requests allocate later is collected as before.
    Collected once first, so no garbage is frozen."""
    gc.collect()
    gc.freeze()
    # The writer thread gives up the GIL at each SQLite call and must win it back from the
    # event loop, which under load is always busy: at the default 5 ms switch interval each
    # of a group's ~15 statements could wait that long. 0.5 ms bounds the wait.
    sys.setswitchinterval(0.0005)
