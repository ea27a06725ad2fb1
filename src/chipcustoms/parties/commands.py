"""What the `watchlist`, `parties`, `compare-names` and `rescreen` commands do, as library calls.

Rescreening: when a list changes, only its added or changed entities (``changed_at`` at or after
the date) can create new hits, so the stored lines' distinct party names are matched against
just those entities; the hits go to ``screening_hits`` under a new ``rescreen`` run that records
the list versions used. Assessments already stored are not rewritten (they are append-only and
were right for the lists of their day); `explain` and the analyst read the new hits.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chipcustoms.errors import InputError, NotFoundError
from chipcustoms.parties.compare import DEFAULT_THRESHOLD, VERSION, compare
from chipcustoms.parties.matcher import Matcher, Query
from chipcustoms.parties.names import normalize
from chipcustoms.parties.party_scorer import ROLES, settings
from chipcustoms.parties.watchlists import read_list
from chipcustoms.store.base import Store


def load(store: Store, path: str, fmt: str, name: str | None) -> tuple[str, int, int]:
    """Read and check the whole file, then store it as a new version in one transaction."""
    entities = read_list(path, fmt)
    list_name = name or Path(path).name.split(".")[0]
    version = store.save_watchlist(list_name, fmt, str(path), entities)
    return list_name, version, entities.height


def ensure_demo_list(store: Store) -> str | None:
    """Load the bundled sample list as ``demo`` unless a list of that name is loaded; returns
    what was loaded, for the message (the `demo` command)."""
    if any(w["name"] == "demo" for w in store.watchlists()):
        return None
    from chipcustoms.refdata import REFDATA

    path = REFDATA / "watchlists" / "sample.csv"
    name, version, n = load(store, str(path), "csv", "demo")
    return f"loaded watchlist {name} v{version} ({n} entities) from {path.name}"


def _read_names(path: str) -> pl.DataFrame:
    try:
        df = pl.read_csv(path, infer_schema=False) if path.endswith(".csv") else None
        if df is None:
            df = pl.read_parquet(path) if path.endswith(".parquet") else pl.read_ndjson(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc
    if "name" not in df.columns:
        raise InputError(f"{path}: line 1: missing column 'name'")
    return df


def screen_names(
    store: Store, path: str, *, lists: list[str] | None, threshold: float | None
) -> pl.DataFrame:
    """Hits of each row of a names file (``name``, optional ``country``, ``address``, ``id``)."""
    df = _read_names(path)
    entities = store.watchlist_entities(lists or None)
    if entities.height == 0:
        raise InputError("no watchlist loaded" + (f" named {lists}" if lists else ""))
    thresholds = dict(settings()["thresholds"])
    if threshold is not None:
        thresholds = {"default": threshold}
    cols = {
        c: df[c].cast(pl.Utf8).to_list() if c in df.columns else None
        for c in ("name", "country", "address", "id")
    }
    rows = (
        pl.DataFrame({c: v for c, v in cols.items() if v is not None})
        .with_row_index("row")
        .unique([c for c in ("name", "country", "address", "id") if cols[c]])
    )
    queries = [
        Query(r["name"] or "", r.get("country"), r.get("address"), r.get("id"))
        for r in rows.iter_rows(named=True)
    ]
    hits = Matcher(entities, thresholds=thresholds).match(queries, allowed=store.allowed())
    return (
        # Rows count from 1, the first data row, as the quarantine counts them.
        df.with_row_index("row", offset=1)
        .join(hits.rename({"query": "name"}), on="name", how="inner")
        .sort(["row", "score"], descending=[False, True])
    )


def allow(store: Store, party_name: str, list_name: str, entity_id: str, reason: str) -> None:
    """Clear a pair only if the list is loaded and has that entity: a typo would otherwise be
    stored as a clearance that never applies, and the hit would keep coming back."""
    lists = sorted({w["name"] for w in store.watchlists()})
    if list_name not in lists:
        raise NotFoundError(
            f"no watchlist named {list_name!r} (loaded: {', '.join(lists) or 'none'})"
        )
    ids = store.watchlist_entities([list_name])["entity_id"]
    if not (ids == entity_id).any():
        raise NotFoundError(f"watchlist {list_name!r} has no entity {entity_id!r}")
    store.allow(party_name, list_name, entity_id, reason)


def compare_pairs(path: str) -> pl.DataFrame:
    """``name1,name2[,schema]`` rows with the screening scorer's ``score`` and ``match``."""
    df = _read_names_pairs(path)
    pairs = df.select("name1", "name2").unique()
    scores = [compare(normalize(a or ""), normalize(b or "")).score for a, b in pairs.iter_rows()]
    scored = pairs.with_columns(pl.Series("score", scores, dtype=pl.Float64))
    return df.join(scored, on=["name1", "name2"], how="left", nulls_equal=True).with_columns(
        (pl.col("score") >= DEFAULT_THRESHOLD).alias("match"),
        pl.lit(VERSION).alias("scorer"),
    )


def _read_names_pairs(path: str) -> pl.DataFrame:
    try:
        df = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc
    missing = {"name1", "name2"} - set(df.columns)
    if missing:
        raise InputError(f"{path}: line 1: missing column(s) {', '.join(sorted(missing))}")
    return df


def rescreen(store: Store, since: str) -> tuple[int, pl.DataFrame]:
    """Match stored lines' parties against entities changed since ``since``; store the hits."""
    changed = store.watchlist_entities(since=since)
    lines = store.declared_parties()
    versions = dict(changed.select("list_name", "list_version").unique().iter_rows())
    run_id = store.start_run(
        command="rescreen",
        inputs=[],
        mapping="",
        seed=0,
        budgets={},
        versions={"watchlists": {"lists": versions, "since": since}},
    )
    hits = pl.DataFrame()
    if changed.height and lines.height:
        long = lines.unpivot(
            index=["declaration_id", "item_no"],
            on=list(ROLES),
            variable_name="role",
            value_name="query",
        ).drop_nulls("query")
        names = long["query"].unique().to_list()
        found = Matcher(changed, thresholds=settings()["thresholds"]).match(
            [Query(n) for n in names], allowed=store.allowed()
        )
        hits = long.join(found, on="query").select(
            "declaration_id",
            "item_no",
            pl.col("role").replace_strict(ROLES),
            pl.col("query").alias("party_name"),
            "list_name",
            "list_version",
            "entity_id",
            "matched_name",
            "score",
            "features",
        )
        store.save_screening_hits(run_id, hits)
    store.finish_run(
        run_id, counts={"hits": hits.height, "entities": changed.height}, thresholds={}
    )
    return run_id, hits
