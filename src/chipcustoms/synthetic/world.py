"""The generator's world: who trades, what they ship, and how they spell it.

The generator draws rows by index arithmetic alone; everything those indices point
into is built here, once per seed: domestic and foreign parties with their names, addresses and
ids, fronts of listed firms, the description/HS/brand vocabularies with their noisy spellings,
the goods and accelerator tables, and the office, route, currency and FX arrays. Kept apart
from the per-row draws so that each module owns one stage of the generator.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from chipcustoms.lines.schema import FLOWS, TRANSPORT_MODES
from chipcustoms.recognise.catalog import Accelerator, Catalog
from chipcustoms.refdata import REFDATA, load_yaml
from chipcustoms.synthetic.spellings import front_name, id_code, party_names, variants

__all__ = ["Arr", "Cfg", "Rng", "World", "build_world", "config"]

Arr = npt.NDArray[Any]
Rng = np.random.Generator
Cfg = dict[str, Any]


@functools.lru_cache(maxsize=1)
def config() -> Cfg:
    """The generator's world description (``refdata/generator.yaml``), parsed once."""
    cfg: Cfg = load_yaml(REFDATA / "generator.yaml")
    return cfg


# ------------------------------------------------------------------ vectorised helpers
def _p(weights: dict[str, float] | Sequence[float] | Arr) -> Arr:
    w: Arr = np.asarray(list(weights.values()) if isinstance(weights, dict) else weights, float)
    out: Arr = w / w.sum()
    return out


def _cum(rows: Arr) -> Arr:
    """Row-normalised cumulative weights, for drawing a category conditional on a key."""
    c = np.cumsum(rows / rows.sum(axis=1, keepdims=True), axis=1)
    c[:, -1] = 1.0
    return c


# ------------------------------------------------------------------ the world (once per seed)
@dataclass
class World:
    """Everything rows are drawn from, so that per-row work is only index arithmetic."""

    cfg: Cfg
    s: dict[str, pl.Series] = field(default_factory=dict)  # string vocabularies
    a: dict[str, Arr] = field(default_factory=dict)  # numeric arrays and vocabulary groups


class _Vocab:
    """Distinct strings in groups; rows draw indices into it and never build a string."""

    def __init__(self) -> None:
        self.strings: list[str] = []

    def add(self, groups: Sequence[Sequence[str]]) -> Arr:
        """Append groups; return their (offsets, counts) as a 2 x len(groups) array."""
        cnt = np.array([len(g) for g in groups], np.int64)
        off = len(self.strings) + np.cumsum(cnt) - cnt
        self.strings += [s for g in groups for s in g]
        return np.stack([off, cnt])


def _model_row(m: Accelerator, share: float) -> Cfg:
    literal = re.compile(r"^[^\\^$*+?()\[\]{}|]+$")  # part numbers that are not patterns
    mem = f"{m.specs.memory_gb:g}GB {m.specs.memory_type or ''}" if m.specs.memory_gb else ""
    return {
        "id": m.id,
        "model": m.model,
        "segment": m.segment,
        "aliases": m.aliases[:5],
        "price": [m.price_usd.low, m.price_usd.high] if m.price_usd else None,
        "weight_kg": m.weight_kg.value if m.weight_kg else None,
        "memory": mem,
        "form": m.specs.form_factor or "",
        "share": share,
        "parts": [p for p in m.part_numbers if literal.match(p)],
    }


def _models(cfg: Cfg, catalog: Catalog | None) -> list[Cfg]:
    """Accelerator mix from the catalog weighted by the YAML mix; YAML fills what it lacks."""
    ac, cat = cfg["accelerators"], list(catalog.models) if catalog else []
    out, used = [], set()
    for e in ac["mix"]:
        hits = [m for m in cat if re.fullmatch(e["pattern"], m.id) and m.id not in used]
        used |= {m.id for m in hits}
        if not hits and e.get("fallback"):
            out.append(e["fallback"] | {"share": e["weight"], "parts": []})
        out += [_model_row(m, e["weight"] / len(hits)) for m in hits]
    out += [_model_row(m, ac["other_weight"]) for m in cat if m.id not in used]
    for m in out:
        d = ac["defaults"][m["segment"]]
        m["price"], m["weight_kg"] = m["price"] or d["price"], m["weight_kg"] or d["weight_kg"]
        m["brand"] = ac["brands"].get(m["id"].split("-")[0], m["id"].split("-")[0].upper())
    return out


