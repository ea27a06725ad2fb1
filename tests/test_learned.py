"""The learned second opinion (recognise/learned.py): its features, its scope, and the batch and
one-text paths giving the same answer with it on. Texts here are written for the tests."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcustoms import settings as chip_settings
from chipcustoms.assess.online_enrich import RESOLVED
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise import learned
from chipcustoms.recognise.learned import TextModel, load_model, ngrams
from chipcustoms.recognise.resolver import TEXT_FIELDS, Resolver
from chipcustoms.recognise.row_resolver import RowResolver
from test_row_resolver import _texts

ALPHABET = "ab gpu中 чип-é"
# A model that speaks wherever "gpu", "чип" or "ai" stands as a word, and nowhere else.
EAGER = TextModel(
    version="test",
    scale=10_000,
    intercept=-5_000,
    threshold=0,
    weights={" gpu ": 9_000, "чип": 6_000, " ai ": 7_000, "gp": 100, "ai": 50},
)


def _lines(texts: list[str], hs: str | None = None) -> pl.DataFrame:
    cols: dict[str, list[str | None]] = {c: [None] * len(texts) for c in TEXT_FIELDS}
    cols["description"], cols["hs_code"] = list(texts), [hs] * len(texts)
    return pl.DataFrame(cols, schema=dict.fromkeys(TEXT_FIELDS, pl.Utf8))


@pytest.fixture(scope="module")
def eager(refs: References) -> Resolver:
    return Resolver(refs.catalog, learned=EAGER)


@pytest.fixture(scope="module")
def shipped(refs: References) -> Resolver:
    return Resolver(refs.catalog, learned=load_model())


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=ALPHABET, max_size=30),
    st.lists(st.text(alphabet=ALPHABET.replace(" ", ""), min_size=1, max_size=4), max_size=12),
)
def test_features_are_the_aho_corasick_hits_of_the_padded_text(text: str, vocab: list[str]) -> None:
    """What one text's substring enumeration finds is what the batch's one Aho-Corasick pass over
    the space-padded text finds, for n-grams without an inner space (all the fitter makes)."""
    grams = sorted({g for v in vocab for g in (v, f" {v}", f"{v} ", f" {v} ") if 2 <= len(g) <= 5})
    if not grams:
        return
    hits = pl.DataFrame({"t": [f" {text} "]}).select(
        pl.col("t").str.extract_many(grams, overlapping=True).list.unique()
    )
    assert set(hits.item().to_list()) == ngrams(text) & set(grams)


def test_the_shipped_model_is_data_that_loads() -> None:
    model = load_model()
    assert 0 < len(model.weights) <= 3_000
    assert all(" " not in g.strip(" ") for g in model.weights)  # no inner space
    assert all(2 <= len(g) <= 5 for g in model.weights)


@pytest.mark.parametrize(
    "text, hs",
    [
        ("NVIDIA H100 80GB HBM3 GPU", "847330"),  # a catalogued model
        ("DGX H100 server", "847150"),  # a named system
        ("water block for GPU RTX 4090 cooling", None),  # an accessory
        ("gaming laptop with GPU, 16 inch", None),  # an exclusion
        ("H20 water pump", "841370"),  # a rejected bare number
        ("AI accelerator card 96GB", None),  # AI wording: the rules already say true
    ],
)
def test_never_over_what_the_rules_decided(eager: Resolver, text: str, hs: str | None) -> None:
    plain = Resolver(eager.catalog, learned=None)
    want = plain.resolve(_lines([text], hs)).select(RESOLVED).to_dicts()
    got = eager.resolve(_lines([text], hs)).select(RESOLVED).to_dicts()
    assert want[0]["resolution_method"] not in (None, "generic") or want[0]["is_accelerator"]
    assert got == want


def test_an_undecided_line_gets_the_generic_ai_id_with_its_evidence(eager: Resolver) -> None:
    row = eager.resolve(_lines(["two boxes of gpu parts, unspecified"])).row(0, named=True)
    plain = Resolver(eager.catalog, learned=None).resolve(
        _lines(["two boxes of gpu parts, unspecified"])
    )
    assert plain["resolution_method"][0] in (None, "generic")
    assert row["accelerator_id"] == eager.vocabulary.ai_id and row["is_accelerator"]
    assert row["resolution_method"] == "learned"
    assert row["resolution_confidence"] == learned.CONFIDENCE
    assert row["resolution_match"] == " gpu ,gp"
    assert row["resolution_reason"].startswith(
        "learned text score 0.41 >= 0.00 (strongest n-grams: ' gpu ', 'gp'); the rules alone: "
    )


def test_a_line_below_the_threshold_is_left_as_the_rules_left_it(eager: Resolver) -> None:
    text = "washing machine, front loader, 8 kg"
    want = Resolver(eager.catalog, learned=None).resolve(_lines([text])).select(RESOLVED)
    assert eager.resolve(_lines([text])).select(RESOLVED).equals(want)


@pytest.mark.parametrize("which", ["eager", "shipped"])
def test_batch_and_one_text_paths_agree_with_the_model_on(
    refs: References, eager: Resolver, shipped: Resolver, which: str
) -> None:
    resolver = eager if which == "eager" else shipped
    lines, _ = _texts(refs)
    extra = ["gpu", "GPU чип", "ai gpu box", "чипы для ИИ", "AI 스피커", "Gpu  gpu\u3000ai"]
    lines = pl.concat([lines, _lines(extra)]).unique(maintain_order=True)
    want = resolver.resolve(lines).select(RESOLVED).to_dicts()
    row = RowResolver(resolver)
    calls = 0
    for line, w in zip(lines.iter_rows(), want, strict=True):
        got = row.resolve(line)
        assert got is None or got == w, (line, got, w)
        calls += w["resolution_method"] == "learned"
    assert calls > 0


def test_off_by_default_and_named_in_the_version(
    refs: References, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert chip_settings.table()["learned_opinion"].default is False
    learned.learned_opinion.cache_clear()
    monkeypatch.setenv("CHIPCUSTOMS_LEARNED_OPINION", "1")
    try:
        on = Resolver(refs.catalog)
        assert on.learned is not None and on.version.endswith(f"+learned-{on.learned.version}")
    finally:
        learned.learned_opinion.cache_clear()
    monkeypatch.delenv("CHIPCUSTOMS_LEARNED_OPINION")
    assert Resolver(refs.catalog).learned is None
    learned.learned_opinion.cache_clear()
