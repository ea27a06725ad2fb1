"""Values derived once per distinct source value, joined back as working columns.

Country, currency, mode and HS columns hold a few hundred distinct values in millions of
rows: normalising the distinct values (found once for all derivations) is far cheaper than
normalising every row, and joining the results back once per column is cheaper than mapping
each derivation back on its own (one hash join instead of one dictionary replace per
derivation: three per country column). Ingest's checks and conversions then read plain
columns. Every working column's name starts with :data:`WORK`, which no source column can
(names starting with ``__`` are refused on input), so none reaches the quarantine's raw values
or the `extra` column.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from chipcustoms.assess.frames import lookup

DISTINCT_LIMIT = 200_000
WORK = "__w_"  # ingest's working columns: a trimmed value, a derived one

Derive = tuple[Callable[[pl.Expr], pl.Expr], pl.DataType]


def per_distinct(
    raw: pl.DataFrame, name: str, value: pl.Expr, *derive: Derive
) -> tuple[pl.DataFrame, list[pl.Expr]]:
    """``raw`` with each ``fn(value)`` of ``derive`` computed once per distinct value and
    joined back (a null value derives nulls), and the expressions that read them. A column
    with too many distinct values gets the plain expressions instead."""
    distinct = raw.select(value.unique().alias("v")).drop_nulls()
    if distinct.height > DISTINCT_LIMIT:
        return raw, [fn(value) for fn, _ in derive]
    key = f"{WORK}d_{name}"
    cols = [f"{key}_{k}" for k in range(len(derive))]
    mapped = distinct.select(
        pl.col("v").alias(key),
        *(
            fn(pl.col("v")).cast(dtype).alias(c)
            for c, (fn, dtype) in zip(cols, derive, strict=True)
        ),
    )
    return lookup(raw.with_columns(value.alias(key)), mapped, key), [pl.col(c) for c in cols]


def working(columns: list[str]) -> set[str]:
    """The working columns among ``columns``."""
    return {c for c in columns if c.startswith(WORK)}
