"""One hit per entity: the same party on several lists is one hit that names every list.

Entities of the lists in force are merged into groups when they share an identifier, or have
the same normalised name and a country in common (or no country on either side): OFAC's and the
EU's entry for one firm are one party to the analyst. ``one_per_entity`` keeps each (query,
group)'s best hit, after the allow-list, and names the lists in ``lists`` and in the hit's
features (``on_lists``), so the reason, ``screening_hits`` and the line page agree.
"""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt
import polars as pl

from chipcustoms.parties.names import normalize


def groups(entities: pl.DataFrame) -> npt.NDArray[np.uint32]:
    """A group number per entity row: rows joined by a shared identifier or name + country."""
    n = entities.height
    parent = np.arange(n, dtype=np.int64)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    first: dict[tuple[str, str], int] = {}
    names = [normalize(s or "").core for s in entities["name"].to_list()]
    ids = entities["identifiers"].to_list()
    countries = entities["countries"].to_list()
    for row in range(n):
        keys = [("id", i.strip().lower()) for i in ids[row] or [] if i and i.strip()]
        if names[row]:
            keys += [(names[row], c) for c in (countries[row] or [""])]
        for key in keys:
            other = first.setdefault(key, row)
            a, b = find(row), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return np.fromiter((find(i) for i in range(n)), dtype=np.uint32, count=n)


def allow_filter(hits: pl.DataFrame, allowed: pl.DataFrame) -> pl.DataFrame:
    """Hits minus the (declared name, list, entity) pairs an analyst cleared."""
    if allowed.height == 0 or hits.height == 0:
        return hits
    cleared = allowed.rename({"party_name": "query"}).select("query", "list_name", "entity_id")
    return hits.join(cleared, on=["query", "list_name", "entity_id"], how="anti")


def one_per_entity(hits: pl.DataFrame, key: str) -> pl.DataFrame:
    """The best hit per (``key``, ``__g``), with ``lists``: every list and entity id of the
    group that matched, "list vN:entity" joined by "; " (also spliced into ``features``)."""
    if hits.height == 0:
        return hits.drop("__g").with_columns(pl.lit(None, dtype=pl.Utf8).alias("lists"))
    tag = pl.format("{} v{}:{}", "list_name", "list_version", "entity_id")
    lists = hits.group_by(key, "__g").agg(tag.unique().sort().alias("__lists"))
    lists = lists.with_columns(
        pl.Series("__json", [json.dumps(v) for v in lists["__lists"].to_list()], dtype=pl.Utf8)
    )
    best = hits.sort("score", descending=True).unique(
        [key, "__g"], keep="first", maintain_order=True
    )
    out = best.join(lists, on=[key, "__g"], how="left")
    spliced = pl.concat_str(
        pl.col("features").str.head(-1), pl.lit(',"on_lists":'), "__json", pl.lit("}")
    )
    return out.with_columns(
        pl.col("__lists").list.join("; ").alias("lists"),
        pl.when(pl.col("__lists").list.len() > 1)
        .then(spliced)
        .otherwise(pl.col("features"))
        .alias("features"),
    ).drop("__g", "__lists", "__json")
