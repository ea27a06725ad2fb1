"""The catalog's file schema: the pydantic models of a vendor file and of the systems file.

Strict (unknown keys refused) and frozen; every figure cites a source key the file defines.
:mod:`chipcustoms.recognise.catalog` loads the files through these models.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chipcustoms.recognise.classification import BITS, Classification, classify
from chipcustoms.refdata import check_regexes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str
    ref: str | None = None
    url: str | None = None


class Specs(_Strict):
    dense_tops: dict[str, float] = Field(default_factory=dict)
    die_area_mm2: float | None = None
    memory_gb: float | None = None
    memory_type: str | None = None
    bandwidth_gbs: float | None = None
    tdp_w: float | None = None
    form_factor: str | None = None
    year: int | None = None
    spec_sources: list[str] = Field(default_factory=list)
    estimated: list[str] = Field(default_factory=list)

    @field_validator("dense_tops")
    @classmethod
    def _known_precisions(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(BITS))
        if unknown:
            raise ValueError(f"unknown precision(s) {unknown}; use {sorted(BITS)}")
        return v


class Price(_Strict):
    low: float
    high: float
    kind: Literal["MSRP", "channel", "street", "grey", "estimate"]
    date: str | None = None
    source: str
    estimate: bool = False
    how: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Price:
        if self.low <= 0 or self.high < self.low:
            raise ValueError("price range needs 0 < low <= high")
        if self.estimate and not self.how:
            raise ValueError("an estimated price must say `how` it was estimated")
        return self


class Weight(_Strict):
    value: float
    estimate: bool = False
    how: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Weight:
        if self.estimate and not self.how:
            raise ValueError("an estimated weight must say `how` it was estimated")
        if not self.estimate and not self.source:
            raise ValueError("a weight that is not an estimate needs a `source`")
        return self


AIClass = Literal["datacenter", "workstation", "flagship_consumer", "mining", "consumer", "none"]
# The classes whose models make a line ``is_accelerator = true`` (docs/recognition.md).
COUNTING_CLASSES: frozenset[str] = frozenset({"datacenter", "workstation", "flagship_consumer"})
_CLASS_OF_SEGMENT = {
    "datacenter": "datacenter",
    "workstation": "workstation",
    "consumer": "consumer",
}
# Figures a model may declare `missing` (the spec sheet does not publish them).
MISSABLE: frozenset[str] = frozenset(
    {
        "dense_tops",
        "die_area_mm2",
        "memory_gb",
        "bandwidth_gbs",
        "tdp_w",
        "pci_ids",
        "part_numbers",
        "price_usd",
        "weight_kg",
    }
)
# Fields a per-value citation (`cite`) may name.
CITABLE: frozenset[str] = frozenset(
    {
        "dense_tops",
        "die_area_mm2",
        "memory_gb",
        "memory_type",
        "bandwidth_gbs",
        "tdp_w",
        "form_factor",
        "year",
        "pci_ids",
        "part_numbers",
        "aliases",
        "context_aliases",
        "ai_class",
        "units",
        "possible",
    }
)


def _check_cite(v: dict[str, list[str]]) -> dict[str, list[str]]:
    unknown = sorted(set(v) - CITABLE)
    if unknown:
        raise ValueError(f"cite names unknown field(s) {unknown}; use {sorted(CITABLE)}")
    return v


class EndUseControl(_Strict):
    id: str
    summary: str
    destinations: list[str]
    since: str | None = None
    source: str | None = None


class Accelerator(_Strict):
    id: str
    model: str
    family: str | None = None
    segment: Literal["datacenter", "workstation", "consumer"]
    china_variant: bool = False
    aliases: list[str] = Field(default_factory=list)
    # Names another product shares ("ATOM" is also Intel's CPU): read only beside a word that
    # vouches for the chip (recognise/named_products.py), never alone.
    context_aliases: list[str] = Field(default_factory=list)
    part_numbers: list[str] = Field(default_factory=list)
    pci_ids: list[str] = Field(default_factory=list)
    specs: Specs = Field(default_factory=Specs)
    price_usd: Price | None = None
    weight_kg: Weight | None = None
    hs_headings: list[str] = Field(default_factory=list)
    end_use_controls: list[EndUseControl] = Field(default_factory=list)
    notes: str | None = None
    vendor: str = ""
    ai_class: AIClass = "none"
    missing: list[str] = Field(default_factory=list)
    missing_note: str | None = None
    cite: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _default_class(cls, data: object) -> object:
        """Files written before `ai_class` existed: the class follows the segment."""
        if isinstance(data, dict) and "ai_class" not in data and "segment" in data:
            data = {**data, "ai_class": _CLASS_OF_SEGMENT.get(str(data["segment"]), "none")}
        return data

    @field_validator("cite")
    @classmethod
    def _cite_fields(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        return _check_cite(v)

    @model_validator(mode="after")
    def _missing_is_explained(self) -> Accelerator:
        unknown = sorted(set(self.missing) - MISSABLE)
        if unknown:
            raise ValueError(f"missing names unknown figure(s) {unknown}; use {sorted(MISSABLE)}")
        if self.missing and not self.missing_note:
            raise ValueError("a model with `missing` figures needs a `missing_note`")
        present = [f for f in self.missing if self._figure(f)]
        if present:
            raise ValueError(f"figure(s) {present} are listed as missing but have a value")
        return self

    def _figure(self, name: str) -> object:
        """The value of one figure named in MISSABLE or CITABLE (None / empty when absent)."""
        if name in Specs.model_fields:
            return getattr(self.specs, name)
        return getattr(self, name, None)

    @property
    def is_accelerator(self) -> bool:
        """Whether a line carrying this model counts as an AI accelerator line."""
        return self.ai_class in COUNTING_CLASSES

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", v):
            raise ValueError("id must be lowercase letters, digits and dashes")
        return v

    @field_validator("part_numbers")
    @classmethod
    def _regexes_compile(cls, v: list[str]) -> list[str]:
        return check_regexes(v, "part number pattern")

    @field_validator("pci_ids")
    @classmethod
    def _pci_shape(cls, v: list[str]) -> list[str]:
        for pci in v:
            if not re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{4}", pci):
                raise ValueError(f"PCI id {pci!r} must be vendor:device in lowercase hex")
        return v

    @cached_property
    def classification(self) -> Classification:
        """Derived, never stored: see chipcustoms.recognise.classification."""
        return classify(
            self.specs.dense_tops, self.specs.die_area_mm2, datacenter=self.segment == "datacenter"
        )


class VendorFile(_Strict):
    vendor: str
    vendor_name: str
    # ISO country where the vendor designs its chips: which export law an item is subject to
    # (a pack's `jurisdiction.items` reads it as the `vendor_country` column).
    vendor_country: str | None = None
    version: str
    sources: dict[str, Source]
    models: list[Accelerator]

    @model_validator(mode="after")
    def _citations_resolve(self) -> VendorFile:
        for m in self.models:
            cited = list(m.specs.spec_sources)
            cited += [m.price_usd.source] if m.price_usd else []
            cited += [m.weight_kg.source] if m.weight_kg and m.weight_kg.source else []
            cited += [c.source for c in m.end_use_controls if c.source]
            cited += [k for keys in m.cite.values() for k in keys]
            missing = sorted(set(cited) - set(self.sources))
            if missing:
                raise ValueError(f"model {m.id}: cites unknown source key(s) {missing}")
        return self


class System(_Strict):
    """A computer or board that carries a fixed number of accelerators (a DGX H100: 8)."""

    id: str
    name: str
    aliases: list[str]
    units: int = Field(gt=0)
    accelerator: str | None = None  # null: the buyer chooses; the text must name the model
    source: str
    vendor: str | None = None
    possible: list[str] = Field(default_factory=list)  # catalog ids the system can carry
    weight_kg: Weight | None = None
    cite: dict[str, list[str]] = Field(default_factory=dict)
    notes: str | None = None

    @field_validator("cite")
    @classmethod
    def _cite_fields(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        return _check_cite(v)

    @model_validator(mode="after")
    def _fixed_model_is_possible(self) -> System:
        if self.accelerator and self.possible and self.accelerator not in self.possible:
            raise ValueError(f"accelerator {self.accelerator!r} is not among `possible`")
        if len(set(self.possible)) != len(self.possible):
            raise ValueError("`possible` lists a model twice")
        return self

    @property
    def models(self) -> list[str]:
        """Every catalog id this system can carry (the fixed one, else the possible ones)."""
        return self.possible or ([self.accelerator] if self.accelerator else [])


class SystemsFile(_Strict):
    version: str
    sources: dict[str, Source]
    systems: list[System]

    @model_validator(mode="after")
    def _citations_resolve(self) -> SystemsFile:
        for s in self.systems:
            cited = [s.source, *(k for keys in s.cite.values() for k in keys)]
            cited += [s.weight_kg.source] if s.weight_kg and s.weight_kg.source else []
            missing = sorted(set(cited) - set(self.sources))
            if missing:
                raise ValueError(f"system {s.id}: cites unknown source key(s) {missing}")
        return self
