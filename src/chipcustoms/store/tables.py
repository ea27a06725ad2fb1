"""The store's tables, declared once with SQLAlchemy Core for every backend (SQLite, PostgreSQL).

Migrations (Alembic, ``migrations/``) create exactly these; a test compares the two.
"""

from __future__ import annotations

import sqlalchemy as sa

from chipcustoms.schema import FIELDS, LABELS

metadata = sa.MetaData()

_SA_TYPES = {
    "String": sa.Text,
    "Int64": sa.BigInteger,
    "Float64": sa.Float,
    "Date": sa.Text,
    "Boolean": sa.Boolean,
}


def _column(name: str, dtype: object) -> sa.Column:  # type: ignore[type-arg]
    kind = _SA_TYPES[str(dtype).split("(")[0]]
    return sa.Column(name, kind(), nullable=True)


runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.Text, nullable=False),
    sa.Column("finished_at", sa.Text),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("command", sa.Text, nullable=False),
    sa.Column("inputs", sa.Text),  # JSON list of files
    sa.Column("mapping", sa.Text),
    sa.Column("versions", sa.Text),  # JSON: catalog, policies, scoring, model, watchlists
    sa.Column("seed", sa.Integer),
    sa.Column("budgets", sa.Text),  # JSON
    sa.Column("thresholds", sa.Text),  # JSON: the threshold-mode cut-offs this run implies
    sa.Column("counts", sa.Text),  # JSON: read / accepted / quarantined / per channel
    sa.Column("status", sa.Text, nullable=False),
)

declarations = sa.Table(
    "declarations",
    metadata,
    *[
        sa.Column(
            f.name, sa.Text if f.name == "declaration_id" else sa.BigInteger, primary_key=True
        )
        for f in FIELDS
        if f.name in ("declaration_id", "item_no")
    ],
    *[_column(f.name, f.dtype) for f in FIELDS if f.name not in ("declaration_id", "item_no")],
    *[_column(f.name, f.dtype) for f in LABELS],
    sa.Column("extra", sa.Text),
    sa.Column("first_run_id", sa.Integer),
    sa.Column("last_run_id", sa.Integer),
    sa.Column("updated_at", sa.Text),
)

assessments = sa.Table(
    "assessments",
    metadata,
    sa.Column("assessment_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("declaration_id", sa.Text, nullable=False),
    sa.Column("item_no", sa.BigInteger, nullable=False),
    sa.Column("accelerator_id", sa.Text),
    sa.Column("resolution_confidence", sa.Float),
    sa.Column("eccn", sa.Text),
    sa.Column("license_required", sa.Boolean),
    sa.Column("value_usd", sa.Float),
    sa.Column("risk_score", sa.Float, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("selection", sa.Text),
    sa.Column("top_reason", sa.Text),
    sa.Column("reasons", sa.Text),  # JSON list of reason objects
    sa.Column("created_at", sa.Text, nullable=False),
    # One index: by line. Every reason's evidence names its rule, so rule hits need no column.
    sa.Index("ix_assessments_line", "declaration_id", "item_no", "run_id"),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.Text, nullable=False),
    sa.Column("item_no", sa.BigInteger, nullable=False),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("office", sa.Text),
    sa.Column("risk_score", sa.Float),
    sa.Column("status", sa.Text, nullable=False),  # open / assigned / closed
    sa.Column("assigned_to", sa.Text),
    sa.Column("opened_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.UniqueConstraint("declaration_id", "item_no", name="uq_cases_line"),
    sa.Index("ix_cases_status_channel", "status", "channel"),
)

outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("outcome_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("found", sa.Boolean, nullable=False),
    sa.Column("real_accelerator_id", sa.Text),
    sa.Column("real_units", sa.Float),
    sa.Column("real_value_usd", sa.Float),
    sa.Column("capture", sa.Text),  # raw lspci / nvidia-smi text
    sa.Column("verification", sa.Text),  # JSON result of checking the capture
    sa.Column("notes", sa.Text),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
)

overrides = sa.Table(
    "overrides",
    metadata,
    sa.Column("override_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.Text, nullable=False),
    sa.Column("item_no", sa.BigInteger, nullable=False),
    sa.Column("old_channel", sa.Text, nullable=False),
    sa.Column("new_channel", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("by", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_id", sa.Text),
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
)
