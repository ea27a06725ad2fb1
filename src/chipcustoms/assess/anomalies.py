"""Anomaly checks: continuous scores in [0, 1] whose meaning is written in refdata/scoring.yaml.

Rules say "this is suspicious by policy"; anomalies measure how far a line is from what the
catalog or its peers say is normal, so that the ranking can tell a little from a lot.
"""

from __future__ import annotations

import math

import polars as pl

from chipcustoms.assess.checks import Check, Inputs, built, check
from chipcustoms.assess.frames import lookup
from chipcustoms.assess.scoring import ScoringConfig, scoring_config

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


PEER_COLUMNS = ("__peer_ln", "__peer_med", "__peer_n", "__peer_mad")


def _with_peers(lines: pl.DataFrame, peers: pl.DataFrame | None) -> pl.DataFrame:
    """The batch with each line's ln(unit value) and its HS6 peers' median, count and scaled
    MAD (the batch's own lines unless ``peers``, a :func:`peer_stats` table of a larger whole,
    is given), as hidden columns the checks read and :func:`add_scores` drops."""
    narrow = lines.select("hs6", log_unit_value().alias("ln"))
    if peers is None:
        peers = peer_stats(narrow)
    found = lookup(narrow, peers.select("hs6", "med", "n", "mad"), "hs6")
    return lines.with_columns(
        found.select(pl.col(c).alias(f"__peer_{c}") for c in ("ln", "med", "n", "mad"))
    )


def add_scores(
    lines: pl.DataFrame,
    *,
    min_peers: int | None = None,
    peers: pl.DataFrame | None = None,
    packing: dict[str, float] | None = None,
    config: ScoringConfig | None = None,
) -> pl.DataFrame:
    """Add one `anom_*` column per registered check (null when the check does not apply).

    ``config``: the scoring settings (the bundled refdata/scoring.yaml by default);
    ``min_peers`` and ``packing`` override VAL_LOW_FOR_HS's and WEIGHT_IMPLAUSIBLE's entries.
    """
    config = config or scoring_config()
    overrides: dict[str, dict[str, object]] = {
        "VAL_LOW_FOR_HS": {"min_peers": min_peers},
        "WEIGHT_IMPLAUSIBLE": {"packing": packing},
    }
    anomalies = {
        code: s.model_copy(
            update={k: v for k, v in overrides.get(code, {}).items() if v is not None}
        )
        for code, s in config.anomalies.items()
    }
    config = config.model_copy(update={"anomalies": anomalies})
    df = _with_peers(lines, peers)
    return df.with_columns(c.score.alias(r.column) for r, _, c in built(config, df.columns)).drop(
        PEER_COLUMNS
    )


def _per_accelerator() -> pl.Expr:
    return pl.coalesce(pl.col("value_per_accelerator_usd"), pl.col("unit_value_usd"))


def fmt(e: pl.Expr, decimals: int = 0) -> pl.Expr:
    """Number as text for messages (vectorised)."""
    if decimals == 0:
        return e.round(0).cast(pl.Int64).cast(pl.Utf8)
    return e.round(decimals).cast(pl.Utf8)


# The checks, in the order their columns and reasons appear. Each one's weight, report
# threshold, category and meaning are its entry in refdata/scoring.yaml.
@check("VAL_BELOW_RANGE", column="anom_value_below_range")
def value_below_range(x: Inputs) -> Check:
    return Check(
        _clip(1 - _per_accelerator() / pl.col("price_low_usd")),
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
            "accelerator_model",  # for the zh template (refdata/reasons_zh.yaml)
        ],
    )


@check("WEIGHT_IMPLAUSIBLE")
def weight_implausible(x: Inputs) -> Check:
    unit_kg = pl.coalesce(pl.col("unit_gross_kg"), pl.col("unit_net_kg"))
    packing = x.setting.packing
    # A server carrying eight cards is priced per card (value / units_per_item), but its weight
    # says nothing about a card's: it is weighed against its named system's mass, if known.
    one_card = pl.col("units_per_item").fill_null(1) == 1
    system_kg = (
        pl.col("system_weight_kg")
        if "system_weight_kg" in x.columns
        else pl.lit(None, dtype=pl.Float64)
    )
    expected_kg = (
        pl.when(one_card)
        .then(packing["card"] * pl.col("weight_kg_typical"))
        .otherwise(packing["system"] * system_kg)
    )
    return Check(
        _clip((unit_kg / expected_kg).log().abs() / LN5),
        pl.concat_str(
            pl.lit("Weight per unit "),
            fmt(unit_kg, 2),
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
            "accelerator_model",  # for the zh template (refdata/reasons_zh.yaml)
            "system_id",
        ],
    )


@check("VAL_LOW_FOR_HS", column="anom_value_low_for_hs")
def value_low_for_hs(x: Inputs) -> Check:
    """Robust z of ln(unit value) within its HS6 (median / MAD of the peers)."""
    z = (pl.col("__peer_ln") - pl.col("__peer_med")) / pl.col("__peer_mad")
    enough = (pl.col("__peer_n") >= (x.setting.min_peers or 20)) & (pl.col("__peer_mad") > 0)
    return Check(
        pl.when(enough).then(_clip((-z - 2) / 4)),
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
    )


@check("DATA_GAP")
def data_gap(x: Inputs) -> Check:
    gap = (
        (pl.col("value") == 0) | (pl.col("net_weight_kg") == 0) | pl.col("origin_country").is_null()
    )
    return Check(
        pl.when(gap).then(1.0).otherwise(0.0),
        pl.lit("The line declares a zero value or mass, or no origin country."),
        ["value", "net_weight_kg", "origin_country"],
    )
