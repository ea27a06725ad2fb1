"""What one app holds for its lifetime: the store, the reference data, metrics, the job runner."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from chipcustoms.app.api.jobs import JobRunner
from chipcustoms.app.api.prometheus import Metrics
from chipcustoms.assess.pipeline import References
from chipcustoms.store import Store


@dataclass
class AppState:
    db: str
    store: Store
    refs: References
    jobs_dir: Path
    metrics: Metrics = field(default_factory=Metrics)
    runner: JobRunner = field(default_factory=JobRunner)
    # One writer at a time from this process: SQLite would otherwise answer "database is locked"
    # under load, and the audit chain serialises writers anyway.
    writing: threading.Lock = field(default_factory=threading.Lock)


def state(request: Request) -> AppState:
    st: AppState = request.app.state.chipcustoms
    return st
