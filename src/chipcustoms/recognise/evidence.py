"""Weighing a line's evidence: what the words around a model number say, and the final decision.

The resolver (:mod:`chipcustoms.recognise.resolver`) finds the candidates (a part number, a PCI
id, aliases, a named system, a fuzzy alias); this module reads the vocabulary's context (GPU
words, accessories, exclusions, generic wording, counts) and decides the id, whether the line is
an accelerator, how many it carries and how sure that is. It is kept apart because this is the
part that changes with the meaning of ``is_accelerator`` (docs/recognition.md), not with the
catalog's tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chipcustoms.recognise.counts import load_counts
from chipcustoms.recognise.literals import any_of
from chipcustoms.recognise.named_machines import ai_system_names  # SKUs and named machines
from chipcustoms.recognise.server_skus import carried_box
from chipcustoms.recognise.system_order import named_first
from chipcustoms.recognise.vocabulary import Vocabulary

# Confidence of each kind of evidence: the share of such resolutions that were right on the
# development set (tests/fixtures/resolver_devset.csv; calibration table in docs/benchmarks.md).
CONF = {
    "part_number": 0.99,
    "pci_id": 0.98,
    "alias": 0.97,  # an alias with a GPU word, brand or a computer HS code beside it
    "alias_bare_hs": 0.85,  # a bare model number ("H20") backed only by the HS code
    "several": 0.85,  # two different models on one line: the first one is reported
    "system": 0.95,  # the model a named system always carries
    "system_unknown": 0.9,  # a named AI system whose GPU the buyer chooses and the line omits
    "accessory": 0.9,
    "exclusion": 0.9,
    "generic": 0.8,
    "generic_ai": 0.75,  # AI-compute wording with no model: an accelerator, model unknown
    "rejected": 0.8,
    "none": 0.97,
    "none_hint": 0.75,  # GPU words but nothing we could place
}
# A fuzzy match's confidence: its score (0-100) times 0.85 / 100, as one multiplication so that
# both resolvers compute the same double: Polars computes "/ 100" as a division on some frames
# and as "* 0.01" on others, so no Python expression matched it on every line (round 11 found
# lines of each kind: a full score now gives 0.8500000000000001, not 0.85).
FUZZY_SCALE = 0.0085
FORMS = ("pcie", "nvl", "sxm", "sxm4", "sxm5", "oam")
# The count patterns (refdata/resolver/counts.yaml): "with 8" on any line, the rest on a
# system's line only (a quantity of items is not units per item).
_COUNTS = load_counts()


@dataclass(frozen=True)
class Tables:
    """What :func:`decide` needs from the catalog: built once by the resolver."""

    variants: dict[str, str]  # "<family id>|<form>" -> the variant's id ("h100" + "pcie")
    families: dict[str, str]  # a variant's id -> its family's id (the variants reversed)
    counting_ids: list[str]  # models whose ai_class counts
    counting_generic: frozenset[str]  # generic ids that count (accelerator-unknown)
    ai_generic: str  # the generic id a named system without its model gets


def _ai_system(v: Vocabulary) -> pl.Expr:
    """A system word and an AI-compute word on one line, unless the system word only qualifies
    a part ("server CPUs designed for AI") and no GPU or accelerator word is there."""
    norm = pl.col("__norm")
    found = norm.str.contains(v.ai_system[0]) & norm.str.contains(v.ai_system[1])
    if v.ai_system_parts is not None:
        parts, unless = v.ai_system_parts
        found = found & ~(norm.str.contains(parts) & ~norm.str.contains(unless))
    return found | pl.col("__ai_named")  # a GPU server's SKU, a named AI machine: both words


def system_wording(v: Vocabulary) -> pl.Expr:
    """Whether the words say a computer built to carry accelerators (``__system_word``): a
    system word, or an AI system phrase. It decides only which count a line reads ("8x" on a
    server's line, not on a cooler's), so the resolver runs it only on lines where a count was
    found (a slow regex on CJK and Cyrillic text, needed by few lines)."""
    return (pl.col("__norm").str.contains(v.system_word) | _ai_system(v)).alias("__system_word")


def needs_wording() -> pl.Expr:
    """Lines whose outcome can depend on the wording class. :func:`decide` reads the class
    only (a) as a GPU word, which a named system or a vocabulary hint already is, and (b) as
    the id of a line that keeps no model, which a part number or PCI id always keeps (or loses
    to an accessory or exclusion, whose lines take no class), and so does an alias or a named
    system with a GPU word beside it. Every other line needs it; the golden test
    (tests/test_resolver_golden.py) pins that skipping it changes no output."""
    named = pl.col("__sys_id").is_not_null()
    strong = pl.col("__pn_id").is_not_null() | pl.col("__pci_id").is_not_null()
    beside = (pl.col("__alias_ids").list.len() > 0) | named
    return ~(strong | (beside & (pl.col("__ctx").struct.field("hint") | named)))


def context_words(d: pl.DataFrame, v: Vocabulary) -> pl.DataFrame:
    """``d`` with what :func:`context` reads twice, as columns computed first (eager Polars
    does not share common subexpressions): accessory words, the strong count and, in one pass
    prefiltered by :func:`.literals.any_of` (as one alternation the slow path ran over every
    text), a GPU word, a bare-number hint and a GPU server's SKU or AI machine's name
    (``__ai_named``, read by :func:`_ai_system` and the wording step)."""
    norm, passes = pl.col("__norm"), [v.hints or [v.hint], [v.bare_hint_apart], [ai_system_names()]]
    hint, apart, named = any_of(d["__norm"], passes)
    strong = [norm.str.extract(f"({p})", 1) for p in (v.accessory_strong, v.accessory_strong_apart)]
    return d.with_columns(
        pl.coalesce(*strong).alias("__strong_word"),
        norm.str.extract(f"({v.accessory_weak})", 1).alias("__weak_word"),
        pl.coalesce(*[norm.str.extract(p, 1) for p in _COUNTS.any_line]).alias("__strong_count"),
        hint.alias("__hint"),
        apart.alias("__bare_apart"),
        named.alias("__ai_named"),
    )


def context(v: Vocabulary) -> pl.Expr:
    """What the words around a model number say, as one struct (the wording class apart: see
    :func:`.wording.wording`; the HS code's part: :func:`hs_context`); needs the columns of
    :func:`context_words`. It reads ``__norm`` alone: the resolver runs it per distinct text."""
    norm = pl.col("__norm")
    strong, weak = f"{v.accessory_strong}|{v.accessory_strong_apart}", v.accessory_weak
    # One extract per word list serves as both the test and the word reported.
    strong_word, weak_word = pl.col("__strong_word"), pl.col("__weak_word")
    accessory = (
        strong_word.is_not_null() & ~norm.str.contains(f"(?:{v.with_words})(?:{strong})")
    ) | (
        weak_word.is_not_null()
        & norm.str.contains(v.for_words)
        & ~norm.str.contains(f"(?:{v.with_words})(?:{weak})")
    ) | norm.str.contains(v.accessory_head)
    accessory = accessory & ~carried_box(norm)
    acc_word = pl.coalesce(strong_word, weak_word)
    strong_count = pl.col("__strong_count")
    words = _COUNTS.word_counts
    per_item = pl.coalesce(
        *[norm.str.extract(p, 1) for p in _COUNTS.system],
        *[norm.str.extract(p, 1).replace_strict(words, default=None) for p in _COUNTS.words],
    )
    count = pl.coalesce(  # "with 8" first; the system patterns unless a quantity of servers
        strong_count,
        pl.when(norm.str.contains(_COUNTS.quantity_regex)).then(None).otherwise(per_item),
    )
    return pl.struct(
        pl.col("__hint").alias("hint"),
        (norm.str.contains(v.bare_hint) | pl.col("__bare_apart")).alias("bare_hint"),
        accessory.alias("accessory"),
        acc_word.alias("accessory_word"),
        pl.coalesce(
            norm.str.extract(f"({v.exclusion})", 1),
            norm.str.extract(f"({v.exclusion_scripts})", 1),
            norm.str.extract(f"({v.exclusion_apart})", 1),
        ).alias("exclusion"),
        count.cast(pl.Int64, strict=False).alias("count"),
        strong_count.cast(pl.Int64, strict=False).alias("strong_count"),
    ).alias("__ctx")


def hs_context(v: Vocabulary) -> pl.Expr:
    """``__ctx`` with what the HS code says (one text comes under several codes)."""
    hs = pl.col("__hs")
    return pl.col("__ctx").struct.with_fields(
        hs_fits=hs.str.slice(0, 4).is_in(list(v.hs_prefixes)),
        hs_chapter_ok=(hs == "") | hs.str.slice(0, 2).is_in(list(v.hs_chapters)),
    )


def decide(d: pl.DataFrame, t: Tables) -> pl.DataFrame:
    """Weigh the evidence: the model, whether the words around it undo it, the count, and
    whether the line is an accelerator at all (a counting model, a named system built to carry
    them, or AI-compute wording)."""
    ctx = pl.col("__ctx")
    # A named GPU system is itself a GPU word for the model numbers beside it ("XE9680 8x H200").
    # So is AI-compute wording ("deep learning server with 4 x A100").
    # Two different catalogued model numbers are each other's GPU word ("H100s, H200s, A100s"):
    # one bare number may be a pump or a bolt grade, a list of them is a list of chips.
    hint = (
        ctx.struct.field("hint")
        | pl.col("__sys_id").is_not_null()
        | pl.col("__generic").is_in(list(t.counting_generic)).fill_null(False)
        | (pl.col("__alias_ids").list.n_unique() >= 2)
    )
    hs_fits = ctx.struct.field("hs_fits")
    n_alias = pl.col("__alias_ids").list.len()
    method: pl.Expr = (
        pl.when(pl.col("__pn_id").is_not_null())
        .then(pl.lit("part_number"))
        .when(pl.col("__pci_id").is_not_null())
        .then(pl.lit("pci_id"))
        # An all-digit number ("5090") yields to a fuzzy match of the whole name around it.
        .when(named_first())  # a one-model system named before another model
        .then(pl.lit("system"))
        .when((n_alias > 0) & ~(pl.col("__digits") & pl.col("__f_id").is_not_null()))
        .then(pl.lit("alias"))
        .when(pl.col("__sys_model").is_not_null())
        .then(pl.lit("system"))
        .when(pl.col("__f_id").is_not_null())
        .then(pl.lit("fuzzy"))
    )
    # Each intermediate is materialised once as a column (eager Polars does not share common
    # subexpressions, and the method, model and kept tests are read a dozen times each).
    d = d.with_columns(method.alias("__method"), hint.alias("__hint"))
    method, hint = pl.col("__method"), pl.col("__hint")
    first = pl.col("__alias_ids").list.first()
    form = pl.col("__norm").str.extract(r"\b(" + "|".join(FORMS) + r")\b", 1)
    variant = pl.concat_str(first, pl.lit("|"), form).replace_strict(
        t.variants, default=None, return_dtype=pl.Utf8
    )
    own = pl.when(method == "system").then(pl.col("__sys_model"))  # the system's model
    model = pl.coalesce("__pn_id", "__pci_id", own, variant, first, "__sys_model", "__f_id")
    match: pl.Expr = (
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
    d = d.with_columns(model.alias("__model"), match.alias("__match"))
    model, match = pl.col("__model"), pl.col("__match")
    bare = (method == "alias") & pl.col("__bare")
    # A distinctive model number standing alone ("GB300") needs no GPU word, unless the HS
    # code says the goods are something else.
    lone_ok = bare & pl.col("__distinctive") & (pl.col("__hs") == "")
    weak_text = method.is_in(["alias", "fuzzy", "system"])
    # A model number alone, or any model under an unrelated HS chapter, needs a GPU word.
    # A server word lets a bare number stand ("H800 server modules") but is no GPU word itself;
    # only where no HS code says the goods are something else ("pump H20-80G" under 8413).
    bare_ok = lone_ok | (ctx.struct.field("bare_hint") & (pl.col("__hs") == ""))
    # An all-digit number ("4090") is a quantity or a code as often as a card: only a GPU word
    # beside it makes it one, never an HS code or a server word alone.
    digits = (method == "alias") & pl.col("__digits")
    rejected = (
        weak_text
        & ~hint
        & (bare & ~hs_fits & ~bare_ok | ~ctx.struct.field("hs_chapter_ok") | digits)
    )
    accessory = ctx.struct.field("accessory")
    excluded = ctx.struct.field("exclusion").is_not_null()
    kept = model.is_not_null() & ~rejected & ~accessory & ~excluded
    # A named system whose GPU the line does not write: an accelerator of unknown model.
    system = (
        pl.col("__sys_id").is_not_null()
        & ~accessory
        & ~excluded
        & (hint | ctx.struct.field("hs_chapter_ok"))
    )
    d = d.with_columns(kept.alias("__kept"), system.alias("__system"), rejected.alias("__rejected"))
    kept, system, rejected = pl.col("__kept"), pl.col("__system"), pl.col("__rejected")
    system_only = system & ~kept
    is_system = pl.col("__sys_id").is_not_null() | pl.col("__system_word")
    generic = (
        pl.when(system_only)
        .then(pl.lit(t.ai_generic))
        .when(accessory | excluded | rejected)
        .then(pl.lit(None, dtype=pl.Utf8))
        # AI wording under an unrelated HS chapter ("accelerator" under 8708) is not read as AI.
        .when(
            pl.col("__generic").is_in(list(t.counting_generic)) & ~ctx.struct.field("hs_chapter_ok")
        )
        .then(pl.lit(None, dtype=pl.Utf8))
        .otherwise(pl.col("__generic"))
    )
    d = d.with_columns(generic.alias("__generic_id"))
    generic = pl.col("__generic_id")
    generic_counts = generic.is_in(list(t.counting_generic)).fill_null(False)
    conf = (
        pl.when(method == "part_number")
        .then(CONF["part_number"])
        .when(method == "pci_id")
        .then(CONF["pci_id"])
        .when(method == "fuzzy")
        .then(pl.col("__f_score") * FUZZY_SCALE)
        .when(method == "system")
        .then(CONF["system"])
        .when(bare & (~hint | pl.col("__digits")))
        .then(CONF["alias_bare_hs"])
        .otherwise(CONF["alias"])
    )
    # A part number and the aliases (first, last) of its own model family ("GPU-NVH100-80 H100
    # PCIe": the SKU's H100 and the H100 PCIe) are one model, not several.
    fam, ids, f = pl.col("__pn_id").replace(t.families), pl.col("__alias_ids"), t.families
    one = (ids.list.first().replace(f) == fam) & (ids.list.last().replace(f) == fam)
    several = (n_alias > 1) & ~((method == "part_number") & one)
    conf = pl.when(several).then(pl.min_horizontal(conf, pl.lit(CONF["several"]))).otherwise(conf)
    final_conf = (
        pl.when(kept)
        .then(conf)
        .when(system_only)
        .then(CONF["system_unknown"])
        .when(accessory & (model.is_not_null() | hint))
        .then(CONF["accessory"])
        .when(excluded)
        .then(CONF["exclusion"])
        .when(rejected)
        .then(CONF["rejected"])
        .when(generic_counts)
        .then(CONF["generic_ai"])
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
        .when(system_only)
        .then(
            pl.format(
                "system '{}' carries {} accelerators; the model is not written (possible: {})",
                pl.col("__sys_hit"),
                pl.col("__sys_units"),
                pl.col("__sys_possible"),
            )
        )
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
        .when(generic_counts)
        .then(pl.format("{}: AI-compute wording, no identifiable model", generic))
        .when(generic.is_not_null())
        .then(pl.format("{}: names no identifiable model", generic))
        .when(hint)
        .then(pl.lit("GPU words but no model, system or generic class"))
        .otherwise(pl.lit("no accelerator vocabulary"))
    )
    others = pl.when(kept & several).then(pl.col("__alias_ids").list.slice(1).list.join(","))
    counts = model.is_in(t.counting_ids) | (
        (method == "alias")
        & pl.col("__alias_ids").list.eval(pl.element().is_in(t.counting_ids)).list.any()
    )
    return d.with_columns(
        pl.when(kept).then(model).otherwise(generic).alias("accelerator_id"),
        # The meaning of is_accelerator (docs/recognition.md): a model whose ai_class counts,
        # a named system built to carry them, or wording that says AI compute.
        ((kept & counts) | system | (~kept & generic_counts))
        .fill_null(False)
        .alias("is_accelerator"),
        units.alias("units_per_item"),
        final_conf.alias("resolution_confidence"),
        pl.when(kept)
        .then(method)
        .when(system_only)
        .then(pl.lit("system"))
        .when(accessory)
        .then(pl.lit("accessory"))
        .when(excluded)
        .then(pl.lit("exclusion"))
        .when(rejected)
        .then(pl.lit("rejected"))
        .when(generic.is_not_null())
        .then(pl.lit("generic"))
        .alias("resolution_method"),
        pl.when(kept)
        .then(match)
        .when(system_only)
        .then(pl.col("__sys_hit"))
        .alias("resolution_match"),
        others.alias("resolution_others"),
        reason.alias("resolution_reason"),
        pl.when(system).then(pl.col("__sys_id")).alias("system_id"),
        pl.when(system).then(pl.col("__sys_possible")).alias("possible_models"),
    )
