"""Which comes first on a line: a named system that always carries one model, or another
model's number. "GB300 NVL72 and GB200 NVL4 systems", "HGX H200/B200": the system named first
is the line's first model, as a model number written first is ("H100 GPUs in a DGX B200" stays
the H100). The resolver searches model numbers outside the system's name (so "Atlas 800T A2"
is no NVIDIA A2), which loses where the name stood; this puts it back. Both resolvers call it
with the same pattern strings.
"""

from __future__ import annotations

import re

import polars as pl


def system_first(norm: pl.Expr, outside: pl.Expr, system: str, alias: str) -> pl.Expr:
    """``__sys_first``: the system pattern matches before any alias outside it. ``outside`` is
    the text with the system's name replaced by a space, which the resolver already made to
    search the aliases in, so every position before the name is the same in both texts."""
    at = norm.str.find(system)
    other = outside.str.find(alias)
    return (at.is_not_null() & (other.is_null() | (other > at))).alias("__sys_first")


def named_first() -> pl.Expr:
    """The decide step's test: the line's system, which carries one model, stands before a
    different model's number (the same model written after its system is read as written)."""
    return (
        pl.col("__sys_first").fill_null(False)
        & pl.col("__sys_model").is_not_null()
        & pl.col("__alias_ids").list.first().ne_missing(pl.col("__sys_model"))
    )


def system_first_text(
    norm: str, outside: str, system: re.Pattern[str], alias: re.Pattern[str]
) -> bool:
    """:func:`system_first` for one text (the one-text resolver)."""
    at = system.search(norm)
    if at is None:
        return False
    other = alias.search(outside)
    return other is None or other.start() > at.start()
