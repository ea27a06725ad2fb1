"""The name comparison: two normalised names -> a score in [0, 1] and the features behind it.

Like nomenklatura's matchers it is a few small features, each explained to the analyst:

- ``compact_equal``: the names agree once spaces are ignored ("XIN YUAN" / "Xinyuan").
- ``token_alignment``: tokens are paired best-first (reordering is free); a pair counts when the
  two tokens are within a typo budget that grows with their length, or one is the other's initial.
  The score is the length-weighted similarity of the paired tokens over the shorter name.
- ``conflict``: both names keep unpaired tokens (a different surname, a different place): each
  costs a large share, since that is how near misses differ from their target.
- ``extra``: only the longer name keeps unpaired tokens (dropped middle names, a trading
  suffix): a small cost each.

The constants and the default threshold were chosen on the bench's ``synth_*`` case groups only
(docs/benchmarks.md, "Party screening"); the other groups are held out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from chipcustoms.parties.names import NormName

CONFLICT_COST = 0.25
EXTRA_COST = 0.06
INITIAL_SIMILARITY = 0.7
DEFAULT_THRESHOLD = 0.69
VERSION = "names-v1"
TYPO_POWER = 0.5
FAR_POWER = 3.0
MIN_SIMILARITY = 0.6


@dataclass
class Comparison:
    score: float
    features: dict[str, object] = field(default_factory=dict)


def _budget(n: int) -> int:
    """Edits a token of length ``n`` may carry and still be the same word."""
    return 0 if n <= 3 else 1 if n <= 6 else 2 if n <= 10 else 3


@functools.lru_cache(maxsize=1_000_000)
def _token_similarity(a: str, b: str) -> float:
    """1 for the same token; within the typo budget, close to 1; further off, a partial credit
    that falls fast (the square of the normalised similarity), so a swapped word still scores low.
    """
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL_SIMILARITY if a[0] == b[0] else 0.0
    if a.isdigit() != b.isdigit():
        return 0.0
    sim = Levenshtein.normalized_similarity(a, b)
    if Levenshtein.distance(a, b) <= _budget(min(len(a), len(b))):
        return sim**TYPO_POWER
    return sim**FAR_POWER if sim >= MIN_SIMILARITY else 0.0


def compare(a: NormName, b: NormName) -> Comparison:
    """Score two names; every feature that moved the score is in ``features``.

    Cached per pair of normalised token tuples (the score depends on nothing else); each call
    gets its own ``features`` dict.
    """
    score, features = _compare_tokens(a.tokens, b.tokens)
    return Comparison(score, dict(features))


@functools.lru_cache(maxsize=500_000)
def _compare_tokens(
    a_tokens: tuple[str, ...], b_tokens: tuple[str, ...]
) -> tuple[float, dict[str, object]]:
    a = NormName("", a_tokens, ())
    b = NormName("", b_tokens, ())
    if not a.tokens or not b.tokens:
        return 0.0, {"empty": True}
    if a.compact == b.compact:
        return 1.0, {"compact_equal": a.compact}
    pairs = sorted(
        (
            (_token_similarity(x, y), -abs(i - j), i, j)
            for i, x in enumerate(a.tokens)
            for j, y in enumerate(b.tokens)
        ),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    aligned: list[tuple[str, str, float]] = []
    for sim, _, i, j in pairs:
        if sim <= 0.0:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        aligned.append((a.tokens[i], b.tokens[j], round(sim, 3)))
    left_a = [t for i, t in enumerate(a.tokens) if i not in used_a]
    left_b = [t for j, t in enumerate(b.tokens) if j not in used_b]
    short = a.tokens if len(a.compact) <= len(b.compact) else b.tokens
    weight = sum(len(t) for t in short)
    matched = sum(sim * max(len(x), len(y)) for x, y, sim in aligned)
    base = min(1.0, matched / max(weight, 1)) if aligned else 0.0
    conflicts = min(len(left_a), len(left_b))
    extras = abs(len(left_a) - len(left_b))
    score = base * (1 - CONFLICT_COST) ** conflicts * (1 - EXTRA_COST) ** extras
    features: dict[str, object] = {"token_alignment": aligned}
    if conflicts:
        features["conflict"] = {"left": left_a, "right": left_b}
    elif extras:
        features["extra"] = left_a or left_b
    return round(max(0.0, min(1.0, score)), 4), features
