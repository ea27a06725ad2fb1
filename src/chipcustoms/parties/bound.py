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
- That bounds ``hand_compare``; ``compare``'s learned score is at most ``learned.lift()`` x it.
So ``compare(a, b).score <= upper_bounds(...)`` (lift x that); ``tests/test_parties.py``
checks it on the bench's 826 pairs and on generated pairs, and that no pair scoring at or
above the threshold is lost.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import OSA
from rapidfuzz.process import cpdist

from chipcustoms.parties.bound_vocab import (
    CAP,
    Tokens,
    Vocab,
    acronyms,
    join_ids,
    joined_pairs,
    nicknames,
    skeletons,
    token_ids,
    trimmed,
)
from chipcustoms.parties.compare import (
    CONFLICT_COST,
    EXTRA_COST,
    FAR_POWER,
    INITIAL_SIMILARITY,
    MIN_SIMILARITY,
    NICKNAME_SIMILARITY,
    SKELETON_SIMILARITY,
    TYPO_POWER,
)
from chipcustoms.parties.learned import lift

SLACK = 1e-4  # compare() rounds its score to 4 decimals
ROUNDING = 5e-4  # compare() rounds each aligned similarity to 3 decimals
CHUNK = 2_000_000  # token pairs per block (tens of MB of terms and temporaries)


class Names(list[Tokens]):
    """Names as token tuples, with which of them were written in Arabic script: passed as
    ``upper_bounds``'s ``left``, it lets the bound allow consonant skeletons only where
    ``compare`` does (a plain sequence: everywhere)."""

    def __init__(self, names: Sequence[Tokens], abjad: Sequence[bool]) -> None:
        super().__init__(names)
        self.abjad = np.asarray(abjad, dtype=bool)


@dataclass(frozen=True)
class Side:
    """The listed names flattened once (``_flat``) with their vocabulary: the matcher bounds
    every batch of queries against the same list without flattening it again."""

    ids: dict[str, int]
    compact: dict[str, int]
    tok: npt.NDArray[np.uint32]
    off: npt.NDArray[np.int64]
    length: npt.NDArray[np.int64]
    comp: npt.NDArray[np.int64]
    acronym: npt.NDArray[np.int64]
    trimmed: npt.NDArray[np.int64]
    vocab: Vocab
    abjad: npt.NDArray[np.bool_] | None  # names written in Arabic script; None: not known
    # names of entities that may be persons (``compare``'s kinds person / any: nicknames and
    # transliteration keys apply); None: not known
    personal: npt.NDArray[np.bool_] | None
    joins: dict[str, int]  # each token joined to the next (``bound_vocab.join_ids``)
    join: npt.NDArray[np.int64]

    @classmethod
    def of(
        cls,
        names: Sequence[Tokens],
        abjad: Sequence[bool] | None = None,
        personal: Sequence[bool] | None = None,
    ) -> Side:
        ids: dict[str, int] = {}
        compact: dict[str, int] = {}
        tok, off, length, comp = _flat(names, ids, compact)
        acr, trim = acronyms(names, compact), trimmed(names, compact)
        ab, pe = (None if f is None else np.asarray(f, dtype=bool) for f in (abjad, personal))
        joins: dict[str, int] = {}
        join = join_ids(names, joins, add=True)
        vocab = Vocab.of(list(ids))
        return cls(ids, compact, tok, off, length, comp, acr, trim, vocab, ab, pe, joins, join)


def _token_sims(
    v: Vocab, ta: npt.NDArray[np.integer], tb: npt.NDArray[np.integer]
) -> npt.NDArray[np.float64]:
    """``compare._token_similarity`` over aligned token-id arrays, in C and numpy."""
    la, lb = v.length[ta], v.length[tb]
    big, small = np.maximum(la, lb), np.minimum(la, lb)
    d = np.asarray(
        cpdist([v.words[i] for i in ta], [v.words[i] for i in tb], scorer=OSA.distance, workers=-1),
        dtype=np.float64,
    )
    ns = 1.0 - d / np.maximum(big, 1)
    budget = np.select([small <= 3, small <= 6, small <= 10], [0, 1, 2], 3)
    far = np.where(ns >= MIN_SIMILARITY, ns**FAR_POWER, 0.0)
    sim = np.where(d <= budget, ns**TYPO_POWER, far)
    sim = np.where(v.digit[ta] != v.digit[tb], 0.0, sim)
    initial = np.where(v.first[ta] == v.first[tb], INITIAL_SIMILARITY, 0.0)
    sim = np.where(small == 1, initial, sim)
    sim = np.where(nicknames(v, ta, tb), np.maximum(sim, NICKNAME_SIMILARITY), sim)
    sim = np.where(skeletons(v, ta, tb), np.maximum(sim, SKELETON_SIMILARITY), sim)
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


