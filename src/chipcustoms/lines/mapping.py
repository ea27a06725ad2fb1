"""Column mappings: how one source's columns, codes and formats land on the canonical line.

A mapping is YAML (bundled ones are chosen by name, others by path). Keeping this as data is what
lets a new administration's extract be screened without touching code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chipcustoms.errors import ReferenceDataError
from chipcustoms.lines.schema import CANONICAL, LABEL_FIELDS
from chipcustoms.refdata import REFDATA, load_validated

TRUE_VALUES = ("1", "true", "yes", "y", "t")


class Mapping(BaseModel):
    """One source format. `columns` maps canonical field -> source column name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    source: str = ""
    columns: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, Any] = Field(default_factory=dict)  # value when absent or empty
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"])
    codes: dict[str, dict[str, str]] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    true_values: list[str] = Field(default_factory=lambda: list(TRUE_VALUES))
    keep_extra: bool = True
    passthrough: bool = False  # canonical-named source columns map to themselves

    @model_validator(mode="after")
    def _known_fields(self) -> Mapping:
        for section, names in (
            ("columns", self.columns),
            ("defaults", self.defaults),
            ("codes", self.codes),
        ):
            unknown = sorted(set(names) - set(CANONICAL))
            if unknown:
                raise ValueError(f"{section}: unknown canonical field(s) {unknown}")
        unknown_labels = sorted(set(self.labels) - set(LABEL_FIELDS))
        if unknown_labels:
            raise ValueError(
                f"labels: unknown label(s) {unknown_labels}; use {sorted(LABEL_FIELDS)}"
            )
        return self

    def typed_columns(self, header: list[str]) -> dict[str, pl.DataType]:
        """Source columns a CSV reader may parse as numbers or ISO dates directly."""
        sources = self.source_columns(header)
        out: dict[str, pl.DataType] = {
            sources[f]: pl.Float64()
            for f in ("item_no", "quantity", "gross_weight_kg", "net_weight_kg", "value")
            if f in sources and sources[f] in header and f not in self.codes
        }
        if (
            "date" in sources
            and sources["date"] in header
            and self.date_formats[:1] == ["%Y-%m-%d"]
        ):
            out[sources["date"]] = pl.Date()
        for label in ("critical", "revenue"):
            if label in sources and sources[label] in header:
                out[sources[label]] = pl.Float64()
        return out

    def source_columns(self, available: list[str]) -> dict[str, str]:
        """canonical/label name -> source column, for the columns this file actually has."""
        out: dict[str, str] = {}
        if self.passthrough:
            out.update({c: c for c in available if c in CANONICAL or c in LABEL_FIELDS})
        out.update(self.columns)
        out.update(self.labels)
        return out


def bundled_mappings() -> dict[str, Path]:
    """Name -> file of the mappings shipped with the package."""
    return {p.stem: p for p in sorted((REFDATA / "mappings").glob("*.yaml"))}


def load_mapping(name_or_path: str | None) -> Mapping:
    """A bundled mapping by name, a YAML file by path, or the canonical passthrough by default."""
    if name_or_path is None:
        name_or_path = "canonical"
    bundled = bundled_mappings()
    if name_or_path in bundled:
        path = bundled[name_or_path]
    else:
        path = Path(name_or_path)
        if not path.exists():
            raise ReferenceDataError(
                f"mapping {name_or_path!r}: neither a bundled mapping ({', '.join(bundled)}) "
                "nor an existing file"
            )
    return load_validated(path, Mapping)
