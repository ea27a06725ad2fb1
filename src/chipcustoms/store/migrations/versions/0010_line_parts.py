"""Bulk line data staged in Parquet beside a SQLite store (issue 12): the parts a finished run
left to be absorbed into `declarations` and `assessments` (store/line_parts.py).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "line_parts",
        sa.Column("part_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("part_id"),
    )


def downgrade() -> None:
    op.drop_table("line_parts")
