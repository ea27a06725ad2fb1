"""Patterns planted into generated lines, with their ground truth, for the pattern analyses.

:func:`plant` takes lines from :func:`chipcustoms.synthetic.generator.generate` (with
``truth=True``) and adds new declarations, leaving every generated row as it was:

- front networks: new importers chained by shared addresses, one listed on a watchlist (or,
  every ``seized_every``-th network, two with an irregular inspection outcome), moving
  high-value accelerator lines;
- split-lot campaigns: one buyer (the consignee) behind several importer ids, many small
  accelerator lines within a few days;
- a new transit route: one accelerator model shipped through a hub no other line uses, from
  the middle of a month (so the next month is its first full one);
- a mirror gap: partner-country exports in the UN Comtrade bulk layout, built from the declared
  imports with noise, plus unrecorded shipments of a known total.

Each planted line says what it is in the ``planted`` column (``network:N03``, ``split:C01``,
``route:R1``); the truth tables come back beside the lines. Sizes live in refdata/plants.yaml.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import pycountry

from chipcustoms.lines import fx
from chipcustoms.refdata import REFDATA, load_yaml

Rng = np.random.Generator


@functools.cache
def plant_config() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(REFDATA / "plants.yaml")
    return data


@dataclass
class Planted:
    lines: pl.DataFrame  # generated + planted lines, with `planted`
    watchlist: pl.DataFrame  # entity_id, name, list_name: the listed fronts
    networks: pl.DataFrame  # party (importer_id), network
    campaigns: pl.DataFrame  # declaration_id, item_no, campaign
    route: dict[str, Any]  # accelerator_id, origin, shipped_from, destination, first_full_month
    comtrade: pl.DataFrame  # partner exports, UN Comtrade bulk columns
    mirror_gap_usd: float
    mirror_country: str


def _uniform(rng: Rng, bounds: list[float], n: int) -> np.ndarray:
    return rng.uniform(float(bounds[0]), float(bounds[1]), n)


def _template(lines: pl.DataFrame, rng: Rng, n: int) -> pl.DataFrame:
    """``n`` honest accelerator import lines to copy goods fields from."""
    pool = lines.filter(
        pl.col("true_accelerator_id").is_in(_template_models()) & (pl.col("patterns") == "")
        & (pl.col("flow") == "import")
    )
    return pool[rng.integers(0, pool.height, n).tolist()]


@functools.cache
def _template_models() -> list[str]:
    """Catalog models of the segments planted lines copy (refdata/plants.yaml)."""
    from chipcustoms.recognise.catalog import load_catalog

    segments = plant_config()["template_segments"]
    frame = load_catalog().frame()
    return frame.filter(pl.col("segment").is_in(segments))["accelerator_id"].to_list()


def _rows(tpl: pl.DataFrame, fields: dict[str, Any], start: dt.date, ids: int) -> pl.DataFrame:
    n = tpl.height
    days = fields.pop("day")
    out = tpl.with_columns(
        pl.Series("declaration_id", [f"PLT{ids + i:09d}" for i in range(n)]),
        pl.lit(1, dtype=tpl.schema["item_no"]).alias("item_no"),
        pl.Series("date", np.datetime64(start, "D") + np.asarray(days, dtype="timedelta64[D]")),
        pl.lit("USD").alias("currency"),
        pl.lit(False).alias("inspected"),
        pl.lit(False).alias("fraud"),
        pl.lit(True).alias("intent"),
        **{k: pl.Series(k, v) if isinstance(v, list | np.ndarray) else pl.lit(v)
           for k, v in fields.items()},
    )
    return out.with_columns(pl.col("value").round(2), pl.col("date").cast(pl.Date))


def _networks(lines: pl.DataFrame, rng: Rng, start: dt.date, days: int) -> list[Any]:
    c = plant_config()["networks"]
    frames, truth, listed = [], [], []
    for k in range(c["count"]):
        net = f"N{k:02d}"
        m = int(rng.integers(c["parties"][0], c["parties"][1] + 1))
        word = c["words"][k % len(c["words"])]
        streets = [f"Unit {rng.integers(1, 40)}, {rng.integers(1, 300)} "
                   f"{rng.choice(c['streets'])}, Hong Kong" for _ in range(m + 1)]
        seized_net = (k + 1) % c["seized_every"] == 0
        for j in range(m):
            pid = f"PLN{k:02d}{j:02d}{rng.integers(1000, 9999)}"
            name = f"{word} {rng.choice(c['words'])} {c['forms'][j % len(c['forms'])]}"
            n = int(rng.integers(c["lines_per_party"][0], c["lines_per_party"][1] + 1))
            first = int(rng.integers(c["first_day"], days - c["span_days"] - 1))
            day = first + np.sort(rng.integers(0, c["span_days"], n))
            addr = [streets[j + (i % 2)] for i in range(n)]  # j shares j+1's address
            seized = seized_net and j in (0, 1)
            fields = {
                "day": day, "importer_id": pid, "importer_name": name, "consignee_name": name,
                "importer_address": addr, "declarant_id": f"PLD{k:02d}{j:02d}",
                "exporter_id": f"PLX{k:02d}{j:02d}",
                "value": _uniform(rng, c["value_usd"], n).round(2), "patterns": "front",
                "planted": f"network:{net}",
            }
            rows = _rows(_template(lines, rng, n), fields, start, 0)
            if seized:
                rows = rows.with_columns(
                    pl.Series("inspected", [True] + [False] * (n - 1)),
                    pl.Series("fraud", [True] + [False] * (n - 1)),
                )
            frames.append(rows)
            truth.append((pid, net))
            if j == 0 and not seized_net:
                listed.append((f"PLANT-{net}", name, c["list_name"]))
    return [frames, truth, listed]


def _campaigns(lines: pl.DataFrame, rng: Rng, start: dt.date, days: int) -> list[pl.DataFrame]:
    c = plant_config()["split_lots"]
    frames = []
    for k in range(c["count"]):
        camp = f"C{k:02d}"
        imps = int(rng.integers(c["importers"][0], c["importers"][1] + 1))
        n = int(rng.integers(c["lines"][0], c["lines"][1] + 1))
        buyer = f"{rng.choice(plant_config()['networks']['words'])} Buyer {camp} Holdings Ltd"
        who = rng.integers(0, imps, n)
        first = int(rng.integers(30, days - c["span_days"] - 1))
        fields = {
            "day": first + np.sort(rng.integers(0, c["span_days"] + 1, n)),
            "importer_id": [f"PLS{k:02d}{i}" for i in who],
            "importer_name": [f"Split {camp} Importer {i} Ltd" for i in who],
            "importer_address": [f"{i + 10} Canton Road, Room {k}{i}, Kowloon" for i in who],
            "consignee_name": buyer,
            "quantity": rng.integers(c["units"][0], c["units"][1] + 1, n).astype(float),
            "value": _uniform(rng, c["value_usd"], n), "patterns": "split_lot",
            "planted": f"split:{camp}",
        }
        frames.append(_rows(_template(lines, rng, n), fields, start, 0))
    return frames


def _route(lines: pl.DataFrame, rng: Rng, start: dt.date, days: int) -> tuple[Any, Any]:
    c = plant_config()["route"]
    acc = lines.filter(
        pl.col("true_accelerator_id").is_in(_template_models()) & (pl.col("flow") == "import")
    )
    model = acc["true_accelerator_id"].mode().sort()[0]
    pool = acc.filter(pl.col("true_accelerator_id") == model)
    first = start + dt.timedelta(days=c["first_day"])
    end = start + dt.timedelta(days=days)
    # A share of the model's own monthly lines (at least `min_lines_per_month`), so the route
    # stands out at any data size.
    per_month = max(c["min_lines_per_month"], c["share_of_model"] * pool.height * 30 / days)
    day = []
    d = first
    while d < end:  # a loop over months, not lines
        month_end = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        span = (min(month_end, end) - d).days
        k = max(1, round(per_month * span / 30))
        day.extend(((d - start).days + np.sort(rng.integers(0, span, k))).tolist())
        d = month_end
    tpl = pool[rng.integers(0, pool.height, len(day)).tolist()]
    origin = str(pool["origin_country"].drop_nulls().mode().sort()[0])
    dest = str(pool["destination_country"].drop_nulls().mode().sort()[0])
    rows = _rows(tpl, {"day": np.array(day), "shipped_from_country": c["shipped_from"],
                       "origin_country": origin, "destination_country": dest,
                       "patterns": "hub", "planted": "route:R1",
                       "value": tpl["true_value_usd"]}, start, 0)
    full = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    truth = {"accelerator_id": model, "shipped_from": c["shipped_from"], "origin": origin,
             "destination": dest, "route": f"{origin}>{c['shipped_from']}>{dest}",
             "first_day": first.isoformat(), "first_full_month": full.isoformat()[:7]}
    return rows, truth


def plant(lines: pl.DataFrame, *, seed: int = 0) -> Planted:
    """Generated lines (``truth=True``) plus every planted pattern, and what was planted."""
    rng = np.random.default_rng([seed, 18])
    start, end = lines["date"].min(), lines["date"].max()
    assert isinstance(start, dt.date) and isinstance(end, dt.date)
    days = (end - start).days + 1
    nets, net_truth, listed = _networks(lines, rng, start, days)
    camps = _campaigns(lines, rng, start, days)
    route_rows, route = _route(lines, rng, start, days)
    added = pl.concat([*nets, *camps, route_rows], how="vertical_relaxed")
    added = added.with_columns(
        pl.format("PLT{}", pl.int_range(pl.len()).cast(pl.Utf8).str.zfill(9))
        .alias("declaration_id")
    )
    base = lines.with_columns(pl.lit(None, dtype=pl.Utf8).alias("planted"))
    allrows = pl.concat([base, added.select(base.columns)], how="vertical_relaxed")
    campaigns = allrows.filter(pl.col("planted").str.starts_with("split:")).select(
        "declaration_id", "item_no", pl.col("planted").str.slice(6).alias("campaign")
    )
    comtrade, gap, country = _mirror(allrows, rng)
    return Planted(
        lines=allrows,
        watchlist=pl.DataFrame(listed, schema=["entity_id", "name", "list_name"], orient="row"),
        networks=pl.DataFrame(net_truth, schema=["party", "network"], orient="row"),
        campaigns=campaigns, route=route, comtrade=comtrade, mirror_gap_usd=gap,
        mirror_country=country,
    )


def _iso3(codes: pl.Series) -> pl.Series:
    table = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    return codes.replace_strict(table, default="W00", return_dtype=pl.Utf8)


def _mirror(lines: pl.DataFrame, rng: Rng) -> tuple[pl.DataFrame, float, str]:
    """Partner exports to the busiest importing country: declared USD x (1 + noise), plus
    unrecorded shipments of a known total in a few cells."""
    c = plant_config()["mirror"]
    imports = fx.to_usd(lines.filter(pl.col("flow") == "import"))
    country = str(imports["destination_country"].mode().sort()[0])
    cells = (
        imports.filter(pl.col("destination_country") == country)
        .with_columns(pl.col("hs_code").str.slice(0, 6).alias("cmdCode"),
                      pl.col("date").dt.strftime("%Y%m").alias("period"))
        .group_by("cmdCode", "shipped_from_country", "period")
        .agg(pl.col("value_usd").sum().alias("declared"))
        .filter(pl.col("declared") > 0)
        .sort("cmdCode", "shipped_from_country", "period")
    )
    noise = 1 + rng.normal(0, c["noise"], cells.height)
    target = cells.with_row_index("__r").filter(
        pl.col("cmdCode").is_in(c["list_hs"]) & (pl.col("shipped_from_country") != country)
    )["__r"].to_numpy()
    chosen = rng.choice(target, size=min(c["cells"], len(target)), replace=False)
    share = rng.dirichlet(np.ones(len(chosen)))
    extra = np.zeros(cells.height)
    extra[chosen] = share * c["gap_share"] * float(cells["declared"].sum())
    reported = cells["declared"].to_numpy() * noise + extra
    gap = float(extra.sum())
    out = cells.select(
        pl.lit("C").alias("typeCode"), pl.lit("M").alias("freqCode"),
        pl.col("period").str.slice(0, 4).cast(pl.Int64).alias("refYear"),
        pl.col("period").str.slice(4, 2).cast(pl.Int64).alias("refMonth"),
        pl.col("period").cast(pl.Int64),
        _iso3(cells["shipped_from_country"]).alias("reporterISO"),
        pl.lit("X").alias("flowCode"),
        pl.lit(_iso3(pl.Series([country]))[0]).alias("partnerISO"),
        pl.lit("W00").alias("partner2ISO"),
        pl.col("cmdCode"), pl.lit("C00").alias("customsCode"), pl.lit(0).alias("motCode"),
        pl.Series("primaryValue", np.round(reported, 2)),
        pl.Series("fobvalue", np.round(reported, 2)),
    )
    return out, gap, country
