from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chipcustoms.assess.anomalies import add_scores
from chipcustoms.assess.pipeline import References, assess
from chipcustoms.assess.selection import Budgets
from chipcustoms.cli.main import app
from chipcustoms.errors import ChipCustomsError
from chipcustoms.lines.ingest import read_and_ingest
from chipcustoms.lines.mapping import load_mapping


def _lines(unit_values: list[float], hs6: str = "610910") -> pl.DataFrame:
    n = len(unit_values)
    return pl.DataFrame(
        {
            "hs6": [hs6] * n,
            "unit_basis_usd": unit_values,
            "unit_value_usd": unit_values,
            "units_per_item": [1] * n,
            "value_per_accelerator_usd": unit_values,
            "price_low_usd": [None] * n,
            "unit_gross_kg": [None] * n,
            "unit_net_kg": [None] * n,
            "weight_kg_typical": [None] * n,
            "value": [1.0] * n,
            "net_weight_kg": [1.0] * n,
            "origin_country": ["CN"] * n,
        },
        schema_overrides={
            "price_low_usd": pl.Float64,
            "unit_gross_kg": pl.Float64,
            "unit_net_kg": pl.Float64,
            "weight_kg_typical": pl.Float64,
        },
    )


def test_value_far_below_hs_peers_scores_high_and_normal_values_zero() -> None:
    values = [10.0 + (i % 7) for i in range(40)] + [0.05]
    out = add_scores(_lines(values))
    scores = out["anom_value_low_for_hs"].to_list()
    assert scores[-1] == 1.0
    assert max(scores[:-1]) == 0.0


def test_too_few_peers_gives_no_score() -> None:
    out = add_scores(_lines([10.0, 11.0, 0.01]), min_peers=20)
    assert out["anom_value_low_for_hs"].null_count() == 3


@pytest.mark.parametrize(
    ("declared", "low", "expected"), [(5000, 10000, 0.5), (12000, 10000, 0.0), (0, 10000, 1.0)]
)
def test_below_range_is_the_fraction_under_the_low_price(
    declared: float, low: float, expected: float
) -> None:
    lines = _lines([declared]).with_columns(pl.lit(low).alias("price_low_usd"))
    assert add_scores(lines)["anom_value_below_range"][0] == pytest.approx(expected)


def test_weight_far_from_the_card_scores_one() -> None:
    lines = _lines([1.0, 1.0]).with_columns(
        pl.Series("unit_gross_kg", [0.1, 3.0]), pl.lit(2.0).alias("weight_kg_typical")
    )
    scores = add_scores(lines)["anom_weight_implausible"].to_list()
    assert scores[0] == 1.0 and scores[1] == pytest.approx(0.0)


def test_a_server_is_priced_per_card_and_not_weighed_against_one() -> None:
    """An 8-GPU server: 80,000 USD is 10,000 per card, half the 20,000 low price; 130 kg."""
    lines = _lines([80_000.0]).with_columns(
        pl.lit(8).alias("units_per_item"),
        pl.lit(10_000.0).alias("value_per_accelerator_usd"),
        pl.lit(20_000.0).alias("price_low_usd"),
        pl.lit(130.0).alias("unit_gross_kg"),
        pl.lit(1.7).alias("weight_kg_typical"),
    )
    out = add_scores(lines)
    assert out["anom_value_below_range"][0] == pytest.approx(0.5)
    assert out["anom_weight_implausible"][0] is None


def test_a_new_check_is_one_function_and_one_yaml_entry(
    refs: References, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A toy check registered through the decorator, with its scoring entry keyed by its code,
    shows up as an output column, as a reason, and in `chipcustoms reasons`."""
    from chipcustoms.assess import checks
    from chipcustoms.assess import pipeline as pipeline_module
    from chipcustoms.assess.scoring import AnomalySetting

    entry = AnomalySetting(
        weight=0.5, report_at=0.5, category="valuation", meaning="Toy: declared quantity over 5."
    )
    config = refs.scoring.model_copy(
        update={"anomalies": {**refs.scoring.anomalies, "TOY_MANY_UNITS": entry}}
    )

    @checks.check("TOY_MANY_UNITS")
    def many_units(x: checks.Inputs) -> checks.Check:
        return checks.Check(
            pl.when(pl.col("quantity") > 5).then(1.0).otherwise(0.0),
            pl.concat_str(pl.lit("Quantity "), pl.col("quantity").cast(pl.Utf8), pl.lit(" > 5.")),
            ["quantity"],
        )

    try:
        toy_refs = References(refs.catalog, refs.packs, config)
        lines = read_and_ingest(fixtures / "lines.csv", load_mapping(None)).accepted
        out, _ = assess(lines, toy_refs, Budgets(red=0.3, yellow=0.3, blue=0.2))
        assert "anom_toy_many_units" in out.columns
        many = out.filter(pl.col("quantity") > 5)
        assert many.height > 0
        assert many["anom_toy_many_units"].to_list() == [1.0] * many.height
        codes = [[r["code"] for r in rs] for rs in many["reasons"].to_list()]
        assert all("TOY_MANY_UNITS" in c for c in codes)
        assert all(
            "TOY_MANY_UNITS" not in [r["code"] for r in rs]
            for rs in out.filter(pl.col("quantity") <= 5)["reasons"].to_list()
        )

        monkeypatch.setattr(pipeline_module, "scoring_config", lambda: config)
        shown = CliRunner().invoke(app, ["reasons"])
        assert shown.exit_code == 0, shown.output
        assert "TOY_MANY_UNITS" in shown.output and "Toy: declared quantity over 5." in shown.output
    finally:
        checks.CHECKS.pop("TOY_MANY_UNITS")


def test_a_check_without_its_yaml_entry_is_refused(refs: References) -> None:
    from chipcustoms.assess import checks

    @checks.check("TOY_UNLISTED")
    def unlisted(x: checks.Inputs) -> checks.Check:
        return checks.Check(pl.lit(0.0), pl.lit(""), [])

    try:
        with pytest.raises(ChipCustomsError, match="TOY_UNLISTED"):
            checks.settings_of(refs.scoring)
        with pytest.raises(ChipCustomsError, match="TOY_UNLISTED"):  # before any line is read
            References(refs.catalog, refs.packs, refs.scoring)
    finally:
        checks.CHECKS.pop("TOY_UNLISTED")
