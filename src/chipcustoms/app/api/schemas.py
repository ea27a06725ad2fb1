"""Request bodies. Unknown fields are refused (``extra="forbid"``) so a typo is never ignored."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import polars as pl
import pycountry
from fastapi import Path as PathParam
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    create_model,
    model_validator,
)
from pydantic import Strict as Exact

from chipcustoms.lines import countries
from chipcustoms.lines.ingest import COUNTRY_FIELDS
from chipcustoms.lines.schema import FIELDS, FLOWS, LABEL_FIELDS, TRANSPORT_MODES

# The largest integer a JSON number carries exactly (IEEE double): above it a client that reads
# numbers as doubles (JavaScript, most JSON Schema validators) and the server disagree on which
# side of a bound a value falls (schemathesis sent 2**63 + 192 as "valid" against le=2**63-1).
# item_no is a 64-bit integer in both stores, so every item number below it fits.
JSON_INT_MAX = 2**53 - 1
# A row id in a URL (case, job): the tables' integer keys are 32-bit on PostgreSQL, so a larger
# one is a 422, not a 500 from the store (schemathesis sent 2**53 - 2 to PostgreSQL).
ROW_ID_MAX = 2**31 - 1
RowId = Annotated[int, PathParam(ge=0, le=ROW_ID_MAX)]
# An item number in a URL: 64-bit in the stores, bounded where JSON numbers are exact.
ItemNo = Annotated[int, PathParam(ge=0, le=JSON_INT_MAX)]

MAX_LINES = 1_000
_TYPES: dict[str, Any] = {"String": str, "Int64": int, "Float64": float, "Date": dt.date}


# Text as the stores keep it: PostgreSQL text cannot hold NUL.
TEXT = r"^[^\x00]*$"
Text = Annotated[str, Field(pattern=TEXT)]
# Names an ``extra`` entry may not take: ingest would read it as the canonical field or label of
# that name (compared trimmed and case-insensitively), so ``extra: {"office": ...}`` would move
# the line and ``{"fraud": "true"}`` would become a training label.
RESERVED = frozenset(f.name for f in FIELDS) | frozenset(LABEL_FIELDS) | {"extra", "__row"}


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


# ... nor start with "__": ingest's working columns (lines/salvage.check_names refuses them).
EXTRA_KEY = Annotated[
    str,
    Field(
        pattern=r"^(?!__)(?!\s*(?:"
        + "|".join(_any_case(w) for w in sorted(RESERVED))
        + r")\s*$)[^\x00]*$"
    ),
]


def _iso_text(value: Any) -> Any:
    """A date is ISO text (``format: date``), never a number read as a timestamp."""
    if not isinstance(value, str | dt.date):
        raise ValueError("a date is text: YYYY-MM-DD")
    return value


def _whole(value: Any) -> Any:
    """A JSON number with no fraction is an integer (JSON Schema: ``1.0`` is ``type: integer``),
    so ``item_no: 1.0`` is item 1; ``1.5``, text and booleans still fail the strict check."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _codes() -> list[str]:
    """Alpha-2 codes ingest accepts (pycountry, customs' extra ones, the unknown markers)."""
    found = (
        {c.alpha_2 for c in pycountry.countries}
        | {k for k in countries.EXTRA_CODES if len(k) == 2}
        | {m for m in countries.UNKNOWN_MARKERS if len(m) == 2 and m.isalpha()}
    )
    return sorted(found)


# What ingest (lines/ingest.py) checks, said in the schema so that a request the schema allows
# is never refused afterwards and one it forbids is refused here, with the field named.
_CONSTRAINTS: dict[str, tuple[Any, dict[str, Any]]] = {
    "declaration_id": (str, {"pattern": r"^[^\x00]*[^\s\x00][^\x00]*$", "max_length": 200}),
    "item_no": (
        Annotated[int, Exact(), Field(ge=1, le=JSON_INT_MAX), BeforeValidator(_whole)], {}
    ),
    "date": (Annotated[dt.date, BeforeValidator(_iso_text)], {}),
    "flow": (Literal[FLOWS], {}),  # type: ignore[valid-type]
    "transport_mode": (Literal[TRANSPORT_MODES], {}),  # type: ignore[valid-type]
    "hs_code": (str, {"pattern": r"^[0-9]{6,10}$"}),
    "currency": (Literal[tuple(sorted(c.alpha_3 for c in pycountry.currencies))], {}),  # type: ignore[misc]
    **{
        name: (Literal[tuple(_codes())], {})  # type: ignore[misc]
        for name in COUNTRY_FIELDS
    },
}


