import polars as pl
import pytest

from chipcustoms.assess.anomalies import add_scores


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
