"""The store's tables, declared once with SQLAlchemy Core for every backend (SQLite, PostgreSQL).

Migrations (Alembic, ``migrations/``) create exactly these; a test compares the two.
"""

from __future__ import annotations

import sqlalchemy as sa

from chipcustoms.lines.schema import FIELDS, LABELS

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
    sa.Column("status", sa.Text, nullable=False),  # running / done / failed
    # Migration 0008: which process runs it (JSON: host, pid, process start), so that a run
    # whose process is gone is marked failed at the next open; why a failed run failed.
    sa.Column("owner", sa.Text),
    sa.Column("error", sa.Text),
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
    # What the line carries per accelerator (issue 14; migration 0006).
    sa.Column("units_per_item", sa.BigInteger),
    sa.Column("value_per_accelerator_usd", sa.Float),
    sa.Column("possible_models", sa.Text),
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
# The queue (store/pages.py, migration 0009): open cases in the order each sort shows them, so a
# page is read from the front of an index (keyset: after/before a case) instead of sorting every
# open case. Partial: closed cases, most of them in time, are not in it. The page's filter is
# this very text, so that SQLite and PostgreSQL both see that it implies the index's WHERE.
OPEN_CASES = "status IN ('open', 'assigned')"
sa.Index("ix_cases_queue_risk", cases.c.risk_score.desc(), cases.c.case_id,
         sqlite_where=sa.text(OPEN_CASES), postgresql_where=sa.text(OPEN_CASES))
sa.Index("ix_cases_queue_age", cases.c.opened_at, cases.c.case_id,
         sqlite_where=sa.text(OPEN_CASES), postgresql_where=sa.text(OPEN_CASES))

# Migration 0008: the cases a run selected, held until the run finishes. `finish_run` opens them
# (cases) and deletes these rows in the transaction that marks the run done, so a run that dies
# never leaves cases in the queue.
pending_cases = sa.Table(
    "pending_cases",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True),
    sa.Column("declaration_id", sa.Text, primary_key=True),
    sa.Column("item_no", sa.BigInteger, primary_key=True),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("office", sa.Text),
    sa.Column("risk_score", sa.Float),
)

# Migration 0010: Parquet parts of declared lines and assessments that a finished run staged
# beside a SQLite store (store/line_parts.py), referenced here in the transaction that marks the
# run done, and absorbed into `declarations` / `assessments` (rows deleted) at the next open.
line_parts = sa.Table(
    "line_parts",
    metadata,
    sa.Column("part_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # lines / assessments
    sa.Column("path", sa.Text, nullable=False),  # relative to the store's <db>.lines folder
    sa.Column("rows", sa.BigInteger, nullable=False),
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

# --- learned model versions ----------------------------------------------------------
# One row per trained version: the LightGBM model text and the fitted feature encodings (JSON)
# are all the scorer needs, so a version can be activated, rolled back or replayed on its own.
models = sa.Table(
    "models",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),  # sha256 of the training lines + labels
    sa.Column("source", sa.Text),  # JSON: files or "store", mapping, --until, line count
    sa.Column("params", sa.Text, nullable=False),  # JSON
    sa.Column("features", sa.Text, nullable=False),  # JSON list of feature names
    sa.Column("metrics", sa.Text),  # JSON: validation figures
    sa.Column("booster", sa.Text, nullable=False),  # LightGBM model_to_string()
    sa.Column("encodings", sa.Text, nullable=False),  # JSON: history tables, levels, references
    sa.Column("active", sa.Boolean, nullable=False),
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
    # Hash chain (chipcustoms.store.audit): sha256 of the previous entry's hash and this entry.
    sa.Column("prev_hash", sa.Text),
    sa.Column("hash", sa.Text),
)

# --- server ------------------------------------------------------------------------
users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.Text, nullable=False),  # viewer / analyst / inspector / admin
    sa.Column("office", sa.Text),  # None: every office
    sa.Column("key_hash", sa.Text, unique=True),  # sha256 of the API key
    sa.Column("password_hash", sa.Text),  # scrypt, for the web login
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.Text),
    # Bumped at logout: a web session cookie carries the version it was issued under.
    sa.Column("session_version", sa.Integer, nullable=False, server_default="0"),
)

