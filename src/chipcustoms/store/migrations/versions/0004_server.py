"""Server: users and roles, batch jobs, a hash-chained audit log, PostgreSQL append-only triggers.

Existing audit entries are chained here (the append-only trigger is lifted for that one update on
SQLite), so an upgraded store verifies from its first entry.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit", "assessments")
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION chipcustoms_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql
"""


def _chain_existing() -> None:
    from chipcustoms.store.audit import GENESIS
    from chipcustoms.store.audit import unkeyed_hash as entry_hash

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT * FROM audit ORDER BY audit_id")).mappings().all()
    prev = GENESIS
    for row in rows:
        h = entry_hash(prev, dict(row))
        bind.execute(
            sa.text("UPDATE audit SET prev_hash = :p, hash = :h WHERE audit_id = :i"),
            {"p": prev, "h": h, "i": row["audit_id"]},
        )
        prev = h


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("office", sa.Text(), nullable=True),
        sa.Column("key_hash", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("user_id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "jobs",
        sa.Column("job_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=True),
        sa.Column("quarantine", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("job_id"),
    )
    # Plain ADD COLUMN (no batch copy), so the SQLite triggers of 0001 stay in place.
    op.add_column("audit", sa.Column("prev_hash", sa.Text(), nullable=True))
    op.add_column("audit", sa.Column("hash", sa.Text(), nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER audit_no_update")
    _chain_existing()
    if sqlite:
        op.execute(
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END"
        )
        return
    op.execute(PG_FUNCTION)
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION chipcustoms_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION chipcustoms_append_only()")
    op.drop_column("audit", "hash")
    op.drop_column("audit", "prev_hash")
    op.drop_table("jobs")
    op.drop_table("users")