def _zipf(rng: Rng, n: int, a: float, offset: float) -> Arr:
    """Zipf-Mandelbrot volumes in random order: a few traders file a lot, none file everything."""
    return _p(1.0 / (rng.permutation(n) + offset) ** a)


def _parties(
    w: World, rng: Rng, r: random.Random, days: int, countries: list[str], sectors: list[str]
) -> None:
    """Domestic traders, fronts of listed firms, foreign parties grouped by (country, sector)."""
    cfg, t, acc_sector = w.cfg, w.cfg["traders"], w.cfg["accelerator_sector"]
    dom_c = rng.choice(list(t["domestic_countries"]), t["domestic"], p=_p(t["domestic_countries"]))
    dom_s = rng.choice(sectors, t["domestic"], p=_p([cfg["sectors"][s]["share"] for s in sectors]))
    rows = [
        [*party_names(r, cfg, c, s, r.random() < t["chinese_name_share"][c]), c, s, False]
        for c, s in zip(dom_c.tolist(), dom_s.tolist(), strict=True)
    ]
    fronts = [
        (front_name(r, cfg, en, zh), c, c + id_code(r, 8))
        for en, zh, c in cfg["listed"]
        for _ in range(cfg["fronts_per_listed"])
    ]
    rows += [
        [name, r.choice(cfg["front_addresses"][c]), pid, c, acc_sector, True]
        for name, c, pid in fronts
        if c in t["domestic_countries"]
    ]
    n_dom, n_domestic, n_s = t["domestic"], len(rows), len(sectors)
    groups = np.zeros((2, len(countries) * n_s), np.int64)  # foreign parties by (country, sector)
    for g, (c, s) in enumerate((c, s) for c in countries for s in sectors):
        groups[0, g] = len(rows)
        if c in cfg["names"]["countries"]:  # fronts first: risky lines pick from the front
            rows += [
                [name, r.choice(cfg["front_addresses"][c]), pid, c, s, True]
                for name, fc, pid in fronts
                if fc == c and s == acc_sector
            ]
            k = t["foreign_per_group"] + int(2 * cfg["sectors"][s]["origins"].get(c, 0))
            rows += [[*party_names(r, cfg, c, s, False), c, s, False] for _ in range(k)]
        groups[1, g] = len(rows) - groups[0, g]
    n, fr, n_decl = len(rows), cfg["fraud"], t["declarants"]
    front = np.array([row[5] for row in rows])
    fc = cfg["fronts"]
    new = rng.random(n) < np.where(front, fc["new_share"], t["new_share"])
    new &= np.arange(n) < n_domestic  # foreign parties are not tracked as new
    decl_p = _zipf(rng, n_decl, t["zipf"], t["zipf_offset"] / 4)
    vol = np.concatenate(
        [_zipf(rng, n_dom, t["zipf"], t["zipf_offset"]), np.full(n_domestic - n_dom, 0.2 / n_dom)]
    )
    dfront = front[:n_domestic]
    it = (np.array([row[4] == acc_sector for row in rows[:n_domestic]])) | dfront
    acc_w = np.where(it, np.sqrt(vol) * np.where(dfront, fc["accelerator_weight"], 1.0), 0.0)
    w.a |= {
        "p_country": np.array([countries.index(row[3]) for row in rows]),
        "front": front,
        "p_sector": np.array([sectors.index(row[4]) for row in rows]),
        "groups": groups,
        "risk": rng.normal(0, fr["trader_risk_sd"], n),
        "decl_p": decl_p,
        "first_day": np.where(new, (rng.uniform(0.2, 0.9, n) * days).astype(np.int64), 0),
        "decl_risk": rng.normal(0, fr["declarant_risk_sd"], n_decl)
        + fr["bad_declarant_shift"] * (rng.random(n_decl) < t["bad_declarant_share"]),
        "pref_decl": rng.choice(n_decl, n, p=decl_p),
        "dom_p": _p(vol),
        "acc_p": _p(acc_w),
        "camp_p": _p(acc_w * np.where(dfront, cfg["split_lots"]["pool_front_weight"], 1.0)),
        "n_parties": np.array(n),
        "n_fwd": np.array(len(cfg["names"]["forwarders"])),
    }
    ids = rng.choice(90000, n_decl, replace=False)
    w.s |= {
        "names": pl.Series([row[0] for row in rows] + cfg["names"]["forwarders"]),
        "addresses": pl.Series([row[1] for row in rows]),
        "pid": pl.Series([row[2] for row in rows]),
        "declarants": pl.Series([f"DCL{i:05d}" for i in ids]),
    }


