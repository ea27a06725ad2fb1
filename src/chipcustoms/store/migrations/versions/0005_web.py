"""Web pages: the overview's aggregate table and its watermark; search indexes.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_declarations_date", "declarations", ["date"]),
    ("ix_declarations_importer_id", "declarations", ["importer_id"]),
    ("ix_declarations_importer_name", "declarations", ["importer_name"]),
    ("ix_declarations_exporter_name", "declarations", ["exporter_name"]),
    ("ix_assessments_accelerator", "assessments", ["accelerator_id", "assessment_id"]),
)


def upgrade() -> None:
    op.create_table(
        "overview_cells",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("office", sa.Text(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("k1", sa.Text(), nullable=True),
        sa.Column("k2", sa.Text(), nullable=True),
        sa.Column("k3", sa.Text(), nullable=True),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Float(), nullable=True),
        sa.Column("value_usd", sa.Float(), nullable=True),
    )
    op.create_index("ix_overview_cells_kind_period", "overview_cells", ["kind", "period"])
    op.create_table(
        "overview_state",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("last_assessment_id", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    for name, table, cols in INDEXES:
        op.create_index(name, table, cols)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("overview_state")
    op.drop_index("ix_overview_cells_kind_period", table_name="overview_cells")
    op.drop_table("overview_cells")
