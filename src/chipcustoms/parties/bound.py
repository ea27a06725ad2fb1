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
from typing import Any

import numpy as np
import numpy.typing as npt
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
    vocab: list[str], ta: npt.NDArray[np.integer], tb: npt.NDArray[np.integer]
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


def _flat(
    names: Sequence[Tokens], ids: dict[str, int], compact: dict[str, int]
) -> tuple[
    npt.NDArray[np.uint32], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]
]:
    """Token ids of all names in one array, each name's offset and token count, and the id of
    its compact form (-1 when empty): the CSR layout the bound indexes with numpy."""
    lens = np.fromiter((len(t) for t in names), dtype=np.int64, count=len(names))
    toks = np.fromiter(
        (ids.setdefault(t, len(ids)) for ts in names for t in ts),
        dtype=np.uint32,
        count=int(lens.sum()),
    )
    comp = np.fromiter(
        (compact.setdefault("".join(t), len(compact)) if t else -1 for t in names),
        dtype=np.int64,
        count=len(names),
    )
    return toks, np.cumsum(lens) - lens, lens, comp


def _segment_max(values: npt.NDArray[Any], size: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """Max of consecutive segments of ``size`` (all > 0) elements."""
    return np.maximum.reduceat(values, np.cumsum(size) - size)


def _letters(token: str) -> int:
    """The set of characters of ``token`` as 64 bits (a character's code mod 64)."""
    bits = 0
    for c in token:
        bits |= 1 << (ord(c) & 63)
    return bits


def _may_be_similar(
    ta: npt.NDArray[np.integer],
    tb: npt.NDArray[np.integer],
    tlen: npt.NDArray[np.int64],
    tmask: npt.NDArray[np.uint64],
) -> npt.NDArray[np.bool_]:
    """False only where ``_token_sims`` is surely 0, without computing it: a positive
    similarity needs an edit distance within ``max(budget, (1 - MIN_SIMILARITY) * longer)``, and
    the distance is at least the length difference and half the characters present in one
    token only (an edit adds or drops at most two; a transposition none). Equal tokens and
    initials are always kept."""
    la, lb = tlen[ta], tlen[tb]
    big, small = np.maximum(la, lb), np.minimum(la, lb)
    budget = np.select([small <= 3, small <= 6, small <= 10], [0, 1, 2], 3)
    allowed = np.maximum(budget, (1 - MIN_SIMILARITY) * big + 1e-6)
    diff = np.bitwise_count(tmask[ta] ^ tmask[tb]).astype(np.int64)
    least = np.maximum(big - small, (diff + 1) // 2)
    return (ta == tb) | (small <= 1) | (least <= allowed)


def upper_bounds(
    left: Sequence[Tokens],
    right: Sequence[Tokens],
    li: npt.NDArray[np.integer],
    ri: npt.NDArray[np.integer],
) -> npt.NDArray[np.float64]:
    """For each pair ``(left[li[p]], right[ri[p]])`` a number >= its ``compare`` score.

    Every token pair of every pair is laid out flat (numpy: pair-major, then ``a``'s token,
    then ``b``'s); each distinct token pair's similarity is computed once (rapidfuzz's C
    ``cpdist``); per-token maxima are segment reductions, from ``b``'s side after a transpose
    of each pair's block. No joins, no group-bys: millions of pairs a second.
    """
    li, ri = np.asarray(li, dtype=np.int64), np.asarray(ri, dtype=np.int64)
    out = np.zeros(len(li), dtype=np.float64)
    if not len(li):
        return out
    ids: dict[str, int] = {}
    compact: dict[str, int] = {}
    ltok, loff, llen, lcomp = _flat(left, ids, compact)
    rtok, roff, rlen, rcomp = _flat(right, ids, compact)
    vocab = list(ids)
    nv = np.uint64(max(len(vocab), 1))
    wt = np.fromiter(map(token_weight, vocab), dtype=np.float64, count=len(vocab))
    tlen = np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab))
    tmask = np.fromiter(map(_letters, vocab), dtype=np.uint64, count=len(vocab))
    lw = np.add.reduceat(wt[ltok], loff) if len(ltok) else np.zeros(0)
    rw = np.add.reduceat(wt[rtok], roff) if len(rtok) else np.zeros(0)
    lw, rw = np.where(llen > 0, lw, 0.0), np.where(rlen > 0, rw, 0.0)
    for s in range(0, len(li), CHUNK):
        a_all, b_all = li[s : s + CHUNK], ri[s : s + CHUNK]
        chunk = np.zeros(len(a_all), dtype=np.float64)
        live = np.flatnonzero((llen[a_all] > 0) & (rlen[b_all] > 0))
        a, b = a_all[live], b_all[live]
        la, lb = llen[a], rlen[b]
        cnt = la * lb
        first = np.cumsum(cnt) - cnt
        p = np.repeat(np.arange(len(a)), cnt)
        k = np.arange(int(cnt.sum())) - first[p]
        i, j = k // lb[p], k % lb[p]
        ta, tb = ltok[loff[a][p] + i], rtok[roff[b][p] + j]
        # only token pairs that can be similar at all are deduplicated and compared
        term, pos = np.zeros(len(ta)), np.zeros(len(ta), dtype=np.int8)
        near = np.flatnonzero(_may_be_similar(ta, tb, tlen, tmask))
        codes, inv = np.unique(ta[near].astype(np.uint64) * nv + tb[near], return_inverse=True)
        ua, ub = (codes // nv).astype(np.int64), (codes % nv).astype(np.int64)
        sim = _token_sims(vocab, ua, ub) if len(codes) else np.zeros(0)
        uterm = np.where(sim > 0, (sim + ROUNDING) * np.maximum(wt[ua], wt[ub]), 0.0)
        term[near], pos[near] = uterm[inv], (sim > 0)[inv]
        # a's side: segments of lb (pair-major, a-token-major)
        seg = np.repeat(lb, la)
        sa = np.add.reduceat(_segment_max(term, seg), np.cumsum(la) - la)
        za = np.add.reduceat(1 - _segment_max(pos, seg), np.cumsum(la) - la)
        # b's side: the same elements, each pair's block transposed (b-token-major)
        t = np.empty_like(term)
        q = np.empty_like(pos)
        at = first[p] + j * la[p] + i
        t[at], q[at] = term, pos
        seg = np.repeat(la, lb)
        sb = np.add.reduceat(_segment_max(t, seg), np.cumsum(lb) - lb)
        zb = np.add.reduceat(1 - _segment_max(q, seg), np.cumsum(lb) - lb)
        w = np.minimum(lw[a], rw[b])
        base = np.minimum(1.0, np.minimum(sa, sb) / np.maximum(w, 1.0))
        za, zb = za.astype(np.int64), zb.astype(np.int64)
        pen = (1 - CONFLICT_COST) ** np.minimum(za, zb) * (1 - EXTRA_COST) ** np.abs(za - zb)
        chunk[live] = np.minimum(1.0, base * pen + SLACK)
        equal = (lcomp[a_all] == rcomp[b_all]) & (lcomp[a_all] >= 0)
        chunk[equal] = 1.0
        out[s : s + CHUNK] = chunk
    return out


def upper_bound(a: Tokens, b: Tokens) -> float:
    """The bound of one pair (tests, explanations)."""
    return float(upper_bounds([a], [b], np.array([0]), np.array([0]))[0])
