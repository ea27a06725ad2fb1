"""Party screening as a pipeline ``Scorer``: importer, exporter and consignee of every line
against the lists in the store.

Names are matched once per distinct name in the batch (trade data repeats its parties), the
hits joined back per role; cleared pairs (the allow-list) are dropped before they become
reasons. A hit is a SCR_WATCHLIST_HIT reason, the best hit a noisy-or term, and a hit above
``floor_red`` / ``floor_yellow`` a channel floor.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import polars as pl

from chipcustoms.assess.frames import lookup
from chipcustoms.parties.entities import allow_filter  # noqa: F401  (imported from here)
from chipcustoms.parties.matcher import Matcher, Query
from chipcustoms.policy.rules import IDX, REASON_DTYPE
from chipcustoms.refdata import REFDATA, load_yaml

ROLES = {"importer_name": "importer", "exporter_name": "exporter", "consignee_name": "consignee"}
# Context the canonical schema declares per role: (country, address, identifier) columns. The
# schema has no party country, so the exporter's is the shipped-from country and the importer's
# and consignee's the destination country: agreement with the listed country adds, conflict
# subtracts (COUNTRY_BONUS), as for `chipcustoms parties`.
CONTEXT = {
    "importer_name": ("destination_country", "importer_address", "importer_id"),
    "exporter_name": ("shipped_from_country", "exporter_address", "exporter_id"),
    "consignee_name": ("destination_country", None, None),
}
CODE = "SCR_WATCHLIST_HIT"


@functools.cache
def settings() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(REFDATA / "names" / "screening.yaml")
    return data


class ScreeningScorer:
    name = "screening"

    def __init__(self, entities: pl.DataFrame, allowed: pl.DataFrame | None = None) -> None:
        cfg = settings()
        self.matcher = Matcher(entities, thresholds=cfg["thresholds"])
        self.allowed = allowed if allowed is not None else pl.DataFrame()
        self.lists = dict(
            entities.select("list_name", "list_version").unique().sort("list_name").iter_rows()
        )

    def version(self) -> object:
        return {"lists": self.lists, "settings": settings()["version"]}

    def output_columns(self) -> list[str]:
        return ["screening_score", "screening_hits"]

    def hits(self, df: pl.DataFrame) -> pl.DataFrame:
        """Long hits: (``__i``, role, hit columns) for every line whose party matched."""
        parts = []
        for col, ctx in CONTEXT.items():
            if col not in df.columns:
                continue
            parts.append(
                df.select(
                    IDX,
                    pl.lit(col).alias("role"),
                    pl.col(col).alias("query"),
                    *(
                        (pl.col(c) if c and c in df.columns else pl.lit(None))
                        .cast(pl.Utf8)
                        .alias(alias)
                        for c, alias in zip(ctx, ("country", "address", "identifier"), strict=True)
                    ),
                )
            )
        if not parts:
            return pl.DataFrame()
        long = pl.concat(parts).filter(
            pl.col("query").is_not_null() & (pl.col("query").str.strip_chars() != "")
        )
        ctx_cols = ["query", "country", "address", "identifier"]
        distinct = long.select(ctx_cols).unique(maintain_order=True).with_row_index("__qi")
        queries = [Query(*row) for row in distinct.select(ctx_cols).iter_rows()]
        hits = self.matcher.match(queries, by_index=True, allowed=self.allowed)
        return (
            long.join(distinct, on=ctx_cols, nulls_equal=True)
            .join(hits.drop("query"), on="__qi")
            .drop("__qi", "country", "address", "identifier")
            .with_columns(pl.col("role").replace_strict(ROLES))
        )

    def score(self, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr | None, pl.DataFrame]:
        cfg = settings()
        hits = self.hits(df)
        per_line = hits.group_by(IDX).agg(
            pl.col("score").max().alias("screening_score"),
            pl.format("{}:{}", "list_name", "entity_id").unique().sort().alias("screening_hits"),
        )
        df = lookup(df, per_line, IDX).with_columns(
            pl.col("screening_score").fill_null(0.0),
            pl.col("screening_hits").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
        )
        df = df.with_columns(
            pl.col("floor_red") | (pl.col("screening_score") >= cfg["floor_red"]),
            pl.col("floor_yellow") | (pl.col("screening_score") >= cfg["floor_yellow"]),
        )
        weight = float(cfg["weight"])
        message = pl.format(
            "The {} '{}' matches '{}' of {} on watchlist {} v{} (entity {}), score {}.",
            "role",
            "query",
            "matched_name",
            "entity_name",
            "list_name",
            "list_version",
            "entity_id",
            pl.col("score").round(2),
        )
        fields = ["role", "query", "list_name", "list_version", "entity_id", "entity_name"]
        evidence = pl.concat_str(  # the features are JSON already: spliced in, not re-encoded
            pl.struct(*fields, "matched_name", "score").struct.json_encode().str.head(-1),
            pl.lit(',"features":'),
            pl.col("features"),
            pl.lit("}"),
        )
        reasons = hits.select(
            IDX,
            pl.struct(
                pl.lit(CODE).alias("code"),
                pl.lit("screening").alias("source"),
                (pl.col("score") * weight).round(4).alias("score"),
                message.alias("message"),
                evidence.alias("evidence"),
            )
            .cast(REASON_DTYPE)
            .alias("reason"),
        )
        return df, pl.col("screening_score") * weight, reasons

    def score_row(self, row: dict[str, Any]) -> tuple[dict[str, Any], float, list[dict[str, Any]]]:
        """:meth:`score` for one line (the online path): the same hits, floors, term and
        reasons, the matcher's answer cached per distinct query (name and its context)."""
        from chipcustoms.assess.online_format import concat, float_text, json_object, round_even

        cfg = settings()
        weight = float(cfg["weight"])
        cache: dict[Query, list[dict[str, Any]]] = self.__dict__.setdefault("_row_hits", {})
        found = []
        for col, ctx in CONTEXT.items():
            name = row.get(col)
            if col not in row or name is None or name.strip() == "":
                continue
            q = Query(
                name, *(None if c is None or row.get(c) is None else str(row[c]) for c in ctx)
            )
            if q not in cache:
                if len(cache) >= 50_000:  # bounded: the oldest query goes first
                    del cache[next(iter(cache))]
                cache[q] = self.matcher.match([q], by_index=True, allowed=self.allowed).to_dicts()
            found += [(ROLES[col], name, h) for h in cache[q]]
        best = max((h["score"] for _, _, h in found), default=0.0)
        reasons = []
        for role, query, h in found:
            message = concat(
                f"The {role} '{query}' matches '",
                h["matched_name"],
                "' of ",
                h["entity_name"],
                " on watchlist ",
                h["list_name"],
                " v",
                None if h["list_version"] is None else str(h["list_version"]),
                " (entity ",
                h["entity_id"],
                "), score ",
                None if h["score"] is None else float_text(round_even(h["score"], 2)),
                ".",
            )
            fields = ["list_name", "list_version", "entity_id", "entity_name", "matched_name"]
            head = json_object(
                [
                    ("role", role),
                    ("query", query),
                    *((f, h[f]) for f in fields),
                    ("score", h["score"]),
                ]
            )
            evidence = concat(head[:-1], ',"features":', h["features"], "}")
            reasons.append(
                {
                    "code": CODE,
                    "source": "screening",
                    "score": round_even(h["score"] * weight, 4),
                    "message": message,
                    "evidence": evidence,
                }
            )
        adds = {
            "screening_score": best,
            "screening_hits": sorted({f"{h['list_name']}:{h['entity_id']}" for _, _, h in found}),
            "floor_red": bool(row.get("floor_red")) or best >= cfg["floor_red"],
            "floor_yellow": bool(row.get("floor_yellow")) or best >= cfg["floor_yellow"],
        }
        return adds, best * weight, reasons


