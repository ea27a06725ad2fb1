"""Keyed audit chain and signed checkpoints; a session version per user (logout ends sessions).

Existing audit entries are rechained with the store's audit key (HMAC, store/checkpoints.py;
the append-only guard is lifted for that one update), and a first checkpoint signs the chain's
head and the rows it covers, so a store upgraded from 0006 verifies.

Revision ID: 0007
Revises: 0006
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _rechain(bind: sa.Connection) -> None:
    from chipcustoms.store import checkpoints
    from chipcustoms.store.audit import GENESIS, entry_hash

    key = checkpoints.audit_key(bind.engine.url)
    rows = bind.execute(sa.text("SELECT * FROM audit ORDER BY audit_id")).mappings().all()
    prev = GENESIS
    for row in rows:
        h = entry_hash(prev, dict(row), key)
        bind.execute(
            sa.text("UPDATE audit SET prev_hash = :p, hash = :h WHERE audit_id = :i"),
            {"p": prev, "h": h, "i": row["audit_id"]},
        )
        prev = h
    if rows or bind.execute(sa.text("SELECT count(*) FROM users")).scalar_one():
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        checkpoints.record(checkpoints.SaDb(bind), key, at)


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("checkpoint_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.Text(), nullable=True),
        sa.Column("rows_digest", sa.Text(), nullable=False),
        sa.Column("assessments_upto", sa.BigInteger(), nullable=False),
        sa.Column("assessments_digest", sa.Text(), nullable=False),
        sa.Column("prev_mac", sa.Text(), nullable=True),
        sa.Column("mac", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("checkpoint_id"),
    )
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER audit_no_update")
    else:
        op.execute("ALTER TABLE audit DISABLE TRIGGER audit_append_only")
    _rechain(bind)
    if sqlite:
        op.execute(
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END"
        )
    else:
        op.execute("ALTER TABLE audit ENABLE TRIGGER audit_append_only")


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_column("users", "session_version")
