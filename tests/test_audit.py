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
from chipcustoms.store.audit import GENESIS, entry_hash, unkeyed_hash, verify
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


# --- the attacker model: write access to the database, no key, no exported checkpoint ---------


def _attack(db: str, *statements: str) -> None:
    """Run SQL as someone who can write the database: every guard trigger lifted first."""
    if "://" not in db:
        con = sqlite3.connect(db)
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            con.execute(f'DROP TRIGGER "{name}"')
        for sql in statements:
            con.execute(sql)
        con.commit()
        con.close()
        return
    with open_store(db).engine.begin() as conn:
        for table in ("audit", "assessments"):
            conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        for sql in statements:
            conn.execute(sa.text(sql))


def _verify(db: str, *more: str) -> str:
    r = runner.invoke(app, ["audit", "verify", "--db", db, *more])
    assert r.exit_code == (0 if "intact" in r.output else 1), r.output
    return " ".join(r.output.split())  # the console wraps long lines


def _last_id(db: str) -> int:
    return int(list(open_store(db).audit_entries())[-1]["audit_id"])


@pytest.mark.parametrize("cut", ["last", "last three", "all"])
def test_truncation_of_the_chain_is_found(db: str, cut: str) -> None:
    n = _last_id(db)
    keep = {"last": n - 1, "last three": n - 3, "all": 0}[cut]
    _attack(db, f"DELETE FROM audit WHERE audit_id > {keep}")
    assert "entries were removed" in _verify(db)


def test_a_rewrite_with_recomputed_hashes_is_found(db: str) -> None:
    """Without the key the attacker can only guess one: the plain sha256 of before, here."""
    entries = list(open_store(db).audit_entries())
    prev, statements = GENESIS, []
    for e in entries:
        if e["audit_id"] == 3:
            e["actor"] = "mallory"
        h = unkeyed_hash(prev, e)
        statements.append(f"UPDATE audit SET actor = '{e['actor']}', prev_hash = '{prev}', "
                          f"hash = '{h}' WHERE audit_id = {e['audit_id']}")
        prev = h
    _attack(db, *statements)
    assert "broken at entry 1: its content does not match its keyed hash" in _verify(db)


def test_a_forged_appended_entry_is_found(db: str) -> None:
    last = list(open_store(db).audit_entries())[-1]
    forged = {"audit_id": last["audit_id"] + 1, "at": last["at"], "actor": "adam",
              "action": "user.add", "entity": "user", "entity_id": "mallory", "before": None,
              "after": '{"role": "admin", "office": null}'}
    h = entry_hash(last["hash"], forged, b"a guessed key")
    _attack(db, "INSERT INTO audit (audit_id, at, actor, action, entity, entity_id, before, "
            f"after, prev_hash, hash) VALUES ({forged['audit_id']}, '{forged['at']}', 'adam', "
            f"'user.add', 'user', 'mallory', NULL, '{forged['after']}', '{last['hash']}', "
            f"'{h}')")
    assert f"broken at entry {forged['audit_id']}" in _verify(db)


@pytest.mark.parametrize(
    ("edit", "found"),
    [
        ("UPDATE users SET role = 'admin' WHERE name = 'ines'", "users differ"),
        ("UPDATE cases SET channel = 'green'", "users differ"),  # one message for the tables
        ("UPDATE assessments SET channel = 'green' WHERE assessment_id = 2",
         "assessments 1..7 differ"),
        ("DELETE FROM assessments WHERE assessment_id = 7", "assessments 1..7 differ"),
        ("DELETE FROM audit_checkpoints WHERE checkpoint_id > 1", "checkpoints were removed"),
        ("UPDATE audit_checkpoints SET entries = 1", "not signed with this store's audit key"),
    ],
)
def test_an_edit_without_an_entry_is_found(db: str, edit: str, found: str) -> None:
    _attack(db, edit)
    assert found in _verify(db)


def test_an_exported_checkpoint_catches_a_store_cut_back_as_a_whole(
    db: str, tmp_path: Path
) -> None:
    cp = tmp_path / "cp.json"
    before = _last_id(db)
    add_user(open_store(db), "olga", "viewer")  # the write the attacker wants gone
    assert runner.invoke(app, ["audit", "checkpoint", "--db", db, "-o", str(cp)]).exit_code == 0
    assert "intact" in _verify(db, "--checkpoint", str(cp))
    # Chain, checkpoints and the row cut back to the state before: consistent in itself ...
    after = json.loads(cp.read_text())["checkpoint_id"]
    _attack(db, f"DELETE FROM audit WHERE audit_id > {before}",
            f"DELETE FROM audit_checkpoints WHERE checkpoint_id >= {after}",
            "DELETE FROM users WHERE name = 'olga'")
    assert "intact" in _verify(db)
    # ... but it no longer reaches the checkpoint kept elsewhere.
    assert "the exported checkpoint covers" in _verify(db, "--checkpoint", str(cp))
    forged = {**json.loads(cp.read_text()), "entries": 1}
    cp.write_text(json.dumps(forged))
    assert "not signed with this store's audit key" in _verify(db, "--checkpoint", str(cp))
