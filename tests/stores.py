"""Store targets for the tests: a SQLite file, and a real PostgreSQL when one is reachable.

CHIPCUSTOMS_TEST_PG_URL names the PostgreSQL database (``.ci/run`` and ``make test`` start one
with ``.ci/postgres.sh``). Without it, or when it does not answer, the PostgreSQL cases skip;
under CI=true they fail instead, so CI cannot pass without them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from chipcustoms.store.postgres import engine_url

BACKENDS = ["sqlite", "postgresql"]


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker empties and fills a database of its own (the named one with
    the worker's id appended, created on first use), so two workers never drop each other's
    tables; without xdist the named database itself."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(
        engine_url(url), poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if found is None:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def fresh_pg() -> str:
    """The test database, emptied: every table and the migration record dropped."""
    url = os.environ.get("CHIPCUSTOMS_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI=true but CHIPCUSTOMS_TEST_PG_URL is not set")
        pytest.skip("no PostgreSQL: set CHIPCUSTOMS_TEST_PG_URL (see .ci/postgres.sh)")
    url = _worker_database(url)
    engine = sa.create_engine(engine_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            conn.execute(sa.text("DROP FUNCTION IF EXISTS chipcustoms_append_only CASCADE"))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL at CHIPCUSTOMS_TEST_PG_URL does not answer: {exc}")
    finally:
        engine.dispose()
    return url


def target(backend: str, tmp_path: Path) -> str:
    return fresh_pg() if backend == "postgresql" else str(tmp_path / "s.db")
