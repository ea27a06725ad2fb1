"""The file- and store-level work behind `chipcustoms resolve` and `chipcustoms verify`.

Kept out of cli.py so the commands stay thin and the same functions serve the API.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from chipcustoms.errors import ChipCustomsError, InputError
from chipcustoms.lines.tableio import read_raw_checked
from chipcustoms.lines.tablewrite import write_table
from chipcustoms.recognise.captures import identify, parse_capture, verify
from chipcustoms.recognise.catalog import load_catalog
from chipcustoms.recognise.devset import Evaluation, evaluate, read_labelled
from chipcustoms.recognise.resolver import Resolver

# What `resolve` adds to each input row, in this order.
RESOLVE_COLUMNS = [
    "accelerator_id",
    "accelerator_vendor",
    "accelerator_model",
    "units_per_item",
    "is_accelerator",
    "confidence",
    "resolution_reason",
    "resolution_method",
    "resolution_match",
    "resolution_others",
]


def resolve_file(input: str, output: str, resolver: Resolver | None = None) -> pl.DataFrame:
    """Read descriptions, resolve them, write the rows back with the resolution columns."""
    df, _ = read_raw_checked(input)
    if "description" not in df.columns:
        raise InputError(missing_description(input, df.columns))
    resolver = resolver or Resolver(load_catalog())
    # A column the resolver writes (a labelled set's is_accelerator) is kept as <name>_input.
    df = df.rename({c: f"{c}_input" for c in RESOLVE_COLUMNS if c in df.columns})
    out = resolver.resolve(df).rename({"resolution_confidence": "confidence"})
    out = out.select(*df.columns, *RESOLVE_COLUMNS)
    write_table(out, output)
    return out


def missing_description(input: str, columns: list[str]) -> str:
    """Why a table without a ``description`` column was refused, and the fix: a CSV without a
    header row has its first goods line read as the column names ("has ['NVIDIA H100...']"),
    which a reader cannot tell from a misnamed column unless the message says so."""
    name = "standard input" if input == "-" else input
    return (
        f"{name}: needs a `description` column; the first line was read as the header row and "
        f"gave the columns {columns}. If the file has no header row, add a first line "
        "`description` (with the other column names, if any); otherwise rename the column "
        "that holds the goods text to `description`."
    )


def evaluate_file(path: str, resolver: Resolver | None = None) -> Evaluation:
    return evaluate(resolver or Resolver(load_catalog()), read_labelled(path))


def declared_line(
    description: str, units: float | None, resolver: Resolver
) -> tuple[str | None, float | None]:
    """The accelerator a declared text names, and the number of accelerators it declares."""
    row = resolver.resolve(pl.DataFrame({"description": [description]})).row(0, named=True)
    total = None if units is None else units * (row["units_per_item"] or 1)
    return row["accelerator_id"], total


def verify_text(
    text: str,
    *,
    declared: str | None = None,
    units: float | None = None,
    resolver: Resolver | None = None,
) -> dict[str, Any]:
    """Identify the accelerators in a capture and compare them with a declared description."""
    resolver = resolver or Resolver(load_catalog())
    declared_id, declared_units = (
        declared_line(declared, units, resolver) if declared else (None, units)
    )
    capture = identify(parse_capture(text), resolver)
    return verify(capture, declared_id, declared_units)


def verify_and_record(
    text: str, db: str, declaration_id: str, item_no: int, notes: str | None = None
) -> dict[str, Any]:
    """Verify against the stored line and record the result as its case's inspection outcome."""
    from chipcustoms.store import open_store
    from chipcustoms.store.casework import record_outcome

    store = open_store(db)
    record = store.line(declaration_id, item_no)
    if record is None:
        raise ChipCustomsError(f"{declaration_id} item {item_no} is not in {db}")
    if record["case"] is None:
        raise ChipCustomsError(
            f"{declaration_id} item {item_no} has no case in {db}: only selected lines have one"
        )
    decl = record["declaration"]
    text_fields = [decl.get(c) for c in ("description", "brand", "model")]
    description = " ".join(str(v) for v in text_fields if v)
    resolver = Resolver(load_catalog())
    quantity = decl.get("quantity")
    result = verify_text(
        text,
        declared=description,
        units=float(quantity) if quantity is not None else None,
        resolver=resolver,
    )
    result["declaration_id"], result["item_no"] = declaration_id, item_no
    found_ids = result["found_accelerator_ids"]
    outcome = record_outcome(
        store,
        int(record["case"]["case_id"]),
        found=None,  # decided by casework.found_from from the verification, as for the API
        real_accelerator_id=found_ids[0] if len(found_ids) == 1 else None,
        real_units=float(result["found_units"]),
        real_value_usd=None,
        capture=text,
        verification=json.dumps(result, default=str),
        notes=notes,
    )
    result["recorded_by"], result["recorded_at"] = outcome["recorded_by"], outcome["recorded_at"]
    return result
