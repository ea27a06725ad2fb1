"""Users through the CLI: keys shown once and stored hashed, revocation, passwords."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from chipcustoms.app.users import check_password
from chipcustoms.cli.main import app
from chipcustoms.store import open_store
from chipcustoms.store import tables as t
from chipcustoms.store.access import user_for_key

runner = CliRunner()


def test_add_list_revoke_and_set_password(tmp_path: Path) -> None:
    db = str(tmp_path / "u.db")
    added = runner.invoke(
        app, ["users", "add", "ines", "--role", "inspector", "--office", "SZ01", "--db", db]
    )
    assert added.exit_code == 0, added.output
    key = added.stdout.strip()
    store = open_store(db)
    user = user_for_key(store, key)
    assert user is not None and (user.role, user.office) == ("inspector", "SZ01")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(t.users.c.key_hash, t.users.c.password_hash)).one()
    assert key not in stored.key_hash and len(stored.key_hash) == 64

    dup = runner.invoke(app, ["users", "add", "ines", "--role", "viewer", "--db", db])
    assert "exists already" in str(dup.exception)  # main() turns it into exit code 2
    bad = runner.invoke(app, ["users", "add", "x", "--role", "boss", "--db", db])
    assert "role must be one of" in str(bad.exception)

    pw = runner.invoke(app, ["users", "set-password", "ines", "--db", db], input="s3cret-pass\n")
    assert pw.exit_code == 0
    with store.engine.connect() as conn:
        hashed = conn.execute(sa.select(t.users.c.password_hash)).scalar_one()
    assert check_password("s3cret-pass", hashed) and not check_password("wrong-pass", hashed)

    assert runner.invoke(app, ["users", "revoke", "ines", "--db", db]).exit_code == 0
    assert user_for_key(store, key) is None
    listed = runner.invoke(app, ["users", "list", "--db", db]).stdout
    assert "ines" in listed and "revoked" in listed