def _line_model() -> type[BaseModel]:
    """The canonical declaration line (design notes) as a pydantic model, from schema.FIELDS."""
    fields: dict[str, Any] = {}
    for f in FIELDS:
        kind, limits = _CONSTRAINTS.get(f.name, (None, {}))
        if kind is None:
            base = _TYPES[str(f.dtype).split("(")[0]]
            kind, limits = (Text, {}) if base is str else (Annotated[base, Exact()], {"ge": 0})
        if f.name in ("value", "currency"):  # present or absent, never null (see below)
            fields[f.name] = (kind, Field(None, description=f.doc, **limits))
        elif f.name in ("declaration_id", "date"):
            fields[f.name] = (kind, Field(description=f.doc, **limits))
        else:
            fields[f.name] = (kind | None, Field(None, description=f.doc, **limits))
    fields["extra"] = (
        dict[EXTRA_KEY, Text | Annotated[float, Exact()] | bool | None] | None,
        Field(
            None,
            description="Other columns, kept as the line's extra (not canonical names or labels).",
        ),
    )
    # ingest refuses a value without a currency: the schema says so (anyOf), and so does
    # the model's validator.
    both: dict[str, Any] = {
        "anyOf": [{"required": ["value", "currency"]}, {"not": {"required": ["value"]}}]
    }
    config = ConfigDict(
        extra="forbid",
        regex_engine="python-re",  # the extra key's lookahead
        json_schema_extra=both,
    )
    validators: dict[str, Any] = {
        "currency_with_value": model_validator(mode="after")(_currency_with_value)
    }
    return create_model("DeclarationLine", __config__=config, __validators__=validators, **fields)


def _currency_with_value(line: Any) -> Any:
    if "value" in line.model_fields_set and "currency" not in line.model_fields_set:
        raise ValueError("value given without a currency")
    return line


DeclarationLine = _line_model()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScreenRequest(Strict):
    lines: Annotated[list[DeclarationLine], Field(min_length=1, max_length=MAX_LINES)]  # type: ignore[valid-type]


Amount = Annotated[float, Exact(), Field(ge=0)]


class AssignRequest(Strict):
    to: Text | None = Field(None, description="User to assign to; default: the caller.")


class OutcomeRequest(Strict):
    found: StrictBool = Field(
        description="Was there an irregularity (a controlled or undeclared item)?"
    )
    real_accelerator_id: Text | None = None
    real_units: Amount | None = None
    real_value_usd: Amount | None = None
    notes: Text | None = None
    capture: Text | None = Field(None, description="lspci / nvidia-smi output, verbatim.")


class OverrideRequest(Strict):
    channel: Literal["green", "yellow", "red", "blue"]
    reason: Text = Field(min_length=3)


def line_records(lines: list[BaseModel]) -> list[dict[str, str | None]]:
    """The lines as a raw source table's rows, all text (ingest parses them as it parses a
    file). ``extra`` entries become columns of their own, which ingest keeps as the line's
    extra."""
    names = [f.name for f in FIELDS]
    records: list[dict[str, str | None]] = []
    for line in lines:
        d = line.model_dump()
        row = {k: None if d[k] is None else str(d[k]) for k in names}
        row.update({f"{k}": None if v is None else str(v) for k, v in (d["extra"] or {}).items()})
        records.append(row)
    return records


def lines_frame(lines: list[BaseModel]) -> pl.DataFrame:
    """:func:`line_records` as a frame."""
    return records_frame(line_records(lines))


def records_frame(records: list[dict[str, str | None]]) -> pl.DataFrame:
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pl.DataFrame(records, schema=dict.fromkeys(columns, pl.Utf8))
