"""The controlled-compute ledger: units and TPP-weighted compute of accelerator lines by model,
month, route and destination, split by what happened to them (found irregular, inspected and
clear, flagged, cleared), and the estimate of what passed unchecked.

The estimate applies the irregular rate of the inspected lines (Wilson interval) to the lines
no one inspected. Inspected lines are mostly chosen by risk, so the rate is an upper-side
estimate for the uninspected ones; the random share of the red budget (design.md) is the part
that keeps it honest, and where enough randomly selected lines exist it is their rate alone.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from chipcustoms.patterns.config import pattern_settings
from chipcustoms.patterns.intervals import wilson
from chipcustoms.patterns.routes import route_expr, units_expr

STATUSES = ("irregular", "inspected_clear", "flagged", "cleared")
MIN_RANDOM = 30  # randomly selected inspected lines needed to use their rate alone


def _status(columns: list[str]) -> pl.Expr:
    inspected = pl.col("inspected").fill_null(False) if "inspected" in columns else pl.lit(False)
    fraud = pl.col("fraud").fill_null(False) if "fraud" in columns else pl.lit(False)
    flagged = pl.col("channel").is_in(["red", "yellow"]) if "channel" in columns else pl.lit(False)
    return (
        pl.when(inspected & fraud).then(pl.lit("irregular"))
        .when(inspected).then(pl.lit("inspected_clear"))
        .when(flagged).then(pl.lit("flagged"))
        .otherwise(pl.lit("cleared"))
    )


def accelerator_lines(lines: pl.DataFrame) -> pl.DataFrame:
    acc = lines.filter(pl.col("accelerator_id").is_not_null())
    if "is_accelerator" in acc.columns:
        acc = acc.filter(pl.col("is_accelerator").fill_null(False))
    tpp = pl.col("tpp").fill_null(0.0) if "tpp" in acc.columns else pl.lit(0.0)
    return acc.with_columns(
        units_expr(acc.columns).alias("units"),
        _status(acc.columns).alias("status"),
        pl.col("date").dt.truncate("1mo").alias("month"),
    ).with_columns((pl.col("units") * tpp).alias("compute_tpp"))


def ledger(lines: pl.DataFrame) -> pl.DataFrame:
    """Units and compute per model, month, route, destination, in one column per status."""
    acc = accelerator_lines(lines)
    keys = ["accelerator_id", "month", "route", "destination_country"]
    long = acc.group_by(
        "accelerator_id", "month",
        route_expr().alias("route"), "destination_country", "status",
    ).agg(pl.len().alias("lines"), pl.col("units").sum(), pl.col("compute_tpp").sum())
    wide = long.pivot(on="status", index=keys, values=["units", "compute_tpp"],
                      aggregate_function="sum")
    for st in STATUSES:
        for v in ("units", "compute_tpp"):
            if f"{v}_{st}" not in wide.columns:
                wide = wide.with_columns(pl.lit(0.0).alias(f"{v}_{st}"))
    return wide.fill_null(0.0).with_columns(
        pl.sum_horizontal(f"units_{s}" for s in STATUSES).alias("units"),
        pl.sum_horizontal(f"compute_tpp_{s}" for s in STATUSES).alias("compute_tpp"),
    ).sort(keys)


def unchecked(lines: pl.DataFrame, confidence: float | None = None) -> dict[str, Any]:
    """The irregular units and compute estimated among the uninspected accelerator lines."""
    conf = confidence or pattern_settings().ledger.confidence
    acc = accelerator_lines(lines)
    inspected = acc.filter(pl.col("status").is_in(["irregular", "inspected_clear"]))
    basis = "all inspected lines (selected mostly by risk: an upper-side rate)"
    if "selection" in acc.columns:
        rnd = inspected.filter(pl.col("selection") == "random")
        if rnd.height >= MIN_RANDOM:
            inspected, basis = rnd, "randomly selected inspected lines (unbiased)"
    k = float((inspected["status"] == "irregular").sum())
    rate, lo, hi = wilson(k, inspected.height, conf)
    rest = acc.filter(~pl.col("status").is_in(["irregular", "inspected_clear"]))
    units, compute = float(rest["units"].sum()), float(rest["compute_tpp"].sum())
    return {
        "inspected_lines": inspected.height, "irregular_lines": int(k), "basis": basis,
        "rate": rate, "rate_low": lo, "rate_high": hi, "confidence": conf,
        "uninspected_lines": rest.height, "uninspected_units": units,
        "uninspected_compute_tpp": compute,
        "units": rate * units, "units_low": lo * units, "units_high": hi * units,
        "compute_tpp": rate * compute, "compute_low": lo * compute, "compute_high": hi * compute,
        "method": f"Wilson {conf:.0%} interval of the irregular rate x uninspected totals",
    }
