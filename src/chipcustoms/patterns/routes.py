"""Route intelligence: each route's share of an accelerator model's units per month, against
the trailing baseline months. A transit route (shipped from a country other than the origin)
that is new (first seen within the last ``new_months``, after a baseline without it) or
growing (share / baseline share >= ``growth``) is flagged for that month, with the baseline as
its evidence.

A route is origin > shipped-from > destination. Shares are of units (quantity x the cards a
system carries), so one 8-GPU server weighs as eight cards.
"""

from __future__ import annotations

import polars as pl

from chipcustoms.patterns.config import RouteSettings, pattern_settings


def route_expr() -> pl.Expr:
    return pl.format(
        "{}>{}>{}",
        pl.col("origin_country").fill_null("??"),
        pl.col("shipped_from_country").fill_null("??"),
        pl.col("destination_country").fill_null("??"),
    )


def units_expr(columns: list[str]) -> pl.Expr:
    q = pl.col("quantity").fill_null(1.0).clip(0.0, None)
    return q * pl.col("units_per_item").fill_null(1) if "units_per_item" in columns else q


def shares(lines: pl.DataFrame) -> pl.DataFrame:
    """(accelerator_id, month, route, transit, lines, units, share) of accelerator lines."""
    acc = lines.filter(pl.col("accelerator_id").is_not_null())
    if "is_accelerator" in acc.columns:
        acc = acc.filter(pl.col("is_accelerator").fill_null(False))
    cells = (
        acc.group_by(
            "accelerator_id",
            pl.col("date").dt.truncate("1mo").alias("month"),
            route_expr().alias("route"),
        )
        .agg(
            pl.len().alias("lines"),
            units_expr(acc.columns).sum().alias("units"),
            (pl.col("shipped_from_country") != pl.col("origin_country")).any().alias("transit"),
        )
    )
    return cells.with_columns(
        (pl.col("units") / pl.col("units").sum().over("accelerator_id", "month")).alias("share")
    ).sort("accelerator_id", "month", "route")


def flags(lines: pl.DataFrame, settings: RouteSettings | None = None) -> pl.DataFrame:
    """New or growing transit routes per model and month, with their baseline share."""
    s = settings or pattern_settings().routes
    cells = shares(lines)
    offsets = pl.DataFrame({"__k": list(range(1, s.baseline_months + 1))})
    # Every month a cell falls in the baseline of: the cell's month plus 1..N months.
    spread = cells.join(offsets, how="cross").with_columns(
        pl.col("month").dt.offset_by(pl.format("{}mo", "__k")).alias("for_month")
    )
    route_base = spread.group_by("accelerator_id", "for_month", "route").agg(
        pl.col("units").sum().alias("base_units")
    )
    model_base = spread.group_by("accelerator_id", "for_month").agg(
        pl.col("units").sum().alias("base_total")
    )
    first = cells["month"].min()
    out = (
        cells.join(route_base, left_on=["accelerator_id", "month", "route"],
                   right_on=["accelerator_id", "for_month", "route"], how="left")
        .join(model_base, left_on=["accelerator_id", "month"],
              right_on=["accelerator_id", "for_month"], how="left")
        .with_columns(
            (pl.col("base_units").fill_null(0) / pl.col("base_total")).fill_null(0.0)
            .alias("baseline_share"),
            pl.col("base_total").fill_null(0).alias("base_total"),
        )
    )
    # New: the route first carried the model within the last `new_months`, after a baseline
    # in which it carried none (its first month is not the data's first).
    age = (pl.col("month").dt.year() * 12 + pl.col("month").dt.month()) - (
        pl.col("since").dt.year() * 12 + pl.col("since").dt.month())
    out = out.with_columns(
        pl.col("month").min().over("accelerator_id", "route").alias("since")
    )
    new = (age < s.new_months) & (pl.col("since") > first)
    growing = pl.col("share") >= s.growth * pl.col("baseline_share")
    return (
        out.filter(
            pl.col("transit") & (pl.col("lines") >= s.min_lines)
            & (pl.col("share") >= s.min_share) & (pl.col("base_total") > 0) & (new | growing)
            & (pl.col("month") > first)  # the first month has no baseline to compare with
        )
        .with_columns(
            pl.when(new).then(pl.lit("ROUTE_NEW")).otherwise(pl.lit("ROUTE_GROWING"))
            .alias("code")
        )
        .select("accelerator_id", "month", "route", "code", "since", "lines", "units", "share",
                "baseline_share", "base_total")
        .sort("month", "accelerator_id", "route")
    )
