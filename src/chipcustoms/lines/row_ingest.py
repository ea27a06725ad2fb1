"""Ingest for a few all-text lines (the API's single-line screen), without the batch machinery.

:func:`chipcustoms.lines.ingest.ingest` costs about 12 ms for one line: some thirty Polars
queries, each paying its fixed cost for a single row. A line at lodgement must be accepted in
well under a millisecond. This module accepts what it can prove the batch ingest accepts *and
normalises identically* (plain ISO dates, plain decimal numbers, known codes, no extra column,
no duplicate key, nothing to trim but ASCII blanks) and answers None for anything else, so the
caller runs the batch ingest: every refusal, with its exact messages, still comes from there.
``tests/test_row_ingest.py`` holds the two paths equal over generated lines and edge values.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

import polars as pl
import pycountry

from chipcustoms.lines import bounds, countries
from chipcustoms.lines.ingest import FREE_TEXT, TRANSPORT_ALIASES
from chipcustoms.lines.mapping import Mapping, load_mapping
from chipcustoms.lines.schema import (
    CANONICAL,
    EXTRA,
    FLOWS,
    LABEL_FIELDS,
    TRANSPORT_MODES,
    canonical_schema,
)

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECIMAL = re.compile(r"^\d{1,300}(\.\d{1,300})?$")  # no sign, exponent, inf or nan: fallback
ITEM = re.compile(r"^\d{1,15}$")
HS = re.compile(r"^[0-9. ]{1,40}$")
ASCII_BLANKS = " \t\r\n"
NUMBERS = ("quantity", "gross_weight_kg", "net_weight_kg", "value")
HANDLED = {
    "declaration_id",
    "item_no",
    "date",
    "flow",
    "transport_mode",
    "origin_country",
    "shipped_from_country",
    "destination_country",
    "currency",
    "hs_code",
    *NUMBERS,
}


class Fallback(Exception):
    """This line needs the batch ingest (an error to report, or a spelling not handled here)."""


@cache
def _setup() -> tuple[Mapping, dict[str, str], frozenset[str], dict[str, pl.DataType]]:
    mapping = load_mapping(None)
    if not mapping.date_formats or mapping.date_formats[0] != "%Y-%m-%d" or mapping.codes:
        raise RuntimeError("row ingest assumes the canonical mapping's ISO dates and no codes")
    iso4217 = frozenset(c.alpha_3 for c in pycountry.currencies)
    return mapping, countries.lookup(), iso4217, canonical_schema()


def _text(v: str | None, *, free: bool) -> str | None:
    """The batch's ``_text`` (trim, empty as null) or, for free text, the value as declared."""
    if v is None:
        return None
    if "\x00" in v or "\ufffd" in v:
        raise Fallback
    if free:
        return v
    t = v.strip(ASCII_BLANKS)
    if t != t.strip():  # other Unicode blanks: Rust's and Python's lists differ at the edges
        raise Fallback
    return t or None


def _ascii(v: str) -> str:
    if not v.isascii():  # upper/lower case rules of Rust and Python differ beyond ASCII
        raise Fallback
    return v


def _row(record: dict[str, str | None]) -> dict[str, Any]:
    mapping, country_codes, iso4217, _ = _setup()
    if set(record) - set(CANONICAL):
        raise Fallback  # an extra column: its JSON text is the batch's to write
    v: dict[str, str | None] = {}
    for name in CANONICAL:
        text = _text(record.get(name), free=name in FREE_TEXT)
        default = mapping.defaults.get(name)
        v[name] = str(default) if text is None and default is not None else text
    out: dict[str, Any] = {name: v[name] for name in CANONICAL if name not in HANDLED}
    if v["declaration_id"] is None:
        raise Fallback
    out["declaration_id"] = v["declaration_id"]
    item = v["item_no"] or "1"
    if not ITEM.match(item) or not 1 <= int(item) <= bounds.LARGEST_ITEM:
        raise Fallback
    out["item_no"] = int(item)
    date = v["date"]
    if date is None or not ISO_DATE.match(date):
        raise Fallback
    try:
        out["date"] = dt.date.fromisoformat(date)
    except ValueError:
        raise Fallback from None
    for name in NUMBERS:
        num = v[name]
        if num is not None and not DECIMAL.match(num):
            raise Fallback
        out[name] = None if num is None else float(num)
    flow = None if v["flow"] is None else _ascii(v["flow"]).lower()
    if flow is not None and flow not in FLOWS:
        raise Fallback
    out["flow"] = flow
    mode = v["transport_mode"]
    if mode is not None:
        mode = _ascii(mode).lower()
        mode = TRANSPORT_ALIASES.get(mode, mode)
        mode = mode if mode in TRANSPORT_MODES else "other"
    out["transport_mode"] = mode
    for name in ("origin_country", "shipped_from_country", "destination_country"):
        raw = v[name]
        code = None if raw is None else country_codes.get(_ascii(raw).strip().upper())
        if raw is not None and code is None:  # an unknown-country marker or an invalid code
            raise Fallback
        out[name] = code
    currency = None if v["currency"] is None else _ascii(v["currency"]).upper()
    if (currency is not None and currency not in iso4217) or (
        currency is None and v["value"] is not None
    ):
        raise Fallback
    out["currency"] = currency
    hs = v["hs_code"]
    if hs is not None:
        if not HS.match(hs):
            raise Fallback
        hs = hs.replace(".", "").replace(" ", "")
        hs = "0" + hs if len(hs) % 2 else hs
        if not 6 <= len(hs) <= 10:
            raise Fallback
    out["hs_code"] = hs
    out.update(dict.fromkeys(LABEL_FIELDS))
    out[EXTRA] = None
    return out


def ingest_rows(records: list[dict[str, str | None]]) -> pl.DataFrame | None:
    """The accepted canonical lines of ``records`` (all-text values keyed by canonical column,
    as the API builds them), exactly as the batch ingest would give them; None when any record
    needs the batch ingest (then run it on all of them, so the answer stays whole)."""
    schema = _setup()[3]
    try:
        rows = [_row(r) for r in records]
    except Fallback:
        return None
    keys = {(r["declaration_id"], r["item_no"]) for r in rows}
    if len(keys) != len(rows):
        return None  # a duplicate key: quarantined by the batch ingest, with its row number
    return pl.DataFrame(rows, schema=schema)
