"""The PostgreSQL group writer (store/pg_group.py) stores what the shared writer
(store/group_commit.py) stores, to the row, in a few round trips: lines upserted, assessments
appended, cases opened, moved or left closed, one audit entry and a checkpoint that verifies."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import Store, checkpoints, open_store, pg_group
from chipcustoms.store.casework import record_outcome
from chipcustoms.store.chain_check import check
from chipcustoms.store.postgres import PostgresStore
from stores import fresh_pg
from test_audit_digest import _full, _lines, _screened, _signed, _write


@pytest.fixture
def pg(tmp_path: Path, fixtures: Path, refs: References) -> Store:
    url = fresh_pg()
    screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=url,
                budgets=Budgets(red=0.3, yellow=0.3), refs=refs)
    return open_store(url)


def _screens(store: Store, refs: References, fixtures: Path, prefix: str) -> None:
    """New lines, a case closed, then the same lines again beside another user's new ones."""
    new = _lines(fixtures, prefix)
    _write(store, [_screened(store, refs, new.head(6))])
    with store.engine.connect() as conn:  # a closed case stays where it is
        first = conn.execute(sa.text("SELECT min(case_id) FROM cases WHERE declaration_id "
                                     "LIKE :p"), {"p": f"{prefix}%"}).scalar_one()
    record_outcome(store, first, found=False, real_accelerator_id=None, real_units=None,
                   real_value_usd=None, capture=None, verification=None, notes=None)
    other = _screened(store, refs, new.slice(6))
    other.actor = "ines"
    _write(store, [_screened(store, refs, new.head(6)), other])


def _stored(store: Store, prefix: str) -> dict[str, Any]:
    """The rows a prefix's screens left, keys without the prefix, ids and times left out."""
    key = f"substr(declaration_id, {len(prefix) + 1})"
    queries = {
        "declarations": f"SELECT {key} AS k, d.*, d.first_run_id = d.last_run_id AS first "
        "FROM declarations d WHERE declaration_id LIKE :p",
        "assessments": f"SELECT {key} AS k, a.* FROM assessments a WHERE declaration_id LIKE :p",
        "cases": f"SELECT {key} AS k, c.* FROM cases c WHERE declaration_id LIKE :p",
    }
    skip = {"declaration_id", "first_run_id", "last_run_id", "updated_at", "assessment_id",
            "run_id", "created_at", "case_id", "opened_at"}
    out: dict[str, Any] = {}
    with store.engine.connect() as conn:
        for name, q in queries.items():
            found = conn.execute(sa.text(q), {"p": f"{prefix}%"}).mappings().all()
            out[name] = sorted(
                json.dumps({k: v for k, v in r.items() if k not in skip}, sort_keys=True,
                            default=str) for r in found
            )
        entries = conn.execute(sa.text(
            "SELECT actor, action, after FROM audit WHERE action = 'run.api_screen' "
            "AND after LIKE :p ORDER BY audit_id"), {"p": "%"}).all()
        out["pending"] = conn.execute(sa.text("SELECT count(*) FROM pending_cases")).scalar()
    out["entries"] = entries
    return out


