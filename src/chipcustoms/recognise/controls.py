"""US EAR result per line: the destination's country groups and whether a licence is needed.

Derived from the catalog classification (3A090.a/.b from specs) and the model's end-use controls
(is-informed letters), against refdata/ear/country_groups.yaml. HK counts as CN (85 FR 83765).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from chipcustoms.assess.frames import lookup
from chipcustoms.recognise.catalog import Catalog
from chipcustoms.refdata import REFDATA, load_yaml


@dataclass(frozen=True)
class CountryGroups:
    groups: dict[str, frozenset[str]]
    aliases: dict[str, str]
    as_of: str

    def members(self, name: str) -> frozenset[str]:
        """A group name (D5, D5_plus_Macau, ...), a single ISO code, or "*" for every country;
        aliases (HK for CN) included."""
        if name == "*":
            import pycountry

            return frozenset(c.alpha_2 for c in pycountry.countries)
        base = self.groups.get(name, frozenset({name}))
        return base | {a for a, target in self.aliases.items() if target in base}


@lru_cache(maxsize=1)
def country_groups() -> CountryGroups:
    raw = load_yaml(REFDATA / "ear" / "country_groups.yaml")
    groups = {k: frozenset(v) for k, v in {**raw["country_groups"], **raw["derived"]}.items()}
    return CountryGroups(groups, dict(raw.get("aliases", {})), str(raw["as_of"]))


def end_use_table(catalog: Catalog) -> pl.DataFrame:
    """(accelerator_id, country, control id) for every end-use control, expanded to countries."""
    cg = country_groups()
    rows = [
        {"accelerator_id": m.id, "destination_country": code, "end_use_control": c.id}
        for m in catalog.models
        for c in m.end_use_controls
        for dest in c.destinations
        for code in sorted(cg.members(dest))
    ]
    return pl.DataFrame(
        rows,
        schema={
            "accelerator_id": pl.Utf8,
            "destination_country": pl.Utf8,
            "end_use_control": pl.Utf8,
        },
    )


def add_controls(lines: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """Add destination group flags, `license_required` and `license_basis`."""
    cg = country_groups()
    lic = list(cg.members("ac_license_required"))
    d5 = list(cg.members("D5_plus_Macau"))
    eu = end_use_table(catalog).unique(["accelerator_id", "destination_country"])
    dest = pl.col("destination_country")
    out = lookup(
        lines.with_columns(
            dest.is_in(lic).alias("dest_ac_license_required"),
            dest.is_in(d5).alias("dest_d5_macau"),
        ),
        eu,
        ["accelerator_id", "destination_country"],
    )
    is_3a090 = pl.col("eccn").str.starts_with("3A090")
    known = [m.id for m in catalog.models]
    # A named system whose GPU the line omits: the models it may carry are the evidence.
    possible = (
        pl.col("possible_models")
        if "possible_models" in out.columns
        else pl.lit(None, dtype=pl.Utf8)
    )
    decided = [
        pl.when(pl.col("accelerator_id").is_null())
        .then(None)
        .when(is_3a090 & pl.col("dest_ac_license_required"))
        .then(True)
        .when(pl.col("end_use_control").is_not_null())
        .then(True)
        .when(pl.col("eccn") == "undetermined")
        .then(None)
        .otherwise(False)
        .alias("license_required"),
        pl.when(pl.col("accelerator_id").is_null())
        .then(None)
        .when(is_3a090 & pl.col("dest_ac_license_required") & pl.col("dest_d5_macau"))
        .then(
            pl.concat_str(pl.col("eccn"), pl.lit(" to D:5/Macau: licence, presumption of denial"))
        )
        .when(is_3a090 & pl.col("dest_ac_license_required"))
        .then(pl.concat_str(pl.col("eccn"), pl.lit(" to D:1/D:4: licence required")))
        .when(pl.col("end_use_control").is_not_null())
        .then(pl.concat_str(pl.lit("end-use control "), pl.col("end_use_control")))
        .when((pl.col("eccn") == "undetermined") & ~pl.col("accelerator_id").is_in(known))
        .then(
            pl.concat_str(
                pl.lit("classification undetermined: accelerator model not identified"),
                pl.lit("; the system can carry: ") + possible,
                ignore_nulls=True,
            )
        )
        .when(pl.col("eccn") == "undetermined")
        .then(pl.lit("classification undetermined: dense TOPS not published"))
        .when(is_3a090)
        .then(pl.concat_str(pl.col("eccn"), pl.lit(": no licence for this destination")))
        .otherwise(pl.lit("not 3A090 by parameters"))
        .alias("license_basis"),
    ]
    # The decision reads a few low-cardinality columns (about a thousand combinations in a
    # million lines): it is made once per combination and joined back (nulls are values here).
    inputs = [*CONTROL_INPUTS, *(["possible_models"] if "possible_models" in out.columns else [])]
    # A system line whose GPU is not written has an ECCN only when the system is built with
    # one accelerator (per_unit.system_eccn): the basis says so, with the model.
    carried = (
        ~pl.col("accelerator_id").is_in(known)
        & possible.is_not_null()
        & (pl.col("eccn") != "undetermined")
    )
    note = pl.concat_str(
        pl.lit("; the system is built with "), possible, pl.lit(" ("), pl.col("eccn"), pl.lit(")")
    )
    table = (
        out.select(inputs)
        .unique()
        .with_columns(decided)
        .with_columns(
            pl.when(carried)
            .then(pl.col("license_basis") + note)
            .otherwise(pl.col("license_basis"))
            .alias("license_basis")
        )
    )
    found = out.select(inputs).join(
        table, on=inputs, how="left", maintain_order="left", nulls_equal=True
    )
    return out.with_columns(found.drop(inputs))


# What the licence decision reads (besides the possible models of a named system).
CONTROL_INPUTS = [
    "accelerator_id",
    "eccn",
    "dest_ac_license_required",
    "dest_d5_macau",
    "end_use_control",
]
