"""Pages at once (issue 19): the queue's partial indexes, one office's cells, the overview's
precomputed layout.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN_CASES = "status IN ('open', 'assigned')"


def upgrade() -> None:
    where = sa.text(OPEN_CASES)
    op.create_index("ix_cases_queue_risk", "cases", [sa.text("risk_score DESC"), "case_id"],
                    sqlite_where=where, postgresql_where=where)
    op.create_index("ix_cases_queue_age", "cases", ["opened_at", "case_id"],
                    sqlite_where=where, postgresql_where=where)
    op.create_index("ix_overview_cells_kind_office", "overview_cells",
                    ["kind", "office", "period"])
    op.create_table(
        "overview_layout",
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("last_assessment_id", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("part"),
    )
    if op.get_bind().dialect.name == "sqlite":  # the queue's plan needs them (store/indexes.py)
        op.execute("ANALYZE cases")


def downgrade() -> None:
    op.drop_table("overview_layout")
    op.drop_index("ix_overview_cells_kind_office", table_name="overview_cells")
    op.drop_index("ix_cases_queue_age", table_name="cases")
    op.drop_index("ix_cases_queue_risk", table_name="cases")
