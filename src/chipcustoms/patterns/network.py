"""Trader networks: importers linked by what they share, scored by what touches them.

A party is an importer (its identifier, else its normalised name). Two parties are linked when
they share a normalised name (the screening normaliser, so a front that changes its identifier
or its legal form stays the same name), an address, a declarant, a consignee or an exporter. An
attribute shared by many parties (a large broker, a market-wide distributor) is a hub and links
nothing: ``refdata/patterns.yaml`` caps each kind. Communities are the connected components of
the party-attribute graph, computed by rustworkx (Rust, no Python per node or edge); everything
around it (keys, degrees, features, scores) is Polars over distinct values.

A community is scored by what touches it: members on a watchlist, members sharing a name or an
address with a listed member, members with an irregular inspection outcome, and new parties
moving high-value accelerators. The path from a party to the nearest listed (else seized)
member is the evidence an analyst reads: "importer X shares address A with Y, listed on L".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import rustworkx as rx

from chipcustoms.parties.names import normalize
from chipcustoms.patterns.config import NetworkSettings, pattern_settings

PARTY = "party"
_KEY_COLUMNS = {
    "name": "importer_name",
    "address": "importer_address",
    "declarant": "declarant_id",
    "consignee": "consignee_name",
    "exporter": "exporter_id",
}


def name_key(names: pl.Series) -> pl.Series:
    """The screening normaliser's compact form, computed once per distinct name."""
    distinct = names.drop_nulls().unique()
    keys = {n: normalize(n).compact for n in distinct.to_list()}
    return names.replace_strict(keys, default=None, return_dtype=pl.Utf8)


def party_key() -> pl.Expr:
    """The party of a line: its importer id, else its importer name."""
    return pl.coalesce(
        pl.col("importer_id").str.strip_chars().replace("", None),
        pl.lit("name:") + pl.col("importer_name").str.to_lowercase(),
    )


def _address_key(col: str) -> pl.Expr:
    return pl.col(col).str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "")


def listed_keys(entities: pl.DataFrame) -> pl.DataFrame:
    """(name_key, listed_on) from watchlist entities (``Store.watchlist_entities`` columns, or
    just ``name`` and ``list_name``): the entity's name and every alias."""
    cols = [pl.col("name")]
    if "aliases" in entities.columns:
        cols.append(pl.col("aliases"))
    ident = next((c for c in ("entity_id", "id") if c in entities.columns), "name")
    listed = pl.col("list_name") if "list_name" in entities.columns else pl.lit("watchlist")
    long = entities.select(
        pl.concat_list(cols).alias("n"), listed.alias("list_name"),
        pl.col(ident).alias("entity_id"),
    ).explode("n").drop_nulls("n")
    return (
        long.with_columns(name_key(long["n"]).alias("name_key"))
        .filter(pl.col("name_key").str.len_chars() > 0)
        .group_by("name_key")
        .agg(pl.format("{} ({})", "list_name", "entity_id").first().alias("listed_on"))
    )


@dataclass
class Network:
    """The result: parties, the links that count, communities and their scores."""

    parties: pl.DataFrame  # party, party_name, community, listed_on, seized, new_high_value
    links: pl.DataFrame  # party, kind, value, shown (kept links only)
    communities: pl.DataFrame  # community, n_parties, features, score, flagged
    graph: rx.PyGraph
    node_of: dict[str, int]  # party or "kind\x1fvalue" -> node index
    settings: NetworkSettings

    def flagged(self) -> pl.DataFrame:
        return self.communities.filter(pl.col("flagged"))

    def community_of(self, party: str) -> int | None:
        row = self.parties.filter(pl.col(PARTY) == party)
        return None if row.height == 0 else row["community"][0]

    def find(self, query: str) -> str | None:
        """A party by exact key, else by key prefix, else by name (case-insensitive part)."""
        if self.parties.filter(pl.col(PARTY) == query).height:
            return query
        hit = self.parties.filter(
            pl.col(PARTY).str.starts_with(query)
            | pl.col("party_name").str.to_lowercase().str.contains(query.lower(), literal=True)
        ).sort(PARTY)
        return None if hit.height == 0 else str(hit[PARTY][0])


