"""A vectorised upper bound on ``compare()``'s score: the prefilter of bulk screening.

``compare`` pairs tokens greedily in Python (tens of microseconds a pair). Most candidate pairs
of a bulk run are nowhere near a hit, so they are first bounded over all pairs at once (token
pairs expanded by Polars joins, token similarities by rapidfuzz's C ``cpdist``), and only pairs
whose bound reaches the hit floor are compared in full. The bound is proven, not fitted:

- ``compare``'s matched weight sums ``sim(x, y) * max(w(x), w(y))`` (``w`` = ``token_weight``,
  1 for an initial pair, which is less) over aligned pairs, each token in at most one pair, so
  it is at most the sum over ``a``'s tokens of each token's best such term with any ``b``
  token, and likewise from ``b``'s side: ``base <= min(1, min(SA, SB) / W)`` (``W`` the smaller
  of the two names' total weights, at most the shorter name's that ``compare`` divides by; the
  alignment rounds sims to 3 decimals, hence the ``+ 0.0005`` per term).
- A token with no positively similar token on the other side stays unaligned, so ``left_a >=
  za`` and ``left_b >= zb`` (counts of such tokens). The penalty ``0.75 ** min(la, lb) *
  0.94 ** |la - lb|`` only falls when ``la`` or ``lb`` grows (one step costs 0.94, or
  0.75 / 0.94), so it is at most the penalty at ``(za, zb)``.
- Equal compact forms score 1, empty names 0; the final 4-decimal rounding adds ``SLACK``.

So ``compare(a, b).score <= upper_bounds(...)`` for every pair; ``tests/test_parties.py``
checks it on the bench's 826 pairs and on generated pairs, and that no pair scoring at or
above the threshold is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl
from rapidfuzz.distance import OSA
from rapidfuzz.process import cpdist

from chipcustoms.parties.compare import (
    CONFLICT_COST,
    EXTRA_COST,
    FAR_POWER,
    INITIAL_SIMILARITY,
    MIN_SIMILARITY,
    TYPO_POWER,
    token_weight,
)

SLACK = 1e-4  # compare() rounds its score to 4 decimals
ROUNDING = 5e-4  # compare() rounds each aligned similarity to 3 decimals
CHUNK = 200_000  # pairs per batch: about 5 M token pairs in memory at once

Tokens = tuple[str, ...]


def _token_sims(
    vocab: list[str], ta: npt.NDArray[np.uint32], tb: npt.NDArray[np.uint32]
) -> npt.NDArray[np.float64]:
    """``compare._token_similarity`` over aligned token-id arrays, in C and numpy."""
    lens = np.fromiter((len(t) for t in vocab), dtype=np.int64, count=len(vocab))
    digit = np.fromiter((t.isdigit() for t in vocab), dtype=bool, count=len(vocab))
    first = np.fromiter((ord(t[0]) if t else -1 for t in vocab), dtype=np.int64, count=len(vocab))
    la, lb = lens[ta], lens[tb]
    big, small = np.maximum(la, lb), np.minimum(la, lb)
    d = np.asarray(
        cpdist([vocab[i] for i in ta], [vocab[i] for i in tb], scorer=OSA.distance, workers=-1),
        dtype=np.float64,
    )
    ns = 1.0 - d / np.maximum(big, 1)
    budget = np.select([small <= 3, small <= 6, small <= 10], [0, 1, 2], 3)
    far = np.where(ns >= MIN_SIMILARITY, ns**FAR_POWER, 0.0)
    sim = np.where(d <= budget, ns**TYPO_POWER, far)
    sim = np.where(digit[ta] != digit[tb], 0.0, sim)
    initial = np.where(first[ta] == first[tb], INITIAL_SIMILARITY, 0.0)
    sim = np.where(small == 1, initial, sim)
    return np.where(ta == tb, 1.0, sim)


def upper_bounds(
    left: Sequence[Tokens],
    right: Sequence[Tokens],
    li: npt.NDArray[np.integer],
    ri: npt.NDArray[np.integer],
) -> npt.NDArray[np.float64]:
    """For each pair ``(left[li[p]], right[ri[p]])`` a number >= its ``compare`` score."""
    li, ri = np.asarray(li, dtype=np.uint32), np.asarray(ri, dtype=np.uint32)
    out = np.zeros(len(li), dtype=np.float64)
    if not len(li):
        return out
    ids: dict[str, int] = {}
    vocab: list[str] = []

    def table(names: Sequence[Tokens], col: str, pos: str, tok: str) -> pl.DataFrame:
        rows, poss, toks = [], [], []
        for n, tokens in enumerate(names):
            for k, t in enumerate(tokens):
                if t not in ids:
                    ids[t] = len(vocab)
                    vocab.append(t)
                rows.append(n)
                poss.append(k)
                toks.append(ids[t])
        return pl.DataFrame(
            {col: rows, pos: poss, tok: toks},
            schema={col: pl.UInt32, pos: pl.UInt16, tok: pl.UInt32},
        )

    lt, rt = table(left, "l", "i", "ta"), table(right, "r", "j", "tb")
    lcompact = ["".join(t) for t in left]
    rcompact = ["".join(t) for t in right]
    lw = np.fromiter((sum(map(token_weight, t)) for t in left), dtype=np.float64, count=len(left))
    rw = np.fromiter((sum(map(token_weight, t)) for t in right), dtype=np.float64, count=len(right))
    lens = np.fromiter(map(token_weight, vocab), dtype=np.float64, count=len(vocab))
    for start in range(0, len(li), CHUNK):
        pl_, pr = li[start : start + CHUNK], ri[start : start + CHUNK]
        pairs = pl.DataFrame({"p": np.arange(len(pl_), dtype=np.uint32), "l": pl_, "r": pr})
        x = pairs.join(lt, on="l").join(rt, on="r").select("p", "i", "j", "ta", "tb")
        todo = x.select("ta", "tb").unique()
        ta, tb = todo["ta"].to_numpy(), todo["tb"].to_numpy()
        sim = _token_sims(vocab, ta, tb)
        term = np.where(sim > 0, (sim + ROUNDING) * np.maximum(lens[ta], lens[tb]), 0.0)
        simtab = todo.with_columns(pl.Series("c", term), pl.Series("pos", sim > 0))
        x = x.join(simtab, on=["ta", "tb"])
        side = []
        for tok, name in (("i", "a"), ("j", "b")):
            per = x.group_by("p", tok).agg(pl.col("c").max(), pl.col("pos").any())
            side.append(
                per.group_by("p").agg(
                    pl.col("c").sum().alias(f"s{name}"),
                    (~pl.col("pos")).sum().cast(pl.Int64).alias(f"z{name}"),
                )
            )
        agg = side[0].join(side[1], on="p").sort("p")
        p = agg["p"].to_numpy()
        sa, sb = agg["sa"].to_numpy(), agg["sb"].to_numpy()
        za, zb = agg["za"].to_numpy(), agg["zb"].to_numpy()
        w = np.minimum(lw[pl_[p]], rw[pr[p]])
        base = np.minimum(1.0, np.minimum(sa, sb) / np.maximum(w, 1.0))
        pen = (1 - CONFLICT_COST) ** np.minimum(za, zb) * (1 - EXTRA_COST) ** np.abs(za - zb)
        chunk = np.zeros(len(pl_), dtype=np.float64)
        chunk[p] = np.minimum(1.0, base * pen + SLACK)
        equal = np.fromiter(
            (
                lcompact[a] == rcompact[b] and lcompact[a] != ""
                for a, b in zip(pl_, pr, strict=True)
            ),
            dtype=bool,
            count=len(pl_),
        )
        chunk[equal] = 1.0
        out[start : start + CHUNK] = chunk
    return out


def upper_bound(a: Tokens, b: Tokens) -> float:
    """The bound of one pair (tests, explanations)."""
    return float(upper_bounds([a], [b], np.array([0]), np.array([0]))[0])
