"""One helper for the recognition probe files: resolve texts with the batch resolver and check
that the one-text resolver (the online path) gives the same answer on every resolved field, so
each class of wording is held on both paths by the same code."""

from __future__ import annotations

import polars as pl

from chipcustoms.assess.online_enrich import RESOLVED
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.resolver import TEXT_FIELDS
from chipcustoms.recognise.row_resolver import RowResolver


def resolve_both(
    refs: References, texts: list[str], hs: list[str | None] | None = None
) -> list[dict[str, object]]:
    """The batch answers (the `RESOLVED` fields) for ``texts``, after asserting the one-text
    resolver's equal answer for each text it does not decline (None: a character the one-text
    path leaves to the batch)."""
    codes = hs or [None] * len(texts)
    cols: dict[str, list[str | None]] = {c: [None] * len(texts) for c in TEXT_FIELDS}
    cols["description"] = list(texts)
    cols["hs_code"] = list(codes)
    lines = pl.DataFrame(cols, schema=dict.fromkeys(TEXT_FIELDS, pl.Utf8))
    rows = refs.resolver.resolve(lines).select(RESOLVED).to_dicts()
    row = RowResolver(refs.resolver)
    for line, want in zip(lines.iter_rows(), rows, strict=True):
        got = row.resolve(line)
        assert got is None or got == want, (line[0], got, want)
    return rows


def resolve_pairs(refs: References, rows: list[tuple[str, str | None]]) -> pl.DataFrame:
    """The batch resolver's whole answer for (description, HS code) pairs: the catalog files
    check fields beyond `RESOLVED` (system, possible models, units), so they take the frame."""
    lines = pl.DataFrame(
        {"description": [t for t, _ in rows], "hs_code": [h for _, h in rows]},
        schema={"description": pl.Utf8, "hs_code": pl.Utf8},
    )
    return refs.resolver.resolve(lines)
