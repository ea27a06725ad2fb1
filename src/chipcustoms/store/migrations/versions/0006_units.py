"""Recognition (issue 14): what a line carries per accelerator, kept with each assessment so the
line page can show it: units per item, value per accelerator and the models a named system may
carry when the line omits its GPU.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (
    ("units_per_item", sa.BigInteger()),
    ("value_per_accelerator_usd", sa.Float()),
    ("possible_models", sa.Text()),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("assessments", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
