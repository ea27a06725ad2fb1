"""Selection metrics against small cases computed by hand (ties, k rounding, empty positives)."""

from __future__ import annotations

import numpy as np
import pytest

from chipcustoms.model import metrics

# (y, scores, rate, precision, recall), each figure worked out by hand in the comment.
CASES = [
    # k = floor(10 x 0.2) = 2: the two best (0.9, 0.8) are 1 and 0 -> precision 1/2, recall 1/3
    (
        [1, 0, 1, 0, 0, 1, 0, 0, 0, 0],
        [0.9, 0.8, 0.1, 0.2, 0.3, 0.7, 0.0, 0.0, 0.0, 0.0],
        0.2,
        0.5,
        1 / 3,
    ),
    # k = floor(9 x 0.25) = 2 (2.25 rounds down): the two best are both frauds
    ([1, 1, 0, 0, 0, 0, 0, 0, 0], [9, 8, 7, 6, 5, 4, 3, 2, 1], 0.25, 1.0, 1.0),
    # ties at the cut: best 0.9 (fraud), then 3 lines tied at 0.5 with 1 fraud; k = 2 takes one
    # of the three -> expected 1 + 1/3 frauds among 2 -> precision 2/3, recall (4/3) / 2
    ([1, 1, 0, 0, 0], [0.9, 0.5, 0.5, 0.5, 0.1], 0.4, 2 / 3, 2 / 3),
    # a constant score gives the base rate
    ([1, 0, 0, 0], [0.3, 0.3, 0.3, 0.3], 0.5, 0.25, 0.5),
]


@pytest.mark.parametrize(("y", "s", "rate", "precision", "recall"), CASES)
def test_precision_and_recall_at_rate(
    y: list[int], s: list[float], rate: float, precision: float, recall: float
) -> None:
    ya, sa = np.array(y), np.array(s)
    assert metrics.precision_at(ya, sa, rate) == pytest.approx(precision)
    assert metrics.recall_at(ya, sa, rate) == pytest.approx(recall)


def test_k_rounds_down_and_empty_cases_are_none() -> None:
    assert metrics.k_at(8481, 0.05) == 424
    assert metrics.k_at(10, 0.1) == 1
    assert metrics.k_at(9, 0.1) == 0
    y, s = np.array([0, 0, 0]), np.array([0.1, 0.2, 0.3])
    assert metrics.recall_at(y, s, 0.5) is None  # no positives: recall undefined
    assert metrics.precision_at(y, s, 0.5) == 0.0
    assert metrics.precision_at(y, s, 0.1) is None  # k = 0: nothing inspected
    assert metrics.auc(y, s) is None
    with pytest.raises(ValueError, match="inspection rate"):
        metrics.k_at(10, 1.5)


def test_auc_counts_ties_as_half_and_matches_scikit_learn() -> None:
    # pairs (pos, neg): (0.8,0.4) 1, (0.8,0.8) 1/2, (0.4,0.4) 1/2, (0.4,0.8) 0 -> 2/4
    assert metrics.auc(np.array([1, 1, 0, 0]), np.array([0.8, 0.4, 0.4, 0.8])) == 0.5
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    s = np.round(rng.random(500) + y * 0.3, 1)  # rounded: many ties
    assert metrics.auc(y, s) == pytest.approx(roc_auc_score(y, s))


def test_revenue_share_and_report_keys() -> None:
    y = np.array([1, 1, 0, 0])
    s = np.array([0.9, 0.1, 0.5, 0.2])
    rev = np.array([30.0, 70.0, 0.0, np.nan])
    assert metrics.revenue_at(rev, s, 0.25) == pytest.approx(0.3)
    r = metrics.report(y, s, [25, 50], revenue=rev).to_dict()
    assert r["precision_at"] == {"25": 1.0, "50": 0.5}
    assert r["revenue_at"] == {"25": pytest.approx(0.3), "50": pytest.approx(0.3)}
    assert r["n_test"] == 4
    assert metrics.revenue_at(np.zeros(4), s, 0.5) is None
