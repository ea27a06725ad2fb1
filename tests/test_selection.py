import numpy as np
import polars as pl
import pytest

from chipcustoms.assess.selection import Budgets, apply_thresholds, select


def _frame(n: int = 1000, floors: int = 0, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "__i": np.arange(n),
            "risk_score": rng.random(n),
            "floor_red": np.arange(n) < floors,
            "floor_yellow": np.zeros(n, dtype=bool),
            "top_category": np.where(rng.random(n) < 0.5, "valuation", "control"),
            "office": np.where(np.arange(n) % 2 == 0, "A", "B"),
        }
    )


def test_budgets_are_filled_exactly() -> None:
    out, rep = select(_frame(), Budgets(red=0.03, yellow=0.05, blue=0.02, random_share=0.1))
    assert rep.counts == {"red": 30, "yellow": 50, "blue": 20, "green": 900}
    assert rep.random_selected == 3  # 10 % of the red budget
    red = out.filter(pl.col("channel") == "red")
    ranked = red.filter(pl.col("selection") == "ranked")
    assert ranked.height == 27
    # The ranked reds are the 27 highest scores.
    assert set(ranked["__i"]) == set(_frame().sort("risk_score", descending=True)["__i"][:27])


def test_blue_only_takes_valuation_lines() -> None:
    out, _ = select(_frame(), Budgets())
    assert (out.filter(pl.col("channel") == "blue")["top_category"] == "valuation").all()


def test_floors_use_the_budget_first_and_overflow_is_reported() -> None:
    out, rep = select(_frame(floors=40), Budgets(red=0.03, random_share=0.1))
    assert rep.counts["red"] == 40 and rep.floor_overflow == 10
    assert out.filter(pl.col("floor_red"))["channel"].eq("red").all()


def test_same_seed_same_channels_other_seed_other_random_picks() -> None:
    a, _ = select(_frame(), Budgets(seed=7))
    b, _ = select(_frame(), Budgets(seed=7))
    c, _ = select(_frame(), Budgets(seed=8))
    assert a["channel"].to_list() == b["channel"].to_list()
    pick = lambda df: set(df.filter(pl.col("selection") == "random")["__i"])  # noqa: E731
    assert pick(a) != pick(c)


def test_per_unit_budgets() -> None:
    out, rep = select(_frame(), Budgets(red=0.1, random_share=0, per=("office",)))
    assert rep.units == 2
    per_office = out.filter(pl.col("channel") == "red").group_by("office").len()
    assert sorted(per_office["len"].to_list()) == [50, 50]


def test_invalid_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Budgets(red=1.5)


def test_threshold_mode_uses_stored_cutoffs() -> None:
    df = pl.DataFrame(
        {
            "risk_score": [0.9, 0.5, 0.1],
            "floor_red": [False] * 3,
            "floor_yellow": [False, False, True],
            "top_category": ["control", "valuation", "control"],
        }
    )
    out = apply_thresholds(df, {"red": 0.8, "yellow": 0.6, "blue": 0.4})
    assert out["channel"].to_list() == ["red", "blue", "yellow"]
