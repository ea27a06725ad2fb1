"""Synthetic, seeded customs declarations with hidden ground truth.

Real declarations with inspection outcomes are confidential, yet every stage of the pipeline
(ingest, resolution, rules, the learned model, selection) needs volume and labels to be built and
evaluated. A small *world* is drawn once per seed (:mod:`chipcustoms.synthetic.world`: traders,
declarants, a vocabulary of a few thousand description spellings, the accelerator mix from the
catalog); this module then draws rows vectorised in fixed-size chunks seeded by
``(seed, chunk index)``, so :func:`generate` and :func:`generate_batches` give the same rows
whatever the batch size, and millions of rows never sit in memory at once. Every number lives in
``refdata/generator.yaml``, which also documents the hidden fraud process.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from chipcustoms.lines.schema import EXTRA, FLOWS, TRANSPORT_MODES, canonical_schema
from chipcustoms.recognise.catalog import Catalog, load_catalog
from chipcustoms.refdata import REFDATA
from chipcustoms.synthetic.items import labels, line_goods, wording
from chipcustoms.synthetic.sampling import cond, pattern, sig, sizes, take
from chipcustoms.synthetic.world import Arr, Rng, World, build_world, config

__all__ = ["config", "generate", "generate_batches"]

_CHUNK = 1 << 16  # rows per independently seeded chunk; batches are slices of the chunk stream
_IMPORT, _EXPORT = FLOWS.index("import"), FLOWS.index("export")
_COURIER, _AIR = TRANSPORT_MODES.index("courier"), TRANSPORT_MODES.index("air")


def _declarations(w: World, rng: Rng, n: int, start: dt.date, days: int) -> dict[str, Arr]:
    """Who files what and when, with the hidden intent; in acceptance-date order."""
    cfg, a, f, sl = w.cfg, w.a, w.cfg["fraud"], w.cfg["split_lots"]
    lo, hi = sl["lines"]  # split lots: one party, one model, one-item declarations, a few weeks
    lens = rng.integers(lo, hi + 1, int(n * sl["share"]) * 2 // (lo + hi))
    k = sizes(rng, cfg, n - int(lens.sum()))
    n_reg, cid, nc = len(k), np.repeat(np.arange(len(lens)), lens), len(lens)
    k = np.concatenate([k, np.ones(len(cid), np.int64)])
    nd, camp = len(k), np.arange(len(k)) >= n_reg
    acc = camp | (rng.random(nd) < cfg["accelerators"]["declaration_share"])
    n_dom, n_m = len(a["dom_p"]), len(a["m_p"])
    party = np.where(acc, rng.choice(n_dom, nd, p=a["acc_p"]), rng.choice(n_dom, nd, p=a["dom_p"]))
    model, cp = rng.choice(n_m, nd, p=a["m_p"]), rng.choice(n_dom, nc, p=a["camp_p"])
    party[n_reg:], model[n_reg:] = cp[cid], rng.choice(n_m, nc, p=a["m_p"])[cid]
    first = a["first_day"][party]
    day = first + (rng.random(nd) * (days - first)).astype(np.int64)
    win, c0 = min(sl["window_days"], days), a["first_day"][cp]
    c0 = c0 + (rng.random(nc) * np.maximum(days - c0 - win, 0)).astype(np.int64)
    day[n_reg:] = np.minimum(c0[cid] + rng.integers(0, win, len(cid)), days - 1)
    decl = np.where(
        rng.random(nd) < cfg["traders"]["declarant_loyalty"],
        a["pref_decl"][party],
        rng.choice(len(a["decl_p"]), nd, p=a["decl_p"]),
    )
    lat, new = f["latent"], first > 0
    z = (
        lat["trader"] * a["risk"][party]
        + lat["declarant"] * a["decl_risk"][decl]
        + lat["front"] * a["front"][party]
        + lat["new_trader"] * new
        + lat["split_lot"] * camp
    )
    i0 = np.where(acc, f["accelerator"]["intent_intercept"], f["ordinary"]["intent_intercept"])
    intent = rng.random(nd) < sig(i0 + z)
    intent[n_reg:] = (rng.random(nc) < sl["intent"])[cid]
    wd = (start.weekday() + day) % 7  # weekly rhythm: most weekend filings move into the week
    move = (wd >= 5) & (rng.random(nd) > pattern(f, "weekend_keep", acc, intent))
    to = day - wd + rng.integers(0, 5, nd)
    day = np.where(move, np.where(to < 0, to + 7, np.where(to >= days, to - 7, to)), day)
    day = day.clip(0, days - 1)
    out = {
        "k": k,
        "acc": acc,
        "camp": camp,
        "party": party,
        "model": model,
        "day": day,
        "decl": decl,
        "new": new,
        "intent": intent,
        "weekend": (start.weekday() + day) % 7 >= 5,
    }
    out |= _routes(w, rng, out)
    order = np.lexsort((rng.random(nd), day))  # declaration numbers follow acceptance dates
    return {key: v[order] for key, v in out.items()}


def _routes(w: World, rng: Rng, dc: dict[str, Arr]) -> dict[str, Arr]:
    """Flow, office, mode, countries and the parties on the other side of each declaration."""
    a, f, sl = w.a, w.cfg["fraud"], w.cfg["split_lots"]
    acc, camp, intent, party, nd = dc["acc"], dc["camp"], dc["intent"], dc["party"], len(dc["acc"])
    nf = len(FLOWS)
    flow = np.where(acc, rng.choice(nf, nd, p=a["flow_acc_p"]), rng.choice(nf, nd, p=a["flow_p"]))
    flow[camp] = _IMPORT  # split lots are imports
    office = cond(rng, a["office_cum"], a["p_country"][party])
    oc, sector = a["office_country"][office], np.where(acc, a["acc_sector"], a["p_sector"][party])
    small = np.where(rng.random(nd) < sl["courier_share"], _COURIER, _AIR)
    mode = np.where(camp, small, cond(rng, a["mode_cum"], office))
    model = dc["model"]
    origin = np.where(acc, cond(rng, a["m_origin"], model), cond(rng, a["s_origin"], sector))
    export = flow == _EXPORT
    hub = ~export & (rng.random(nd) < pattern(f, "hub", acc, intent))
    via = rng.choice(a["hubs"], nd, p=a["hub_p"])
    via = np.where(via == oc, a["alt_hub"][oc], via)
    shipped = np.where(hub | (origin == oc), via, origin)
    dest = np.where(flow == _IMPORT, oc, rng.choice(a["dest"], nd, p=a["dest_p"]))
    origin, shipped = np.where(export, a["cn"], origin), np.where(export, oc, shipped)
    g = np.where(export, dest, shipped) * a["n_sectors"] + sector  # foreign party's group
    skew = np.where(intent & acc, 3.0, 1.0)  # risky accelerator lines favour front exporters
    foreign = a["groups"][0, g] + (a["groups"][1, g] * rng.random(nd) ** skew).astype(np.int64)
    imp, exp = np.where(export, foreign, party), np.where(export, party, foreign)
    fwd = rng.random(nd) < pattern(f, "forwarder", acc, intent)
    cons = np.where(fwd, a["n_parties"] + rng.integers(0, a["n_fwd"], nd), imp)
    cons[rng.random(nd) < w.cfg["odd"]["null_consignee"]] = -1
    return {
        "flow": flow,
        "office": office,
        "mode": mode,
        "origin": origin,
        "shipped": shipped,
        "dest": dest,
        "hub": hub,
        "imp": imp,
        "exp": exp,
        "cons": cons,
        "sector": sector,
        "cur": rng.choice(len(a["cur_p"]), nd, p=a["cur_p"]),
    }


def _chunk(
    w: World, rng: Rng, n: int, base: int, start: dt.date, days: int, truth: bool
) -> pl.DataFrame:
    """One chunk of lines: declarations, then goods, wording and labels per line."""
    a, odd = w.a, w.cfg["odd"]
    dc = _declarations(w, rng, n, start, days)
    d = np.repeat(np.arange(len(dc["k"])), dc["k"])
    item_no = np.arange(n) - np.repeat(np.cumsum(dc["k"]) - dc["k"], dc["k"]) + 1
    x = {key: v[d] for key, v in dc.items() if key != "k"}  # declaration fields, per line
    ln = line_goods(w, rng, x, item_no)
    dates = np.datetime64(start, "D") + x["day"]
    month = dates.astype("datetime64[M]").astype(np.int64) - a["fx_m0"]
    value = ln["declared"] * a["fx"][x["cur"], month.clip(0, a["fx"].shape[1] - 1)]
    text = {
        "flow": ("flows", x["flow"]),
        "office": ("offices", x["office"]),
        "declarant_id": ("declarants", x["decl"]),
        "importer_id": ("pid", x["imp"]),
        "exporter_id": ("pid", x["exp"]),
        "importer_name": ("names", x["imp"]),
        "importer_address": ("addresses", x["imp"]),
        "exporter_name": ("names", x["exp"]),
        "exporter_address": ("addresses", x["exp"]),
        "consignee_name": ("names", x["cons"]),
        "origin_country": (
            "countries",
            np.where(rng.random(n) < odd["unknown_origin"], a["zz"], x["origin"]),
        ),
        "shipped_from_country": ("countries", x["shipped"]),
        "destination_country": ("countries", x["dest"]),
        "transport_mode": ("modes", x["mode"]),
        "currency": ("currencies", x["cur"]),
        "quantity_unit": ("units", np.where(ln["acc"], a["pcs"], a["i_unit"][ln["it"]])),
    } | wording(w, rng, x, ln)
    cols: dict[str, Any] = (
        {key: take(w.s[voc], idx) for key, (voc, idx) in text.items()}
        | {
            "declaration_id": "DEC" + pl.Series(base + d + 1).cast(pl.Utf8).str.zfill(10),
            "item_no": item_no,
            "date": dates,
            "quantity": ln["q"],
            "value": np.where(w.a["krw"][x["cur"]], np.round(value), np.round(value, 2)),
            "net_weight_kg": np.where(
                rng.random(n) < odd["zero_net_weight"], 0.0, np.round(ln["net"], 3)
            ),
            "gross_weight_kg": pl.Series(
                np.where(
                    rng.random(n) < odd["null_gross_weight"], np.nan, np.round(ln["gross"], 3)
                ),
                nan_to_null=True,
            ),
        }
        | labels(w, rng, x, ln)
    )
    out = pl.DataFrame(cols).select(list(_schema())).cast(pl.Schema(_schema()))
    return _with_truth(w, out, x, ln) if truth else out


def _with_truth(w: World, out: pl.DataFrame, x: dict[str, Arr], ln: dict[str, Arr]) -> pl.DataFrame:
    """Append what an evaluation needs and a screening must never see."""
    flags = {
        "undervalued": ln["under"],
        "discounted": ln["disc"],
        "vague": ln["vague"],
        "fake_brand": ln["fake"],
        "hub": x["hub"],
        "split_lot": x["camp"],
        "front": w.a["front"][x["party"]],
    }
    return out.with_columns(
        true_accelerator_id=take(w.s["model_ids"], np.where(ln["acc"], x["model"], -1)),
        true_value_usd=np.round(ln["true"], 2),
        intent=x["intent"],
        patterns=pl.concat_str(
            [pl.when(pl.lit(v)).then(pl.lit(k)) for k, v in flags.items()],
            separator=",",
            ignore_nulls=True,
        ),
    )


# ------------------------------------------------------------------ public API
def _schema() -> dict[str, pl.DataType]:
    schema = canonical_schema(with_labels=True)
    schema.pop(EXTRA)
    return schema


@functools.lru_cache(maxsize=1)
def _bundled_catalog() -> Catalog | None:
    """The bundled catalog, or None while it has no files (the YAML fallbacks then stand in)."""
    return load_catalog() if any((REFDATA / "catalog").glob("*.yaml")) else None


def _chunks(
    rows: int,
    seed: int,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 365,
    catalog: Catalog | None = None,
    truth: bool = False,
) -> Iterator[pl.DataFrame]:
    if rows < 0 or days < 1 or seed < 0:
        raise ValueError("rows and seed must be >= 0 and days >= 1")
    w = build_world(seed, days, catalog if catalog is not None else _bundled_catalog())
    for c, lo in enumerate(range(0, rows, _CHUNK)):
        rng = np.random.default_rng([seed, 1, c])
        yield _chunk(w, rng, min(_CHUNK, rows - lo), c * _CHUNK, start, days, truth)


def generate(
    rows: int,
    *,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 365,
    catalog: Catalog | None = None,
    truth: bool = False,
) -> pl.DataFrame:
    """`rows` labelled declaration lines over `days` from `start`, identical for the same seed.

    The columns and dtypes are `canonical_schema(with_labels=True)` without `extra`, so the
    output screens with no mapping. `catalog` defaults to the bundled one. `truth=True` appends
    what evaluations need and screening must not see: true_accelerator_id, true_value_usd,
    intent and the dishonest patterns used.
    """
    frames = list(_chunks(rows, seed, start, days, catalog, truth))
    return pl.concat(frames) if frames else pl.DataFrame(schema=_schema())


def generate_batches(
    rows: int, *, seed: int = 0, batch_rows: int = 500_000, **kw: Any
) -> Iterator[pl.DataFrame]:
    """The rows of `generate(rows, seed=seed, **kw)` in frames of `batch_rows`, in bounded memory.

    Chunks are seeded independently of the batch size, so concatenating the batches gives
    exactly `generate`'s frame whatever `batch_rows` is.
    """
    if batch_rows < 1:
        raise ValueError("batch_rows must be >= 1")
    buf: list[pl.DataFrame] = []
    held = 0
    for chunk in _chunks(rows, seed, **kw):
        buf, held = [*buf, chunk], held + chunk.height
        while held >= batch_rows:
            whole = pl.concat(buf)
            yield whole.slice(0, batch_rows)
            buf, held = [whole.slice(batch_rows)], held - batch_rows
    if held:
        yield pl.concat(buf)