def _goods(
    w: World, r: random.Random, models: list[Cfg], countries: list[str], sectors: list[str]
) -> None:
    """Ordinary items and accelerator models as arrays, with their spelling vocabularies."""
    ac, noise, items = w.cfg["accelerators"], w.cfg["noise"], w.cfg["items"]
    desc, hs, tags, a = _Vocab(), _Vocab(), _Vocab(), w.a
    ph = {"brand": "", "model": "", "alias": "", "memory": "", "form": ""}
    fakes = list(dict.fromkeys(ac["fake_brands"]))
    a["i_desc"] = desc.add([variants(r, i["en"] + i.get("zh", []), noise) for i in items])
    templates = ac["templates"]["en"] + ac["templates"]["zh"]
    a["m_desc"] = desc.add(
        [
            variants(
                r,
                [
                    t.format_map(ph | m | {"alias": r.choice([*m["aliases"], m["model"]])})
                    for t in templates
                ],
                noise,
            )
            for m in models
        ]
    )
    a["vague"] = desc.add([variants(r, ac["vague"]["en"] + ac["vague"]["zh"], noise)])
    a["f_desc"] = desc.add(
        [variants(r, [t.format(brand=b) for t in ac["fake_templates"]], noise) for b in fakes]
    )
    a["i_hs"] = hs.add([i["hs"] for i in items])
    a["hs_honest"], a["hs_vague"] = (hs.add([list(ac["hs"][k])]) for k in ("honest", "vague"))
    a["i_brand"] = tags.add([i.get("brands", []) for i in items])
    partners = {"consumer": ac["board_partners"]}  # consumer cards ship under partner brands
    a["m_brand"] = tags.add([[m["brand"], *partners.get(m["segment"], [])] for m in models])
    a["m_model"] = tags.add([[m["model"]] for m in models])
    a["m_part"] = tags.add([m["parts"] for m in models])
    a["f_brand"], a["f_model"] = tags.add([[b] for b in fakes]), tags.add([ac["fake_models"]])
    a["nobrand"] = tags.add([["NO BRAND", "无品牌", "N/A"]])
    origins = np.zeros((len(models), len(countries)))
    by_sector = np.zeros((len(sectors), len(items)))
    for j, m in enumerate(models):
        for c, v in ac["origins"].get(m["brand"], ac["origins"]["default"]).items():
            origins[j, countries.index(c)] = v
    for j, i in enumerate(items):
        by_sector[sectors.index(i["sector"]), j] = i["freq"]
    units = sorted({i["unit"] for i in items} | {"PCS"})
    col = {k: np.array([i[k] for i in items], float).T for k in ("value", "weight", "qty", "duty")}
    a |= {f"i_{k}": v for k, v in col.items()} | {
        "i_p": _p([i["freq"] for i in items]),
        "i_cum": _cum(by_sector),
        "i_risk": np.array([i.get("risk", 0.0) for i in items]),
        "i_unit": np.array([units.index(i["unit"]) for i in items]),
        "pcs": np.array(units.index("PCS")),
        "i_kg": np.array([i["unit"] == "KG" for i in items]),
        "m_origin": _cum(origins),
        "m_p": _p([m["share"] for m in models]),
        "m_price": np.array([m["price"] for m in models], float).T,
        "m_w": np.array([m["weight_kg"] for m in models], float),
        "hs_honest_p": _p(ac["hs"]["honest"]),
        "hs_vague_p": _p(ac["hs"]["vague"]),
    }
    w.s |= {
        "desc": pl.Series(desc.strings),
        "hs": pl.Series(hs.strings),
        "tags": pl.Series(tags.strings),
        "units": pl.Series(units),
        "model_ids": pl.Series([m["id"] for m in models]),
    }


