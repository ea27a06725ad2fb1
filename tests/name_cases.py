"""Shared pieces of the name-class test files (test_name_classes*.py): the bound's check over a
file's cases, and a small watchlist frame for index tests, so each round's file states only its
cases."""

from __future__ import annotations

import numpy as np
import polars as pl

from chipcustoms.parties.bound import upper_bounds
from chipcustoms.parties.compare import compare
from chipcustoms.parties.names import normalize

LIST_COLUMNS = ("aliases", "countries", "addresses", "identifiers")


def plain(case: object) -> tuple[str, str, str, bool]:
    """(schema, name1, name2, match) of a case, also when wrapped in ``pytest.param``."""
    values = getattr(case, "values", case)
    schema, a, b, match = values  # type: ignore[misc]
    return str(schema), str(a), str(b), bool(match)


def bound_violations(cases: list[object]) -> list[tuple[str, str, str, bool]]:
    """The cases whose full score is above the prefilter's bound (there must be none)."""
    rows = [plain(c) for c in cases]
    left = [normalize(a).tokens for _, a, _, _ in rows]
    right = [normalize(b).tokens for _, _, b, _ in rows]
    idx = np.arange(len(rows))
    ub = upper_bounds(left, right, idx, idx)
    full = np.array([compare(normalize(a), normalize(b), s).score for s, a, b, _ in rows])
    return [rows[i] for i in np.flatnonzero(full > ub)]


def list_entities(listed: list[tuple[str, str, str]]) -> pl.DataFrame:
    """A one-list watchlist frame of (entity id, schema, name), no aliases or identifiers."""
    return pl.DataFrame(
        {
            "list_name": "t",
            "list_version": 1,
            "entity_id": [e for e, _, _ in listed],
            "schema": [s for _, s, _ in listed],
            "name": [n for _, _, n in listed],
            **{c: [[] for _ in listed] for c in LIST_COLUMNS},
        },
        schema_overrides={c: pl.List(pl.Utf8) for c in LIST_COLUMNS},
    )