HIT_FIELDS = {
    "role": pl.Utf8,
    "query": pl.Utf8,
    "list_name": pl.Utf8,
    "list_version": pl.Int64,
    "entity_id": pl.Utf8,
    "matched_name": pl.Utf8,
    "score": pl.Float64,
}


def hits_from_reasons(assessments: pl.DataFrame) -> pl.DataFrame:
    """The SCR_WATCHLIST_HIT reasons of assessed lines as ``screening_hits`` rows, so that a
    `screen` run stores the very hits its reasons state (the line page and `rescreen` read
    that table). The hit's ``score`` is the name score, not the reason's weighted one."""
    fields = [f if f != "query" else "party_name" for f in HIT_FIELDS]
    cols = ["declaration_id", "item_no", *fields, "features"]
    if assessments.height == 0 or "reasons" not in assessments.columns:
        return pl.DataFrame(schema=dict.fromkeys(cols, pl.Utf8))
    reasons = (
        assessments.select("declaration_id", "item_no", "reasons")
        .explode("reasons")
        .drop_nulls("reasons")
        .unnest("reasons")
        .filter(pl.col("code") == CODE)
    )
    if reasons.height == 0:
        return pl.DataFrame(schema=dict.fromkeys(cols, pl.Utf8))
    ev = reasons["evidence"].str.json_decode(pl.Struct(HIT_FIELDS))
    features = [
        json.dumps(json.loads(e).get("features"), ensure_ascii=False)
        for e in reasons["evidence"].to_list()
    ]
    return (
        pl.concat(
            [
                reasons.select("declaration_id", "item_no"),
                ev.struct.unnest(),
                pl.DataFrame({"features": features}, schema={"features": pl.Utf8}),
            ],
            how="horizontal",
        )
        .rename({"query": "party_name"})
        .select(cols)
    )


def load_scorer(db: str) -> ScreeningScorer | None:
    """The scorer over the newest version of every list in ``db``; None when none is loaded,
    so a store without lists costs the pipeline nothing."""
    from chipcustoms.store import open_store

    store = open_store(db)
    entities = store.watchlist_entities()
    if entities.height == 0:
        return None
    return ScreeningScorer(entities, store.allowed())
