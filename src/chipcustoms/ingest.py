"""Ingest: raw source table -> canonical lines + quarantine, never dropping a row.

Every check is a vectorised expression that yields an error entry (field, reason) or null; a row
with any error goes to quarantine with its file, row number, every error and its raw values, so
``read == accepted + quarantined`` always holds and a rejected row can be fixed and resubmitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pycountry

from chipcustoms import countries
from chipcustoms.mapping import Mapping
from chipcustoms.schema import (
    CANONICAL,
    EXTRA,
    FLOWS,
    LABEL_FIELDS,
    TRANSPORT_MODES,
    canonical_schema,
)

ROW = "__row"
COUNTRY_FIELDS = ("origin_country", "shipped_from_country", "destination_country")
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
QUARANTINE_SCHEMA = {
    "file": pl.Utf8,
    "row": pl.Int64,
    "declaration_id": pl.Utf8,
    "item_no": pl.Utf8,
    "field": pl.Utf8,
    "reason": pl.Utf8,
    "errors": pl.Utf8,
    "raw": pl.Utf8,
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
    t = expr.cast(pl.Utf8).str.strip_chars()
    return pl.when(t == "").then(None).otherwise(t)


def _error(field: str, cond: pl.Expr, reason: pl.Expr | str) -> pl.Expr:
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    return pl.when(cond).then(pl.struct(pl.lit(field).alias("field"), reason_expr.alias("reason")))


def _shown(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit("'"), expr.cast(pl.Utf8).str.slice(0, 60), pl.lit("'"))


def ingest(raw: pl.DataFrame, mapping: Mapping, *, file: str = "-") -> IngestResult:
    """Validate and normalise one source table according to ``mapping``."""
    raw = raw.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    sources = mapping.source_columns(raw.columns)
    present = {f: s for f, s in sources.items() if s in raw.columns}
    schema = canonical_schema()

    values: dict[str, pl.Expr] = {}
    errors: list[pl.Expr] = []

    # Text in every string column: broken encoding is a row error wherever it appears.
    for col, dtype in raw.schema.items():
        if dtype == pl.Utf8:
            errors.append(
                _error(
                    col,
                    pl.col(col).str.contains("\ufffd", literal=True),
                    "broken encoding (invalid UTF-8 bytes)",
                )
            )

    for name in list(CANONICAL) + list(LABEL_FIELDS):
        src = present.get(name)
        text = _text(pl.col(src)) if src else pl.lit(None, dtype=pl.Utf8)
        default = mapping.defaults.get(name)
        if default is not None:
            text = text.fill_null(pl.lit(str(default)))
        if name in mapping.codes:
            table = {str(k): v for k, v in mapping.codes[name].items()}
            text = text.replace(table)
        values[name] = text

    out: dict[str, pl.Expr] = {}
    # Key
    out["declaration_id"] = values["declaration_id"]
    errors.append(
        _error(
            "declaration_id",
            values["declaration_id"].is_null(),
            "missing required key declaration_id",
        )
    )
    item_text = values["item_no"].fill_null("1")
    item = item_text.cast(pl.Float64, strict=False)
    out["item_no"] = item.cast(pl.Int64, strict=False)
    errors.append(
        _error(
            "item_no",
            item.is_null() | (item != item.floor()) | (item < 1),
            pl.concat_str(pl.lit("item_no must be a positive integer, got "), _shown(item_text)),
        )
    )
    # Date: the source's own type, or the mapping's formats in order.
    date_src = present.get("date")
    if date_src and raw.schema[date_src] == pl.Date:
        parsed_date = pl.col(date_src)
    elif date_src and isinstance(raw.schema[date_src], pl.Datetime):
        parsed_date = pl.col(date_src).dt.date()
    else:
        parsed_date = pl.coalesce(
            [values["date"].str.to_date(fmt, strict=False) for fmt in mapping.date_formats]
        )
    out["date"] = parsed_date
    errors.append(_error("date", values["date"].is_null(), "missing required field date"))
    errors.append(
        _error(
            "date",
            values["date"].is_not_null() & parsed_date.is_null(),
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
        errors.append(
            _error(
                name,
                values[name].is_not_null() & num.is_null(),
                pl.concat_str(pl.lit(f"{name} is not a number: "), _shown(values[name])),
            )
        )
        errors.append(
            _error(name, num < 0, pl.concat_str(pl.lit(f"negative {name} "), num.cast(pl.Utf8)))
        )
    # Enumerations
    flow = values["flow"].str.to_lowercase()
    out["flow"] = flow
    errors.append(
        _error(
            "flow",
            flow.is_not_null() & ~flow.is_in(list(FLOWS)),
            pl.concat_str(
                pl.lit(f"flow must be one of {', '.join(FLOWS)}, got "), _shown(values["flow"])
            ),
        )
    )
    mode = values["transport_mode"].str.to_lowercase().replace(TRANSPORT_ALIASES)
    out["transport_mode"] = (
        pl.when(mode.is_null() | mode.is_in(list(TRANSPORT_MODES)))
        .then(mode)
        .otherwise(pl.lit("other"))
    )
    # Countries
    unknown_markers: list[pl.Expr] = []
    for name in COUNTRY_FIELDS:
        code, marker, invalid = countries.normalise(values[name])
        out[name] = code
        unknown_markers.append(marker)
        errors.append(
            _error(
                name, invalid, pl.concat_str(pl.lit("unknown country code "), _shown(values[name]))
            )
        )
    # Currency (ISO 4217)
    currency = values["currency"].str.to_uppercase()
    out["currency"] = currency
    iso4217 = [c.alpha_3 for c in pycountry.currencies]
    errors.append(
        _error(
            "currency",
            currency.is_not_null() & ~currency.is_in(iso4217),
            pl.concat_str(pl.lit("unknown currency code "), _shown(currency)),
        )
    )
    errors.append(
        _error(
            "currency",
            values["value"].is_not_null() & currency.is_null(),
            "value given without a currency",
        )
    )
    # HS code: dots and spaces stripped; an odd length lost its leading zero to a number type.
    hs = values["hs_code"].str.replace_all(r"[.\s]", "")
    hs = pl.when(hs.str.len_chars() % 2 == 1).then(pl.concat_str(pl.lit("0"), hs)).otherwise(hs)
    out["hs_code"] = hs
    errors.append(
        _error(
            "hs_code",
            hs.is_not_null() & ~hs.str.contains(r"^\d{6,10}$"),
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
        out[name] = (
            pl.when(values[name].is_null())
            .then(None)
            .otherwise(values[name].str.to_lowercase().is_in(truthy))
        )
    out["critical"] = values["critical"].cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
    out["revenue"] = values["revenue"].cast(pl.Float64, strict=False)

    # Extra: every source column that no field took, as JSON text.
    used = set(present.values())
    rest = [c for c in raw.columns if c not in used and c != ROW]
    if mapping.keep_extra and rest:
        out[EXTRA] = pl.struct([pl.col(c) for c in rest]).struct.json_encode()
    else:
        out[EXTRA] = pl.lit(None, dtype=pl.Utf8)

    err_list = pl.concat_list([e for e in errors]).list.drop_nulls().alias("__errors")
    staged = raw.with_columns(
        err_list,
        pl.sum_horizontal(unknown_markers).alias("__unknown"),
        *[expr.cast(schema[name], strict=False).alias(f"__c_{name}") for name, expr in out.items()],
    )
    # Duplicate keys inside one file: the first row wins, later ones are quarantined.
    key_first = pl.col(ROW).min().over(["__c_declaration_id", "__c_item_no"])
    staged = staged.with_columns(
        pl.when(pl.col("__c_declaration_id").is_not_null() & (key_first != pl.col(ROW)))
        .then(
            pl.col("__errors").list.concat(
                pl.concat_list(
                    pl.struct(
                        pl.lit("declaration_id").alias("field"),
                        pl.concat_str(
                            pl.lit("duplicate key (declaration_id, item_no), first seen in row "),
                            key_first.cast(pl.Utf8),
                        ).alias("reason"),
                    )
                )
            )
        )
        .otherwise(pl.col("__errors"))
        .alias("__errors")
    )
    bad = pl.col("__errors").list.len() > 0
    accepted = staged.filter(~bad).select([pl.col(f"__c_{name}").alias(name) for name in schema])
    raw_cols = [c for c in raw.columns if c != ROW]
    quarantine = staged.filter(bad).select(
        pl.lit(file).alias("file"),
        pl.col(ROW).alias("row"),
        pl.col("__c_declaration_id").alias("declaration_id"),
        pl.col("__c_item_no").cast(pl.Utf8).alias("item_no"),
        pl.col("__errors").list.first().struct.field("field").alias("field"),
        pl.col("__errors")
        .list.eval(
            pl.concat_str(
                pl.element().struct.field("field"),
                pl.lit(": "),
                pl.element().struct.field("reason"),
            )
        )
        .list.join("; ")
        .alias("reason"),
        pl.struct(pl.col("__errors").alias("e")).struct.json_encode().alias("errors"),
        pl.struct([pl.col(c) for c in raw_cols]).struct.json_encode().alias("raw"),
    )
    unknown = int(staged.filter(~bad)["__unknown"].sum() or 0)
    return IngestResult(
        accepted=accepted,
        quarantine=quarantine.cast(QUARANTINE_SCHEMA),
        read=raw.height,
        unknown_country_markers=unknown,
    )


def read_and_ingest(path: str | Path, mapping: Mapping) -> IngestResult:
    """Convenience for the CLI: read by extension, then ingest."""
    from chipcustoms.tableio import read_raw

    return ingest(read_raw(path), mapping, file=str(path))
