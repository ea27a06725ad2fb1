"""Resolver v1: which accelerator does a declaration line name?

Evidence is tried strongest first (part number, PCI ID, exact alias, then fuzzy alias) and each
line gets a confidence and the text that matched. All work is done once per *distinct*
normalised text and joined back, because descriptions repeat heavily in trade data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import fuzz, process

from chipcustoms.catalog import Catalog
from chipcustoms.frames import lookup
from chipcustoms.textnorm import normalise_expr, normalise_part_number, normalise_text, squeeze

CONF_PART_NUMBER = 0.99
CONF_PCI = 0.98
CONF_ALIAS = 0.95
CONF_ALIAS_SEVERAL = 0.8
FUZZY_CUTOFF = 85.0  # with the model-token guard below, letters may be a little off
FUZZY_SCALE = 0.85
# Words that make a description worth a fuzzy look even when no alias matched exactly.
HINT = (
    r"\b(gpu|graphics|accelerat|nvidia|nvdia|geforce|tesla|quadro|radeon|instinct|ascend|"
    r"gaudi|cambricon|hgx|dgx|sxm|oam|显卡|加速卡|英伟达|昇腾|видеокарт)"
)

# "10DE-2235" / "10de:2329" after normalisation: vendor and device ids of accelerator makers
# (NVIDIA, AMD, Huawei, Habana/Intel, Cambricon) as PCI writes them.
PCI_PATTERN = r"\b((?:10de|1002|19e5|1da3|cabc) [0-9a-f]{4})\b"

RESOLVE_SEED = 20251010
RESOLVED_SCHEMA = pl.Schema(
    {
        "accelerator_id": pl.Utf8,
        "resolution_confidence": pl.Float64,
        "resolution_method": pl.Utf8,
        "resolution_match": pl.Utf8,
        "resolution_others": pl.Utf8,
    }
)


def _model_tokens(alias: str) -> set[str]:
    """The alias's tokens that carry a digit ("5090d", "h100", "mi300x"): a fuzzy match must
    find each of them verbatim, so typos are forgiven in words, never in model numbers."""
    return {t for t in alias.split() if any(ch.isdigit() for ch in t)}


@dataclass
class Resolver:
    """Alias / part-number / PCI tables built once from the catalog."""

    catalog: Catalog
    alias_to_id: dict[str, str] = field(init=False)
    pci_to_id: dict[str, str] = field(init=False)
    part_patterns: list[tuple[re.Pattern[str], str]] = field(init=False)
    _alias_regex: str = field(init=False)
    _part_regex: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.alias_to_id = {}
        for m in self.catalog.models:
            for alias in [m.model, *m.aliases]:
                norm = normalise_text(alias)
                for variant in {norm, squeeze(norm)}:
                    if variant:
                        self.alias_to_id.setdefault(variant, m.id)
        ordered = sorted(self.alias_to_id, key=len, reverse=True)
        self._alias_regex = (
            r"(?:^|\b|\s)(" + "|".join(re.escape(a) for a in ordered) + r")(?:\b|\s|$)"
        )
        self.pci_to_id = {pci: m.id for m in self.catalog.models for pci in m.pci_ids}
        self.part_patterns = [
            (re.compile(p, re.IGNORECASE), m.id)
            for m in self.catalog.models
            for p in m.part_numbers
        ]
        parts = [p.pattern for p, _ in self.part_patterns]
        self._part_regex = "(?i)(" + "|".join(f"(?:{p})" for p in parts) + ")" if parts else None

    def resolve(self, lines: pl.DataFrame) -> pl.DataFrame:
        """Add accelerator and resolution columns to ``lines`` (same height, same order).

        Lines are keyed by a 64-bit hash of the four text fields, so that the million-row side
        of the work is one hash and one integer join; everything else runs on distinct texts.
        (A collision needs ~4 billion distinct texts to become likely.)
        """
        fields = ["description", "brand", "model", "part_number"]
        key = pl.struct([pl.col(c) for c in fields]).hash(seed=RESOLVE_SEED).alias("__key")
        keyed = lines.select(key, *fields)
        text = pl.concat_str(
            [pl.col(c).fill_null("") for c in ("description", "brand", "model")], separator=" "
        )
        distinct = keyed.unique(subset="__key", keep="first").select(
            "__key",
            text.alias("__text"),
            normalise_part_number(pl.col("part_number").fill_null("")).alias("__pn"),
        )
        resolved = self._resolve_distinct(distinct)
        out = lookup(lines.with_columns(key), resolved, "__key").drop("__key")
        meta = self.catalog.frame().select(
            "accelerator_id", "accelerator_vendor", "accelerator_model"
        )
        return lookup(out, meta, "accelerator_id")

    def _resolve_distinct(self, d: pl.DataFrame) -> pl.DataFrame:
        d = d.with_columns(normalise_expr(pl.col("__text")).alias("__norm"))
        upper = pl.concat_str(pl.col("__pn"), pl.lit(" "), normalise_part_number(pl.col("__text")))
        pn_match = (
            upper.str.extract(self._part_regex, 1)
            if self._part_regex
            else pl.lit(None, dtype=pl.Utf8)
        )
        pci_match = pl.col("__norm").str.extract(PCI_PATTERN, 1)
        aliases = pl.col("__norm").str.extract_all(self._alias_regex)
        d = d.with_columns(
            pn_match.alias("__pn_hit"),
            pci_match.alias("__pci_hit"),
            aliases.list.eval(pl.element().str.strip_chars()).alias("__aliases"),
        )
        # Part-number hits are few; map each back to its pattern's model in Python.
        pn_ids = {hit: self._part_id(hit) for hit in d["__pn_hit"].drop_nulls().unique()}
        pci_ids = {
            h: self.pci_to_id.get(h.replace(" ", ":")) for h in d["__pci_hit"].drop_nulls().unique()
        }
        alias_ids = (
            pl.col("__aliases")
            .list.eval(
                pl.element().replace_strict(self.alias_to_id, default=None, return_dtype=pl.Utf8)
            )
            .list.drop_nulls()
            .list.unique(maintain_order=True)
        )
        d = d.with_columns(
            pl.col("__pn_hit")
            .replace_strict(pn_ids, default=None, return_dtype=pl.Utf8)
            .alias("__pn_id"),
            pl.col("__pci_hit")
            .replace_strict(pci_ids, default=None, return_dtype=pl.Utf8)
            .alias("__pci_id"),
            alias_ids.alias("__alias_ids"),
        )
        d = d.with_columns(
            pl.when(pl.col("__pn_id").is_not_null())
            .then(pl.col("__pn_id"))
            .when(pl.col("__pci_id").is_not_null())
            .then(pl.col("__pci_id"))
            .otherwise(pl.col("__alias_ids").list.first())
            .alias("accelerator_id"),
            pl.when(pl.col("__pn_id").is_not_null())
            .then(pl.lit("part_number"))
            .when(pl.col("__pci_id").is_not_null())
            .then(pl.lit("pci_id"))
            .when(pl.col("__alias_ids").list.len() > 0)
            .then(pl.lit("alias"))
            .alias("resolution_method"),
            pl.when(pl.col("__pn_id").is_not_null())
            .then(pl.col("__pn_hit"))
            .when(pl.col("__pci_id").is_not_null())
            .then(pl.col("__pci_hit").str.replace(" ", ":", literal=True))
            .otherwise(pl.col("__aliases").list.first())
            .alias("resolution_match"),
            pl.when(pl.col("__pn_id").is_not_null())
            .then(pl.lit(CONF_PART_NUMBER))
            .when(pl.col("__pci_id").is_not_null())
            .then(pl.lit(CONF_PCI))
            .when(pl.col("__alias_ids").list.len() == 1)
            .then(pl.lit(CONF_ALIAS))
            .when(pl.col("__alias_ids").list.len() > 1)
            .then(pl.lit(CONF_ALIAS_SEVERAL))
            .alias("resolution_confidence"),
            pl.when(pl.col("__alias_ids").list.len() > 1)
            .then(pl.col("__alias_ids").list.slice(1).list.join(","))
            .alias("resolution_others"),
        )
        d = self._fuzzy(d)
        return d.select("__key", *RESOLVED_SCHEMA).cast(RESOLVED_SCHEMA)

    def _part_id(self, hit: str) -> str | None:
        for pattern, model_id in self.part_patterns:
            if pattern.fullmatch(hit):
                return model_id
        return None

    def _fuzzy(self, d: pl.DataFrame) -> pl.DataFrame:
        """Typos in letters, never in model numbers (see :func:`_model_tokens`)."""
        todo = (
            d.filter(pl.col("accelerator_id").is_null() & pl.col("__norm").str.contains(HINT))
            .select("__norm")
            .unique()
        )
        if todo.is_empty():
            return d
        aliases = [a for a in self.alias_to_id if len(a) >= 4 and re.search(r"\d", a)]
        found: dict[str, tuple[str, str, float]] = {}
        texts = todo["__norm"].to_list()
        scores = process.cdist(
            texts, aliases, scorer=fuzz.partial_ratio, score_cutoff=FUZZY_CUTOFF, workers=-1
        )
        for i, text in enumerate(texts):
            row = scores[i]
            tokens = set(text.split())
            best = None
            for j in row.argsort(kind="stable")[::-1]:
                if row[j] < FUZZY_CUTOFF:
                    break
                if _model_tokens(aliases[j]) <= tokens:
                    best = j
                    break
            if best is not None:
                found[text] = (self.alias_to_id[aliases[best]], aliases[best], float(row[best]))
        if not found:
            return d
        hits = pl.DataFrame(
            {
                "__norm": list(found),
                "__f_id": [v[0] for v in found.values()],
                "__f_match": [v[1] for v in found.values()],
                "__f_conf": [v[2] / 100 * FUZZY_SCALE for v in found.values()],
            },
            schema={
                "__norm": pl.Utf8,
                "__f_id": pl.Utf8,
                "__f_match": pl.Utf8,
                "__f_conf": pl.Float64,
            },
        )
        d = d.join(hits, on="__norm", how="left", maintain_order="left")
        fuzzy = pl.col("accelerator_id").is_null() & pl.col("__f_id").is_not_null()
        return d.with_columns(
            pl.when(fuzzy)
            .then(pl.col("__f_id"))
            .otherwise(pl.col("accelerator_id"))
            .alias("accelerator_id"),
            pl.when(fuzzy)
            .then(pl.lit("fuzzy"))
            .otherwise(pl.col("resolution_method"))
            .alias("resolution_method"),
            pl.when(fuzzy)
            .then(pl.col("__f_match"))
            .otherwise(pl.col("resolution_match"))
            .alias("resolution_match"),
            pl.when(fuzzy)
            .then(pl.col("__f_conf"))
            .otherwise(pl.col("resolution_confidence"))
            .alias("resolution_confidence"),
        )
