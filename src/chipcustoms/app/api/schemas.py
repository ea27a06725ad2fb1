"""Request bodies. Unknown fields are refused (``extra="forbid"``) so a typo is never ignored."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field, create_model

from chipcustoms.lines.schema import FIELDS

# A row id in a URL: the stores keep 64-bit integers, so a larger one is a 422, not a 500.
RowId = Annotated[int, PathParam(ge=0, le=2**63 - 1)]

MAX_LINES = 1_000
_TYPES: dict[str, Any] = {"String": str, "Int64": int, "Float64": float, "Date": dt.date}


def _line_model() -> type[BaseModel]:
    """The canonical declaration line (design notes) as a pydantic model, from schema.FIELDS."""
    fields: dict[str, Any] = {}
    for f in FIELDS:
        kind = _TYPES[str(f.dtype).split("(")[0]]
        if f.name in ("declaration_id", "date"):
            fields[f.name] = (kind, Field(description=f.doc))
        else:
            fields[f.name] = (kind | None, Field(None, description=f.doc))
    fields["extra"] = (dict[str, Any] | None, None)
    return create_model("DeclarationLine", __config__=ConfigDict(extra="forbid"), **fields)


DeclarationLine = _line_model()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScreenRequest(Strict):
    lines: Annotated[list[DeclarationLine], Field(min_length=1, max_length=MAX_LINES)]  # type: ignore[valid-type]


class AssignRequest(Strict):
    to: str | None = Field(None, description="User to assign to; default: the caller.")


class OutcomeRequest(Strict):
    found: bool = Field(description="Was there an irregularity (a controlled or undeclared item)?")
    real_accelerator_id: str | None = None
    real_units: float | None = Field(None, ge=0)
    real_value_usd: float | None = Field(None, ge=0)
    notes: str | None = None
    capture: str | None = Field(None, description="lspci / nvidia-smi output, verbatim.")


class OverrideRequest(Strict):
    channel: Literal["green", "yellow", "red", "blue"]
    reason: str = Field(min_length=3)


def lines_frame(lines: list[BaseModel]) -> pl.DataFrame:
    """The lines as a raw source table, all text (ingest parses it as it parses a file).

    ``extra`` entries become columns of their own, which ingest keeps as the line's extra.
    """
    names = [f.name for f in FIELDS]
    records: list[dict[str, str | None]] = []
    for line in lines:
        d = line.model_dump()
        row = {k: None if d[k] is None else str(d[k]) for k in names}
        row.update({f"{k}": None if v is None else str(v) for k, v in (d["extra"] or {}).items()})
        records.append(row)
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pl.DataFrame(records, schema=dict.fromkeys(columns, pl.Utf8))
