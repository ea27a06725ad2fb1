"""Conversion of declared values to USD with a dated monthly rate table.

The bundled table (refdata/fx/usd_rates.csv, sources in its README) can be replaced by the
user's own file with the same columns. Dates outside the table use its nearest month, so a run
never fails on a fresh date; the month used is part of the evidence.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import cast

import polars as pl

from chipcustoms.assess.frames import lookup
from chipcustoms.errors import ReferenceDataError
from chipcustoms.refdata import REFDATA

DEFAULT_RATES = REFDATA / "fx" / "usd_rates.csv"


@lru_cache(maxsize=4)
def load_rates(path: Path = DEFAULT_RATES) -> pl.DataFrame:
    """currency, month (Date, first of month), units_per_usd."""
    try:
        df = pl.read_csv(
            path,
            schema_overrides={"currency": pl.Utf8, "month": pl.Utf8, "units_per_usd": pl.Float64},
        )
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise ReferenceDataError(f"{path}: cannot read rate table: {exc}") from exc
    missing = {"currency", "month", "units_per_usd"} - set(df.columns)
    if missing:
        raise ReferenceDataError(f"{path}: missing column(s) {sorted(missing)}")
    df = df.with_columns(pl.col("month").str.to_date("%Y-%m"))
    bad = df.filter(pl.col("units_per_usd").is_null() | (pl.col("units_per_usd") <= 0))
    if bad.height:
        raise ReferenceDataError(f"{path}: non-positive or empty rate for {bad.row(0)}")
    return df


def to_usd(lines: pl.DataFrame, rates: pl.DataFrame | None = None) -> pl.DataFrame:
    """Add `value_usd` and `fx_rate` (units per USD used; null when the currency is unknown)."""
    rates = load_rates() if rates is None else rates
    # "month" is a Date column: its bounds are dates, or None when there are no rates.
    lo = cast("date | None", rates["month"].min())
    hi = cast("date | None", rates["month"].max())
    month = pl.col("date").dt.truncate("1mo").clip(lo, hi).alias("__fx_month")
    joined = lookup(
        lines.with_columns(month),
        rates.rename({"month": "__fx_month", "units_per_usd": "fx_rate"}),
        ["currency", "__fx_month"],
    )
    return joined.with_columns((pl.col("value") / pl.col("fx_rate")).alias("value_usd")).drop(
        "__fx_month"
    )
