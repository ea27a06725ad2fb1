"""Row checks for values a reader delivers but the rest of the system cannot hold.

A date of year -1 parses, and an exponent of 400 is a number; but Python's dates stop at
years 1 and 9999 (the summary, the store and the pages read dates as Python dates), a NaN or
infinite value has no place in a sum in USD, and PostgreSQL text cannot hold a NUL character.
Such a row cannot be interpreted (design notes, "quarantined"), so each gives a quarantine
reason here instead of a crash further down the pipeline.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from chipcustoms.lines.salvage import READ_ERROR

Check = tuple[str, pl.Expr, pl.Expr]  # field, condition, reason (as in ingest)
FIRST_DATE, LAST_DATE = dt.date(1, 1, 1), dt.date(9999, 12, 31)
LARGEST_ITEM = 2**53  # item numbers travel as float while checked: exact up to here


def unreadable(raw: pl.DataFrame) -> list[Check]:
    """The reader's own verdict on a row it could not split into fields."""
    if READ_ERROR not in raw.columns:
        return []
    return [("row", pl.col(READ_ERROR).is_not_null(), pl.col(READ_ERROR))]


def no_nul(raw: pl.DataFrame, skip: tuple[str, ...]) -> list[Check]:
    """A NUL character in any text column."""
    return [
        (col, pl.col(col).str.contains("\x00", literal=True), pl.lit("NUL character in text"))
        for col, dtype in raw.schema.items()
        if dtype == pl.Utf8 and col not in skip
    ]


def in_range(date: pl.Expr) -> Check:
    """A date Python can represent."""
    return (
        "date",
        (date < FIRST_DATE) | (date > LAST_DATE),
        pl.concat_str(
            pl.lit("date out of range (years 1 to 9999): "), date.dt.year().cast(pl.Utf8)
        ),
    )


def finite(name: str, num: pl.Expr) -> Check:
    """A number that is NaN or infinite (JSON NaN, Parquet inf, a CSV 1e400)."""
    return name, num.is_nan() | num.is_infinite(), pl.lit(f"{name} is not a finite number")
