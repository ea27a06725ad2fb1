"""The batch resolver's matching shortcuts change how fast, never what is recognised.

Each shortcut is checked against the plain computation it replaces: the literal-word prefilter
against Polars' own ``str.contains`` for every vocabulary pattern, the per-distinct-text steps
against resolving each line alone, the empty batch against the schema of a full one.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcustoms.recognise.catalog import load_catalog
from chipcustoms.recognise.distinct import per_distinct
from chipcustoms.recognise.evidence import _COUNTS
from chipcustoms.recognise.literals import alternatives, any_of, matches, necessary
from chipcustoms.recognise.resolver import Resolver
from chipcustoms.recognise.textnorm import normalise_model_frame


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_catalog())


def _patterns(r: Resolver) -> list[str]:
    """Every pattern the batch resolver runs over a normalised text."""
    v = r.vocabulary
    found = [p for _, _, patterns in v.generic for p in patterns]
    found += [v.hint, v.bare_hint, v.not_ai, v.system_word, v.exclusion, v.exclusion_scripts]
    found += [v.exclusion_apart, v.accessory_strong, v.accessory_strong_apart, v.accessory_weak]
    found += [v.for_words, v.brand_word, v.misread_brand, *v.ai_system, *(v.ai_system_parts or ())]
    found += [r._alias_regex, r._system_regex, r._fuzzy_regex, _COUNTS.quantity_regex]
    return found + _COUNTS.any_line + _COUNTS.system + _COUNTS.words


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\b(?:gpus?|video card)\b", {"gpu", "video card"}),
        (r"\d+ ?gb\b", {"gb"}),  # the literal run, not the optional space
        (r"显卡|加速卡", {"显卡", "加速卡"}),
        (r"(?:a|bc)(?:defg|hij)", {"defg", "hij"}),  # the item with the longer shortest word
        (r"[aá]i", {"i"}),  # one-character sets tie: the smaller one
        (r"x{2,}y", {"y"}),
        (r"(?:ab){1,3}", {"ab"}),
    ],
)
def test_necessary_words_are_read_off_the_pattern(pattern: str, words: set[str]) -> None:
    assert necessary(pattern) == words


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?i)gpu",  # case folding: the text's own letters are not the pattern's
        r"(?i:gpu)",
        r"(?x)g p u",
        r"[[:alpha:]]+gpu",  # a POSIX class, read differently by Python
        r"[a-z&&[^x]]gpu",
        r"a?b*",  # every item may match empty
        r"(?:gpu|\w+)",  # one branch without a word
        r"\p{Han}卡",  # not Python syntax
        r"\<gpu",  # the Rust engine's word start, a literal "<" to Python
        r"gpu\b{end}",
        r"[^a]",
    ],
)
def test_no_words_where_they_cannot_be_proven(pattern: str) -> None:
    assert necessary(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "parts"),
    [
        (r"(?:gpu)|(?:card|board)", ("gpu", "card", "board")),  # the vocabulary's joins
        (r"(?:(?:x)|(?:y))", ("x", "y")),
        (r"[|(]x|y", ("[|(]x", "y")),  # a class's | and ( are no structure
        (r"a\|b|c", (r"a\|b", "c")),  # nor an escaped one
        (r"[]|]|z", ("[]|]", "z")),  # a leading ] is in the class
        (r"(?:a|b)?x", ("(?:a|b)?x",)),  # a group that does not span the piece stays whole
        (r"(?:a)(?:b)|c", ("(?:a)(?:b)", "c")),
        (r"(?i)a|b", ("(?i)a|b",)),  # a flag applies to every branch: not split
        (r"(?=a)b|c", ("(?=a)b|c",)),
        (r"[a[b]]|c", ("[a[b]]|c",)),  # a nested class to the Rust engine
        (r"(a|b", ("(a|b",)),
    ],
)
def test_alternatives_split_only_at_the_top_level(pattern: str, parts: tuple[str, ...]) -> None:
    assert alternatives(pattern) == parts


def _texts(r: Resolver, extra: list[str]) -> pl.Series:
    devset = pl.read_csv("tests/fixtures/resolver_devset.csv", infer_schema=False)
    raw = devset.select(
        pl.concat_str(
            [pl.col(c).fill_null("") for c in ("description", "brand")], separator=" "
        ).alias("__text")
    )
    raw = pl.concat([raw, pl.DataFrame({"__text": extra})])
    return normalise_model_frame(raw, pl.col("__text"))["__norm"]


MULTILINGUAL = [
    "ускоритель вычислений nvidia h100",
    "видеокарта для майнинга rtx 3090",
    "人工智能 加速卡 8卡 服务器",
    "显卡 geforce rtx 4090 散热器",
    "엔비디아 그래픽 카드 h20",
    "サーバー gpu 8基 nvidia h200",
    "carte graphique pour serveur ia",
    "tarjeta gráfica aceleradora de ia",
    "τσιπ τεχνητής νοημοσύνης",
    "بطاقة رسوميات للذكاء الاصطناعي",
    "crypto mining rig 6 gpu",
    "deep learning server with 4 x a100",
    "",
]


def test_prefiltered_matches_equal_polars_on_every_pattern(resolver: Resolver) -> None:
    texts = _texts(resolver, MULTILINGUAL)
    patterns = _patterns(resolver)
    got = matches(texts, patterns)
    for pattern, hit in zip(patterns, got, strict=True):
        assert hit.to_list() == texts.str.contains(pattern).to_list(), pattern[:80]


def test_any_of_is_any_horizontal(resolver: Resolver) -> None:
    texts = _texts(resolver, MULTILINGUAL)
    groups = [list(patterns) for _, _, patterns in resolver.vocabulary.generic]
    groups += [list(resolver.vocabulary.hints), [resolver.vocabulary.not_ai]]
    frame = texts.to_frame("t")
    for group, hit in zip(groups, any_of(texts, groups), strict=True):
        want = frame.select(pl.any_horizontal([pl.col("t").str.contains(p) for p in group]))
        assert hit.to_list() == want.to_series().to_list()


def test_null_texts_keep_polars_nulls() -> None:
    texts = pl.Series(["gpu card", None, "pump"])
    assert matches(texts, [r"\bgpu\b"])[0].to_list() == [True, None, False]


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_prefilter_holds_on_texts_built_from_the_words(
    resolver: Resolver, data: st.DataObject
) -> None:
    """Texts made of the patterns' own words, spaces and a few other characters: the texts
    most likely to hold a word without a match, or a match a wrong word set would miss."""
    patterns = [p for p in _patterns(resolver) if necessary(p)]
    words = sorted({w for p in patterns for w in necessary(p) or ()})
    piece = st.one_of(st.sampled_from(words), st.sampled_from([" ", "s", "8", "x ", "卡", "é"]))
    texts = data.draw(st.lists(st.lists(piece, max_size=6).map("".join), min_size=1, max_size=40))
    series = pl.Series(texts, dtype=pl.Utf8)
    split = any_of(series, [[p] for p in patterns])  # each run as its alternatives
    for pattern, hit, whole in zip(patterns, matches(series, patterns), split, strict=True):
        assert hit.to_list() == series.str.contains(pattern).to_list(), pattern[:80]
        assert whole.to_list() == hit.to_list(), pattern[:80]


def test_per_distinct_runs_once_per_value_and_keeps_order() -> None:
    seen: list[int] = []

    def compute(values: pl.DataFrame) -> pl.DataFrame:
        seen.append(values.height)
        return values.with_columns(pl.col("k").str.len_chars().alias("n")).reverse()

    d = pl.DataFrame({"k": ["bb", "a", "bb", None, "a", "ccc"], "row": range(6)})
    out = per_distinct(d, "k", compute)
    assert seen == [4]  # "bb", "a", null, "ccc"
    assert out["row"].to_list() == list(range(6))
    assert out["n"].to_list() == [2, 1, 2, None, 1, 3]


def test_one_text_under_many_codes_resolves_as_each_line_alone(resolver: Resolver) -> None:
    """The text steps run once per distinct text: what the HS code and part number say must
    still be read per line."""
    lines = pl.DataFrame(
        {
            "description": ["NVIDIA H20 96GB", "H20", "H20", "H20", "water pump H20", "H20"],
            "hs_code": ["847330", "841370", "847330", "", "841370", "847180"],
            "part_number": ["", "", "900-2G530-0000-000", "", "", ""],
        }
    )
    together = resolver.resolve(lines)
    alone = pl.concat([resolver.resolve(lines.slice(i, 1)) for i in range(lines.height)])
    assert together.equals(alone)
    assert together["resolution_method"].n_unique() > 1  # the codes do change the outcome


def test_an_empty_batch_has_the_schema_of_a_full_one(resolver: Resolver) -> None:
    lines = pl.DataFrame({"description": ["NVIDIA H100 80GB"], "hs_code": ["847330"]})
    full = resolver.resolve(lines)
    empty = resolver.resolve(lines.clear())
    assert empty.is_empty()
    assert empty.schema == full.schema
