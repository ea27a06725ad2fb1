"""Candidate generation over a key index, then scoring: the list is indexed once, queries are
matched per distinct name.

Every listed name is reduced to blocking keys (its tokens, their metaphone, its compact form,
see ``NormName.keys``); a query reaches only the names that share a key with it (a Polars join),
keeps the ``top_k`` sharing the most, and only those pairs are scored. Keys carried by more than
``max_key_share`` of the names ("technology", "trading") block nothing and are dropped.

On top of the name score, the party's context moves it, each move named in the evidence:
``identifier_match`` (a declared id equals a listed identifier: the score becomes 1),
``country_agrees`` / ``country_conflicts`` (±COUNTRY_BONUS) and ``address_agrees`` (+ADDRESS_BONUS
when the addresses share most of their tokens).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz

from chipcustoms.parties.compare import DEFAULT_THRESHOLD, compare
from chipcustoms.parties.names import normalize

COUNTRY_BONUS = 0.05
ADDRESS_BONUS = 0.05
HIT_SCHEMA = {
    "query": pl.Utf8,
    "list_name": pl.Utf8,
    "list_version": pl.Int64,
    "entity_id": pl.Utf8,
    "entity_name": pl.Utf8,
    "matched_name": pl.Utf8,
    "score": pl.Float64,
    "features": pl.Utf8,
}


@dataclass(frozen=True)
class Query:
    name: str
    country: str | None = None
    address: str | None = None
    identifier: str | None = None


class Matcher:
    """An index over the entities of one or more lists (``Store.watchlist_entities`` columns)."""

    def __init__(
        self,
        entities: pl.DataFrame,
        *,
        thresholds: dict[str, float] | None = None,
        top_k: int = 10,
        max_key_share: float = 0.02,
    ) -> None:
        self.entities = entities.with_row_index("__e")
        self.thresholds = thresholds or {}
        self.top_k = top_k
        names = (
            self.entities.select(
                "__e", pl.concat_list(pl.col("name"), pl.col("aliases")).alias("listed")
            )
            .explode("listed")
            .filter(pl.col("listed").is_not_null() & (pl.col("listed").str.strip_chars() != ""))
            .unique(maintain_order=True)
            .with_row_index("__n")
        )
        self.names = names
        self.norms = [normalize(n) for n in names["listed"].to_list()]
        keys = pl.DataFrame(
            {"__n": names["__n"], "key": [n.keys() for n in self.norms]},
            schema={"__n": pl.UInt32, "key": pl.List(pl.Utf8)},
        ).explode("key")
        cap = max(50, int(max_key_share * max(names.height, 1)))
        counts = keys.group_by("key").len()
        self.keys = keys.join(counts.filter(pl.col("len") <= cap), on="key").select("key", "__n")

    def threshold(self, list_name: str) -> float:
        return self.thresholds.get(list_name, self.thresholds.get("default", DEFAULT_THRESHOLD))

    def candidates(self, queries: list[str]) -> pl.DataFrame:
        """(query index ``__q``, listed-name index ``__n``) pairs worth scoring."""
        qkeys = pl.DataFrame(
            {"__q": range(len(queries)), "key": [normalize(q).keys() for q in queries]},
            schema={"__q": pl.UInt32, "key": pl.List(pl.Utf8)},
        ).explode("key")
        shared = qkeys.join(self.keys, on="key").group_by("__q", "__n").len()
        return (
            shared.sort(["__q", "len", "__n"], descending=[False, True, False])
            .group_by("__q", maintain_order=True)
            .head(self.top_k)
            .select("__q", "__n")
        )

    def match(self, queries: list[Query]) -> pl.DataFrame:
        """Hits at or above each list's threshold, best per (query, entity); HIT_SCHEMA."""
        if not queries or self.names.height == 0:
            return pl.DataFrame(schema=HIT_SCHEMA)
        pairs = self.candidates([q.name for q in queries])
        ent_of = self.names["__e"].to_list()
        listed = self.names["listed"].to_list()
        ents = self.entities
        list_name, version = ents["list_name"].to_list(), ents["list_version"].to_list()
        eid, ename = ents["entity_id"].to_list(), ents["name"].to_list()
        countries, addresses = ents["countries"].to_list(), ents["addresses"].to_list()
        idents = ents["identifiers"].to_list()
        rows = []
        for qi, ni in zip(pairs["__q"].to_list(), pairs["__n"].to_list(), strict=True):
            q, e = queries[qi], ent_of[ni]
            cmp = compare(normalize(q.name), self.norms[ni])
            score, feats = cmp.score, dict(cmp.features)
            if q.identifier and q.identifier in (idents[e] or []):
                score, feats["identifier_match"] = 1.0, q.identifier
            if q.country and countries[e]:
                agrees = q.country.upper() in countries[e]
                score += COUNTRY_BONUS if agrees else -COUNTRY_BONUS
                feats["country_agrees" if agrees else "country_conflicts"] = [
                    q.country,
                    countries[e],
                ]
            if q.address and addresses[e]:
                best = max(fuzz.token_set_ratio(q.address, a) for a in addresses[e]) / 100
                if best >= 0.8:
                    score += ADDRESS_BONUS
                    feats["address_agrees"] = round(best, 3)
            score = round(min(1.0, max(0.0, score)), 4)
            if score >= self.threshold(list_name[e]):
                rows.append(
                    (
                        q.name,
                        list_name[e],
                        version[e],
                        eid[e],
                        ename[e],
                        listed[ni],
                        score,
                        json.dumps(feats, ensure_ascii=False),
                    )
                )
        hits = pl.DataFrame(rows, schema=HIT_SCHEMA, orient="row")
        return hits.sort("score", descending=True).unique(
            ["query", "list_name", "entity_id"], keep="first", maintain_order=True
        )
