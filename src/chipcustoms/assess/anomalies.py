"""Anomaly checks: continuous scores in [0, 1] whose meaning is written in refdata/scoring.yaml.

Rules say "this is suspicious by policy"; anomalies measure how far a line is from what the
catalog or its peers say is normal, so that the ranking can tell a little from a lot.
"""

from __future__ import annotations

import math

import polars as pl

from chipcustoms.assess.frames import lookup
from chipcustoms.assess.scoring import scoring_config

LN5 = math.log(5)


def _clip(e: pl.Expr) -> pl.Expr:
    return e.clip(0.0, 1.0).fill_nan(None)


def log_unit_value() -> pl.Expr:
    """ln(unit value in USD per piece or kg), null where there is no positive value."""
    return pl.when(pl.col("unit_basis_usd") > 0).then(pl.col("unit_basis_usd").log())


def peer_stats(narrow: pl.DataFrame) -> pl.DataFrame:
    """Per HS6 of ``narrow`` (columns ``hs6``, ``ln``): median, scaled MAD and count of ln.

    A streamed run computes the same table over the whole input (DuckDB, out of core; see
    :mod:`chipcustoms.run.streaming`), so that a line's peers are all the input's lines of its
    HS6 and not only those of its batch.
    """
    stats = narrow.group_by("hs6").agg(
        pl.col("ln").median().alias("med"), pl.col("ln").count().alias("n")
    )
    dev = lookup(narrow, stats, "hs6").select(
        "hs6", (pl.col("ln") - pl.col("med")).abs().alias("dev")
    )
    spread = dev.group_by("hs6").agg((pl.col("dev").median() * 1.4826).alias("mad"))
    return lookup(stats, spread, "hs6")


def _peer_z(lines: pl.DataFrame, min_peers: int, peers: pl.DataFrame | None) -> pl.Series:
    """Robust z of ln(unit value) within each HS6 (median / MAD, group-by once).

    The peers are the batch's lines unless ``peers`` (a :func:`peer_stats` table of a larger
    whole) is given.
    """
    narrow = lines.select("hs6", log_unit_value().alias("ln"))
    if peers is None:
        peers = peer_stats(narrow)
    narrow = lookup(narrow, peers.select("hs6", "med", "n", "mad"), "hs6")
    z = (pl.col("ln") - pl.col("med")) / pl.col("mad")
    return narrow.select(
        pl.when((pl.col("n") >= min_peers) & (pl.col("mad") > 0)).then(_clip((-z - 2) / 4))
    ).to_series()


def add_scores(
    lines: pl.DataFrame,
    *,
    min_peers: int = 20,
    peers: pl.DataFrame | None = None,
    packing: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Add one `anom_*` column per check (null when the check does not apply).

    ``packing``: gross over bare mass for a card and for a system (scoring.yaml,
    WEIGHT_IMPLAUSIBLE); the bundled setting by default.
    """
    unit_kg = pl.coalesce(pl.col("unit_gross_kg"), pl.col("unit_net_kg"))
    packing = packing or scoring_config().anomalies["WEIGHT_IMPLAUSIBLE"].packing
    # A server carrying eight cards is priced per card (value / units_per_item), but its weight
    # says nothing about a card's: it is weighed against its named system's mass, if known.
    one_card = pl.col("units_per_item").fill_null(1) == 1
    system_kg = (
        pl.col("system_weight_kg")
        if "system_weight_kg" in lines.columns
        else pl.lit(None, dtype=pl.Float64)
    )
    expected_kg = (
        pl.when(one_card)
        .then(packing["card"] * pl.col("weight_kg_typical"))
        .otherwise(packing["system"] * system_kg)
    )
    return lines.with_columns(
        _clip(1 - _per_accelerator() / pl.col("price_low_usd")).alias("anom_value_below_range"),
        _clip((unit_kg / expected_kg).log().abs() / LN5).alias("anom_weight_implausible"),
        _peer_z(lines, min_peers, peers).alias("anom_value_low_for_hs"),
        pl.when(
            (pl.col("value") == 0)
            | (pl.col("net_weight_kg") == 0)
            | pl.col("origin_country").is_null()
        )
        .then(1.0)
        .otherwise(0.0)
        .alias("anom_data_gap"),
    )


def _per_accelerator() -> pl.Expr:
    return pl.coalesce(pl.col("value_per_accelerator_usd"), pl.col("unit_value_usd"))


def fmt(e: pl.Expr, decimals: int = 0) -> pl.Expr:
    """Number as text for messages (vectorised)."""
    if decimals == 0:
        return e.round(0).cast(pl.Int64).cast(pl.Utf8)
    return e.round(decimals).cast(pl.Utf8)


# code -> (score column, message expression, evidence columns)
def reason_specs() -> dict[str, tuple[str, pl.Expr, list[str]]]:
    return {
        "VAL_BELOW_RANGE": (
            "anom_value_below_range",
            pl.concat_str(
                pl.lit("Declared value per accelerator "),
                fmt(_per_accelerator()),
                pl.lit(" USD is "),
                fmt(pl.col("anom_value_below_range") * 100),
                pl.lit("% below the catalog low price "),
                fmt(pl.col("price_low_usd")),
                pl.lit(" USD for "),
                pl.col("accelerator_model"),
                pl.lit("."),
            ),
            [
                "unit_value_usd",
                "units_per_item",
                "price_low_usd",
                "price_high_usd",
                "accelerator_id",
            ],
        ),
        "WEIGHT_IMPLAUSIBLE": (
            "anom_weight_implausible",
            pl.concat_str(
                pl.lit("Weight per unit "),
                fmt(pl.coalesce(pl.col("unit_gross_kg"), pl.col("unit_net_kg")), 2),
                pl.lit(" kg does not fit "),
                pl.when(pl.col("units_per_item").fill_null(1) > 1)
                .then(
                    pl.concat_str(
                        pl.lit("system "),
                        pl.col("system_id"),
                        pl.lit(" (catalogued "),
                        fmt(pl.col("system_weight_kg"), 1),
                        pl.lit(" kg)."),
                    )
                )
                .otherwise(
                    pl.concat_str(
                        pl.col("accelerator_model"),
                        pl.lit(" (typical "),
                        fmt(pl.col("weight_kg_typical"), 2),
                        pl.lit(" kg bare)."),
                    )
                ),
            ),
            [
                "unit_gross_kg",
                "unit_net_kg",
                "weight_kg_typical",
                "accelerator_id",
                "units_per_item",
                "system_weight_kg",
            ],
        ),
        "VAL_LOW_FOR_HS": (
            "anom_value_low_for_hs",
            pl.concat_str(
                pl.lit("Unit value "),
                fmt(pl.col("unit_basis_usd"), 2),
                pl.lit(" USD per "),
                pl.col("unit_basis"),
                pl.lit(" is far below other lines of HS "),
                pl.col("hs6"),
                pl.lit(" in this batch."),
            ),
            ["unit_basis_usd", "unit_basis", "hs6"],
        ),
        "DATA_GAP": (
            "anom_data_gap",
            pl.lit("The line declares a zero value or mass, or no origin country."),
            ["value", "net_weight_kg", "origin_country"],
        ),
    }
