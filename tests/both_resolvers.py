"""One helper for the recognition probe files: resolve texts with the batch resolver and check
that the one-text resolver (the online path) gives the same answer on every resolved field, so
each class of wording is held on both paths by the same code."""

from __future__ import annotations

import unicodedata

import polars as pl

from chipcustoms.assess.online_enrich import RESOLVED
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.resolver import TEXT_FIELDS
from chipcustoms.recognise.row_resolver import RowResolver
from chipcustoms.recognise.textnorm import normalise_model_expr, normalise_model_text


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


def model_reading(refs: References, text: str, hs: str | None) -> tuple[object, object]:
    """(accelerator_id, is_accelerator) of one line: what the catalog rounds' model tables check."""
    row = resolve_pairs(refs, [(text, hs)]).row(0, named=True)
    return row["accelerator_id"], row["is_accelerator"]


def system_reading(refs: References, text: str) -> tuple[object, ...]:
    """(accelerator_id, is_accelerator, units_per_item, system_id) of a server line under 8471.50:
    what the catalog rounds' system tables check."""
    row = resolve_pairs(refs, [(text, "847150")]).row(0, named=True)
    return tuple(
        row[k] for k in ("accelerator_id", "is_accelerator", "units_per_item", "system_id")
    )


def left_out(refs: References, text: str, hs: str | None) -> bool:
    """A look-alike stays out: not an accelerator, no model, no system."""
    row = resolve_pairs(refs, [(text, hs)]).row(0, named=True)
    return (
        row["is_accelerator"] is False
        and row["accelerator_id"] is None
        and row["system_id"] is None
    )


# The Unicode blocks where Python's ``re`` and Polars' engine part on word and case rules:
# Latin-1 and Latin Extended, combining marks, general punctuation, CJK punctuation, the
# full-width forms, Turkish dotted and dotless i.
TWIN_BLOCKS = [(0x20, 0x24F), (0x300, 0x36F), (0x2000, 0x206F), (0x3000, 0x303F)]
TWIN_BLOCKS += [(0xFF00, 0xFFEF), (0x130, 0x131)]


def normalisation_differs(templates: list[str]) -> list[tuple[str, str, str]]:
    """(text, Python's normalisation, Polars') wherever the two differ, over every assigned
    character of :data:`TWIN_BLOCKS` put into each template's ``{}``: the one-text path and the
    batch must normalise alike for their answers to agree."""
    chars = sorted(
        {
            chr(c)
            for lo, hi in TWIN_BLOCKS
            for c in range(lo, hi + 1)
            if unicodedata.category(chr(c)) not in ("Cn", "Cs")
        }
    )
    texts = [t.format(c) for t in templates for c in chars]
    polars = pl.DataFrame({"t": texts}).select(normalise_model_expr(pl.col("t")))["t"]
    python = [normalise_model_text(t) for t in texts]
    return [(t, p, q) for t, p, q in zip(texts, python, polars, strict=True) if p != q]


Probe = tuple[object, ...]


def probe_failures(refs: References, probes: list[Probe]) -> list[tuple[object, ...]]:
    """The probes (text, id or None, is_accelerator[, units[, hs]]) whose answer on both paths
    differs from the expected one, each with what was got: one checker for the probe tables."""
    texts = [str(p[0]) for p in probes]
    hs = [str(p[4]) if len(p) > 4 else None for p in probes]
    rows = resolve_both(refs, texts, hs)
    failed = []
    for p, row in zip(probes, rows, strict=True):
        want_id, want_acc = p[1], p[2]
        ok = row["is_accelerator"] is want_acc or (not want_acc and row["is_accelerator"] is None)
        if want_id is not None:
            ok = ok and row["accelerator_id"] == want_id
        if len(p) > 3 and p[3] is not None:
            ok = ok and row["units_per_item"] == p[3]
        if not ok:
            got = (row["accelerator_id"], row["is_accelerator"], row["units_per_item"])
            failed.append((p[0], *got))
    return failed
