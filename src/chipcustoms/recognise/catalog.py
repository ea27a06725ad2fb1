"""The accelerator catalog: one YAML file per vendor, validated on load, immutable after.

Control status (TPP, PD, ECCN) is derived from the specs by
:mod:`chipcustoms.recognise.classification`
so that a spec correction can never leave a stale hand-typed classification behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import polars as pl
from polars.datatypes import DataTypeClass

from chipcustoms.errors import ReferenceDataError
from chipcustoms.recognise.catalog_schema import (
    CITABLE,
    COUNTING_CLASSES,
    Accelerator,
    Specs,
    System,
    SystemsFile,
    VendorFile,
)
from chipcustoms.refdata import REFDATA, load_validated

# The file schema lives in catalog_schema.py; its names stay importable from here.
__all__ = [
    "CITABLE",
    "COUNTING_CLASSES",
    "SYSTEMS_FILE",
    "Accelerator",
    "Catalog",
    "Specs",
    "System",
    "SystemsFile",
    "VendorFile",
    "load_catalog",
]

SYSTEMS_FILE = "systems.yaml"


class Catalog:
    """All vendor files, loaded once. Lookups by id; a Polars frame for vectorised joins."""

    def __init__(
        self,
        vendors: list[VendorFile],
        files: list[Path],
        systems: list[System] | None = None,
        systems_file: Path | None = None,
    ) -> None:
        self.vendors = vendors
        self.files = files
        self.systems = systems or []
        self.systems_file = systems_file
        self.models: list[Accelerator] = []
        self.vendor_country: dict[str, str | None] = {}
        seen: dict[str, Path] = {}
        for vf, path in zip(vendors, files, strict=True):
            for m in vf.models:
                if m.id in seen:
                    raise ReferenceDataError(f"{path} [{m.id}]: id already defined in {seen[m.id]}")
                seen[m.id] = path
                self.models.append(m.model_copy(update={"vendor": vf.vendor_name}))
                self.vendor_country[m.id] = vf.vendor_country
        self.by_id = {m.id: m for m in self.models}
        for sys_ in self.systems:
            if sys_.accelerator is not None and sys_.accelerator not in self.by_id:
                raise ReferenceDataError(
                    f"{systems_file} [{sys_.id}]: accelerator {sys_.accelerator!r} "
                    "is not in the catalog"
                )
            unknown = sorted(set(sys_.possible) - set(self.by_id))
            if unknown:
                raise ReferenceDataError(
                    f"{systems_file} [{sys_.id}]: possible model(s) {unknown} not in the catalog"
                )

    @property
    def version(self) -> str:
        """Content hash: two stores screened with the same catalog agree on this string."""
        digest = hashlib.sha256()
        for path in [*self.files, *([self.systems_file] if self.systems_file else [])]:
            digest.update(path.read_bytes())
        versions = sorted({v.version for v in self.vendors})
        return "+".join(versions) + "#" + digest.hexdigest()[:10]

    def frame(self) -> pl.DataFrame:
        """One row per model with the derived control columns, for joins on accelerator_id."""
        rows = []
        for m in self.models:
            c = m.classification
            rows.append(
                {
                    "accelerator_id": m.id,
                    "accelerator_vendor": m.vendor,
                    "vendor_country": self.vendor_country.get(m.id),
                    "accelerator_model": m.model,
                    "segment": m.segment,
                    "china_variant": m.china_variant,
                    "tpp": c.tpp,
                    "performance_density": c.pd,
                    "eccn": c.eccn,
                    "nac_aca_eligible": c.nac_aca_eligible,
                    "bandwidth_gbs": m.specs.bandwidth_gbs,
                    "price_low_usd": m.price_usd.low if m.price_usd else None,
                    "price_high_usd": m.price_usd.high if m.price_usd else None,
                    "weight_kg_typical": m.weight_kg.value if m.weight_kg else None,
                    "hs_headings": [h.replace(".", "") for h in m.hs_headings],
                }
            )
        schema: dict[str, pl.DataType | DataTypeClass] = {
            "accelerator_id": pl.Utf8,
            "accelerator_vendor": pl.Utf8,
            "vendor_country": pl.Utf8,
            "accelerator_model": pl.Utf8,
            "segment": pl.Utf8,
            "china_variant": pl.Boolean,
            "tpp": pl.Float64,
            "performance_density": pl.Float64,
            "eccn": pl.Utf8,
            "nac_aca_eligible": pl.Boolean,
            "bandwidth_gbs": pl.Float64,
            "price_low_usd": pl.Float64,
            "price_high_usd": pl.Float64,
            "weight_kg_typical": pl.Float64,
            "hs_headings": pl.List(pl.Utf8),
        }
        return pl.DataFrame(rows, schema=schema)


def _load_vendor(path: Path) -> VendorFile:
    vf = load_validated(
        path, VendorFile, section="models", expected="a mapping with vendor, sources and models"
    )
    if vf.vendor != path.stem:
        raise ReferenceDataError(f"{path}: vendor {vf.vendor!r} must equal the file name")
    return vf


def _load_systems(path: Path) -> list[System]:
    return load_validated(
        path,
        SystemsFile,
        section="systems",
        expected="a mapping with version, sources and systems",
    ).systems


def load_catalog(paths: Iterable[Path] | None = None) -> Catalog:
    """Load the bundled catalog (or the given vendor files), with the systems that carry them.

    ``systems.yaml`` lists servers and boards: the bundled one with the bundled catalog, and
    with explicit ``paths`` only when one of them is a ``systems.yaml`` (a partial catalog
    cannot carry systems whose models it lacks).
    """
    given = sorted(paths) if paths is not None else sorted((REFDATA / "catalog").glob("*.yaml"))
    files = [p for p in given if p.name != SYSTEMS_FILE]
    if not files:
        raise ReferenceDataError(f"no catalog files found in {REFDATA / 'catalog'}")
    named = [p for p in given if p.name == SYSTEMS_FILE]
    systems_file = named[0] if named else None
    if paths is None:
        systems_file = REFDATA / "catalog" / SYSTEMS_FILE
    systems = _load_systems(systems_file) if systems_file else []
    return Catalog([_load_vendor(p) for p in files], files, systems, systems_file)
