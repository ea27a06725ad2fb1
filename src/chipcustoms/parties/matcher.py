"""Candidate generation over a key index, then scoring: the list is indexed once, queries are
matched per distinct name.

Every listed name is reduced to blocking keys (its tokens, their metaphone, its compact form,
see ``NormName.keys``); a query reaches only the names that share a key with it (a Polars join),
keeps the ``top_k`` (150) sharing the most key weight (rare keys weigh more); every one of those
whose proven score bound (``bound.py``, numpy, millions of pairs a second) reaches the
threshold is scored, so the cut is by score, not by a short list of key rank. Keys carried by
more than ``max_key_share`` of the names ("technology", "trading") block nothing and are
dropped.

On top of the name score, the party's context moves it, each move named in the evidence:
``identifier_match`` (a declared id equals a listed identifier: the score becomes 1),
``country_agrees`` / ``country_conflicts`` (±COUNTRY_BONUS) and ``address_agrees`` (+ADDRESS_BONUS
when the addresses share most of their tokens).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
from rapidfuzz import fuzz

from chipcustoms.parties.acronyms import acronym_key, initials
from chipcustoms.parties.bound import Names, Side, upper_bounds
from chipcustoms.parties.compare import DEFAULT_THRESHOLD, compare, kind_of
from chipcustoms.parties.entities import allow_filter, groups, one_per_entity
from chipcustoms.parties.names import NormName, name_key, normalize, sound
from chipcustoms.parties.scripts import has_abjad

GRAM = 4  # letters of a prefix key and of a compact-form gram
MAX_GRAMMED = 40  # grams are taken from the compact form's first 40 letters
PAIR_TOKENS = 8  # token pairs are keyed among a name's first 8 distinct tokens
DELETE_LENGTHS = (4, 12)  # tokens this long get one-deletion keys (a typo budget of 1 or more)
QUERY_CHUNK = 5_000  # queries matched at once (bounds memory: up to 1,000 postings each)
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
    "lists": pl.Utf8,
}


def _keys(n: NormName) -> list[str]:
    """The blocking keys of one name, by family (each catches what the others miss):

    - ``t:`` tokens, ``m:`` their metaphone, ``c:`` the compact form (``NormName.keys``);
      scripts are transliterated first (Cyrillic, Chinese pinyin), so these are per script too;
    - ``p:`` / ``q:`` token pairs as tokens and as sounds (rare where single tokens are common);
    - ``i:`` a token with another token's initial ("J. Smith" / "John Smith");
    - ``x:`` each token's first four letters (a typo at the end of a word);
    - ``g:`` four-letter grams of the compact form (a typo anywhere, words run together);
    - ``e:`` each token and its one-letter deletions (SymSpell: any two tokens one edit apart
      share one, "Telov" / "Teov", where prefixes, grams and sounds may all differ);
    - ``t:`` also a token's name key where it differs from the token: its nickname group or
      its transliteration key ("Bibi" / "Benjamin", "Jewgeni" / "Yevgeny": ``names.name_key``);
    - ``a:`` the initials of a name of 2-6 tokens, or a one-token name itself ("CCB" / "China
      Construction Bank": ``compare.acronym_of``).
    Identifiers (``d:``) are keyed by the matcher from the entity's and the query's ids.
    """
    toks = sorted(set(n.tokens[:PAIR_TOKENS]))
    out = n.keys()
    for i, x in enumerate(toks):
        for y in toks[i + 1 :]:
            out.extend(_pair_keys(x, y))
        if len(x) > 1:
            out.extend(f"i:{y[0]}|{x}" for y in toks if y != x)
        out.extend(_token_keys(x))
    compact = n.compact[:MAX_GRAMMED]
    out.extend({f"g:{compact[k : k + GRAM]}" for k in range(len(compact) - GRAM + 1)})
    # as written and without the small words' letters ("BOC" / "Bank of China": acronyms.py)
    if short := initials(n.tokens) if len(n.tokens) > 1 else n.compact:
        out.extend({f"a:{short}", f"a:{acronym_key(short)}"})
    if len(n.tokens) == 1 and len(n.compact) >= 3:  # "SMIC": initials and a legal form's
        out.extend({f"a:{n.compact[:-1]}", f"a:{acronym_key(n.compact[:-1])}"})
    return out


@functools.lru_cache(maxsize=1_000_000)
def _token_keys(x: str) -> tuple[str, ...]:
    """A token's prefix, nickname-group and deletion keys (cached: tokens repeat)."""
    out = [f"x:{x[:GRAM]}"] if len(x) >= GRAM else []
    if (key := name_key(x)) and key != x:
        out.append(f"t:{key}")  # meets the token that is its own key, and its other spellings
    if DELETE_LENGTHS[0] <= len(x) <= DELETE_LENGTHS[1]:
        out.extend({f"e:{x}", *(f"e:{x[:k]}{x[k + 1 :]}" for k in range(len(x)))})
    return tuple(out)


@functools.lru_cache(maxsize=1_000_000)
def _pair_keys(x: str, y: str) -> tuple[str, str]:
    """Two tokens' pair keys, as tokens and as sounds (cached: pairs repeat too)."""
    return f"p:{x}|{y}", "q:" + "|".join(sorted((sound(x), sound(y))))


def _top_k(
    q: npt.NDArray[np.uint32],
    n: npt.NDArray[np.uint32],
    w: npt.NDArray[np.uint8],
    k: int,
) -> pl.DataFrame:
    """Per query, the ``k`` names with the most shared key weight (``w``: each shared key's
    rarity in 1/8, ``Matcher.key_weight``); ties: lowest index. A row is one packed u64
    (query, name, weight): one sort, then each pair's weights are summed over the runs of its
    code; the ranking is a second sort of one packed u64 (query, inverted total, name), not a
    lexsort of three arrays.
    """
    if not len(q):
        return pl.DataFrame(schema={"__q": pl.UInt32, "__n": pl.UInt32})
    # one u64 per (query, name, key): query (24 bits: a chunk), name (32), weight (8)
    code = q.astype(np.uint64) << np.uint64(40) | n.astype(np.uint64) << np.uint64(8) | w
    code.sort()
    weight = (code & np.uint64(255)).astype(np.uint32)
    code >>= np.uint64(8)
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    total = np.add.reduceat(weight, starts)
    pair = code[starts]
    qq, nn = pair >> np.uint64(32), pair & np.uint64(0xFFFFFFFF)
    if len(nn) and int(nn.max()) < 1 << 24:  # (query 24, 65535 - total 16, name 24) bits
        inv = np.uint64(0xFFFF) - np.minimum(total, 0xFFFF).astype(np.uint64)
        rank = qq << np.uint64(40) | inv << np.uint64(24) | nn
        rank.sort()
        qq, nn = rank >> np.uint64(40), rank & np.uint64(0xFFFFFF)
    else:
        order = np.lexsort((nn, -total.astype(np.int64), qq))
        qq, nn = qq[order], nn[order]
    first = np.flatnonzero(np.r_[True, qq[1:] != qq[:-1]])
    pos = np.arange(len(qq)) - np.repeat(first, np.diff(np.r_[first, len(qq)]))
    keep = pos < k
    return pl.DataFrame({"__q": qq[keep].astype(np.uint32), "__n": nn[keep].astype(np.uint32)})


def _flat_keys(norms: list[NormName]) -> tuple[npt.NDArray[np.uint32], list[str]]:
    """All names' keys in one flat list, and the index of the name each belongs to (building
    a frame from flat lists is several times faster than from a list of lists)."""
    owner: list[int] = []
    flat: list[str] = []
    for i, n in enumerate(norms):
        keys = _keys(n)
        flat.extend(keys)
        owner.extend([i] * len(keys))
    return np.array(owner, dtype=np.uint32), flat


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
        top_k: int = 150,
        max_key_share: float = 0.05,
        max_postings: int = 1000,
    ) -> None:
        self.entities = entities.with_row_index("__e")
        self.thresholds = thresholds or {}
        self.top_k = top_k
        self.max_postings = max_postings
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
        schemas = entities["schema"].to_list() if "schema" in entities.columns else None
        self._side = Side.of(
            [n.tokens for n in self.norms],
            abjad=[has_abjad(n.original) for n in self.norms],
            personal=None
            if schemas is None
            else [kind_of(schemas[e]) in ("person", "any") for e in names["__e"].to_list()],
        )
        owner, flat = _flat_keys(self.norms)
        solo = np.array([len(n.tokens) <= 1 for n in self.norms], dtype=bool)
        rows = pl.DataFrame(
            {"__n": owner, "key": flat, "solo": solo[owner]},
            schema={"__n": pl.UInt32, "key": pl.Utf8, "solo": pl.Boolean},
        )
        cap = max(50, int(max_key_share * max(names.height, 1)))
        df = rows.group_by("key").len("df").filter(pl.col("df") <= cap)
        rows = rows.join(df, on="key")
        self.key_ids = rows.select("key", "df").unique("key", maintain_order=True)
        self.key_ids = self.key_ids.with_row_index("kid")
        total = max(names.height, 1)
        rarity = np.log1p(total / np.maximum(self.key_ids["df"].to_numpy(), 1))
        self.key_weight = np.minimum(np.rint(rarity * 8), 255).astype(np.uint8)  # in 1/8
        rows = rows.join(self.key_ids.select("key", "kid"), on="key")
        self.keys = rows.filter(~pl.col("solo")).select("kid", "__n")
        self.solo = rows.filter(pl.col("solo") & ~pl.col("key").str.starts_with("g:"))
        self.solo = self.solo.select("kid", "__n")
        self.solo_kids = self.solo["kid"].unique().implode()
        self.group = groups(self.entities)
        lists = self.entities["list_name"].to_list()
        self.floors = np.array(
            [self.threshold(lists[e]) for e in names["__e"].to_list()], dtype=np.float64
        )

    def threshold(self, list_name: str) -> float:
        return self.thresholds.get(list_name, self.thresholds.get("default", DEFAULT_THRESHOLD))

    def candidates(self, queries: list[str]) -> pl.DataFrame:
        """(query index ``__q``, listed-name index ``__n``) pairs worth scoring: the ``top_k``
        listed names sharing the most keys with each query.

        Each query's keys are taken rarest first while their names add up to ``max_postings``
        (always its rarest key): a name that shares the query's rare keys (its compact form,
        a pair of its tokens) is found without counting the hundreds that share one common
        token. Names of a single token are reached through every key of the query.
        """
        norms = [normalize(q) for q in queries]
        qkeys = (
            pl.DataFrame(
                dict(zip(("__q", "key"), _flat_keys(norms), strict=True)),
                schema={"__q": pl.UInt32, "key": pl.Utf8},
            )
            .join(self.key_ids, on="key")
            .select("__q", "kid", "df")
        )
        budget = (
            qkeys.sort("__q", "df", "kid")
            .with_columns(pl.col("df").cum_sum().over("__q").alias("cum"))
            .filter(pl.col("cum") - pl.col("df") < self.max_postings)
            .select("__q", "kid")
        )
        # one-token names through every key of the query but its grams (they have few keys)
        qkeys = qkeys.filter(pl.col("kid").is_in(self.solo_kids)).select("__q", "kid")
        joined = pl.concat([budget.join(self.keys, on="kid"), qkeys.join(self.solo, on="kid")])
        kid = joined["kid"].to_numpy()
        return _top_k(
            joined["__q"].to_numpy(), joined["__n"].to_numpy(), self.key_weight[kid], self.top_k
        )

    def _survivors(self, queries: list[Query]) -> pl.DataFrame:
        """Candidate pairs whose score bound (``bound.upper_bounds``) can still reach their
        list's threshold with every bonus the query could earn; the rest cannot be hits."""
        pairs = self.candidates([q.name for q in queries])
        if pairs.height == 0:
            return pairs
        qi, ni = pairs["__q"].to_numpy(), pairs["__n"].to_numpy()
        bonus = np.array(
            [
                (COUNTRY_BONUS if q.country else 0.0) + (ADDRESS_BONUS if q.address else 0.0)
                for q in queries
            ]
        )
        exempt = np.array([bool(q.identifier) for q in queries])  # an id match scores 1
        floor = self.floors[ni] - bonus[qi]
        tokens = [normalize(q.name).tokens for q in queries]
        names = Names(tokens, [has_abjad(q.name) for q in queries])
        ub = upper_bounds(names, self._side, qi, ni, floor)
        keep = exempt[qi] | (ub >= floor)
        return pairs.filter(pl.Series(keep))

    def match(
        self, queries: list[Query], *, by_index: bool = False, allowed: pl.DataFrame | None = None
    ) -> pl.DataFrame:
        """Hits at or above each list's threshold, one per (query, entity); HIT_SCHEMA.

        With ``by_index`` the hits carry ``__qi`` (the query's position) and are best per
        (position, entity): the same name may come with different countries or ids. Pairs the
        analyst cleared (``allowed``) are dropped first; then entities that are one party on
        several lists (``entities.groups``) give one hit naming them all (``lists``).
        """
        schema = {"__qi": pl.UInt32, **HIT_SCHEMA} if by_index else HIT_SCHEMA
        if not queries or self.names.height == 0:
            return pl.DataFrame(schema=schema)
        pairs = pl.concat(
            [
                self._survivors(queries[s : s + QUERY_CHUNK]).with_columns(pl.col("__q") + s)
                for s in range(0, len(queries), QUERY_CHUNK)
            ]
        )
        ent_of = self.names["__e"].to_list()
        listed = self.names["listed"].to_list()
        ents = self.entities
        list_name, version = ents["list_name"].to_list(), ents["list_version"].to_list()
        eid, ename = ents["entity_id"].to_list(), ents["name"].to_list()
        countries, addresses = ents["countries"].to_list(), ents["addresses"].to_list()
        idents = ents["identifiers"].to_list()
        schemas = ents["schema"].to_list() if "schema" in ents.columns else [None] * ents.height
        rows = []
        for qi, ni in zip(pairs["__q"].to_list(), pairs["__n"].to_list(), strict=True):
            q, e = queries[qi], ent_of[ni]
            cmp = compare(normalize(q.name), self.norms[ni], schemas[e])
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
                        qi,
                        q.name,
                        list_name[e],
                        version[e],
                        eid[e],
                        ename[e],
                        listed[ni],
                        score,
                        json.dumps(feats, ensure_ascii=False),
                        int(self.group[e]),
                    )
                )
        found = {"__qi": pl.UInt32, **HIT_SCHEMA, "__g": pl.UInt32}
        del found["lists"]
        hits = pl.DataFrame(rows, schema=found, orient="row")
        key = "__qi" if by_index else "query"
        hits = hits.sort("score", descending=True).unique(
            [key, "list_name", "entity_id"], keep="first", maintain_order=True
        )
        hits = allow_filter(hits, allowed if allowed is not None else pl.DataFrame())
        hits = one_per_entity(hits, key).sort("score", descending=True, maintain_order=True)
        return hits if by_index else hits.drop("__qi")
