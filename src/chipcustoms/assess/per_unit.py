"""What a line carries, per accelerator: the catalog's figures joined to the resolved id, and the
checks that must count units (a server carrying eight GPUs is one item of eight accelerators).

An 8-GPU server's unit value is compared per accelerator through value_per_accelerator_usd, its
mass against the system's (system_weight_kg, for anomalies.py), and its HS code against the
headings of computers (8471.50 is no misfit for a server). A line whose accelerator is not
identified (a named system without its GPU, AI wording) cannot be classified: its ECCN is
`undetermined` and controls.py says why.
"""

from __future__ import annotations

import polars as pl

from chipcustoms.assess.frames import lookup
from chipcustoms.recognise.catalog import Catalog
from chipcustoms.recognise.vocabulary import Vocabulary


def system_kg(catalog: Catalog) -> dict[str, float]:
    """Catalogued mass of each system that has one (systems.yaml `weight_kg`)."""
    return {s.id: s.weight_kg.value for s in catalog.systems if s.weight_kg is not None}


def system_eccn(catalog: Catalog) -> dict[str, str]:
    """The ECCN of a named system built with one accelerator only (systems.yaml `accelerator`:
    an Atlas 800T A2 carries the Ascend 910B), for a line that names the system but not the
    GPU: the issue asks for "the EAR result of the GPUs it carries when known", and a fixed
    build makes it known. A system the buyer fills from a list (`possible`: an XE9680 with
    H100s or H20s) stays `undetermined` even where the listed models agree, because the list
    is what the catalog knows, not every GPU the system can take."""
    eccn = {m.id: m.classification.eccn for m in catalog.models}
    out: dict[str, str] = {}
    for s in catalog.systems:
        e = eccn.get(s.accelerator) if s.accelerator and not s.possible else None
        if e is not None and e != "undetermined":
            out[s.id] = e
    return out


def ai_hs(catalog: Catalog, vocabulary: Vocabulary) -> list[str]:
    """Every HS6 a catalogued accelerator or a system may rightly be declared under: the
    headings a line of unknown model is checked against."""
    heads = {h.replace(".", "")[:6] for m in catalog.models for h in m.hs_headings}
    return sorted(heads | set(vocabulary.system_hs))


def add_per_unit(df: pl.DataFrame, catalog: Catalog, vocabulary: Vocabulary) -> pl.DataFrame:
    """Join the catalog's columns and add hs_heading_fits, value_per_accelerator_usd,
    system_weight_kg and, for unidentified accelerators, eccn = undetermined (or the one ECCN of
    every model a named system can carry)."""
    cat = catalog.frame().drop("accelerator_vendor", "accelerator_model")
    system_hs = list(vocabulary.system_hs)
    unknown_ai = list(vocabulary.counting_generic)
    hs6 = pl.col("hs6")
    unknown_fits = pl.col("accelerator_id").is_in(unknown_ai) & hs6.is_in(
        ai_hs(catalog, vocabulary)
    )
    several = (
        (pl.col("units_per_item") > 1)
        | pl.col("system_id").is_not_null()
        | pl.col("hs_headings").is_null()
    )
    return (
        lookup(df, cat, "accelerator_id")
        .with_columns(
            pl.when(pl.col("is_accelerator"))
            .then(
                pl.col("hs_headings").list.contains(hs6).fill_null(False)
                | (hs6.is_in(system_hs) & several)
                | unknown_fits
            )
            .alias("hs_heading_fits"),
            (pl.col("unit_value_usd") / pl.col("units_per_item")).alias(
                "value_per_accelerator_usd"
            ),
            pl.col("system_id")
            .replace_strict(system_kg(catalog), default=None, return_dtype=pl.Float64)
            .alias("system_weight_kg"),
            pl.when(pl.col("accelerator_id").is_in(unknown_ai))
            .then(
                pl.col("system_id").replace_strict(
                    system_eccn(catalog), default="undetermined", return_dtype=pl.Utf8
                )
            )
            .otherwise(pl.col("eccn"))
            .alias("eccn"),
        )
        .drop("hs_headings")
        .with_columns(
            # What one declared unit should weigh: the system's catalogued mass, or one card;
            # a multi-card line whose system mass is not catalogued has no expectation.
            pl.when(pl.col("system_weight_kg").is_not_null())
            .then(pl.col("system_weight_kg"))
            .when(pl.col("units_per_item") == 1)
            .then(pl.col("weight_kg_typical"))
            .otherwise(None)
            .alias("expected_unit_kg")
        )
    )