@functools.cache
def _sim_table() -> npt.NDArray[np.float32]:
    """``table[la, lb, diff]``: the most a term's similarity can be (plus the alignment's
    rounding, ``ROUNDING``) for two tokens of lengths ``la``, ``lb`` whose letter sets differ in
    ``diff`` characters; 0 where they cannot be similar at all. The edit distance is at least
    ``dmin = max(|la - lb|, ceil(diff / 2))`` (an edit adds or drops at most two characters of
    the letter sets, a transposition none), and ``_token_sims`` falls as the distance grows, so
    its value at ``dmin`` bounds it. An initial pairs at INITIAL_SIMILARITY (1 when equal).
    Lengths from CAP up are not known exactly: their entries are 1. Stored as float32, raised by
    one part in a million to cover the float32 rounding."""
    n = np.arange(CAP + 1)[:, None, None]
    m = np.arange(CAP + 1)[None, :, None]
    diff = np.arange(65)[None, None, :]
    big, small = np.maximum(n, m), np.minimum(n, m)
    dmin = np.maximum(big - small, (diff + 1) // 2)
    budget = np.select([small <= 3, small <= 6, small <= 10], [0, 1, 2], 3)
    ns = 1.0 - dmin / np.maximum(big, 1)
    far = np.where(ns >= MIN_SIMILARITY, np.clip(ns, 0, 1) ** FAR_POWER, 0.0)
    sim = np.where(dmin <= budget, np.clip(ns, 0, 1) ** TYPO_POWER, far)
    sim = np.where(small <= 1, np.where((dmin == 0), 1.0, INITIAL_SIMILARITY), sim)
    sim = np.where(big >= CAP, 1.0, sim)
    term = np.where(sim > 0, (sim + ROUNDING) * (1 + 1e-6), 0.0)
    return np.broadcast_to(term, (CAP + 1, CAP + 1, 65)).astype(np.float32).ravel()


def _reduce(
    term: npt.NDArray[np.floating],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[Any], npt.NDArray[Any]]:
    """Per pair of a ``(pairs, la, lb)`` block of terms: SA, SB (sums of each token's best
    term) and za, zb (tokens with no positive term). The token axes are short (a few tokens),
    where numpy's axis reductions are slow: they are folded one slice at a time instead."""
    best_a, best_b = _fold_max(term, 2), _fold_max(term, 1)
    sa, za = _fold_sum(best_a)
    sb, zb = _fold_sum(best_b)
    return sa, sb, za, zb


def _fold_max(term: npt.NDArray[np.floating], axis: int) -> npt.NDArray[np.floating]:
    def part(k: int) -> npt.NDArray[np.floating]:  # a view, no copy
        return term[:, :, k] if axis == 2 else term[:, k, :]

    out = part(0).copy()
    for k in range(1, term.shape[axis]):
        np.maximum(out, part(k), out=out)
    return out


def _fold_sum(best: npt.NDArray[np.floating]) -> tuple[npt.NDArray[np.float64], npt.NDArray[Any]]:
    """Row sums (float64) and counts of zeros of a (pairs, tokens) array."""
    total = best[:, 0].astype(np.float64)
    zeros = (best[:, 0] == 0).astype(np.int64)
    for k in range(1, best.shape[1]):
        total += best[:, k]
        zeros += best[:, k] == 0
    return total, zeros


def _combine(
    sa: npt.NDArray[np.float64],
    sb: npt.NDArray[np.float64],
    za: npt.NDArray[Any],
    zb: npt.NDArray[Any],
    w: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    base = np.minimum(1.0, np.minimum(sa, sb) / np.maximum(w, 1.0))
    pen = (1 - CONFLICT_COST) ** np.minimum(za, zb) * (1 - EXTRA_COST) ** np.abs(za - zb)
    return np.asarray(np.minimum(1.0, base * pen + SLACK), dtype=np.float64)


def _block(
    v: Vocab,
    a_tok: npt.NDArray[np.uint32],
    b_tok: npt.NDArray[np.uint32],
    w: npt.NDArray[np.float64],
    floor: npt.NDArray[np.float64] | None,
    cross: npt.NDArray[np.bool_] | None = None,
    personal: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.float64]:
    """The bound of a block of pairs of one shape (``a_tok``: (pairs, la), ``b_tok``:
    (pairs, lb) token ids; ``w``: the smaller name weight of each pair; ``cross``: the pairs
    where one name is in Arabic script, ``personal``: those with an entity that may be a
    person, each None where not known).

    First from lengths and letter sets alone (``_sim_table``: a few vectorised operations per
    token pair, no string work); then, for the pairs whose first bound still reaches ``floor``
    (all pairs without one), from the token pairs' actual similarities, each distinct token
    pair once. Either value is a proven bound."""
    wa, wb = v.weight[a_tok].astype(np.float32), v.weight[b_tok].astype(np.float32)
    diff = np.bitwise_count(v.letters[a_tok][:, :, None] ^ v.letters[b_tok][:, None, :])
    idx = v.row[a_tok][:, :, None] + v.col[b_tok][:, None, :]
    idx += diff
    wmax = np.maximum(wa[:, :, None], wb[:, None, :])
    term = _sim_table()[idx]
    term *= wmax
    if (
        (personal is None or personal.any())
        and (v.nick[a_tok] >= 0).any()
        and (v.nick[b_tok] >= 0).any()
    ):  # letters do not bound these
        nick = nicknames(v, a_tok[:, :, None], b_tok[:, None, :])
        if personal is not None:
            nick &= personal[:, None, None]
        np.maximum(
            term,
            np.where(nick, (NICKNAME_SIMILARITY + ROUNDING) * 1.000001, 0) * wmax,
            out=term,
        )
    if (cross is None or cross.any()) and (v.poor[a_tok].any() or v.poor[b_tok].any()):
        skel = skeletons(v, a_tok[:, :, None], b_tok[:, None, :])  # nor these
        if cross is not None:
            skel &= cross[:, None, None]
        np.maximum(
            term,
            np.where(skel, (SKELETON_SIMILARITY + ROUNDING) * 1.000001, 0) * wmax,
            out=term,
        )
    out = _complementary(_reduce(term), w, a_tok.shape[1], b_tok.shape[1], personal)
    again = np.arange(len(out)) if floor is None else np.flatnonzero(out >= floor)
    if not len(again):
        return out
    term, a_tok, b_tok = term[again], a_tok[again], b_tok[again]
    pp, ii, jj = np.nonzero(term > 0)
    ta, tb = a_tok[pp, ii], b_tok[pp, jj]
    sim = np.ones(len(ta))
    other = np.flatnonzero(ta != tb)
    if len(other):
        nv = np.int64(len(v.words))
        codes, inv = np.unique(ta[other].astype(np.int64) * nv + tb[other], return_inverse=True)
        sim[other] = _token_sims(v, codes // nv, codes % nv)[inv]
    exact = np.zeros(term.shape)
    exact[pp, ii, jj] = np.where(
        sim > 0, (sim + ROUNDING) * np.maximum(v.weight[ta], v.weight[tb]), 0.0
    )
    la, lb = a_tok.shape[1], b_tok.shape[1]
    out[again] = _complementary(
        _reduce(exact), w[again], la, lb, None if personal is None else personal[again]
    )
    return out


def _complementary(
    reduced: tuple[
        npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[Any], npt.NDArray[Any]
    ],
    w: npt.NDArray[np.float64],
    la: int,
    lb: int,
    personal: npt.NDArray[np.bool_] | None,
) -> npt.NDArray[np.float64]:
    """``_combine``, and where ``compare`` may read the unpaired parts of two person names of
    3+ tokens as complementary (``name_parts.complementary``: two or more parts paired on each
    side), the most that can score: a base of 1 times at least the least extra cost for each
    of the (at least two) unpaired tokens."""
    sa, sb, za, zb = reduced
    out = _combine(sa, sb, za, zb, w)
    if la < 3 or lb < 3 or (personal is not None and not personal.any()):
        return out
    ok = (la - za >= 2) & (lb - zb >= 2)
    if personal is not None:
        ok &= personal
    most = (1 - EXTRA_COST) ** np.maximum(2, za + zb) + SLACK
    return np.where(ok, np.maximum(out, np.minimum(1.0, most)), out)


def upper_bounds(
    left: Sequence[Tokens],
    right: Sequence[Tokens] | Side,
    li: npt.NDArray[np.integer],
    ri: npt.NDArray[np.integer],
    floor: npt.NDArray[np.float64] | float | None = None,
) -> npt.NDArray[np.float64]:
    """For each pair ``(left[li[p]], right[ri[p]])`` a number >= its ``compare`` score
    (``right`` may be a ``Side`` prepared once). Where both sides say which names are written
    in Arabic script (``left`` as ``Names``, ``Side.abjad``), consonant skeletons are only
    allowed between such a name and one that is not, as ``compare`` does.

    Pairs are bucketed by shape (token counts ``la`` x ``lb``); a bucket's token pairs are one
    ``(pairs, la, lb)`` numpy block, so per-token maxima are plain axis reductions. With a
    ``floor`` (per pair or one for all), a pair whose bound from lengths and letter sets alone
    is already below it keeps that bound (it cannot be a hit either way); only the others get
    the tighter bound from the token pairs' similarities (``_block``).
    """
    li, ri = np.asarray(li, dtype=np.int64), np.asarray(ri, dtype=np.int64)
    out = np.zeros(len(li), dtype=np.float64)
    if not len(li):
        return out
    floors = None if floor is None else np.broadcast_to(np.asarray(floor) / lift(), li.shape)
    side = right if isinstance(right, Side) else Side.of(right)
    ids, compact = dict(side.ids), dict(side.compact)
    ltok, loff, llen, lcomp = _flat(left, ids, compact)
    lacr, ltrim = acronyms(left, compact), trimmed(left, compact)
    ljoin, lin_r = join_ids(left, ids, add=False), token_ids(left, side.joins)
    owner = np.repeat(np.arange(len(llen)), llen)  # names with a word the other side may join
    joinable = np.bincount(owner, np.maximum(ljoin, lin_r) >= 0, minlength=len(llen)) > 0
    rtok, roff, rlen, rcomp = side.tok, side.off, side.length, side.comp
    v = side.vocab.extend(list(ids)[len(side.ids) :])
    cross = None
    if isinstance(left, Names) and side.abjad is not None:
        cross = left.abjad[li] != side.abjad[ri]
    personal = None if side.personal is None else side.personal[ri]
    lw = np.add.reduceat(v.weight[ltok], loff) if len(ltok) else np.zeros(0)
    rw = np.add.reduceat(v.weight[rtok], roff) if len(rtok) else np.zeros(0)
    lw, rw = np.where(llen > 0, lw, 0.0), np.where(rlen > 0, rw, 0.0)
    la_all, lb_all = llen[li], rlen[ri]
    live = np.flatnonzero((la_all > 0) & (lb_all > 0))
    shape = la_all[live] * (int(rlen.max()) + 1) + lb_all[live]
    order = live[np.argsort(shape, kind="stable")]
    edges = np.flatnonzero(np.r_[True, np.diff(np.sort(shape)) != 0, True])
    for s0, s1 in itertools.pairwise(edges.tolist()):
        la, lb = int(la_all[order[s0]]), int(lb_all[order[s0]])
        step = max(1, CHUNK // (la * lb))
        for c in range(s0, s1, step):
            sel = order[c : min(s1, c + step)]
            a_tok = ltok[loff[li[sel]][:, None] + np.arange(la)]
            b_tok = rtok[roff[ri[sel]][:, None] + np.arange(lb)]
            w = np.minimum(lw[li[sel]], rw[ri[sel]])
            out[sel] = _block(
                v,
                a_tok,
                b_tok,
                w,
                None if floors is None else floors[sel],
                None if cross is None else cross[sel],
                None if personal is None else personal[sel],
            )
            if (la > 1 or lb > 1) and (j := np.flatnonzero(joinable[li[sel]])).size:
                a_at = loff[li[sel[j]]][:, None] + np.arange(la)  # words one name joins:
                b_at = roff[ri[sel[j]]][:, None] + np.arange(lb)  # any score
                hit = joined_pairs(ljoin[a_at], a_tok[j], b_tok[j], lin_r[a_at], side.join[b_at])
                out[sel[j[hit]]] = 1.0
    equal = (lcomp[li] == rcomp[ri]) & (lcomp[li] >= 0)
    # one name the other's initials ("CCB" / "China Construction Bank"): compare's ``acronym``
    single = (llen[li] == 1) != (side.length[ri] == 1)  # keys: ``acronyms.acronym_key``
    equal |= single & (lacr[li] == side.acronym[ri]) & (lacr[li] >= 0)
    equal |= (ltrim[li] == side.acronym[ri]) | (side.trimmed[ri] == lacr[li])
    out[equal] = 1.0
    return np.minimum(1.0, out * lift())  # the learned score is at most lift x the hand one


def upper_bound(a: Tokens, b: Tokens) -> float:
    """The bound of one pair (tests, explanations)."""
    return float(upper_bounds([a], [b], np.array([0]), np.array([0]))[0])
