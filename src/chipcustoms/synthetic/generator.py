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
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import polars as pl

from chipcustoms.lines.schema import EXTRA, FLOWS, TRANSPORT_MODES, canonical_schema
from chipcustoms.recognise.catalog import Catalog, load_catalog
from chipcustoms.refdata import REFDATA
from chipcustoms.synthetic.world import Arr, Cfg, Rng, World, build_world, config

__all__ = ["config", "generate", "generate_batches"]

_CHUNK = 1 << 16  # rows per independently seeded chunk; batches are slices of the chunk stream
_IMPORT, _EXPORT = FLOWS.index("import"), FLOWS.index("export")
_COURIER, _AIR = TRANSPORT_MODES.index("courier"), TRANSPORT_MODES.index("air")


# ------------------------------------------------------------------ vectorised row helpers
def _cond(rng: Rng, cum: Arr, key: Arr) -> Arr:
    """Category per row given its key: one searchsorted over all keys' cumulative weights."""
    flat = (cum + np.arange(cum.shape[0])[:, None]).ravel()
    out: Arr = np.searchsorted(flat, key + rng.random(len(key)), side="right") - key * cum.shape[1]
    return out


def _pick(rng: Rng, groups: Arr, idx: Arr | int, n: int, skew: float = 2.0) -> Arr:
    """Index into a vocabulary group, skewed to its front (the clean spellings); -1 if empty."""
    off, cnt = groups[0, idx], groups[1, idx]
    return np.where(cnt > 0, off + (cnt * rng.random(n) ** skew).astype(np.int64), -1)


def _loguni(rng: Rng, lo: Arr, hi: Arr) -> Arr:
    return np.exp(np.log(lo) + rng.random(len(lo)) * np.log(hi / lo))


def _uni(rng: Rng, bounds: Sequence[float], n: int) -> Arr:
    return rng.uniform(float(bounds[0]), float(bounds[1]), n)


def _sig(x: Arr) -> Arr:
    return 1.0 / (1.0 + np.exp(-x))


def _take(strings: pl.Series, idx: Arr) -> pl.Series:
    """Gather strings by index (a negative index means null): rows share the vocabulary's text."""
    out = strings.gather(np.maximum(idx, 0))
    neg = np.flatnonzero(idx < 0)
    return out.scatter(neg, None) if len(neg) else out


# ------------------------------------------------------------------ rows (per chunk, vectorised)
def _pattern(f: Cfg, name: str, acc: Arr, intent: Arr) -> Arr:
    """P(pattern) by line kind and hidden intent, from the YAML [P | intent, P | no intent]."""
    a, o = (f[k]["patterns"].get(name, [0.0, 0.0]) for k in ("accelerator", "ordinary"))
    out: Arr = np.where(acc, np.where(intent, a[0], a[1]), np.where(intent, o[0], o[1]))
    return out


def _sizes(rng: Rng, cfg: Cfg, n: int) -> Arr:
    """Items per declaration, summing exactly to n."""
    ip = cfg["items_per_declaration"]
    if n == 0:
        return np.zeros(0, np.int64)
    k = np.where(rng.random(n) < ip["single"], 1, 1 + rng.geometric(ip["geometric_p"], n))
    cs = np.cumsum(k := k.clip(max=ip["max"]))
    k = k[: int(np.searchsorted(cs, n)) + 1].copy()
    k[-1] -= int(k.sum()) - n
    return k