def test_the_same_rows_entries_and_a_verified_chain_as_the_shared_writer(
    pg: Store, fixtures: Path, refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(pg, PostgresStore)
    with monkeypatch.context() as m:  # the shared writer (group_commit._write_run)
        m.setattr(PostgresStore, "write_api_run", None)
        _screens(pg, refs, fixtures, "S-")
    shared = _stored(pg, "S-")
    calls: list[int] = []
    write = pg_group.write_api_run
    monkeypatch.setattr(pg_group, "write_api_run", lambda *a: calls.append(1) or write(*a))
    _screens(pg, refs, fixtures, "P-")
    assert len(calls) == 3  # three groups' parts (the second group has two users)
    ours = _stored(pg, "P-")
    for table in ("declarations", "assessments", "cases"):
        assert ours[table] == shared[table], table
        assert ours[table]
    assert ours["pending"] == 0
    # Every API run's entry: same actor and content (its run ids aside) on both paths.
    entries = [(a, json.loads(after)) for a, _, after in ours["entries"]]
    both = [e for e in entries if "S-" not in json.dumps(e)]
    assert len(both) == 6
    opened = [a["cases"] for _, a in both[3:]]
    for (actor1, after1), (actor2, after2) in zip(both[:3], both[3:], strict=True):
        assert actor1 == actor2
        # The shared writer records the cases opened or moved as the driver's rowcount of an
        # INSERT ... SELECT, which psycopg through SQLAlchemy reports as -1; here: RETURNING.
        assert after1.pop("cases") == -1
        after2.pop("cases")
        assert after1 == after2
    with pg.engine.connect() as conn:
        naming = conn.execute(sa.text(
            "SELECT count(*) FROM cases WHERE declaration_id LIKE 'P-%' GROUP BY run_id "
            "ORDER BY run_id")).scalars().all()
    assert sum(opened) >= sum(naming) > 0  # a case moved twice names only its last run
    assert any(a["updated"] for _, a in both[3:])
    signed = _signed(pg)
    assert signed.startswith(checkpoints.SUM) and signed == _full(pg)
    verdict = check(pg)
    assert verdict.intact, verdict.problem


def test_assessments_beside_the_group_are_digested_by_copy(
    pg: Store, fixtures: Path, refs: References
) -> None:
    """An assessment appended without a checkpoint (another writer's) shares the group's id
    range: the group's checkpoint then reads the range back, so verify still passes."""
    with pg.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO assessments (run_id, declaration_id, item_no, risk_score, channel, "
            "created_at) VALUES (1, 'X-1', 1, 0.5, 'green', '2026-01-01')"))
    _write(pg, [_screened(pg, refs, _lines(fixtures, "C-").head(3))])
    verdict = check(pg)
    assert verdict.intact, verdict.problem


TRICKY = ["plain", "", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "\\.", " spaced ",
          "末尾", "\\N", "'", None]


def test_csv_lines_are_the_bytes_copy_writes(pg: Store) -> None:
    assert isinstance(pg, PostgresStore)
    floats = [0.1, 1e-05, 1e15, 123456789.125, -0.0, 1.0, None, 3.0e300, 2.5e-320, 7.0,
              0.30000000000000004, 1e16]
    with psycopg.connect(pg.url) as conn:
        conn.execute("CREATE TEMP TABLE t (n serial, a text, b text, f float8)")
        with conn.cursor().copy("COPY t (a, b, f) FROM STDIN") as copy:
            for a, f in zip(TRICKY, floats, strict=True):
                copy.write_row((a, a, f))
        with conn.cursor().copy(
            "COPY (SELECT a, b, f FROM t ORDER BY n) TO STDOUT (FORMAT csv)"
        ) as out:
            written = b"".join(bytes(part) for part in out)
        found = conn.execute("SELECT CAST(a AS TEXT), CAST(b AS TEXT), CAST(f AS TEXT) "
                             "FROM t ORDER BY n").fetchall()
    ours = "".join(pg_group.csv_line(r) for r in found).encode()
    assert ours == written
    assert hashlib.sha256(ours).hexdigest() == hashlib.sha256(written).hexdigest()


def test_a_group_is_three_round_trips(pg: Store, fixtures: Path, refs: References,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever its size, a group sends its statements in two pipelines and a commit."""
    syncs: list[str] = []
    pipeline = psycopg.Connection.pipeline

    def counted(self: psycopg.Connection[Any]) -> Any:
        syncs.append("pipeline")
        return pipeline(self)

    monkeypatch.setattr(psycopg.Connection, "pipeline", counted)
    lines = _lines(fixtures, "R-")
    for size in (1, lines.height):
        syncs.clear()
        _write(pg, [_screened(pg, refs, lines.head(size))])
        assert syncs == ["pipeline", "pipeline"]
    assert check(pg).intact


def test_a_watchlist_hit_is_stored_with_its_run(
    pg: Store, fixtures: Path, refs: References
) -> None:
    """A group whose lines hit a list stores the hits under its run, in its transaction."""
    import polars as pl

    item = _screened(pg, refs, _lines(fixtures, "H-").head(1))
    item.hits = pl.DataFrame([{
        "declaration_id": "H-D1", "item_no": 1, "role": "importer", "party_name": "ACME LTD",
        "list_name": "demo", "list_version": 1, "entity_id": "E1", "matched_name": "ACME",
        "score": 0.93, "features": "{}",
    }])
    _write(pg, [item])
    with pg.engine.connect() as conn:
        run = conn.execute(sa.text("SELECT max(run_id) FROM runs")).scalar_one()
        found = conn.execute(sa.text(
            "SELECT run_id, party_name, score FROM screening_hits WHERE declaration_id = 'H-D1'"
        )).all()
    assert [tuple(r) for r in found] == [(run, "ACME LTD", 0.93)]
    assert check(pg).intact
