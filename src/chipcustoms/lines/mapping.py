"""Column mappings: how one source's columns, codes and formats land on the canonical line.

A mapping is YAML (bundled ones are chosen by name, others by path). Keeping this as data is what
lets a new administration's extract be screened without touching code. It is also data people
share, so nothing in it is code: source column names are taken literally (never a Polars
wildcard or regex), defaults are plain values (numbers where the field is a number), date
formats use only known strftime directives, and a server takes bundled mappings by name only
(``bundled_only``, whose refusal does not tell which paths exist).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chipcustoms.errors import ReferenceDataError
from chipcustoms.lines.schema import CANONICAL, LABEL_FIELDS
from chipcustoms.refdata import REFDATA, load_validated

TRUE_VALUES = ("1", "true", "yes", "y", "t")
# One strftime directive Polars (chrono) understands, with an optional padding flag.
DIRECTIVE = re.compile(r"%(?:[-_0]?[YCymbBhdejaAwuUWGgVDFvxHkIlPpMSRTXrZz]|:z|\.?[369]?f|%)")
MAX_DATE_FORMATS = 20
# Polars reads "*" and "^...$" in pl.col() as a wildcard and a regex, not as a name.
NOT_A_NAME = re.compile(r"^\*$|^\^.*\$$", re.DOTALL)


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

    @field_validator("columns", "labels")
    @classmethod
    def _literal_names(cls, v: dict[str, str]) -> dict[str, str]:
        for field, source in v.items():
            if not source or len(source) > 200 or NOT_A_NAME.match(source):
                raise ValueError(
                    f"{field}: source column {source[:60]!r} is not a plain column name "
                    "(empty, over 200 characters, '*' or '^...$')"
                )
        return v

    @field_validator("date_formats")
    @classmethod
    def _date_formats(cls, v: list[str]) -> list[str]:
        if not 1 <= len(v) <= MAX_DATE_FORMATS:
            raise ValueError(f"give 1 to {MAX_DATE_FORMATS} date formats, got {len(v)}")
        for fmt in v:
            rest = DIRECTIVE.sub("", fmt)
            if len(fmt) > 64 or "%" in rest or rest == fmt:
                raise ValueError(
                    f"date format {fmt[:64]!r} must use strftime directives (%Y, %m, %d, ...) "
                    "and no unknown ones, in at most 64 characters"
                )
        return v

    @field_validator("defaults")
    @classmethod
    def _plain_defaults(cls, v: dict[str, Any]) -> dict[str, Any]:
        for name, value in v.items():
            if value is None:
                continue
            if not isinstance(value, str | int | float | bool):
                raise ValueError(f"defaults.{name}: a default is a plain value, not {value!r:.60}")
            field = CANONICAL.get(name)
            if field is not None and _numeric(field.dtype):
                try:
                    ok = math.isfinite(float(value))
                except ValueError:
                    ok = False
                if not ok or isinstance(value, bool):
                    raise ValueError(f"defaults.{name}: {value!r:.60} is not a finite number")
        return v

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


def _numeric(dtype: type[pl.DataType] | pl.DataType) -> bool:
    return (dtype() if isinstance(dtype, type) else dtype).is_numeric()


def bundled_mappings() -> dict[str, Path]:
    """Name -> file of the mappings shipped with the package."""
    return {p.stem: p for p in sorted((REFDATA / "mappings").glob("*.yaml"))}


def load_mapping(name_or_path: str | None, *, bundled_only: bool = False) -> Mapping:
    """A bundled mapping by name, a YAML file by path, or the canonical passthrough by default.

    ``bundled_only`` (a server, where the name comes from a request): names only, and the same
    refusal for every other value, so a caller cannot probe which files exist on the server.
    """
    if name_or_path is None:
        name_or_path = "canonical"
    bundled = bundled_mappings()
    if name_or_path in bundled:
        path = bundled[name_or_path]
    elif bundled_only:
        raise ReferenceDataError(
            f"mapping {name_or_path[:60]!r}: not a bundled mapping "
            f"(use one of {', '.join(bundled)})"
        )
    else:
        path = Path(name_or_path)
        if not path.exists():
            raise ReferenceDataError(
                f"mapping {name_or_path!r}: neither a bundled mapping ({', '.join(bundled)}) "
                "nor an existing file"
            )
    return load_validated(path, Mapping)