def _links(lines: pl.DataFrame, s: NetworkSettings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(party, kind, value, shown) of every attribute a party uses, and the kept ones."""
    df = lines.select(
        party_key().alias(PARTY),
        *(pl.col(c) for c in _KEY_COLUMNS.values() if c in lines.columns),
    ).unique()
    parts = []
    for kind, col in _KEY_COLUMNS.items():
        if kind not in s.links or col not in df.columns:
            continue
        if kind in ("name", "consignee"):
            value = pl.Series(name_key(df[col]))
            sub = df.select(PARTY, pl.col(col).alias("shown")).with_columns(value.alias("value"))
        elif kind == "address":
            sub = df.select(PARTY, pl.col(col).alias("shown"), _address_key(col).alias("value"))
        else:
            sub = df.select(PARTY, pl.col(col).alias("shown"), pl.col(col).alias("value"))
        parts.append(sub.with_columns(pl.lit(kind).alias("kind")))
    long = (
        pl.concat(parts, how="diagonal")
        .filter(pl.col("value").is_not_null() & (pl.col("value").str.len_chars() > 0))
        .group_by(PARTY, "kind", "value")
        .agg(pl.col("shown").first())
    )
    caps = pl.DataFrame(
        {"kind": list(s.links), "cap": [v.max_parties for v in s.links.values()]}
    )
    kept = (
        long.with_columns(pl.len().over("kind", "value").alias("deg"))
        .join(caps, on="kind")
        .filter((pl.col("deg") >= 2) & (pl.col("deg") <= pl.col("cap")))
        .drop("deg", "cap")
    )
    return long, kept


def _components(kept: pl.DataFrame) -> tuple[pl.DataFrame, rx.PyGraph, dict[str, int]]:
    """Connected components of the party-attribute graph (rustworkx)."""
    parties = kept[PARTY].unique().sort()
    attrs = kept.select(pl.format("{}\x1f{}", "kind", "value").alias("a"))["a"].unique().sort()
    nodes = pl.concat([parties, attrs.alias(PARTY)])
    node_of = dict(zip(nodes.to_list(), range(len(nodes)), strict=True))
    index = pl.DataFrame({"k": nodes, "i": np.arange(len(nodes), dtype=np.int64)})
    edges = (
        kept.select(PARTY, pl.format("{}\x1f{}", "kind", "value").alias("a"))
        .join(index.rename({"k": PARTY, "i": "u"}), on=PARTY)
        .join(index.rename({"k": "a", "i": "v"}), on="a")
    )
    g = rx.PyGraph(multigraph=False)
    g.add_nodes_from(nodes.to_list())
    g.add_edges_from_no_data(list(zip(edges["u"].to_list(), edges["v"].to_list(), strict=True)))
    comp = np.full(len(nodes), -1, dtype=np.int64)
    for c, members in enumerate(rx.connected_components(g)):
        comp[np.fromiter(members, dtype=np.int64)] = c
    frame = pl.DataFrame({PARTY: parties, "community": comp[: len(parties)]})
    return frame, g, node_of


def _party_facts(lines: pl.DataFrame, s: NetworkSettings) -> pl.DataFrame:
    """Per party: display name, seized (an irregular inspection outcome), new with high value."""
    cols = lines.columns
    acc = pl.col("is_accelerator").fill_null(False) if "is_accelerator" in cols else (
        pl.col("accelerator_id").is_not_null() if "accelerator_id" in cols else pl.lit(False)
    )
    value = pl.col("value_usd").fill_null(0.0) if "value_usd" in cols else pl.lit(0.0)
    seized = (
        (pl.col("inspected").fill_null(False) & pl.col("fraud").fill_null(False))
        if {"inspected", "fraud"} <= set(cols) else pl.lit(False)
    )
    start = lines["date"].min()
    df = lines.select(
        party_key().alias(PARTY), "importer_name", "date",
        acc.alias("__acc"), value.alias("__v"), seized.alias("__seized"),
    ).with_columns(pl.col("date").min().over(PARTY).alias("first_seen"))
    early = (pl.col("date") - pl.col("first_seen")).dt.total_days() <= s.new_days
    return df.group_by(PARTY).agg(
        pl.col("importer_name").mode().first().alias("party_name"),
        pl.col("__seized").any().alias("seized"),
        pl.col("first_seen").first(),
        pl.col("__v").filter(pl.col("__acc") & early).sum().alias("early_acc_usd"),
        pl.len().alias("n_lines"),
    ).with_columns(
        (
            ((pl.col("first_seen") - pl.lit(start)).dt.total_days() >= s.new_after_days)
            & (pl.col("early_acc_usd") >= s.high_value_usd)
        ).alias("new_high_value")
    )


def build(
    lines: pl.DataFrame, listed: pl.DataFrame | None = None, settings: NetworkSettings | None = None
) -> Network:
    """The network of ``lines`` (canonical columns, plus ``value_usd`` / ``is_accelerator`` /
    labels when known); ``listed`` is :func:`listed_keys` of the watchlists in force."""
    s = settings or pattern_settings().network
    _, kept = _links(lines, s)
    comps, g, node_of = _components(kept)
    facts = _party_facts(lines, s)
    names = facts.select(PARTY, name_key(facts["party_name"]).alias("name_key"))
    listed = listed if listed is not None else pl.DataFrame(
        schema={"name_key": pl.Utf8, "listed_on": pl.Utf8}
    )
    parties = (
        facts.join(names, on=PARTY)
        .join(listed, on="name_key", how="left")
        .join(comps, on=PARTY, how="left")
        .with_columns(pl.col("listed_on").is_not_null().alias("listed"))
    )
    listed_attrs = kept.filter(pl.col("kind").is_in(["name", "address"])).join(
        parties.filter("listed").select(PARTY), on=PARTY, how="semi"
    ).select("kind", "value")
    sharers = (
        kept.join(listed_attrs, on=["kind", "value"], how="semi")
        .join(parties.filter("listed").select(PARTY), on=PARTY, how="anti")
        .select(PARTY).unique().with_columns(pl.lit(True).alias("shares_with_listed"))
    )
    parties = parties.join(sharers, on=PARTY, how="left").with_columns(
        pl.col("shares_with_listed").fill_null(False)
    )
    w = s.weights
    communities = (
        parties.filter(pl.col("community").is_not_null())
        .group_by("community")
        .agg(
            pl.len().alias("n_parties"),
            pl.col("listed").any().cast(pl.Float64).alias("listed"),
            pl.col("shares_with_listed").any().cast(pl.Float64).alias("shares_with_listed"),
            (pl.col("seized").sum() / 2).clip(0, 1).alias("seized"),
            pl.col("new_high_value").mean().alias("new_high_value"),
        )
        .with_columns(
            (1 - pl.fold(pl.lit(1.0), lambda acc, x: acc * x,
                         [1 - pl.col(k) * w.get(k, 0.0) for k in w])).alias("score")
        )
        .with_columns(
            ((pl.col("score") >= s.flag_at) & (pl.col("n_parties") >= s.min_parties))
            .alias("flagged")
        )
        .sort("score", "n_parties", descending=True)
    )
    return Network(parties, kept, communities, g, node_of, s)


def community_members(net: Network, community: int) -> pl.DataFrame:
    return net.parties.filter(pl.col("community") == community).sort(PARTY)


def community_links(net: Network, community: int) -> pl.DataFrame:
    members = community_members(net, community).select(PARTY)
    return net.links.join(members, on=PARTY, how="semi").sort("kind", "value", PARTY)


def paths(net: Network) -> pl.DataFrame:
    """For every party of a flagged community: the code, the sentence and the evidence of its
    path to the nearest listed member (else a seized one; else the community's own facts).

    A loop over the parties of flagged communities only (a few per thousand), never over lines.
    """
    flagged = net.flagged()
    members = net.parties.join(flagged.select("community", "score"), on="community")
    info = {r[PARTY]: r for r in members.iter_rows(named=True)}
    shown = {
        (p, f"{k}\x1f{v}"): t
        for p, k, v, t in net.links.join(members.select(PARTY), on=PARTY, how="semi")
        .select(PARTY, "kind", "value", "shown").iter_rows()
    }
    rows: list[dict[str, Any]] = []
    for comm in flagged["community"].to_list():
        group = [p for p, r in info.items() if r["community"] == comm]
        anchors = [p for p in group if info[p]["listed"]] or [p for p in group if info[p]["seized"]]
        routes: dict[int, list[int]] = {}
        for a in anchors:
            found = rx.dijkstra_shortest_paths(net.graph, net.node_of[a])
            for target, path in found.items():
                if target not in routes or len(path) < len(routes[target]):
                    routes[target] = list(path)
            routes[net.node_of[a]] = [net.node_of[a]]
        for p in group:
            node_path = routes.get(net.node_of[p])
            rows.append(_sentence(net, info, shown, p, node_path[::-1] if node_path else None))
    schema = {PARTY: pl.Utf8, "community": pl.Int64, "code": pl.Utf8, "message": pl.Utf8,
              "community_score": pl.Float64, "path": pl.Utf8, "n_parties": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def _sentence(
    net: Network,
    info: dict[str, dict[str, Any]],
    shown: dict[tuple[str, str], str],
    party: str,
    path: list[int] | None,
) -> dict[str, Any]:
    r = info[party]
    n = int(net.communities.filter(pl.col("community") == r["community"])["n_parties"][0])
    label = net.graph
    who = f"importer {r['party_name']} ({party})"
    if not path:
        code = "NETWORK_NEW_TRADERS"
        text = f"{who} is linked to {n - 1} parties, new traders moving high-value accelerators"
        hops: list[str] = []
    else:
        anchor = info[label[path[-1]]]
        code = "NETWORK_LISTED_LINK" if anchor["listed"] else "NETWORK_SEIZURE_LINK"
        hops = []
        for i in range(0, len(path) - 2, 2):
            a, attr, b = label[path[i]], label[path[i + 1]], label[path[i + 2]]
            kind, value = attr.split("\x1f", 1)
            text = shown.get((a, attr)) or value
            hops.append(
                f"{info[a]['party_name']} shares {kind} '{text}' with {info[b]['party_name']}"
            )
        tail = (f"listed on {anchor['listed_on']}" if anchor["listed"]
                else "with an irregular inspection outcome")
        text = f"{who}: " + "; ".join(hops) + f", {tail}" if hops else f"{who} is itself {tail}"
    text += f" (community of {n} parties, score {r['score']:.2f})."
    return {PARTY: party, "community": r["community"], "code": code, "message": text,
            "community_score": r["score"], "path": " > ".join(hops), "n_parties": n}