def _declarations(w: World, rng: Rng, n: int, start: dt.date, days: int) -> dict[str, Arr]:
    """Who files what and when, with the hidden intent; in acceptance-date order."""
    cfg, a, f, sl = w.cfg, w.a, w.cfg["fraud"], w.cfg["split_lots"]
    lo, hi = sl["lines"]  # split lots: one party, one model, one-item declarations, a few weeks
    lens = rng.integers(lo, hi + 1, int(n * sl["share"]) * 2 // (lo + hi))
    k = _sizes(rng, cfg, n - int(lens.sum()))
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
    intent = rng.random(nd) < _sig(i0 + z)
    intent[n_reg:] = (rng.random(nc) < sl["intent"])[cid]
    wd = (start.weekday() + day) % 7  # weekly rhythm: most weekend filings move into the week
    move = (wd >= 5) & (rng.random(nd) > _pattern(f, "weekend_keep", acc, intent))
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
    office = _cond(rng, a["office_cum"], a["p_country"][party])
    oc, sector = a["office_country"][office], np.where(acc, a["acc_sector"], a["p_sector"][party])
    small = np.where(rng.random(nd) < sl["courier_share"], _COURIER, _AIR)
    mode = np.where(camp, small, _cond(rng, a["mode_cum"], office))
    model = dc["model"]
    origin = np.where(acc, _cond(rng, a["m_origin"], model), _cond(rng, a["s_origin"], sector))
    export = flow == _EXPORT
    hub = ~export & (rng.random(nd) < _pattern(f, "hub", acc, intent))
    via = rng.choice(a["hubs"], nd, p=a["hub_p"])
    via = np.where(via == oc, a["alt_hub"][oc], via)
    shipped = np.where(hub | (origin == oc), via, origin)
    dest = np.where(flow == _IMPORT, oc, rng.choice(a["dest"], nd, p=a["dest_p"]))
    origin, shipped = np.where(export, a["cn"], origin), np.where(export, oc, shipped)
    g = np.where(export, dest, shipped) * a["n_sectors"] + sector  # foreign party's group
    skew = np.where(intent & acc, 3.0, 1.0)  # risky accelerator lines favour front exporters
    foreign = a["groups"][0, g] + (a["groups"][1, g] * rng.random(nd) ** skew).astype(np.int64)
    imp, exp = np.where(export, foreign, party), np.where(export, party, foreign)
    fwd = rng.random(nd) < _pattern(f, "forwarder", acc, intent)
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


def _lines(w: World, rng: Rng, x: dict[str, Arr], item_no: Arr) -> dict[str, Arr]:
    """What each line really is (item or model, quantity, true value, mass) and how it lies."""
    cfg, a, f, ac = w.cfg, w.a, w.cfg["fraud"], w.cfg["accelerators"]
    n, m, iv = len(item_no), x["model"], x["intent"]
    acc = x["acc"] & ((rng.random(n) < ac["item_share"]) | (item_no == 1))
    it = np.where(
        rng.random(n) < cfg["in_sector_share"],
        _cond(rng, a["i_cum"], x["sector"]),
        rng.choice(len(a["i_p"]), n, p=a["i_p"]),
    )
    vague = acc & (rng.random(n) < _pattern(f, "vague", acc, iv))
    fake = acc & ~vague & (rng.random(n) < _pattern(f, "fake_brand", acc, iv))
    under = rng.random(n) < _pattern(f, "undervalued", acc, iv)
    disc = acc & ~under & (rng.random(n) < _pattern(f, "discounted", acc, iv))
    q_lo, q_hi = ac["quantity"]  # accelerator lots skew small; split lots carry 1-2 units
    q_acc = np.floor(np.exp(rng.random(n) ** 2 * np.log(q_hi + 1))).clip(q_lo, q_hi)
    q_ord = _loguni(rng, *a["i_qty"][:, it])
    q = np.where(
        acc,
        np.where(x["camp"], rng.integers(1, 3, n), q_acc),
        np.where(a["i_kg"][it], np.round(q_ord, 1), np.ceil(q_ord)),
    )
    lo, hi = a["m_price"][:, m]  # true unit value in USD: a price inside the range, with spread
    uv = np.where(
        acc,
        (lo + rng.random(n) * (hi - lo)) * rng.uniform(0.92, 1.12, n),
        _loguni(rng, *a["i_value"][:, it]),
    )
    rt = f["ratios"]  # declared / true value
    ratio = np.where(disc, _uni(rng, rt["discounted"], n), 1.0)
    low_acc = lo * _uni(rng, rt["accelerator_undervalued"], n) / uv
    ratio = np.where(under, np.where(acc, low_acc, _uni(rng, rt["ordinary_undervalued"], n)), ratio)
    unit_kg = np.where(  # packed cards weigh a little more than the bare card
        acc, a["m_w"][m] * rng.uniform(0.95, 1.15, n), _loguni(rng, *a["i_weight"][:, it])
    )
    net = q * unit_kg
    gross = net * np.where(acc, rng.uniform(1.2, 1.6, n), rng.uniform(1.03, 1.25, n))
    return {
        "acc": acc,
        "it": it,
        "vague": vague,
        "fake": fake,
        "under": under,
        "disc": disc,
        "q": q,
        "ratio": ratio,
        "declared": q * uv * ratio,
        "true": q * uv * np.where(disc, ratio, 1.0),
        "net": net,
        "gross": gross,
    }


def _wording(
    w: World, rng: Rng, x: dict[str, Arr], ln: dict[str, Arr]
) -> dict[str, tuple[str, Arr]]:
    """(vocabulary, index) of description, HS code, brand, model and part number per line."""
    a, fl = w.a, w.cfg["fill"]
    acc, it, m, vague, fake = ln["acc"], ln["it"], x["model"], ln["vague"], ln["fake"]
    n = len(acc)
    fb = rng.integers(0, a["f_brand"].shape[1], n)  # one fake brand per line, in text and column
    desc = np.where(
        acc,
        np.where(
            vague,
            _pick(rng, a["vague"], 0, n, 1.5),
            np.where(fake, _pick(rng, a["f_desc"], fb, n), _pick(rng, a["m_desc"], m, n)),
        ),
        _pick(rng, a["i_desc"], it, n),
    )
    hs_v, hs_h = a["hs_vague"][:, 0], a["hs_honest"][:, 0]
    hs_acc = np.where(
        vague | fake,
        hs_v[0] + rng.choice(hs_v[1], n, p=a["hs_vague_p"]),
        hs_h[0] + rng.choice(hs_h[1], n, p=a["hs_honest_p"]),
    )
    u = rng.random((4, n))
    nob = np.where(u[3] < fl["no_brand"], _pick(rng, a["nobrand"], 0, n, 1.0), -1)
    brand = np.where(
        u[0] < np.where(acc, fl["brand_accelerator"], fl["brand_ordinary"]),
        np.where(acc, _pick(rng, a["m_brand"], m, n, 1.5), _pick(rng, a["i_brand"], it, n, 1.0)),
        -1,
    )
    brand = np.where((brand < 0) & ~acc, nob, brand)
    relabel = fake & (u[0] < fl["fake_brand_column"])
    plain = acc & ~vague & ~fake
    model = np.where(
        plain & (u[1] < fl["model"]),
        a["m_model"][0, m],
        np.where(fake & (u[1] < fl["model"]), _pick(rng, a["f_model"], 0, n, 1.0), -1),
    )
    part = np.where(plain & (u[2] < fl["part_number"]), _pick(rng, a["m_part"], m, n, 1.0), -1)
    return {
        "description": ("desc", desc),
        "hs_code": ("hs", np.where(acc, hs_acc, _pick(rng, a["i_hs"], it, n, 1.0))),
        "brand": ("tags", np.where(vague, nob, np.where(relabel, a["f_brand"][0, fb], brand))),
        "model": ("tags", model),
        "part_number": ("tags", part),
    }


def _labels(w: World, rng: Rng, x: dict[str, Arr], ln: dict[str, Arr]) -> dict[str, Arr]:
    """The hidden fraud draw, a logit over latent and visible factors, and what it recovers."""
    cfg, a, f = w.cfg, w.a, w.cfg["fraud"]
    acc, n = ln["acc"], len(ln["acc"])
    c = {
        k: np.where(acc, v, f["ordinary"]["logit"][k]) for k, v in f["accelerator"]["logit"].items()
    }
    factors = {
        "intent": x["intent"],
        "trader": a["risk"][x["party"]],
        "declarant": a["decl_risk"][x["decl"]],
        "undervaluation": np.where(ln["disc"], 0.0, np.clip(1.0 - ln["ratio"], 0.0, 1.0)),
        "vague": ln["vague"],
        "hub": x["hub"],
        "new_trader": x["new"],
        "weekend": x["weekend"],
        "fake_brand": ln["fake"],
        "item_risk": a["i_risk"][ln["it"]],
    }
    fraud = rng.random(n) < _sig(c["intercept"] + sum(c[k] * v for k, v in factors.items()))
    declared = ln["declared"]
    gap = ln["true"] - declared  # what an inspection recovers; hidden where none was declared
    gap = np.where(gap < 0.1 * declared, declared * rng.uniform(0.2, 1.0, n), gap)
    rate = np.where(acc, cfg["accelerators"]["duty"], a["i_duty"][ln["it"]]) + cfg["vat"]
    revenue = np.where(fraud, np.round(gap * rate, 2), 0.0)
    return {
        "inspected": acc | (rng.random(n) < cfg["inspected_share_ordinary"]),
        "fraud": fraud,
        "critical": (fraud & (acc | (revenue >= cfg["critical_revenue_usd"]))).astype(np.int64),
        "revenue": revenue,
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
    ln = _lines(w, rng, x, item_no)
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
    } | _wording(w, rng, x, ln)
    cols: dict[str, Any] = (
        {key: _take(w.s[voc], idx) for key, (voc, idx) in text.items()}
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
        | _labels(w, rng, x, ln)
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
        true_accelerator_id=_take(w.s["model_ids"], np.where(ln["acc"], x["model"], -1)),
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
