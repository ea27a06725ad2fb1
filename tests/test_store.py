import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from chipcustoms.errors import StoreError
from chipcustoms.screening import screen_file
from chipcustoms.selection import Budgets
from chipcustoms.store import open_store
from chipcustoms.store.tables import metadata


def test_rescreening_updates_lines_appends_assessments_keeps_one_case(
    tmp_path: Path, fixtures: Path
) -> None:
    db = str(tmp_path / "s.db")
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


def test_migrations_create_exactly_the_declared_tables(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "m.db"))
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


def test_postgres_url_is_not_yet_supported() -> None:
    with pytest.raises(StoreError, match="only SQLite"):
        open_store("postgresql://localhost/x")
