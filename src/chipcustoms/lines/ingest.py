"""Ingest: raw source table -> canonical lines + quarantine, never dropping a row.

Every check is a vectorised expression that yields an error entry (field, reason) or null; a row
with any error goes to quarantine with its file, row number, every error and its raw values, so
``read == accepted + quarantined`` always holds and a rejected row can be fixed and resubmitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pycountry

from chipcustoms.lines import bounds, countries
from chipcustoms.lines.derived import WORK, per_distinct, working
from chipcustoms.lines.mapping import Mapping
from chipcustoms.lines.quarantine import (
    QUARANTINE_SCHEMA,
    ROW,
    Check,
    apply_checks,
    duplicate_keys,
    error,
)
from chipcustoms.lines.salvage import MARKERS, check_names
from chipcustoms.lines.schema import (
    CANONICAL,
    EXTRA,
    FLOWS,
    LABEL_FIELDS,
    TRANSPORT_MODES,
    canonical_schema,
)

CHUNK_ROWS = 1_000_000  # bounded working memory for larger inputs: checks run chunk by chunk
COUNTRY_FIELDS = ("origin_country", "shipped_from_country", "destination_country")
# Kept as declared (no trimming): long free text, and identifiers that are only compared whole.
FREE_TEXT = frozenset(
    {
        "description",
        "importer_name",
        "importer_address",
        "exporter_name",
        "exporter_address",
        "consignee_name",
        "brand",
        "model",
        "part_number",
        "office",
        "declarant_id",
        "importer_id",
        "exporter_id",
        "quantity_unit",
    }
)
# Numbers that a typed source (Parquet, JSONL, a typed CSV read) delivers ready to use.
TYPED_FIELDS = frozenset(
    {"item_no", "quantity", "gross_weight_kg", "net_weight_kg", "value", "critical", "revenue"}
)
NUMERIC_FIELDS = ("quantity", "gross_weight_kg", "net_weight_kg", "value")
TRANSPORT_ALIASES = {
    "maritime": "sea",
    "ship": "sea",
    "vessel": "sea",
    "ocean": "sea",
    "truck": "road",
    "mail": "post",
    "postal": "post",
    "express": "courier",
}


@dataclass(frozen=True)
class IngestResult:
    """Accepted canonical lines, quarantined rows, and the counts that must add up."""

    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    read: int
    unknown_country_markers: int

    @property
    def quarantined(self) -> int:
        return self.quarantine.height


def _text(expr: pl.Expr) -> pl.Expr:
    """Source value as trimmed text, empty string as null."""
    return expr.cast(pl.Utf8).str.strip_chars().replace("", None)


def _clean_hs(e: pl.Expr) -> pl.Expr:
    """Dots and spaces stripped; an odd length lost its leading zero to a number type."""
    hs = e.str.replace_all(r"[.\s]", "")
    return pl.when(hs.str.len_chars() % 2 == 1).then(pl.concat_str(pl.lit("0"), hs)).otherwise(hs)


def _transport_mode(e: pl.Expr) -> pl.Expr:
    """A listed mode (lower case, common aliases read), else `other`; null stays null."""
    mode = e.str.to_lowercase().replace(TRANSPORT_ALIASES)
    listed = mode.is_null() | mode.is_in(list(TRANSPORT_MODES))
    return pl.when(listed).then(mode).otherwise(pl.lit("other"))


def _unlisted(e: pl.Expr, listed: Iterable[str]) -> pl.Expr:
    return e.is_not_null() & ~e.is_in(list(listed))


def _shown(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit("'"), expr.cast(pl.Utf8).str.slice(0, 60), pl.lit("'"))


def ingest(
    raw: pl.DataFrame,
    mapping: Mapping,
    *,
    file: str = "-",
    check_encoding: bool = True,
    check_duplicates: bool = True,
    keep_row: bool = False,
) -> IngestResult:
    """Validate and normalise one source table according to ``mapping``.

    A streamed run (:mod:`chipcustoms.run.streaming`) ingests partition by partition: it turns the
    duplicate-key check off here and runs it over the whole input instead, and asks for each
    accepted line's row number (``keep_row``, column ``__row``) to find the duplicates by.
    """
    check_names(raw.columns, file, allow=MARKERS)
    raw = raw.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    sources = mapping.source_columns(raw.columns)
    present = {f: s for f, s in sources.items() if s in raw.columns}
    schema = canonical_schema()

    values: dict[str, pl.Expr] = {}
    errors: list[Check] = bounds.unreadable(raw)
    if check_encoding:  # the reader saw invalid UTF-8 or a NUL character somewhere
        errors += bounds.no_nul(raw, MARKERS)

    # Text in every string column: broken encoding is a row error wherever it appears.
    for col, dtype in raw.schema.items():
        if check_encoding and dtype == pl.Utf8 and col not in MARKERS:
            errors.append(
                error(
                    col,
                    pl.col(col).str.contains("\ufffd", literal=True),
                    "broken encoding (invalid UTF-8 bytes)",
                )
            )

    typed: set[str] = set()  # fields whose source column already has a number or date type
    trimmed: dict[str, pl.Expr] = {}
    for name in list(CANONICAL) + list(LABEL_FIELDS):
        src = present.get(name)
        if not src:
            text = pl.lit(None, dtype=pl.Utf8)
        elif name in TYPED_FIELDS and raw.schema[src].is_numeric():
            typed.add(name)
            text = pl.col(src)
            if mapping.defaults.get(name) is not None:
                text = text.fill_null(float(mapping.defaults[name]))
            values[name] = text
            continue
        elif name in FREE_TEXT:
            text = pl.col(src).cast(pl.Utf8)  # kept as declared: trimming long text costs a copy
        else:
            text = _text(pl.col(src))
        default = mapping.defaults.get(name)
        if default is not None:
            text = text.fill_null(pl.lit(str(default)))
        if name in mapping.codes:
            table = {str(k): v for k, v in mapping.codes[name].items()}
            text = text.replace(table)
        values[name] = text
        if src and (name not in FREE_TEXT or name in mapping.codes or default is not None):
            trimmed[name] = text
    # A trimmed value is read by several checks and conversions: computed once, as a column.
    raw = raw.with_columns(e.alias(f"{WORK}t_{n}") for n, e in trimmed.items())
    values.update({n: pl.col(f"{WORK}t_{n}") for n in trimmed})

    out: dict[str, pl.Expr] = {}
    # Key
    out["declaration_id"] = values["declaration_id"]
    errors.append(
        error(
            "declaration_id",
            values["declaration_id"].is_null(),
            "missing required key declaration_id",
        )
    )
    item_text = values["item_no"].fill_null(1 if "item_no" in typed else "1")
    item = item_text.cast(pl.Float64, strict=False)
    out["item_no"] = item.cast(pl.Int64, strict=False)
    errors.append(
        error(
            "item_no",
            item.is_null() | (item != item.floor()) | (item < 1) | (item > bounds.LARGEST_ITEM),
            pl.concat_str(pl.lit("item_no must be a positive integer, got "), _shown(item_text)),
        )
    )
    # Date: the source's own type, or the mapping's formats in order.
    date_src = present.get("date", "")
    date_typed = bool(date_src) and (
        raw.schema[date_src] == pl.Date or isinstance(raw.schema[date_src], pl.Datetime)
    )
    if date_typed:
        parsed_date = pl.col(date_src).cast(pl.Date)
        values["date"] = parsed_date  # nothing to parse: only "missing" can fail
    else:
        parsed_date = pl.coalesce(
            [values["date"].str.to_date(fmt, strict=False) for fmt in mapping.date_formats]
        )
    out["date"] = parsed_date
    errors.append(error("date", values["date"].is_null(), "missing required field date"))
    errors.append(bounds.in_range(parsed_date))
    errors.append(
        error(
            "date",
            pl.lit(False) if date_typed else values["date"].is_not_null() & parsed_date.is_null(),
            pl.concat_str(
                pl.lit("unparseable date "),
                _shown(values["date"]),
                pl.lit(f" (formats {', '.join(mapping.date_formats)})"),
            ),
        )
    )
    # Numbers
    for name in NUMERIC_FIELDS:
        num = values[name].cast(pl.Float64, strict=False)
        out[name] = num
        if name not in typed:
            errors.append(
                error(
                    name,
                    values[name].is_not_null() & num.is_null(),
                    pl.concat_str(pl.lit(f"{name} is not a number: "), _shown(values[name])),
                )
            )
        errors.append(
            error(name, num < 0, pl.concat_str(pl.lit(f"negative {name} "), num.cast(pl.Utf8)))
        )
        errors.append(bounds.finite(name, num))
    # Enumerations
    raw, (flow, bad_flow) = per_distinct(
        raw,
        "flow",
        values["flow"],
        (lambda e: e.str.to_lowercase(), pl.Utf8()),
        (lambda e: _unlisted(e.str.to_lowercase(), FLOWS), pl.Boolean()),
    )
    out["flow"] = flow
    errors.append(
        error(
            "flow",
            bad_flow,
            pl.concat_str(
                pl.lit(f"flow must be one of {', '.join(FLOWS)}, got "), _shown(values["flow"])
            ),
        )
    )
    raw, (out["transport_mode"],) = per_distinct(
        raw, "transport_mode", values["transport_mode"], (_transport_mode, pl.Utf8())
    )
    # Countries
    unknown_markers: list[pl.Expr] = []
    for name in COUNTRY_FIELDS:
        raw, (code, marker, invalid) = per_distinct(
            raw,
            name,
            values[name],
            (lambda e: countries.normalise(e)[0], pl.Utf8()),
            (lambda e: countries.normalise(e)[1], pl.Boolean()),
            (lambda e: countries.normalise(e)[2], pl.Boolean()),
        )
        out[name] = code
        unknown_markers.append(marker)
        errors.append(
            error(
                name, invalid, pl.concat_str(pl.lit("unknown country code "), _shown(values[name]))
            )
        )
    # Currency (ISO 4217)
    iso4217 = [c.alpha_3 for c in pycountry.currencies]
    raw, (currency, bad_currency) = per_distinct(
        raw,
        "currency",
        values["currency"],
        (lambda e: e.str.to_uppercase(), pl.Utf8()),
        (lambda e: _unlisted(e.str.to_uppercase(), iso4217), pl.Boolean()),
    )
    out["currency"] = currency
    errors.append(
        error(
            "currency",
            bad_currency,
            pl.concat_str(pl.lit("unknown currency code "), _shown(currency)),
        )
    )
    errors.append(
        error(
            "currency",
            values["value"].is_not_null() & currency.is_null(),
            "value given without a currency",
        )
    )
    # HS code: dots and spaces stripped; an odd length lost its leading zero to a number type.
    raw, (hs, hs_bad) = per_distinct(
        raw,
        "hs_code",
        values["hs_code"],
        (_clean_hs, pl.Utf8()),
        (lambda e: ~_clean_hs(e).str.contains(r"^\d{6,10}$"), pl.Boolean()),
    )
    out["hs_code"] = hs
    errors.append(
        error(
            "hs_code",
            hs_bad.fill_null(False),
            pl.concat_str(
                pl.lit("hs_code must be 6 to 10 digits, got "), _shown(values["hs_code"])
            ),
        )
    )
    # Plain text fields
    for name, field in CANONICAL.items():
        if name not in out:
            out[name] = values[name]
            assert field.dtype == pl.Utf8, name
    # Labels
    truthy = [v.lower() for v in mapping.true_values]
    for name in ("inspected", "fraud"):
        src = present.get(name)
        if src and raw.schema[src] == pl.Boolean:
            out[name] = pl.col(src)
            continue
        raw, (out[name],) = per_distinct(
            raw,
            name,
            values[name],
            (
                lambda e: (
                    pl.when(e.is_null()).then(None).otherwise(e.str.to_lowercase().is_in(truthy))
                ),
                pl.Boolean(),
            ),
        )
    out["critical"] = values["critical"].cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
    out["revenue"] = values["revenue"].cast(pl.Float64, strict=False)

    # Extra: every source column that no field took, as JSON text.
    used = set(present.values())
    skip = {ROW, *MARKERS, *working(raw.columns)}
    rest = [c for c in raw.columns if c not in used and c not in skip]
    if mapping.keep_extra and rest:
        out[EXTRA] = pl.struct([pl.col(c) for c in rest]).struct.json_encode()
    else:
        out[EXTRA] = pl.lit(None, dtype=pl.Utf8)

    # Duplicate keys inside one file: the first row wins, later ones are quarantined. Found over
    # the whole file first, so that the rest can run in bounded chunks.
    raw, duplicate = duplicate_keys(raw, out, check_duplicates)
    checks = [*errors, duplicate]
    skip = {ROW, "__first", *MARKERS, *working(raw.columns)}
    raw_cols = [c for c in raw.columns if c not in skip]
    parts = [
        apply_checks(
            raw.slice(offset, CHUNK_ROWS),
            out,
            checks,
            unknown_markers,
            {ROW: pl.Int64(), **schema} if keep_row else schema,
            raw_cols,
            file,
        )
        for offset in range(0, max(raw.height, 1), CHUNK_ROWS)
    ]
    return IngestResult(
        # One chunk per column: later selects then copy nothing.
        accepted=pl.concat([p[0] for p in parts]).rechunk(),
        quarantine=pl.concat([p[1] for p in parts]).cast(QUARANTINE_SCHEMA),
        read=raw.height,
        unknown_country_markers=sum(p[2] for p in parts),
    )


def read_and_ingest(path: str | Path, mapping: Mapping) -> IngestResult:
    """Convenience for the CLI: read by extension, then ingest."""
    from chipcustoms.lines.tableio import read_raw_checked

    raw, lossy = read_raw_checked(path, mapping.typed_columns)
    return ingest(raw, mapping, file=str(path), check_encoding=lossy)
