"""The audit chain: intact after real work, and tampering is found and named."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chipcustoms.cli.main import app
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import open_store
from chipcustoms.store.access import add_user
from chipcustoms.store.audit import GENESIS, entry_hash, verify
from stores import BACKENDS, target

runner = CliRunner()
KEY = b"k" * 32


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, fixtures: Path) -> str:
    url = target(request.param, tmp_path)
    screen_file(str(fixtures / "lines.csv"), str(tmp_path / "o.csv"), db=url)
    add_user(open_store(url), "ines", "inspector", "SZ01")
    return url


def _tamper(db: str, audit_id: int) -> None:
    """What someone with write access to the database could do: lift the guard, edit a row."""
    if "://" not in db:
        con = sqlite3.connect(db)
        con.execute("DROP TRIGGER audit_no_update")
        con.execute("UPDATE audit SET actor = 'mallory' WHERE audit_id = ?", (audit_id,))
        con.commit()
        con.close()
        return
    engine = open_store(db).engine
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit DISABLE TRIGGER audit_append_only"))
        conn.execute(
            sa.text("UPDATE audit SET actor = 'mallory' WHERE audit_id = :i"), {"i": audit_id}
        )


def test_verify_passes_then_names_the_first_tampered_entry(db: str) -> None:
    ok = runner.invoke(app, ["audit", "verify", "--db", db])
    assert ok.exit_code == 0 and "intact" in ok.output
    entries = list(open_store(db).audit_entries())
    assert len(entries) >= 5 and entries[0]["prev_hash"] == GENESIS
    _tamper(db, 3)
    bad = runner.invoke(app, ["audit", "verify", "--db", db])
    assert bad.exit_code == 1 and "broken at entry 3" in bad.output


def test_export_writes_every_entry_as_json(db: str, tmp_path: Path) -> None:
    out = tmp_path / "audit.jsonl"
    assert runner.invoke(app, ["audit", "export", "--db", db, "-o", str(out)]).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["audit_id"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[-1]["action"] == "user.add" and rows[-1]["after"] == {
        "role": "inspector",
        "office": "SZ01",
    }


def test_a_deleted_or_reordered_entry_breaks_the_chain() -> None:
    chain, prev = [], GENESIS
    for i in range(1, 5):
        e = {
            "audit_id": i,
            "at": "t",
            "actor": "a",
            "action": "x",
            "entity": "e",
            "entity_id": str(i),
            "before": None,
            "after": None,
        }
        e |= {"prev_hash": prev, "hash": entry_hash(prev, e, KEY)}
        chain.append(e)
        prev = e["hash"]
    assert verify(chain, KEY).intact
    assert verify(chain[:1] + chain[2:], KEY).broken_at == 3
    assert verify([chain[1], chain[0], *chain[2:]], KEY).broken_at == 2
