"""Where the pattern analyses get their lines: a declarations file (ingested and enriched like
a screening run, without anomalies or selection), or the store (every current declaration with
its in-force assessment and the latest inspection outcome)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa

from chipcustoms.assess.pipeline import References, enrich
from chipcustoms.lines.ingest import read_and_ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.store import Store

# The columns the analyses read (a wide enriched batch narrowed to these halves its memory).
COLUMNS = [
    "declaration_id", "item_no", "date", "flow", "office", "declarant_id", "importer_id",
    "importer_name", "importer_address", "exporter_id", "consignee_name", "origin_country",
    "shipped_from_country", "destination_country", "hs_code", "quantity", "value_usd",
    "accelerator_id", "is_accelerator", "units_per_item", "tpp", "inspected", "fraud",
    "channel", "selection", "risk_score",
]


def narrow(lines: pl.DataFrame) -> pl.DataFrame:
    return lines.select(c for c in COLUMNS if c in lines.columns)


# The in-force assessment of each line and its latest outcome; plain SQL both backends run.
_STORE_SQL = """
SELECT d.*, a.accelerator_id, a.value_usd AS value_usd, a.channel, a.selection, a.risk_score,
       o.found
FROM declarations d
LEFT JOIN assessments a
  ON a.declaration_id = d.declaration_id AND a.item_no = d.item_no AND a.run_id = d.last_run_id
LEFT JOIN cases c ON c.declaration_id = d.declaration_id AND c.item_no = d.item_no
LEFT JOIN (SELECT case_id, MAX(outcome_id) AS oid FROM outcomes GROUP BY case_id) lo
  ON lo.case_id = c.case_id
LEFT JOIN outcomes o ON o.outcome_id = lo.oid
"""


def with_catalog(lines: pl.DataFrame, refs: References) -> pl.DataFrame:
    """Add ``tpp``, ``units_per_item`` and ``is_accelerator`` where a stored line lacks them."""
    cat = refs.catalog.frame().select("accelerator_id", "tpp", "segment")
    df = lines.join(cat, on="accelerator_id", how="left") if "tpp" not in lines.columns else lines
    if "is_accelerator" not in df.columns:
        df = df.with_columns(pl.col("accelerator_id").is_in(list(refs.catalog.by_id))
                             .fill_null(False).alias("is_accelerator"))
    if "units_per_item" not in df.columns:
        df = df.with_columns(pl.lit(1, dtype=pl.Int64).alias("units_per_item"))
    return df


def file_lines(path: str | Path, mapping: str | None, refs: References) -> pl.DataFrame:
    """A declarations file, ingested with ``mapping`` and enriched (catalog, USD, controls)."""
    result = read_and_ingest(path, load_mapping(mapping))
    return narrow(enrich(result.accepted, refs, anomalies=False))


def store_lines(db: str | Store, refs: References) -> pl.DataFrame:
    """Every current line of the store with its in-force assessment; an inspection outcome
    recorded for a line overrides the label it was imported with."""
    from chipcustoms.store import open_store

    store = open_store(db) if isinstance(db, str) else db
    with store.engine.connect() as conn:
        result = conn.execute(sa.text(_STORE_SQL))
        rows = result.fetchall()
        cols = list(result.keys())
    df = pl.DataFrame([tuple(r) for r in rows], schema=cols, orient="row",
                      infer_schema_length=None)
    if df.height == 0:
        return df
    # A column NULL on every stored line (no addresses declared, say) is read without a type:
    # it is text in the store, so it is text here.
    df = df.with_columns(pl.col(pl.Null).cast(pl.Utf8))
    df = df.with_columns(
        pl.col("date").cast(pl.Utf8).str.slice(0, 10).str.to_date(),
        pl.when(pl.col("found").is_not_null()).then(pl.lit(True))
        .otherwise(pl.col("inspected").cast(pl.Boolean)).alias("inspected"),
        pl.coalesce(pl.col("found").cast(pl.Boolean), pl.col("fraud").cast(pl.Boolean))
        .alias("fraud"),
    ).drop("found")
    return with_catalog(df, refs)
