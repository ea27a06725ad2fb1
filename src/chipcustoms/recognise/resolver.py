"""Resolver v2: which accelerator does a declaration line name, how many, and is it one at all?

Evidence is tried strongest first: a part number, a PCI id, an exact alias, a named system (a DGX
H100 carries eight), then a fuzzy alias. The vocabulary (refdata/resolver/vocabulary.yaml) then
decides what the words around the model number mean: "water block for RTX 4090" is an accessory,
"laptop with RTX 4090" not a card, a bare "H20" under HS 8413 a pump. A graphics card with no
identifiable model keeps a generic class id (``gpu-unknown``) so that rules can still target it,
with ``is_accelerator`` false.

All work runs once per *distinct* (text, part number, HS code) and is joined back, because
descriptions repeat heavily in trade data; every step but the rare fuzzy one is a Polars regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import fuzz

from chipcustoms.assess.frames import lookup
from chipcustoms.recognise.catalog import Catalog
from chipcustoms.recognise.textnorm import (
    normalise_model_expr,
    normalise_model_text,
    normalise_part_number,
    squeeze,
)
from chipcustoms.recognise.vocabulary import Vocabulary, load_vocabulary

# Confidence of each kind of evidence: the share of such resolutions that were right on the
# development set (tests/fixtures/resolver_devset.csv; calibration table in docs/benchmarks.md).
CONF = {
    "part_number": 0.99,
    "pci_id": 0.98,
    "alias": 0.97,  # an alias with a GPU word, brand or a computer HS code beside it
    "alias_bare_hs": 0.85,  # a bare model number ("H20") backed only by the HS code
    "several": 0.85,  # two different models on one line: the first one is reported
    "system": 0.95,  # the model a named system always carries
    "accessory": 0.9,
    "exclusion": 0.9,
    "generic": 0.8,
    "rejected": 0.8,
    "none": 0.97,
    "none_hint": 0.75,  # GPU words but nothing we could place
}
FUZZY_CUTOFF = 75.0  # the model number itself must be verbatim (see _model_tokens)
FUZZY_SCALE = 0.85
MEMORY = re.compile(r"^\d+(?:g|gb|t|tb)$")
FORMS = ("pcie", "nvl", "sxm", "sxm4", "sxm5", "oam")

# "10DE-2235" / "10de:2329" after normalisation: vendor and device ids of accelerator makers
# (NVIDIA, AMD, Huawei, Habana/Intel, Cambricon) as PCI writes them.
PCI_PATTERN = r"\b((?:10de|1002|19e5|1da3|cabc) [0-9a-f]{4})\b"
_VEN_DEV = r"(?i)ven_([0-9a-f]{4})&dev_([0-9a-f]{4})"  # Windows device-manager spelling
_CN_COUNT = {"二": "2", "两": "2", "四": "4", "八": "8", "十六": "16"}
# How many accelerators a server line says it holds: "8x H100", "8 GPU", "with 8", "8卡".
_COUNT = [
    r"(?:^|\s)([1-9]\d?) ?[x×] ",
    r"(?:^|\s)([1-9]\d?) (?:gpus?|卡|cards?|pcs)\b",
    r"\b(?:with|с) ([1-9]\d?) ?[x× ]",
    r"(?:^|\s)([1-9]\d?) (?:nvidia |amd |huawei )?[a-z]{1,3}\d{2,4}",
    r"(二|两|四|八|十六) ?卡",
]

RESOLVE_SEED = 20251010
RESOLVED_SCHEMA = pl.Schema(
    {
        "accelerator_id": pl.Utf8,
        "is_accelerator": pl.Boolean,
        "units_per_item": pl.Int64,
        "resolution_confidence": pl.Float64,
        "resolution_method": pl.Utf8,
        "resolution_match": pl.Utf8,
        "resolution_others": pl.Utf8,
        "resolution_reason": pl.Utf8,
    }
)
TEXT_FIELDS = ["description", "brand", "model", "part_number", "hs_code"]


def _model_tokens(alias: str) -> set[str]:
    """The alias's tokens that carry a digit ("5090d", "h100", "mi300x"): a fuzzy match must
    find each of them verbatim, so typos are forgiven in words, never in model numbers."""
    return {t for t in alias.split() if any(ch.isdigit() for ch in t)}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _is_bare(alias: str) -> bool:
    """A model number alone ("h20", "a100", "mi300x"): also a pump, a bolt grade, a camera."""
    return " " not in alias and len(alias) <= 6 and not alias.startswith(("rtx", "gtx"))


@dataclass
class Resolver:
    """Alias / part-number / PCI / system tables built once from the catalog and vocabulary."""

    catalog: Catalog
    vocabulary: Vocabulary = field(default_factory=load_vocabulary)
    alias_to_id: dict[str, str] = field(init=False)
    system_alias: dict[str, str] = field(init=False)
    pci_to_id: dict[str, str] = field(init=False)
    part_patterns: list[tuple[re.Pattern[str], str]] = field(init=False)

    def __post_init__(self) -> None:
        self.alias_to_id = {}
        for m in self.catalog.models:
            for alias in [m.model, *m.aliases]:
                norm = normalise_model_text(alias)
                for variant in {norm, squeeze(norm)}:
                    if variant:
                        self.alias_to_id.setdefault(variant, m.id)
        self._bare = sorted(a for a in self.alias_to_id if _is_bare(a))
        self._alias_regex = r"(?:^|\b|\s)(" + _alternation(list(self.alias_to_id)) + r")(?:\b|\s|$)"
        self.system_alias = {}
        for s in self.catalog.systems:
            for alias in [s.name, *s.aliases]:
                norm = normalise_model_text(alias)
                for variant in {norm, squeeze(norm)}:
                    self.system_alias.setdefault(variant, s.id)
        self._system_regex = (
            r"(?:^|\b|\s)(" + _alternation(list(self.system_alias)) + r")(?:\b|\s|$)"
        )
        self._systems = {s.id: s for s in self.catalog.systems}
        self.pci_to_id = {pci: m.id for m in self.catalog.models for pci in m.pci_ids}
        self._counting_ids = [m.id for m in self.catalog.models if m.is_accelerator]
        self.part_patterns = [
            (re.compile(p, re.IGNORECASE), m.id)
            for m in self.catalog.models
            for p in m.part_numbers
        ]
        parts = [p.pattern for p, _ in self.part_patterns]
        self._part_regex = "(?i)(" + "|".join(f"(?:{p})" for p in parts) + ")"
        # Fuzzy candidates are indexed by their model number ("910b" -> "ascend 910b", ...).
        self._fuzzy_index: dict[str, list[str]] = {}
        for alias in self.alias_to_id:
            numbers = sorted(t for t in _model_tokens(alias) if not MEMORY.match(t))
            if numbers and " " in alias:
                self._fuzzy_index.setdefault(numbers[0], []).append(alias)
        self._fuzzy_regex = r"\b(?:" + _alternation(list(self._fuzzy_index)) + r")\b"
        self._generic_names = {gid: name for gid, name, _ in self.vocabulary.generic}
        # "H100 ... PCIe": the family alias ("h100" -> the SXM entry) plus a form-factor word
        # elsewhere on the line means the variant whose alias is "<family> <form>".
        self._variants: dict[str, str] = {}
        for alias, model_id in self.alias_to_id.items():
            base, _, form = alias.rpartition(" ")
            family = self.alias_to_id.get(base)
            if form in FORMS and family and family != model_id:
                self._variants.setdefault(f"{family}|{form}", model_id)

    @property
    def version(self) -> str:
        return f"{self.catalog.version}+{self.vocabulary.version}"

    def resolve(self, lines: pl.DataFrame) -> pl.DataFrame:
        """Add accelerator and resolution columns to ``lines`` (same height, same order).

        Lines are keyed by a 64-bit hash of the text fields, so that the million-row side of the
        work is one hash and one integer join; everything else runs on distinct texts. (A
        collision needs ~4 billion distinct texts to become likely.)
        """
        missing = [c for c in TEXT_FIELDS if c not in lines.columns]
        fields = [
            pl.col(c).cast(pl.Utf8) if c not in missing else pl.lit(None, pl.Utf8).alias(c)
            for c in TEXT_FIELDS
        ]
        key = pl.struct(fields).hash(seed=RESOLVE_SEED).alias("__key")
        keyed = lines.select(key, *fields)
        text = pl.concat_str(
            [pl.col(c).fill_null("") for c in ("description", "brand", "model")], separator=" "
        )
        distinct = keyed.unique(subset="__key", keep="first").select(
            "__key",
            text.alias("__text"),
            normalise_part_number(pl.col("part_number").fill_null("")).alias("__pn"),
            pl.col("hs_code").fill_null("").str.replace_all(r"[^0-9]", "").alias("__hs"),
        )
        resolved = self.resolve_distinct(distinct)
        out = lookup(lines.with_columns(key), resolved, "__key").drop("__key")
        meta = self.catalog.frame().select(
            "accelerator_id", "accelerator_vendor", "accelerator_model"
        )
        generic = pl.DataFrame(
            {
                "accelerator_id": list(self._generic_names),
                "accelerator_vendor": [None] * len(self._generic_names),
                "accelerator_model": list(self._generic_names.values()),
            },
            schema=meta.schema,
        )
        return lookup(out, pl.concat([meta, generic]), "accelerator_id")

    def resolve_distinct(self, d: pl.DataFrame) -> pl.DataFrame:
        """``d``: one row per distinct ``__key`` with ``__text``, ``__pn`` (part number) and
        ``__hs`` (digits); returns ``__key`` plus :data:`RESOLVED_SCHEMA`."""
        v = self.vocabulary
        raw = (
            pl.col("__text")
            .str.replace_all(_VEN_DEV, "${1}-${2}")
            .str.replace_all("+", " plus ", literal=True)
        )
        d = d.with_columns(normalise_model_expr(raw).alias("__norm"))
        upper = pl.concat_str(pl.col("__pn"), pl.lit(" "), normalise_part_number(pl.col("__text")))
        d = d.with_columns(
            upper.str.extract(self._part_regex, 1).alias("__pn_hit"),
            pl.col("__norm").str.extract(PCI_PATTERN, 1).alias("__pci_hit"),
            pl.col("__norm")
            .str.extract_all(self._alias_regex)
            .list.eval(pl.element().str.strip_chars())
            .alias("__aliases"),
            pl.col("__norm").str.extract(self._system_regex, 1).alias("__sys_hit"),
            self._context(v),
        )
        pn_ids = {h: self._part_id(h) for h in d["__pn_hit"].drop_nulls().unique()}
        pci_ids = {
            h: self.pci_to_id.get(h.replace(" ", ":")) for h in d["__pci_hit"].drop_nulls().unique()
        }
        ids = pl.col("__aliases").list.eval(
            pl.element().replace_strict(self.alias_to_id, default=None, return_dtype=pl.Utf8)
        )
        sys_id = pl.col("__sys_hit").replace_strict(
            self.system_alias, default=None, return_dtype=pl.Utf8
        )
        d = d.with_columns(
            pl.col("__pn_hit")
            .replace_strict(pn_ids, default=None, return_dtype=pl.Utf8)
            .alias("__pn_id"),
            pl.col("__pci_hit")
            .replace_strict(pci_ids, default=None, return_dtype=pl.Utf8)
            .alias("__pci_id"),
            ids.list.drop_nulls().list.unique(maintain_order=True).alias("__alias_ids"),
            pl.col("__aliases")
            .list.eval(pl.element().is_in(self._bare))
            .list.all()
            .alias("__bare"),
            sys_id.alias("__sys_id"),
            sys_id.replace_strict(
                {k: s.accelerator for k, s in self._systems.items()},
                default=None,
                return_dtype=pl.Utf8,
            ).alias("__sys_model"),
            sys_id.replace_strict(
                {k: s.units for k, s in self._systems.items()}, default=None, return_dtype=pl.Int64
            ).alias("__sys_units"),
        )
        d = self._fuzzy(d)
        return self._decide(d).select("__key", *RESOLVED_SCHEMA).cast(RESOLVED_SCHEMA)

    def _context(self, v: Vocabulary) -> pl.Expr:
        """What the words and the HS code around a model number say, as one struct."""
        norm = pl.col("__norm")
        hs = pl.col("__hs")
        strong, weak = v.accessory_strong, v.accessory_weak
        accessory = (
            norm.str.contains(strong) & ~norm.str.contains(f"(?:{v.with_words})(?:{strong})")
        ) | (
            norm.str.contains(weak)
            & norm.str.contains(v.for_words)
            & ~norm.str.contains(f"(?:{v.with_words})(?:{weak})")
        )
        acc_word = pl.coalesce(norm.str.extract(f"({strong})", 1), norm.str.extract(f"({weak})", 1))
        generic: pl.Expr = pl.lit(None, dtype=pl.Utf8)
        for gid, _, pattern in reversed(v.generic):
            generic = pl.when(norm.str.contains(pattern)).then(pl.lit(gid)).otherwise(generic)
        strong_count = pl.coalesce(*[norm.str.extract(p, 1) for p in _COUNT[1:3]])
        count = pl.coalesce(
            *[norm.str.extract(p, 1) for p in _COUNT[:-1]],
            norm.str.extract(_COUNT[-1], 1).replace_strict(_CN_COUNT, default=None),
        )
        return pl.struct(
            norm.str.contains(v.hint).alias("hint"),
            hs.str.slice(0, 4).is_in(list(v.hs_prefixes)).alias("hs_fits"),
            ((hs == "") | hs.str.slice(0, 2).is_in(list(v.hs_chapters))).alias("hs_chapter_ok"),
            accessory.alias("accessory"),
            acc_word.alias("accessory_word"),
            norm.str.extract(f"({v.exclusion})", 1).alias("exclusion"),
            generic.alias("generic"),
            norm.str.contains(v.system_word).alias("system_word"),
            count.cast(pl.Int64, strict=False).alias("count"),
            strong_count.cast(pl.Int64, strict=False).alias("strong_count"),
        ).alias("__ctx")

    def _part_id(self, hit: str) -> str | None:
        for pattern, model_id in self.part_patterns:
            if pattern.fullmatch(hit):
                return model_id
        return None

    def _fuzzy(self, d: pl.DataFrame) -> pl.DataFrame:
        """Typos in words, never in model numbers: only aliases whose model number appears
        verbatim are scored, so this loop sees few texts and few candidates each."""
        empty = pl.lit(None, dtype=pl.Utf8)
        todo = d.filter(
            pl.col("__pn_id").is_null()
            & pl.col("__pci_id").is_null()
            & (pl.col("__alias_ids").list.len() == 0)
            & pl.col("__ctx").struct.field("hint")
            & pl.col("__norm").str.contains(self._fuzzy_regex)
        )["__norm"].unique()
        found: dict[str, tuple[str, float]] = {}
        for text in todo.to_list():
            tokens = set(text.split())
            best: tuple[float, str] | None = None
            for tok in tokens & self._fuzzy_index.keys():
                for alias in self._fuzzy_index[tok]:
                    if not _model_tokens(alias) <= tokens:
                        continue
                    score = fuzz.partial_ratio(text, alias, score_cutoff=FUZZY_CUTOFF)
                    if score and (best is None or score > best[0]):
                        best = (score, alias)
            if best is not None:
                found[text] = (best[1], best[0])
        hits = pl.DataFrame(
            {
                "__norm": list(found),
                "__f_match": [a for a, _ in found.values()],
                "__f_score": [s for _, s in found.values()],
            },
            schema={"__norm": pl.Utf8, "__f_match": pl.Utf8, "__f_score": pl.Float64},
        )
        d = d.join(hits, on="__norm", how="left", maintain_order="left")
        return d.with_columns(
            pl.col("__f_match")
            .replace_strict(self.alias_to_id, default=None, return_dtype=pl.Utf8)
            .alias("__f_id"),
            pl.when(pl.col("__f_match").is_not_null())
            .then(pl.col("__f_match"))
            .otherwise(empty)
            .alias("__f_match"),
        )

    def _decide(self, d: pl.DataFrame) -> pl.DataFrame:
        """Weigh the evidence: the model, whether the words around it undo it, the count."""
        ctx = pl.col("__ctx")
        hint, hs_fits = ctx.struct.field("hint"), ctx.struct.field("hs_fits")
        n_alias = pl.col("__alias_ids").list.len()
        method = (
            pl.when(pl.col("__pn_id").is_not_null())
            .then(pl.lit("part_number"))
            .when(pl.col("__pci_id").is_not_null())
            .then(pl.lit("pci_id"))
            .when(n_alias > 0)
            .then(pl.lit("alias"))
            .when(pl.col("__sys_model").is_not_null())
            .then(pl.lit("system"))
            .when(pl.col("__f_id").is_not_null())
            .then(pl.lit("fuzzy"))
        )
        first = pl.col("__alias_ids").list.first()
        form = pl.col("__norm").str.extract(r"\b(" + "|".join(FORMS) + r")\b", 1)
        variant = pl.concat_str(first, pl.lit("|"), form).replace_strict(
            self._variants, default=None, return_dtype=pl.Utf8
        )
        model = pl.coalesce(
            "__pn_id", "__pci_id", pl.coalesce(variant, first), "__sys_model", "__f_id"
        )
        match = (
            pl.when(method == "part_number")
            .then(pl.col("__pn_hit"))
            .when(method == "pci_id")
            .then(pl.col("__pci_hit").str.replace(" ", ":", literal=True))
            .when(method == "alias")
            .then(pl.col("__aliases").list.first())
            .when(method == "system")
            .then(pl.col("__sys_hit"))
            .when(method == "fuzzy")
            .then(pl.col("__f_match"))
        )
        bare = (method == "alias") & pl.col("__bare")
        weak_text = method.is_in(["alias", "fuzzy", "system"])
        # A model number alone, or any model under an unrelated HS chapter, needs a GPU word.
        rejected = weak_text & ~hint & (bare & ~hs_fits | ~ctx.struct.field("hs_chapter_ok"))
        accessory = ctx.struct.field("accessory")
        excluded = ctx.struct.field("exclusion").is_not_null()
        kept = model.is_not_null() & ~rejected & ~accessory & ~excluded
        is_system = pl.col("__sys_id").is_not_null() | ctx.struct.field("system_word")
        generic = (
            pl.when(accessory | excluded | rejected)
            .then(pl.lit(None, dtype=pl.Utf8))
            .when(pl.col("__sys_id").is_not_null())
            .then(pl.lit("gpu-unknown"))
            .otherwise(ctx.struct.field("generic"))
        )
        conf = (
            pl.when(method == "part_number")
            .then(CONF["part_number"])
            .when(method == "pci_id")
            .then(CONF["pci_id"])
            .when(method == "fuzzy")
            .then(pl.col("__f_score") / 100 * FUZZY_SCALE)
            .when(method == "system")
            .then(CONF["system"])
            .when(bare & ~hint)
            .then(CONF["alias_bare_hs"])
            .otherwise(CONF["alias"])
        )
        conf = (
            pl.when(n_alias > 1)
            .then(pl.min_horizontal(conf, pl.lit(CONF["several"])))
            .otherwise(conf)
        )
        final_conf = (
            pl.when(kept)
            .then(conf)
            .when(accessory & (model.is_not_null() | hint))
            .then(CONF["accessory"])
            .when(excluded)
            .then(CONF["exclusion"])
            .when(rejected)
            .then(CONF["rejected"])
            .when(generic.is_not_null())
            .then(CONF["generic"])
            .when(hint)
            .then(CONF["none_hint"])
            .otherwise(CONF["none"])
        )
        # "8 GPU", "with 8" count on any line; "8x" and "8 A800" only on a server's line
        # ("VENTUS 3X" is a cooler).
        units = (
            pl.when(accessory | excluded)
            .then(pl.lit(1))
            .when(is_system)
            .then(pl.coalesce(ctx.struct.field("count"), pl.col("__sys_units"), pl.lit(1)))
            .otherwise(pl.coalesce(ctx.struct.field("strong_count"), pl.lit(1)))
        )
        named = pl.coalesce(match, pl.lit("-"))
        sys_note = (
            pl.when(pl.col("__sys_id").is_not_null())
            .then(pl.format("; system '{}' carries {}", pl.col("__sys_hit"), pl.col("__sys_units")))
            .otherwise(pl.lit(""))
        )
        reason = (
            pl.when(kept)
            .then(pl.format("{} '{}'{}", method, match, sys_note))
            .when(accessory)
            .then(
                pl.format(
                    "accessory ('{}'), not a card; model named: {}",
                    ctx.struct.field("accessory_word"),
                    named,
                )
            )
            .when(excluded)
            .then(
                pl.format(
                    "'{}' is not an accelerator shipment; model named: {}",
                    ctx.struct.field("exclusion"),
                    named,
                )
            )
            .when(rejected)
            .then(
                pl.format(
                    "'{}' alone is not read as a chip: no GPU word, HS '{}'", match, pl.col("__hs")
                )
            )
            .when(generic.is_not_null())
            .then(pl.format("{}: names no identifiable model{}", generic, sys_note))
            .when(hint)
            .then(pl.lit("GPU words but no model, system or generic class"))
            .otherwise(pl.lit("no accelerator vocabulary"))
        )
        others = pl.when(kept & (n_alias > 1)).then(
            pl.col("__alias_ids").list.slice(1).list.join(",")
        )
        return d.with_columns(
            pl.when(kept).then(model).otherwise(generic).alias("accelerator_id"),
            # A recognised model counts only when its ai_class does (docs/recognition.md).
            (kept & model.is_in(self._counting_ids)).alias("is_accelerator"),
            units.alias("units_per_item"),
            final_conf.alias("resolution_confidence"),
            pl.when(kept)
            .then(method)
            .when(accessory)
            .then(pl.lit("accessory"))
            .when(excluded)
            .then(pl.lit("exclusion"))
            .when(rejected)
            .then(pl.lit("rejected"))
            .when(generic.is_not_null())
            .then(pl.lit("generic"))
            .alias("resolution_method"),
            pl.when(kept).then(match).alias("resolution_match"),
            others.alias("resolution_others"),
            reason.alias("resolution_reason"),
        )
