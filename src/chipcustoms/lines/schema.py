"""The canonical declaration line (design notes, "The canonical declaration line").

One table of fields drives ingest (types, required), the generator, the store and the docs;
adding a field here is the one change needed for it to flow end to end.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Field:
    name: str
    dtype: type[pl.DataType] | pl.DataType
    required: bool = False
    doc: str = ""


FIELDS: tuple[Field, ...] = (
    Field("declaration_id", pl.Utf8, True, "with item_no the natural key"),
    Field("item_no", pl.Int64, True, "goods item number, default 1"),
    Field("date", pl.Date, True, "acceptance date"),
    Field("flow", pl.Utf8, False, "import / export / transit"),
    Field("office", pl.Utf8, False, "customs office code"),
    Field("declarant_id", pl.Utf8),
    Field("importer_id", pl.Utf8),
    Field("exporter_id", pl.Utf8),
    Field("importer_name", pl.Utf8),
    Field("importer_address", pl.Utf8),
    Field("exporter_name", pl.Utf8),
    Field("exporter_address", pl.Utf8),
    Field("consignee_name", pl.Utf8),
    Field("origin_country", pl.Utf8, False, "ISO 3166-1 alpha-2"),
    Field("shipped_from_country", pl.Utf8, False, "ISO 3166-1 alpha-2"),
    Field("destination_country", pl.Utf8, False, "ISO 3166-1 alpha-2"),
    Field("transport_mode", pl.Utf8, False, "sea / air / road / rail / post / courier / other"),
    Field("hs_code", pl.Utf8, False, "6 to 10 digits"),
    Field("description", pl.Utf8, False, "goods description, any language"),
    Field("brand", pl.Utf8),
    Field("model", pl.Utf8),
    Field("part_number", pl.Utf8),
    Field("quantity", pl.Float64, False, "units (pieces) where possible"),
    Field("quantity_unit", pl.Utf8),
    Field("gross_weight_kg", pl.Float64),
    Field("net_weight_kg", pl.Float64),
    Field("value", pl.Float64, False, "declared customs value"),
    Field("currency", pl.Utf8, False, "ISO 4217"),
)

LABELS: tuple[Field, ...] = (
    Field("inspected", pl.Boolean, False, "label: the line was physically inspected"),
    Field("fraud", pl.Boolean, False, "label: the inspection found an irregularity"),
    Field("critical", pl.Int64, False, "label: severity class where the source has one"),
    Field("revenue", pl.Float64, False, "label: extra duty or fine recovered"),
)

EXTRA = "extra"  # JSON object text: every source column the mapping did not place

FLOWS = ("import", "export", "transit")
TRANSPORT_MODES = ("sea", "air", "road", "rail", "post", "courier", "other")

CANONICAL: dict[str, Field] = {f.name: f for f in FIELDS}
LABEL_FIELDS: dict[str, Field] = {f.name: f for f in LABELS}
KEY = ("declaration_id", "item_no")


def canonical_schema(with_labels: bool = True) -> dict[str, pl.DataType]:
    """Polars schema of a canonical batch (plus labels and `extra`)."""
    out: dict[str, pl.DataType] = {}
    for f in FIELDS + (LABELS if with_labels else ()):
        out[f.name] = f.dtype() if isinstance(f.dtype, type) else f.dtype
    out[EXTRA] = pl.Utf8()
    return out
