"""The online path's value functions agree with Polars on generated values (hypothesis)."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcustoms.assess import anomalies
from chipcustoms.assess.online_format import fmt, json_object, round_even
from chipcustoms.assess.online_reasons import noisy_or, rule_term

FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
SCALED = st.one_of(
    FLOATS,
    st.integers(-(10**6), 10**6).map(lambda i: i / 8),  # exact ties at every scale
    st.floats(min_value=1e-9, max_value=1e-3),  # where Polars turns to exponents
)


@settings(max_examples=300, deadline=None)
@given(st.lists(SCALED, min_size=1, max_size=40), st.integers(0, 4))
def test_round_and_message_numbers_match_polars(xs: list[float], decimals: int) -> None:
    s = pl.Series("x", xs, dtype=pl.Float64)
    rounded = s.round(decimals).to_list()
    for x, r in zip(xs, rounded, strict=True):
        mine = round_even(x, decimals)
        assert (math.isnan(mine) and math.isnan(r)) or mine == r, (x, decimals)
    finite = [x for x in xs if math.isfinite(x) and abs(x) < 1e15]
    if finite:
        f = pl.DataFrame({"x": finite})
        texts = f.select(anomalies.fmt(pl.col("x"), decimals)).to_series().to_list()
        assert [fmt(x, decimals) for x in finite] == texts


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            FLOATS,
            st.one_of(st.none(), st.text(max_size=8)),
            st.one_of(st.none(), st.booleans()),
            st.one_of(st.none(), st.integers(-(2**40), 2**40)),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_evidence_json_matches_polars(
    rows: list[tuple[float, str | None, bool | None, int | None]],
) -> None:
    df = pl.DataFrame(
        rows, schema={"f": pl.Float64, "s": pl.Utf8, "b": pl.Boolean, "i": pl.Int64}, orient="row"
    )
    want = df.select(pl.struct("f", "s", "b", "i").struct.json_encode()).to_series().to_list()
    got = [json_object(zip(("f", "s", "b", "i"), r, strict=True)) for r in rows]
    assert got == want


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5),
    st.lists(st.one_of(st.none(), st.floats(-0.5, 1.5)), max_size=6),
)
def test_risk_terms_match_the_batch_expressions(
    weights: list[float], terms: list[float | None]
) -> None:
    from chipcustoms.assess.scoring import noisy_or as frame_noisy_or

    df = pl.DataFrame({"w": [weights]})
    want = df.select(1 - pl.col("w").list.eval((1 - pl.element()).log()).list.sum().exp()).item()
    assert rule_term([{"score": w} for w in weights]) == want
    cols = {f"t{k}": pl.Series([t], dtype=pl.Float64) for k, t in enumerate(terms)}
    frame = pl.DataFrame(cols) if cols else pl.DataFrame({"_": [0]})
    batch = frame.select(frame_noisy_or([pl.col(c) for c in cols]).alias("r")).item()
    assert noisy_or(list(terms)) == batch
