"""``create_app()``: one FastAPI app over one store, its schema checked before it serves."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI

from chipcustoms import __version__, settings
from chipcustoms.app import web
from chipcustoms.app.api import case_routes as routes_cases
from chipcustoms.app.api import envelope as errors
from chipcustoms.app.api import ref_routes as routes_ref
from chipcustoms.app.api import screen_routes as routes_screen
from chipcustoms.app.api.prometheus import Metrics
from chipcustoms.app.rate_limit import RateLimit
from chipcustoms.app.security_headers import SecurityHeaders
from chipcustoms.app.size_limit import SizeLimit
from chipcustoms.app.state import AppState
from chipcustoms.assess.pipeline import References
from chipcustoms.run.references import load_references
from chipcustoms.store import default_db_path, indexes, open_store


def create_app(
    db: str | None = None, *, refs: References | None = None, jobs_dir: str | None = None,
    serving: bool = False,
) -> FastAPI:
    """An app for the store at ``db`` (SQLite path or PostgreSQL URL); ``serving``: the app is
    the process's own (``serve``), which then tunes the interpreter for it once loaded
    (``state.settle_heap``), something an app built inside tests or another program must not do.

    The schema is checked, never migrated, here: a server refuses a schema it does not know
    (run ``chipcustoms db upgrade``).
    """
    target = db or default_db_path()
    busy = settings.get("server_busy_seconds")
    # One open: connections kept in a pool (a request's key check and office check each opened
    # one), after the staged parts of finished runs are absorbed (store/line_parts.py) with the
    # bulk path's own SQLite, before the pool is handed out. The scorers read this store: no
    # second open (which would absorb beside the pool's open connections).
    store = open_store(target, upgrade=False, busy_seconds=busy, keep_connections=True)
    indexes.ensure_in_background(store)  # search indexes a bulk run left to be built
    folder = Path(jobs_dir or tempfile.mkdtemp(prefix="chipcustoms-jobs-"))
    folder.mkdir(parents=True, exist_ok=True)
    metrics = Metrics()
    st: AppState | None = None  # started once the routes are built (_build_routes)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        assert st is not None
        st.close()

    app = FastAPI(
        title="chipcustoms",
        version=__version__,
        description="Customs risk targeting for AI accelerators: screening, case work, audit.",
        lifespan=lifespan,
        docs_url=None,  # Swagger and ReDoc load CDN scripts: see app/security_headers.py
        redoc_url=None,
    )
    errors.install(app)
    app.add_middleware(SizeLimit)  # inside the others: their headers and counts apply to it
    app.add_middleware(RateLimit)
    app.add_middleware(SecurityHeaders)
    metrics.install(app)
    for module in (routes_screen, routes_cases, routes_ref):
        app.include_router(module.router)
    web.mount(app)  # the pages
    _build_routes(app)
    st = AppState(
        target, store, refs or load_references(db=store), folder, serving=serving, metrics=metrics
    )
    app.state.chipcustoms = st
    return app


def _build_routes(app: FastAPI) -> None:
    """Have FastAPI build every route now, on this thread, before the app's own threads start.

    FastAPI builds a router's routes when the first request reaches it, and while doing so
    silences one of pydantic's warnings with ``warnings.catch_warnings``, which swaps the
    process's one list of filters and is not thread-safe. The app's start-up thread (the online
    assessor's load) swaps the same list as it compiles its patterns, so a first request
    running beside it could meet the warning unsilenced: under pytest, where warnings are
    errors, an intermittent 500 on the first page of a test (tests/test_server_start.py)."""
    probe = {"type": "http", "method": "GET", "path": "/", "root_path": "", "headers": []}
    for route in app.router.routes:
        route.matches(dict(probe))


def app_from_settings() -> FastAPI:
    """The app for the store the ``db`` setting names: the factory ``serve`` hands uvicorn as
    an import string, so that each of ``--workers N`` processes builds its own app (its own
    store connections, reference data and writer)."""
    return create_app(settings.get("db"), serving=True)
