import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from chipcustoms.assess.selection import Budgets
from chipcustoms.errors import StoreError
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import open_store, rows
from chipcustoms.store.chain_check import check
from chipcustoms.store.tables import metadata
from stores import BACKENDS, fresh_pg, target


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same tests on SQLite and on a real PostgreSQL (tests/stores.py)."""
    return target(request.param, tmp_path)


@pytest.mark.parametrize("bulk", [False, True], ids=["rows", "bulk"])
def test_rescreening_updates_lines_appends_assessments_keeps_one_case(
    db: str, tmp_path: Path, fixtures: Path, bulk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if bulk:  # the fixture is small: send it down the bulk path (ADBC / COPY) all the same
        monkeypatch.setattr(rows, "SMALL", 0)
    for _ in range(2):
        screen_file(
            str(fixtures / "lines.csv"),
            str(tmp_path / "o.csv"),
            db=db,
            budgets=Budgets(red=0.3, yellow=0.3),
        )
    store = open_store(db)
    assert store.count("declarations") == 7
    assert store.count("assessments") == 14
    assert store.count("runs") == 2
    cases = store.count("cases")
    assert 0 < cases <= 7
    record = store.line("D1", 1)
    assert record is not None and len(record["assessments"]) == 2
    assert (record["declaration"]["first_run_id"], record["declaration"]["last_run_id"]) == (1, 2)
    assert record["case"]["status"] == "open"
    runs = store.runs()
    assert runs[-1]["status"] == "done" and '"accepted": 7' in runs[-1]["counts"]
    assert check(store).intact


def test_postgres_audit_and_assessments_are_append_only(tmp_path: Path, fixtures: Path) -> None:
    url = fresh_pg()
    screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=url)
    engine = open_store(url).engine
    for table in ("audit", "assessments"):
        for verb in (
            f"DELETE FROM {table}",
            f"UPDATE {table} SET run_id = 0"
            if table == "assessments"
            else f"UPDATE {table} SET actor = 'x'",
            f"TRUNCATE {table}",
        ):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as c:
                c.execute(sa.text(verb))


def test_audit_and_assessments_are_append_only(tmp_path: Path, fixtures: Path) -> None:
    db = str(tmp_path / "s.db")
    screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=db)
    con = sqlite3.connect(db)
    for table in ("audit", "assessments"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(f"DELETE FROM {table}")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(
                f"UPDATE {table} SET created_at = NULL"
                if table == "assessments"
                else f"UPDATE {table} SET actor = 'x'"
            )
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_migrations_create_exactly_the_declared_tables(db: str) -> None:
    store = open_store(db)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    open_store(str(db))
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="unknown to this chipcustoms"):
        open_store(str(db), upgrade=False)


def test_unknown_url_schemes_and_unreachable_servers_are_clear_errors() -> None:
    with pytest.raises(StoreError, match="SQLite path or a postgresql"):
        open_store("mysql://localhost/x")
    with pytest.raises(StoreError, match="cannot reach the store"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/x")
