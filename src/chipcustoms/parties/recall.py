"""The standing recall check: the candidate matcher against brute force on synthetic names.

Brute force scores every (query, listed name) pair, skipping only pairs that the proven bound
(``bound.upper_bounds``) puts below the threshold, so its hits are exactly compare()'s hits.
Recall is the share of those (query, entity) hits that ``Matcher.match`` returns too, overall
and per kind of variant (typo, reordered, initialled, transliterated, abbreviated, fresh).
``benchmarks/bench_recall.py`` runs it at 5,000 x 5,000; ``tests/test_recall.py`` at 500 x 500.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from chipcustoms.parties.bound import Names, Side, upper_bounds
from chipcustoms.parties.compare import DEFAULT_THRESHOLD, compare, kind_of
from chipcustoms.parties.matcher import Matcher, Query
from chipcustoms.parties.names import normalize
from chipcustoms.parties.scripts import has_abjad
from chipcustoms.parties.synth_names import SynthEntity, sample

BLOCK = 1_000_000  # brute-force pairs bounded at once


@dataclass
class Recall:
    brute: int  # (query, entity) hits of brute force
    found: int  # of those, returned by the matcher
    pairs: int  # pairs brute force had to compare in full (the rest the bound ruled out)
    by_variant: dict[str, tuple[int, int]] = field(default_factory=dict)  # how -> (found, brute)
    missed: list[tuple[str, str, float]] = field(default_factory=list)  # a few, to read

    @property
    def recall(self) -> float:
        return self.found / max(self.brute, 1)


def entities_frame(listed: list[SynthEntity], list_name: str = "synthetic") -> pl.DataFrame:
    """The listed entities in ``Store.watchlist_entities`` columns."""
    n = len(listed)
    empty: list[list[str]] = [[] for _ in range(n)]
    return pl.DataFrame(
        {
            "list_name": [list_name] * n,
            "list_version": [1] * n,
            "entity_id": [f"s{i}" for i in range(n)],
            "schema": [e.schema for e in listed],
            "name": [e.name for e in listed],
            "aliases": empty,
            "countries": empty,
            "addresses": empty,
            "identifiers": empty,
        },
        schema_overrides={
            c: pl.List(pl.Utf8) for c in ("aliases", "countries", "addresses", "identifiers")
        },
    )


def brute_force(
    queries: list[str], listed: list[SynthEntity], threshold: float
) -> tuple[dict[tuple[int, int], float], int]:
    """Every (query, entity) pair scoring at or above ``threshold``, and how many were compared."""
    left = Names([normalize(q).tokens for q in queries], [has_abjad(q) for q in queries])
    norms = [normalize(e.name) for e in listed]
    side = Side.of(
        [n.tokens for n in norms],
        abjad=[has_abjad(n.original) for n in norms],
        personal=[kind_of(e.schema) in ("person", "any") for e in listed],
    )
    nq, ne = len(queries), len(listed)
    hits: dict[tuple[int, int], float] = {}
    compared = 0
    step = max(1, BLOCK // max(ne, 1))
    for s in range(0, nq, step):
        qi = np.repeat(np.arange(s, min(nq, s + step)), ne)
        ei = np.tile(np.arange(ne), min(nq, s + step) - s)
        ub = upper_bounds(left, side, qi, ei, threshold)
        keep = ub >= threshold
        compared += int(keep.sum())
        for q, e in zip(qi[keep].tolist(), ei[keep].tolist(), strict=True):
            score = compare(normalize(queries[q]), norms[e], listed[e].schema).score
            if score >= threshold:
                hits[(q, e)] = score
    return hits, compared


def check(n: int, seed: int = 16, threshold: float = DEFAULT_THRESHOLD) -> Recall:
    """Recall of the matcher on ``n`` listed entities and ``n`` queries (``synth_names``)."""
    listed, qs = sample(n, seed)
    names = [q for q, _, _ in qs]
    brute, compared = brute_force(names, listed, threshold)
    found_df = Matcher(entities_frame(listed), thresholds={"default": threshold}).match(
        [Query(q) for q in names], by_index=True
    )
    found = {  # a hit stands for every entity of its group (entities.one_per_entity)
        (int(q), int(tag.rsplit(":", 1)[1][1:]))
        for q, tags in zip(found_df["__qi"].to_list(), found_df["lists"].to_list(), strict=True)
        for tag in tags.split("; ")
    }
    hows = Counter(qs[q][2] for q, _ in brute)
    hit_hows = Counter(qs[q][2] for q, e in brute if (q, e) in found)
    missed = [(names[q], listed[e].name, s) for (q, e), s in brute.items() if (q, e) not in found]
    return Recall(
        brute=len(brute),
        found=sum(1 for k in brute if k in found),
        pairs=compared,
        by_variant={h: (hit_hows[h], hows[h]) for h in sorted(hows)},
        missed=missed[:20],
    )
