"""Reliability: who runs a run (so a dead one is marked failed), and cases held until it ends.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("owner", sa.Text(), nullable=True))
    op.add_column("runs", sa.Column("error", sa.Text(), nullable=True))
    op.create_table(
        "pending_cases",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Text(), nullable=False),
        sa.Column("item_no", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("office", sa.Text(), nullable=True),
        sa.Column("risk_score", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "declaration_id", "item_no"),
    )


def downgrade() -> None:
    op.drop_table("pending_cases")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("error")
        batch.drop_column("owner")
