"""The synthetic generator: reproducible, schema-exact, and realistic where screening relies on it.

Small row counts keep these fast; ranges are wide enough to hold for any seed tested here.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from rapidfuzz import fuzz, process

from chipcustoms.lines.schema import EXTRA, KEY, canonical_schema
from chipcustoms.recognise.catalog import load_catalog
from chipcustoms.refdata import REFDATA
from chipcustoms.synthetic import generator as gen

ROWS = 30_000
HUBS = ["HK", "SG", "MY", "TH", "AE"]
ACC = pl.col("true_accelerator_id").is_not_null()


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return gen.generate(ROWS, seed=7, truth=True)


@pytest.fixture(scope="module")
def acc(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(ACC)


def test_same_seed_same_frame_other_seed_other_frame() -> None:
    a, b = gen.generate(3_000, seed=11), gen.generate(3_000, seed=11)
    assert_frame_equal(a, b)
    assert not a.equals(gen.generate(3_000, seed=12))


def test_same_seed_same_frame_across_processes() -> None:
    """String hashing is randomised per process; nothing may depend on it."""
    code = (
        "from chipcustoms.synthetic.generator import generate; "
        "print(generate(2000, seed=4).hash_rows().sum())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ | {"PYTHONHASHSEED": h},
        ).stdout
        for h in ("1", "2")
    }
    assert len(digests) == 1


def test_schema_is_canonical_with_labels_without_extra() -> None:
    expected = canonical_schema(with_labels=True)
    expected.pop(EXTRA)
    df = gen.generate(2_000, seed=1)
    assert df.schema == pl.Schema(expected)
    assert gen.generate(0, seed=1).schema == pl.Schema(expected)


def test_truth_columns_are_extra_and_only_on_request(frame: pl.DataFrame) -> None:
    assert {"true_accelerator_id", "true_value_usd", "patterns", "intent"} <= set(frame.columns)
    assert "true_accelerator_id" not in gen.generate(100, seed=7).columns


def test_key_is_unique_and_items_count_from_one(frame: pl.DataFrame) -> None:
    assert frame.height == ROWS
    assert frame.select(pl.struct(*KEY).is_unique().all()).item()
    firsts = frame.group_by("declaration_id").agg(pl.col("item_no").min(), pl.len())
    assert (firsts["item_no"] == 1).all()
    assert firsts["len"].max() > 1  # some declarations carry several items
    assert frame["declaration_id"].str.contains(r"^DEC\d{10}$").all()


def test_no_invalid_rows_but_odd_values_exist() -> None:
    df = gen.generate(50_000, seed=3)
    assert df.select("declaration_id", "item_no", "date").null_count().sum_horizontal().item() == 0
    assert (df["quantity"] > 0).all() and (df["value"] >= 0).all()
    assert (df["net_weight_kg"] >= 0).all()
    assert (df["net_weight_kg"] == 0).any()
    assert (df["origin_country"] == "ZZ").any()
    assert set(df["flow"].unique()) == {"import", "export", "transit"}
    assert set(df["currency"].unique()) == {"USD", "CNY", "HKD", "EUR", "KRW"}


@pytest.mark.parametrize("seed", [0, 7, 21])
def test_accelerator_share_and_fraud_rates(seed: int) -> None:
    df = gen.generate(40_000, seed=seed, truth=True)
    share = df.select(ACC.mean()).item()
    acc_fraud = df.filter(ACC)["fraud"].mean()
    ord_fraud = df.filter(~ACC)["fraud"].mean()
    assert 0.02 <= share <= 0.04
    assert 0.15 <= acc_fraud <= 0.30
    assert 0.01 <= ord_fraud <= 0.03


def test_labels_are_consistent(frame: pl.DataFrame, acc: pl.DataFrame) -> None:
    assert acc["inspected"].all()  # every accelerator line was inspected
    audited = frame.filter(~ACC)["inspected"].mean()
    assert 0.03 <= audited <= 0.07
    assert (frame.filter(pl.col("fraud"))["revenue"] > 0).all()
    assert (frame.filter(~pl.col("fraud"))["revenue"] == 0).all()
    assert frame["critical"].is_in([0, 1]).all()


def test_batches_concatenate_to_generate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen, "_CHUNK", 4_096)  # several chunks in a small test
    whole = gen.generate(10_000, seed=5)
    for batch_rows in (3_000, 4_096, 20_000):
        batches = list(gen.generate_batches(10_000, seed=5, batch_rows=batch_rows))
        assert all(b.height == batch_rows for b in batches[:-1])
        assert_frame_equal(pl.concat(batches), whole)
    assert whole.select(pl.struct(*KEY).is_unique().all()).item()


def test_dates_follow_window_and_weekly_rhythm() -> None:
    df = gen.generate(20_000, seed=2, start=dt.date(2024, 3, 1), days=60)
    assert df["date"].min() >= dt.date(2024, 3, 1)
    assert df["date"].max() < dt.date(2024, 3, 1) + dt.timedelta(days=60)
    weekend = df.select((pl.col("date").dt.weekday() >= 6).mean()).item()
    assert 0.03 < weekend < 0.2  # fewer filings on weekends than the 2/7 of a flat calendar


def test_ordinary_goods_span_many_chapters(frame: pl.DataFrame) -> None:
    ordinary = frame.filter(~ACC)
    assert ordinary["hs_code"].str.slice(0, 6).n_unique() >= 40
    assert ordinary["hs_code"].str.slice(0, 2).n_unique() >= 15
    assert frame["hs_code"].str.contains(r"^\d{6}(\d{4})?$").all()


def test_descriptions_repeat_and_carry_noise(frame: pl.DataFrame) -> None:
    assert frame["description"].n_unique() < frame.height / 10
    assert frame["description"].str.contains(r"\p{Han}").any()  # Chinese text
    assert frame["description"].str.contains("[Ａ-Ｚａ-ｚ]").any()  # full-width characters
    assert frame["importer_name"].str.contains("有限公司").any()


def test_trader_identity_is_consistent(frame: pl.DataFrame) -> None:
    per_id = frame.group_by("importer_id").agg(
        pl.col("importer_name", "importer_address").n_unique()
    )
    assert (per_id["importer_name"] == 1).all() and (per_id["importer_address"] == 1).all()
    volumes = frame["importer_id"].value_counts()["count"]
    assert volumes.max() > 20 * volumes.median()  # skewed: a few traders file a lot


def test_accelerator_lines_use_catalog_models(acc: pl.DataFrame) -> None:
    ids = set(acc["true_accelerator_id"].unique())
    assert {"nvidia-h20", "nvidia-rtx-pro-6000d"} <= ids
    top = acc["true_accelerator_id"].value_counts(sort=True)["true_accelerator_id"].head(3)
    assert "nvidia-h20" in top.to_list()  # the mix leans toward the models customs hunt for
    honest = acc.filter(pl.col("patterns") == "")
    assert honest["hs_code"].str.slice(0, 6).is_in(["847330", "847180", "854231"]).all()
    assert honest["brand"].is_not_null().any() and honest["model"].is_not_null().any()


def test_each_dishonest_pattern_is_present(acc: pl.DataFrame) -> None:
    fraud = acc.filter(pl.col("fraud"))
    hubbed = fraud.filter(
        pl.col("shipped_from_country").is_in(HUBS)
        & (pl.col("shipped_from_country") != pl.col("origin_country"))
    )
    assert hubbed.height > 0
    vague = acc.filter(pl.col("patterns").str.contains("vague"))
    assert vague.filter(pl.col("hs_code").str.starts_with("847330")).height > 0
    under = acc.filter(
        pl.col("patterns").str.contains("undervalued") & (pl.col("currency") == "USD")
    )
    assert under.height > 0 and (under["true_value_usd"] > 2 * under["value"]).all()
    assert acc.filter(pl.col("brand") == "SANDKYAN").height > 0
    assert acc.filter(pl.col("patterns").str.contains("front")).height > 0
    lots = acc.filter(pl.col("patterns").str.contains("split_lot"))
    per = lots.group_by("importer_id", "true_accelerator_id").agg(
        pl.len(), (pl.col("date").max() - pl.col("date").min()).dt.total_days().alias("span")
    )
    assert (per["len"] >= 8).any() and (per["span"] <= 28).all()  # a 3-week window, weekend shifts
    assert (lots["quantity"] <= 2).all()


def test_flagged_looking_lines_are_often_honest(acc: pl.DataFrame) -> None:
    hubbed = acc.filter(pl.col("patterns").str.contains("hub"))
    assert 0.2 < hubbed["fraud"].mean() < 0.8
    hidden = acc.filter(pl.col("fraud") & (pl.col("patterns") == ""))
    assert hidden.height > 0  # some fraud shows no visible pattern at all


def test_fronts_resemble_but_never_equal_listed_names(frame: pl.DataFrame) -> None:
    listed = [n for row in gen.config()["listed"] for n in row[:2] if n]
    names = set(frame["importer_name"].unique()) | set(frame["exporter_name"].unique())
    assert not names & set(listed)
    fronts = frame.filter(pl.col("patterns").str.contains("front"))
    front_names = set(fronts["importer_name"]) | set(fronts["exporter_name"])
    near = [
        n
        for n in front_names
        if process.extractOne(n, listed, scorer=fuzz.ratio, processor=str.lower)[1] >= 70
    ]
    assert len(near) >= 3


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        gen.generate(-1)
    with pytest.raises(ValueError):
        list(gen.generate_batches(10, batch_rows=0))


def test_works_with_a_partial_or_missing_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    partial = load_catalog([REFDATA / "catalog" / "amd.yaml"])  # some models lack a price
    df = gen.generate(5_000, seed=1, catalog=partial, truth=True)
    assert set(df.filter(ACC)["true_accelerator_id"].unique()) <= {m.id for m in partial.models} | {
        "huawei-ascend-910b"
    }
    assert df.filter(ACC).height > 0 and df["value"].is_finite().all()
    monkeypatch.setattr(gen, "_bundled_catalog", lambda: None)  # no catalog files yet
    alone = gen.generate(5_000, seed=1, truth=True).filter(ACC)
    assert set(alone["true_accelerator_id"].unique()) == {"huawei-ascend-910b"}  # YAML fallback
