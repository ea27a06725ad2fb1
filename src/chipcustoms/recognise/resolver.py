"""Resolver v2: which accelerator does a declaration line name, how many, and is it one at all?

Evidence is tried strongest first: a part number, a PCI id, an exact alias, a named system (a DGX
H100 carries eight), then a fuzzy alias. The vocabulary (refdata/resolver/vocabulary.yaml) then
decides what the words around the model number mean: "water block for RTX 4090" is an accessory,
"laptop with RTX 4090" not a card, a bare "H20" under HS 8413 a pump. A graphics card with no
model keeps a generic class id (``gpu-unknown``, ``is_accelerator`` false) for rules to target.
All work runs once per *distinct* (text, part number, HS code), each step that reads the text
alone once per distinct text (``distinct.per_distinct``; misspellings: ``misspelling``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from chipcustoms.assess.frames import lookup
from chipcustoms.recognise.catalog import Catalog
from chipcustoms.recognise.distinct import per_distinct
from chipcustoms.recognise.evidence import (
    FORMS,
    Tables,
    context,
    context_words,
    decide,
    hs_context,
    needs_wording,
    system_wording,
)
from chipcustoms.recognise.fuzzy import (
    FuzzyReading,
    model_tokens,
    plain_words,
    read_fuzzy,
    unnamed_reason,
)
from chipcustoms.recognise.hanzi import traditional
from chipcustoms.recognise.learned import TextModel, learned_opinion, second_opinion, tag
from chipcustoms.recognise.misspelling import Misspellings, noted
from chipcustoms.recognise.named_products import is_bare, with_product_words
from chipcustoms.recognise.numbers import (
    MEMORY,
    Vouching,
    bare_numbers,
    board_names,
    lookalikes,
    part_patterns,
    spellings,
)
from chipcustoms.recognise.system_names import written_models
from chipcustoms.recognise.system_order import system_first
from chipcustoms.recognise.textnorm import (
    normalise_model_frame,
    normalise_model_text,
    normalise_part_number,
    squeeze,
)
from chipcustoms.recognise.vocabulary import Vocabulary, load_vocabulary
from chipcustoms.recognise.wording import read_words, wording

# "10DE-2235" / "10de:2329" after normalisation: vendor and device ids of accelerator makers
# (NVIDIA, AMD, Huawei, Habana/Intel, Cambricon) as PCI writes them.
PCI_PATTERN = r"\b((?:10de|1002|19e5|1da3|cabc) [0-9a-f]{4})\b"
_VEN_DEV = r"(?i)ven_([0-9a-f]{4})&dev_([0-9a-f]{4})"  # Windows device-manager spelling

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
        "system_id": pl.Utf8,  # a catalogued system named on the line
        "possible_models": pl.Utf8,  # the models that system can carry, comma-separated
    }
)
TEXT_FIELDS = ["description", "brand", "model", "part_number", "hs_code"]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _is_distinctive(alias: str) -> bool:
    """Two letters and three digits or more ("gb300", "mi300x"): read alone without an HS code."""
    return sum(c.isalpha() for c in alias) >= 2 and sum(c.isdigit() for c in alias) >= 3


@dataclass
class Resolver:
    """Alias / part-number / PCI / system tables built once from the catalog and vocabulary."""

    catalog: Catalog
    vocabulary: Vocabulary = field(default_factory=load_vocabulary)
    alias_to_id: dict[str, str] = field(init=False)
    system_alias: dict[str, str] = field(init=False)
    pci_to_id: dict[str, str] = field(init=False)
    part_patterns: list[tuple[re.Pattern[str], str]] = field(init=False)
    learned: TextModel | None = field(default_factory=learned_opinion)  # learned.py

    def __post_init__(self) -> None:
        self.alias_to_id = {}
        for m in self.catalog.models:
            for alias in [m.model, *m.aliases, *m.context_aliases]:  # named_products.py
                norm = normalise_model_text(alias)
                for variant in {norm, squeeze(norm), traditional(norm)}:  # hanzi.py
                    if variant:
                        self.alias_to_id.setdefault(variant, m.id)
        bare = bare_numbers(self.catalog, self.vocabulary)
        self._lookalike = lookalikes(self.catalog, self.vocabulary, bare)  # "Dell R200 server"
        for number, model_id in bare.items():
            self.alias_to_id.setdefault(number, model_id)
        spaced, misread = spellings(self.alias_to_id, self.vocabulary.misread_letters)
        self._vouch = Vouching.build(self.catalog, self.vocabulary, bare, sorted(misread))
        self.typos = Misspellings(dict(self.alias_to_id), self.vocabulary)  # (no misread yet)
        for variant, model_id in (spaced | misread).items():
            self.alias_to_id[variant] = model_id
        # Board names ("PG506 GPU board") read as bare numbers, never alone (not distinctive).
        boards = {b: i for b, i in board_names(self.catalog).items() if b not in self.alias_to_id}
        self.alias_to_id.update(boards)
        self._bare = sorted(a for a in self.alias_to_id if is_bare(a) or a in spaced)
        self.vocabulary = with_product_words(self.vocabulary, self.catalog, self.alias_to_id)
        # Numbers read only beside a GPU word, at the bare-number confidence: all-digit
        # ("4090"), spaced ("h 100") and misread ("h1oo") spellings.
        self._digits = sorted(
            {a for a in self._bare if a.isdigit()} | spaced.keys() | misread.keys()
        )
        self._distinctive = [a for a in self._bare if _is_distinctive(a) and a not in boards]
        alternation = _alternation(list(self.alias_to_id))  # "H100s": a plural s read off
        self._alias_regex = r"(?:^|\b|\s)(" + alternation + r")s?(?:\b|\s|$)"
        self.system_alias = {}
        for s in self.catalog.systems:
            for alias in [s.name, *s.aliases]:
                norm = normalise_model_text(alias)
                # "XE 9680", "NF 5688M7": the series letters apart from the number, too.
                apart = re.sub(r"\b([a-z]{2,3})(\d{3,4})", r"\1 \2", norm)
                for variant in sorted({norm, squeeze(norm), apart, traditional(norm)}):
                    self.system_alias.setdefault(variant, s.id)
        # "XE9680s": a plural s after a system name, as after a model number.
        self._system_regex = (
            r"(?:^|\b|\s)(" + _alternation(list(self.system_alias)) + r")s?(?:\b|\s|$)"
        )
        self._systems = {s.id: s for s in self.catalog.systems}
        self.system_model = written_models(self.catalog, self.system_alias, self.alias_to_id)
        self.pci_to_id = {pci: m.id for m in self.catalog.models for pci in m.pci_ids}
        self._counting_ids = [m.id for m in self.catalog.models if m.is_accelerator]
        self.part_patterns = part_patterns(self.catalog)
        parts = [p.pattern for p, _ in self.part_patterns]
        self._part_regex = "(?i)(" + "|".join(f"(?:{p})" for p in parts) + ")"
        # Fuzzy candidates are indexed by their model number ("910b" -> "ascend 910b", ...).
        self._fuzzy_index: dict[str, list[str]] = {}
        for alias in [a for a in self.alias_to_id if a not in spaced and a not in misread]:
            numbers = sorted(t for t in model_tokens(alias) if not MEMORY.match(t))
            if numbers and " " in alias:
                self._fuzzy_index.setdefault(numbers[0], []).append(alias)
        self._fuzzy_regex = r"\b(?:" + _alternation(list(self._fuzzy_index)) + r")\b"
        self._plain = plain_words()  # words a fuzzy alias may add (fuzzy.yaml)
        self._generic_names = {gid: name for gid, name, _ in self.vocabulary.generic}
        # "H100 ... PCIe": the family alias ("h100" -> the SXM entry) plus a form-factor word
        # elsewhere on the line means the variant whose alias is "<family> <form>".
        self._variants: dict[str, str] = {}
        for alias, model_id in self.alias_to_id.items():
            base, _, form = alias.rpartition(" ")
            family = self.alias_to_id.get(base)
            if form in FORMS and family and family != model_id:
                self._variants.setdefault(f"{family}|{form}", model_id)
        self._tables = Tables(
            variants=self._variants,
            families={v: k.partition("|")[0] for k, v in self._variants.items()},
            counting_ids=self._counting_ids,
            counting_generic=self.vocabulary.counting_generic,
            ai_generic=min(self.vocabulary.counting_generic),
        )
        read_words(self.vocabulary)  # at load, beside the input's read: not in the first batch

    @property
    def version(self) -> str:
        return f"{self.catalog.version}+{self.vocabulary.version}{tag(self.learned)}"

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
        out = lookup(lines.with_columns(keyed["__key"]), resolved, "__key").drop("__key")
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
        if d.is_empty():  # compiles no regex (the rule check's empty batch: 0.1 s of a start)
            return pl.DataFrame(schema={"__key": d.schema["__key"], **RESOLVED_SCHEMA})
        raw = pl.col("__text").str.replace_all(_VEN_DEV, "${1}-${2}")
        raw = raw.str.replace_all("+", " plus ", literal=True)
        d = self.typos.frame(per_distinct(d, "__text", lambda t: normalise_model_frame(t, raw)))
        d = per_distinct(d, "__norm", self._text_evidence)
        upper = pl.concat_str(pl.col("__pn"), pl.lit(" "), normalise_part_number(pl.col("__text")))
        part = pl.col("__upper").str.extract(self._part_regex, 1).alias("__pn_hit")
        d = d.with_columns(upper.alias("__upper"))
        d = per_distinct(d, "__upper", lambda u: u.with_columns(part)).drop("__upper")
        pn_ids = {h: self._part_id(h) for h in d["__pn_hit"].drop_nulls().unique()}
        d = d.with_columns(
            pl.col("__pn_hit")
            .replace_strict(pn_ids, default=None, return_dtype=pl.Utf8)
            .alias("__pn_id"),
            hs_context(self.vocabulary),
        )
        need = needs_wording()
        d = pl.concat(
            [
                d.filter(~need).with_columns(pl.lit(None, pl.Utf8).alias("__generic")),
                wording(d.filter(need), self.vocabulary),  # once per distinct text
            ]
        )
        d = self._fuzzy(d)
        d = unnamed_reason(noted(decide(d, self._tables)))  # misspelling, variants: notes
        d = second_opinion(d, self.learned, self.vocabulary.ai_id)  # off unless learned_opinion
        return d.select("__key", *RESOLVED_SCHEMA).cast(RESOLVED_SCHEMA)

    def _text_evidence(self, t: pl.DataFrame) -> pl.DataFrame:
        """``t`` (distinct ``__norm``) with what the text alone says (all but the HS code)."""
        v = self.vocabulary
        t = context_words(t, v).with_columns(
            pl.col("__norm").str.extract(PCI_PATTERN, 1).alias("__pci_hit"),
            self._aliases(pl.col("__norm")),
            context(v),
        )
        # The system regex runs only where a system name occurs as a substring (one Aho-Corasick
        # pass): Unicode word boundaries are slow on CJK and Cyrillic, and few lines name one.
        # Aliases are sought again ``outside`` the system's name: "Atlas 800T A2" is a server,
        # not an NVIDIA A2 (a system that always carries one model supplies it).
        maybe = pl.col("__norm").str.contains_any(list(self.system_alias))
        hits = t.filter(maybe).with_columns(
            pl.col("__norm").str.extract(self._system_regex, 1).alias("__sys_hit")
        )
        named, first = pl.col("__sys_hit").is_not_null(), pl.lit(False).alias("__sys_first")
        outside = pl.col("__norm").str.replace(self._system_regex, " ")
        t = pl.concat(
            [
                t.filter(~maybe).with_columns(pl.lit(None, pl.Utf8).alias("__sys_hit"), first),
                hits.filter(~named).with_columns(first),
                hits.filter(named).with_columns(
                    self._aliases(outside),
                    system_first(pl.col("__norm"), outside, self._system_regex, self._alias_regex),
                ),
            ]
        )
        t = self._vouch.apply(t)  # misread and noun-won numbers beside a vouching word
        pci_ids = {
            h: self.pci_to_id.get(h.replace(" ", ":")) for h in t["__pci_hit"].drop_nulls().unique()
        }
        ids = pl.col("__aliases").list.eval(
            pl.element().replace_strict(self.alias_to_id, default=None, return_dtype=pl.Utf8)
        )
        sys_id = pl.col("__sys_hit").replace_strict(
            self.system_alias, default=None, return_dtype=pl.Utf8
        )
        t = t.with_columns(
            pl.col("__pci_hit")
            .replace_strict(pci_ids, default=None, return_dtype=pl.Utf8)
            .alias("__pci_id"),
            ids.list.drop_nulls().list.unique(maintain_order=True).alias("__alias_ids"),
            pl.col("__aliases")
            .list.eval(pl.element().is_in(self._bare))
            .list.all()
            .alias("__bare"),
            pl.col("__aliases").list.first().is_in(self._digits).fill_null(False).alias("__digits"),
            pl.col("__aliases")
            .list.eval(pl.element().is_in(self._distinctive))
            .list.all()
            .alias("__distinctive"),
            sys_id.alias("__sys_id"),
            pl.col("__sys_hit")
            .replace_strict(self.system_model, default=None, return_dtype=pl.Utf8)
            .alias("__sys_model"),  # only a name that writes its model ("DGX H100") gives it
            sys_id.replace_strict(
                {k: s.units for k, s in self._systems.items()}, default=None, return_dtype=pl.Int64
            ).alias("__sys_units"),
            sys_id.replace_strict(
                {k: ", ".join(s.models) for k, s in self._systems.items()},
                default=None,
                return_dtype=pl.Utf8,
            ).alias("__sys_possible"),
        )
        counted = pl.col("__ctx").struct.field("count").is_not_null()
        return pl.concat(
            [
                t.filter(~counted).with_columns(pl.lit(False).alias("__system_word")),
                t.filter(counted).with_columns(system_wording(v)),
            ]
        )

    def _aliases(self, text: pl.Expr) -> pl.Expr:
        """Every catalog alias in ``text``, in order, as ``__aliases``; none in another product
        line's name and number ("ThinkStation P800": the vocabulary's ``lookalike_series``)."""
        return (
            text.str.replace_all(self._lookalike, " ")
            .str.extract_all(self._alias_regex)
            .list.eval(self._alias_found(pl.element().str.strip_chars()))
            .alias("__aliases")
        )

    def _alias_found(self, hit: pl.Expr) -> pl.Expr:
        """A matched alias, less a plural s that is not part of it ("h100s" -> "h100", but
        "l40s" stays the L40S)."""
        return (
            pl.when(hit.is_in(list(self.alias_to_id)))
            .then(hit)
            .otherwise(hit.str.strip_suffix("s"))
        )

    def _part_id(self, hit: str) -> str | None:
        return next((m for p, m in self.part_patterns if p.fullmatch(hit)), None)

    def fuzzy_match(self, text: str) -> tuple[str, float] | None:
        """The best fuzzy alias of one normalised text and its score, or None (shared by the
        batch and the one-text path, so both pick the same alias on a tie); a number in another
        product line's name ("ThinkCentre 3090") is no candidate's."""
        found = self.fuzzy_reading(text)
        return None if found is None or found.alias is None else (found.alias, found.score or 0)

    def fuzzy_reading(self, text: str) -> FuzzyReading | None:
        """:func:`fuzzy.read_fuzzy` of one normalised text (the alias, or the unnamed models)."""
        tokens = set(re.sub(self._lookalike, " ", text).split())
        return read_fuzzy(text, tokens, self._fuzzy_index, self.alias_to_id, self._plain)

    def _fuzzy(self, d: pl.DataFrame) -> pl.DataFrame:
        """Typos in words, never in model numbers: only aliases whose model number appears
        verbatim are scored, so this loop sees few texts and few candidates each."""
        empty = pl.lit(None, dtype=pl.Utf8)
        todo = d.filter(
            pl.col("__pn_id").is_null()
            & pl.col("__pci_id").is_null()
            & ((pl.col("__alias_ids").list.len() == 0) | pl.col("__digits"))
            & pl.col("__ctx").struct.field("hint")
        )["__norm"].unique()
        todo = todo.filter(todo.str.contains(self._fuzzy_regex))  # the regex last: on few texts
        read = {t: self.fuzzy_reading(t) for t in todo.to_list()}
        found = {t: f for t, f in read.items() if f is not None}
        hits = pl.DataFrame(
            {
                "__norm": list(found),
                "__f_match": [f.alias for f in found.values()],
                "__f_score": [f.score for f in found.values()],
                "__f_unnamed": [", ".join(f.unnamed) or None for f in found.values()],
            },
            schema={k: pl.Utf8 for k in ("__norm", "__f_match", "__f_unnamed")}
            | {"__f_score": pl.Float64},
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