# Signed checkpoints of the audit chain and the rows it covers (store/checkpoints.py).
audit_checkpoints = sa.Table(
    "audit_checkpoints",
    metadata,
    sa.Column("checkpoint_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("entries", sa.BigInteger, nullable=False),
    sa.Column("head_hash", sa.Text),
    sa.Column("rows_digest", sa.Text, nullable=False),
    sa.Column("assessments_upto", sa.BigInteger, nullable=False),
    sa.Column("assessments_digest", sa.Text, nullable=False),
    sa.Column("prev_mac", sa.Text),
    sa.Column("mac", sa.Text, nullable=False),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("job_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("state", sa.Text, nullable=False),  # queued / running / done / failed
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("mapping", sa.Text),
    sa.Column("total", sa.Integer),
    sa.Column("done", sa.Integer),
    sa.Column("counts", sa.Text),  # JSON: per channel
    sa.Column("quarantine", sa.Text),  # JSON: rejected rows with field and reason
    sa.Column("error", sa.Text),
    sa.Column("run_id", sa.Integer),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("finished_at", sa.Text),
)

# --- watchlists, their entities, the allow-list, screening hits ---
watchlists = sa.Table(
    "watchlists",
    metadata,
    sa.Column("list_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("entity_count", sa.Integer, nullable=False),
    sa.Column("loaded_at", sa.Text, nullable=False),
    sa.Column("loaded_by", sa.Text, nullable=False),
    sa.UniqueConstraint("name", "version", name="uq_watchlists_version"),
)

watchlist_entities = sa.Table(
    "watchlist_entities",
    metadata,
    sa.Column("list_id", sa.Integer, primary_key=True),
    sa.Column("entity_id", sa.Text, primary_key=True),
    sa.Column("schema", sa.Text),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("aliases", sa.Text),  # JSON lists
    sa.Column("countries", sa.Text),
    sa.Column("addresses", sa.Text),
    sa.Column("identifiers", sa.Text),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("changed_at", sa.Text, nullable=False),  # load time of the version that changed it
)

allow_list = sa.Table(
    "allow_list",
    metadata,
    sa.Column("allow_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party_name", sa.Text, nullable=False),
    sa.Column("list_name", sa.Text, nullable=False),
    sa.Column("entity_id", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("cleared_by", sa.Text, nullable=False),
    sa.Column("cleared_at", sa.Text, nullable=False),
    sa.UniqueConstraint("party_name", "list_name", "entity_id", name="uq_allow_list_pair"),
)

screening_hits = sa.Table(
    "screening_hits",
    metadata,
    sa.Column("hit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("declaration_id", sa.Text, nullable=False),
    sa.Column("item_no", sa.BigInteger, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("party_name", sa.Text, nullable=False),
    sa.Column("list_name", sa.Text, nullable=False),
    sa.Column("list_version", sa.Integer, nullable=False),
    sa.Column("entity_id", sa.Text, nullable=False),
    sa.Column("matched_name", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("features", sa.Text),  # JSON
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Index("ix_screening_hits_line", "declaration_id", "item_no"),
)

# --- web pages ---------------------------------------------------------------------
# The overview's aggregates (chipcustoms.store.views): one row per period, office, channel and
# key of one kind, over the assessment in force of each line. `kind` 'model' (k1 accelerator) and
# 'reason' (k1 top reason) are per day; 'route' (k1..k3 origin, shipped-from, destination) per
# month, which keeps it small. Refreshed from the assessments appended since `overview_state`.
overview_cells = sa.Table(
    "overview_cells",
    metadata,
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("period", sa.Text, nullable=False),  # YYYY-MM-DD, or YYYY-MM for 'route'
    sa.Column("office", sa.Text),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("k1", sa.Text),
    sa.Column("k2", sa.Text),
    sa.Column("k3", sa.Text),
    sa.Column("lines", sa.BigInteger, nullable=False),
    sa.Column("units", sa.Float),
    sa.Column("value_usd", sa.Float),
    sa.Index("ix_overview_cells_kind_period", "kind", "period"),
    # One office's overview (an office-scoped user's) reads only its cells (migration 0009).
    sa.Index("ix_overview_cells_kind_office", "kind", "office", "period"),
)

# The unfiltered overview's sums, one row per part of the page (its JSON), computed from the
# cells in the transaction that refreshes them (store/layout.py, migration 0009): the page most
# people open reads a few rows instead of summing tens of thousands of cells per load.
overview_layout = sa.Table(
    "overview_layout",
    metadata,
    sa.Column("part", sa.Text, primary_key=True),
    sa.Column("last_assessment_id", sa.BigInteger, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)

overview_state = sa.Table(
    "overview_state",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("last_assessment_id", sa.BigInteger, nullable=False),
    sa.Column("refreshed_at", sa.Text, nullable=False),
)

# Search and the incremental refresh: lines by day, traders by id and name, assessments by model.
sa.Index("ix_declarations_date", declarations.c.date)
sa.Index("ix_declarations_importer_id", declarations.c.importer_id)
sa.Index("ix_declarations_importer_name", declarations.c.importer_name)
sa.Index("ix_declarations_exporter_name", declarations.c.exporter_name)
sa.Index("ix_assessments_accelerator", assessments.c.accelerator_id, assessments.c.assessment_id)
# The pages' search indexes: a large bulk append drops them and they are built after the run,
# off its critical path (store/indexes.py); small writes maintain them.
SEARCH_INDEXES = frozenset(
    {
        "ix_declarations_date",
        "ix_declarations_importer_id",
        "ix_declarations_importer_name",
        "ix_declarations_exporter_name",
        "ix_assessments_accelerator",
    }
)