@functools.lru_cache(maxsize=4)
def _fx(currencies: tuple[str, ...]) -> tuple[int, Arr]:
    """Units per USD by (currency, month) from the bundled table, so values screen consistently."""
    path = REFDATA / "fx" / "usd_rates.csv"
    if not path.exists():
        return 0, np.array([[config()["fx_fallback"][c]] for c in currencies], float)
    t = pl.read_csv(path).pivot(on="month", index="currency", values="units_per_usd")
    months = sorted(c for c in t.columns if c != "currency")
    rates = {row[0]: row[1:] for row in t.select("currency", *months).iter_rows()}
    first = int(np.datetime64(months[0], "M").astype(np.int64))
    return first, np.array([rates[c] for c in currencies], float)


def build_world(seed: int, days: int, catalog: Catalog | None) -> World:
    cfg = config()
    ac, offices, w = cfg["accelerators"], cfg["offices"], World(cfg)
    rng = np.random.default_rng([seed, 0])
    r = random.Random(int(rng.integers(2**62)))  # cheap per-call draws for the world's text
    countries = sorted(
        set(cfg["names"]["countries"])
        | set(cfg["hubs"])
        | {"ZZ"}
        | set(cfg["export_destinations"])
        | {o["country"] for o in offices}
        | {c for s in cfg["sectors"].values() for c in s["origins"]}
        | {c for o in ac["origins"].values() for c in o}
    )
    sectors, ci = list(cfg["sectors"]), {c: i for i, c in enumerate(countries)}
    _parties(w, rng, r, days, countries, sectors)
    _goods(w, r, _models(cfg, catalog), countries, sectors)
    by_country, modes = np.zeros((len(countries), len(offices))), np.zeros((len(offices), 7))
    s_origin = np.zeros((len(sectors), len(countries)))
    for j, o in enumerate(offices):
        by_country[ci[o["country"]], j] = o["weight"]
        for mode, v in o["modes"].items():
            modes[j, TRANSPORT_MODES.index(mode)] = v
    by_country[by_country.sum(axis=1) == 0] = 1.0  # never drawn: only domestic traders file
    for j, s in enumerate(sectors):
        for c, v in cfg["sectors"][s]["origins"].items():
            s_origin[j, ci[c]] = v
    hubs, cur = [ci[h] for h in cfg["hubs"]], tuple(cfg["currencies"])
    w.a |= {
        "office_cum": _cum(by_country),
        "s_origin": _cum(s_origin),
        "mode_cum": _cum(modes),
        "office_country": np.array([ci[o["country"]] for o in offices]),
        "alt_hub": np.array([next(h for h in hubs if h != c) for c in range(len(countries))]),
        "hubs": np.array(hubs),
        "hub_p": _p(cfg["hubs"]),
        "cur_p": _p(cfg["currencies"]),
        "dest": np.array([ci[c] for c in cfg["export_destinations"]]),
        "dest_p": _p(cfg["export_destinations"]),
        "n_sectors": np.array(len(sectors)),
        "flow_p": _p([cfg["flows"].get(f, 0) for f in FLOWS]),
        "cn": np.array(ci["CN"]),
        "flow_acc_p": _p([ac["flows"].get(f, 0) for f in FLOWS]),
        "zz": np.array(ci["ZZ"]),
        "acc_sector": np.array(sectors.index(cfg["accelerator_sector"])),
        "krw": np.array([c == "KRW" for c in cur]),  # no minor unit: whole won
    }
    w.a["fx_m0"], w.a["fx"] = (np.asarray(v) for v in _fx(cur))
    w.s |= {
        "countries": pl.Series(countries),
        "offices": pl.Series([o["code"] for o in offices]),
        "flows": pl.Series(FLOWS),
        "modes": pl.Series(TRANSPORT_MODES),
        "currencies": pl.Series(cur),
    }
    return w
