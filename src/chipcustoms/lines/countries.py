"""Country-code normalisation to ISO 3166-1 alpha-2 (pycountry), vectorised via one lookup table.

Unknown-country markers (ZZ and friends) are meaningful in customs data: they are kept as null
and become evidence, whereas a value that is no country at all quarantines the row.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl
import pycountry

# ISO 3166 user-assigned codes that administrations use for "unknown" / "not stated".
UNKNOWN_MARKERS = frozenset({"ZZ", "XX", "XZ", "QU", "UNKNOWN", "N/A", "NA?", "-"})
# Codes in common customs use that pycountry does not list.
EXTRA_CODES = {"XK": "XK", "KOS": "XK", "UK": "GB", "EL": "GR"}


@lru_cache(maxsize=1)
def lookup() -> dict[str, str]:
    """Upper-cased alpha-2, alpha-3, numeric and English names -> alpha-2."""
    table: dict[str, str] = {}
    for c in pycountry.countries:
        a2 = c.alpha_2
        for key in (
            a2,
            c.alpha_3,
            getattr(c, "numeric", None),
            c.name,
            getattr(c, "official_name", None),
            getattr(c, "common_name", None),
        ):
            if key:
                table[str(key).upper()] = a2
    table.update(EXTRA_CODES)
    return table


def normalise(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Return (alpha-2 or null, is-unknown-marker, is-invalid) expressions for a text column."""
    key = expr.cast(pl.Utf8).str.strip_chars().str.to_uppercase()
    code = key.replace_strict(lookup(), default=None, return_dtype=pl.Utf8)
    marker = key.is_in(list(UNKNOWN_MARKERS))
    present = key.is_not_null() & (key != "")
    invalid = present & code.is_null() & ~marker
    return code, marker & present, invalid
