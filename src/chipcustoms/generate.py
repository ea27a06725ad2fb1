"""Synthetic, seeded customs declarations with hidden ground truth.

Real declarations with inspection outcomes are confidential, yet every stage of the pipeline
(ingest, resolution, rules, the learned model, selection) needs volume and labels to be built and
evaluated. A small *world* is drawn once per seed (traders, declarants, a vocabulary of a few
thousand description spellings, the accelerator mix from the catalog); rows are then drawn
vectorised in fixed-size chunks seeded by ``(seed, chunk index)``, so :func:`generate` and
:func:`generate_batches` give the same rows whatever the batch size and millions of rows never sit
in memory at once. Every number lives in ``refdata/generator.yaml``; the fraud process is
documented there.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from chipcustoms.catalog import Catalog, load_catalog
from chipcustoms.refdata import REFDATA, load_yaml
from chipcustoms.schema import EXTRA, FLOWS, TRANSPORT_MODES, canonical_schema

__all__ = ["config", "generate", "generate_batches"]

_CHUNK = 1 << 16  # rows per independently seeded chunk; batches are slices of the chunk stream
Arr = npt.NDArray[Any]
Rng = np.random.Generator
_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}


@functools.lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    """The generator's world description, parsed once."""
    cfg: dict[str, Any] = load_yaml(REFDATA / "generator.yaml")
    return cfg


# ------------------------------------------------------------------ small vectorised helpers
def _p(weights: dict[str, float] | Sequence[float]) -> Arr:
    w = np.asarray(list(weights.values()) if isinstance(weights, dict) else weights, float)
    return w / w.sum()


def _cum(rows: Arr) -> Arr:
    """Row-normalised cumulative weights, for drawing a category conditional on a key."""
    c = np.cumsum(rows / rows.sum(axis=1, keepdims=True), axis=1)
    c[:, -1] = 1.0
    return c


def _cond(rng: Rng, cum: Arr, key: Arr) -> Arr:
    """Category per row given its key: one searchsorted over all rows' cumulative weights."""
    flat = (cum + np.arange(cum.shape[0])[:, None]).ravel()
    return np.searchsorted(flat, key + rng.random(len(key)), side="right") - key * cum.shape[1]


def _grp(rng: Rng, off: Arr | int, cnt: Arr | int, n: int, skew: float = 2.0) -> Arr:
    """Index inside (offset, count) groups, skewed to the front where the clean spellings sit."""
    return np.asarray(off) + (np.asarray(cnt) * rng.random(n) ** skew).astype(np.int64)


def _loguni(rng: Rng, lo: Arr, hi: Arr) -> Arr:
    return np.exp(np.log(lo) + rng.random(len(lo)) * np.log(hi / lo))


def _sig(x: Arr) -> Arr:
    return 1.0 / (1.0 + np.exp(-x))


def _take(strings: pl.Series, idx: Arr) -> pl.Series:
    """Gather strings by index; a negative index means null."""
    out = strings.gather(np.maximum(idx, 0))
    neg = np.flatnonzero(idx < 0)
    return out.scatter(neg, None) if len(neg) else out


def _one(rng: Rng, seq: Sequence[Any]) -> Any:
    return seq[int(rng.integers(len(seq)))]


# ------------------------------------------------------------------ text: spellings and names
def _typo(rng: Rng, s: str) -> str:
    pos = [i for i, c in enumerate(s[:-1]) if c.isascii() and c.isalpha()]
    if len(pos) < 3:
        return s
    i = _one(rng, pos[1:])
    return [s[:i] + s[i + 1] + s[i] + s[i + 2:], s[:i] + s[i + 1:], s[:i] + s[i] + s[i:]][
        int(rng.integers(3))]


def _swap(rng: Rng, s: str, pairs: Sequence[Sequence[Any]]) -> str:
    """Replace one applicable (from, to-or-[to...]) pair: an abbreviation, legal form, spelling."""
    hits = [(a, b) for a, b in pairs if a in s]
    if not hits:
        return s
    a, b = _one(rng, hits)
    return s.replace(a, b if isinstance(b, str) else _one(rng, b), 1)


def _noisy(rng: Rng, s: str, noise: dict[str, Any]) -> str:
    """One clerk's spelling: shouted, lowered, typo'd, abbreviated or typed in full-width."""
    ops = list(noise["ops"])
    for op in rng.choice(ops, size=int(rng.integers(1, 3)), replace=False, p=_p(noise["ops"])):
        s = {"upper": s.upper, "lower": s.lower, "typo": lambda: _typo(rng, s),
             "abbreviate": lambda: _swap(rng, s, noise["abbreviations"]),
             "fullwidth": lambda: s.translate(_FULLWIDTH)}[str(op)]()
    return s


def _spellings(rng: Rng, bases: Sequence[str], noise: dict[str, Any]) -> list[str]:
    """Clean descriptions first, then noisy variants: real data repeats a few spellings a lot."""
    out = dict.fromkeys(re.sub(r"\b(\w+) \1\b", r"\1", " ".join(b.split())) for b in bases)
    for b in list(out):
        for _ in range(noise["variants"] - 1):
            out.setdefault(_noisy(rng, b, noise))
    return list(out)


def _alnum(rng: Rng, k: int) -> str:
    return "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), k))


def _domestic(rng: Rng, cfg: dict[str, Any], country: str, sector: str, zh: bool) -> list[str]:
    """Name, address and id of a CN or HK trader, Chinese or English, kept consistent."""
    n = cfg["names"]
    s1, s2 = (n["syllables"][i] for i in rng.choice(len(n["syllables"]), 2, replace=False))
    w = _one(rng, cfg["sectors"][sector]["words"] if rng.random() < 0.8 else n["extra_words"])
    no = int(rng.integers(1, 999))
    if country == "HK":
        d = _one(rng, n["hk_districts"])
        name = (f"香港{s1[1]}{s2[1]}{w[1]}有限公司" if zh else f"{s1[0]}{s2[0].lower()} {w[0]} "
                + _one(rng, ["(HK) Limited", "Hong Kong Co., Limited", "Limited"]))
        addr = (f"Unit {rng.integers(1, 30)}, {rng.integers(1, 40)}/F, {no} "
                f"{_one(rng, n['hk_streets'])}, {d[0]}, Hong Kong")
        return [name, addr, str(rng.integers(10**7, 10**8))]
    city = _one(rng, n["cn_cities"])
    dist, road = _one(rng, city[2]), _one(rng, n["cn_roads"])
    if zh:
        name, addr = f"{city[1]}{s1[1]}{s2[1]}{w[1]}有限公司", f"{city[1]}{dist[1]}{road[1]}路{no}号"
    else:
        name = f"{city[0]} {s1[0]}{s2[0].lower()} {w[0]} Co., Ltd."
        addr = f"No. {no} {road[0]} Road, {dist[0]} District, {city[0]}, China"
    return [name, addr, "91" + city[3] + "00" + _alnum(rng, 10)]


def _foreign(rng: Rng, cfg: dict[str, Any], country: str, sector: str) -> list[str]:
    n = cfg["names"]
    c = n["countries"][country]
    a, b = rng.choice(n["foreign_stems"], 2, replace=False)
    name = f"{a} {b} {_one(rng, cfg['sectors'][sector]['words'])[0]} {_one(rng, c['legal'])}"
    addr = f"{rng.integers(1, 999)} {_one(rng, n['foreign_streets'])}, {_one(rng, c['cities'])}, {c['name']}"
    return [name, addr, country + _alnum(rng, 8)]


def _front(rng: Rng, cfg: dict[str, Any], en: str, zh: str | None) -> str:
    """A name near a listed firm: what screening must still match (typos, forms, romanisation)."""
    ops = cfg["front_ops"]
    if zh and rng.random() < 0.4:
        return _swap(rng, _swap(rng, zh, ops["zh_homophones"]), ops["zh_homophones"])
    cities = [c[0] + " " for c in cfg["names"]["cn_cities"]] + ["Hong Kong ", "Kowloon Bay "]
    edits = {"legal": lambda s: _swap(rng, s, ops["legal_forms"]),
             "abbr": lambda s: _swap(rng, s, ops["abbreviations"]),
             "translit": lambda s: _swap(rng, s, ops["transliterations"]),
             "typo": lambda s: _typo(rng, s), "upper": str.upper,
             "city": lambda s: next((s[len(c):] for c in cities if s.startswith(c)), s)}
    s = en
    for op in rng.choice(list(edits), 2, replace=False):
        s = edits[str(op)](s)
    return s if s != en else _typo(rng, s)


# ------------------------------------------------------------------ the world (once per seed)
@dataclass
class _World:
    """Everything rows are drawn from; per-row work is then only index arithmetic."""

    cfg: dict[str, Any]
    s: dict[str, pl.Series] = field(default_factory=dict)  # string vocabularies
    a: dict[str, Arr] = field(default_factory=dict)  # numeric attribute arrays


def _vocab(w: _World, key: str, groups: Sequence[Sequence[str]]) -> tuple[Arr, Arr]:
    """Store groups of strings as one vocabulary; return each group's (offsets, counts)."""
    flat = [x for g in groups for x in g]
    cnt = np.array([len(g) for g in groups], np.int64)
    w.s[key] = pl.Series(key, flat, dtype=pl.Utf8)
    return np.cumsum(cnt) - cnt, cnt


def _zipf(rng: Rng, n: int, a: float, offset: float) -> Arr:
    """Zipf-Mandelbrot volumes in random order: a few traders file much, none file everything."""
    return _p(1.0 / (rng.permutation(n) + offset) ** a)


def _models(cfg: dict[str, Any], catalog: Catalog | None) -> list[dict[str, Any]]:
    """Accelerator mix from the catalog, weighted by the YAML mix; defaults fill missing data."""
    ac, cat = cfg["accelerators"], list(catalog.models) if catalog else []
    out, used = [], set()
    literal = re.compile(r"^[^\\^$*+?()\[\]{}|]+$")
    for e in ac["mix"]:
        hits = [m for m in cat if re.fullmatch(e["pattern"], m.id) and m.id not in used]
        used |= {m.id for m in hits}
        rows = [dict(e["fallback"])] if not hits and e.get("fallback") else []
        rows += [{"id": m.id, "model": m.model, "segment": m.segment, "aliases": m.aliases[:5],
                  "price": [m.price_usd.low, m.price_usd.high] if m.price_usd else None,
                  "weight_kg": m.weight_kg.value if m.weight_kg else None,
                  "memory": f"{m.specs.memory_gb:g}GB {m.specs.memory_type or ''}"
                  if m.specs.memory_gb else "", "form": m.specs.form_factor or "",
                  "parts": [p for p in m.part_numbers if literal.match(p)]} for m in hits]
        out += [r | {"share": e["weight"] / len(rows)} for r in rows]
    out += [{"id": m.id, "model": m.model, "segment": m.segment, "aliases": m.aliases[:5],
             "price": [m.price_usd.low, m.price_usd.high] if m.price_usd else None,
             "weight_kg": m.weight_kg.value if m.weight_kg else None, "memory": "", "form": "",
             "share": ac["other_weight"]} for m in cat if m.id not in used]
    for r in out:
        d = ac["defaults"][r["segment"]]
        r["price"] = r["price"] or d["price"]
        r["weight_kg"] = r["weight_kg"] or d["weight_kg"]
        r["brand"] = ac["brands"].get(r["id"].split("-")[0], r["id"].split("-")[0].upper())
    return out


def _parties(w: _World, rng: Rng, days: int, countries: list[str], sectors: list[str]) -> None:
    """Domestic traders, fronts of listed firms, foreign parties grouped by (country, sector)."""
    cfg, t = w.cfg, w.cfg["traders"]
    rows: list[list[Any]] = []  # name, address, id, country, sector, front
    dom_c = rng.choice(list(t["domestic_countries"]), t["domestic"], p=_p(t["domestic_countries"]))
    dom_s = rng.choice(sectors, t["domestic"], p=_p([cfg["sectors"][s]["share"] for s in sectors]))
    for c, s in zip(dom_c, dom_s, strict=True):
        zh = bool(rng.random() < t["chinese_name_share"][c])
        rows.append([*_domestic(rng, cfg, str(c), str(s), zh), c, s, False])
    n_dom, acc_sector = len(rows), cfg["accelerator_sector"]
    fronts = [(_front(rng, cfg, en, zh), c, c + _alnum(rng, 8)) for en, zh, c in cfg["listed"]
              for _ in range(cfg["fronts_per_listed"])]
    rows += [[name, _one(rng, cfg["front_addresses"][c]), pid, c, acc_sector, True]
             for name, c, pid in fronts if c in t["domestic_countries"]]
    n_domestic, n_s = len(rows), len(sectors)
    start, cnt = np.zeros(len(countries) * n_s, np.int64), np.zeros(len(countries) * n_s, np.int64)
    for ci, c in enumerate(countries):
        for si, s in enumerate(sectors):
            start[ci * n_s + si] = len(rows)
            if c not in cfg["names"]["countries"]:
                continue
            rows += [[name, _one(rng, cfg["front_addresses"][c]), pid, c, s, True]
                     for name, fc, pid in fronts if fc == c and s == acc_sector]
            k = t["foreign_per_group"] + int(2 * cfg["sectors"][s]["origins"].get(c, 0))
            rows += [[*_foreign(rng, cfg, c, s), c, s, False] for _ in range(k)]
            cnt[ci * n_s + si] = len(rows) - start[ci * n_s + si]
    n = len(rows)
    cidx, sidx = {c: i for i, c in enumerate(countries)}, {s: i for i, s in enumerate(sectors)}
    front = np.array([r[5] for r in rows])
    new = (rng.random(n) < np.where(front, 0.7, t["new_share"])) & (np.arange(n) < n_domestic)
    fr = cfg["fraud"]
    n_decl = t["declarants"]
    w.a |= {"p_country": np.array([cidx[r[3]] for r in rows]), "front": front,
            "p_sector": np.array([sidx[r[4]] for r in rows]), "grp_start": start, "grp_cnt": cnt,
            "risk": rng.normal(0, fr["trader_risk_sd"], n),
            "first_day": np.where(new, (rng.uniform(0.2, 0.9, n) * days).astype(np.int64), 0),
            "decl_p": _zipf(rng, n_decl, t["zipf"], t["zipf_offset"] / 4),
            "decl_risk": rng.normal(0, fr["declarant_risk_sd"], n_decl)
            + fr["bad_declarant_shift"] * (rng.random(n_decl) < t["bad_declarant_share"])}
    w.a["pref_decl"] = rng.choice(n_decl, n, p=w.a["decl_p"])
    vol = np.concatenate([_zipf(rng, n_dom, t["zipf"], t["zipf_offset"]), np.full(n_domestic - n_dom, 0.2 / n_dom)])
    it = (w.a["p_sector"][:n_domestic] == sidx[acc_sector]) | front[:n_domestic]
    acc_w = np.where(it, np.sqrt(vol) * np.where(front[:n_domestic], 3.0, 1.0), 0.0)
    camp_w = acc_w * np.where(front[:n_domestic], cfg["split_lots"]["pool_front_weight"], 1.0)
    w.a |= {"dom_p": _p(vol), "acc_p": _p(acc_w), "camp_p": _p(camp_w)}
    fwd = cfg["names"]["forwarders"]
    w.s |= {"names": pl.Series([r[0] for r in rows] + fwd), "addresses": pl.Series([r[1] for r in rows]),
            "pid": pl.Series([r[2] for r in rows]),
            "declarants": pl.Series([f"DCL{i:05d}" for i in rng.choice(90000, n_decl, replace=False)])}
    w.a["n_parties"], w.a["n_fwd"] = np.array(n), np.array(len(fwd))


def _goods(w: _World, rng: Rng, models: list[dict[str, Any]], countries: list[str],
           sectors: list[str]) -> None:
    """Ordinary items and accelerator models as arrays plus their spelling vocabularies."""
    cfg, ac, noise = w.cfg, w.cfg["accelerators"], w.cfg["noise"]
    items, cidx = cfg["items"], {c: i for i, c in enumerate(countries)}
    col = {k: np.array([i[k] for i in items], float) for k in ("duty", "freq")}
    for k in ("value", "weight", "qty"):
        col[k + "_lo"], col[k + "_hi"] = (np.array([i[k][j] for i in items], float) for j in (0, 1))
    sec = np.array([sectors.index(i["sector"]) for i in items])
    desc = [_spellings(rng, i["en"] + i.get("zh", []), noise) for i in items]
    ph = {"brand": "", "model": "", "alias": "", "memory": "", "form": ""}
    for m in models:
        fill = [t.format_map(ph | m | {"alias": _one(rng, [*m["aliases"], m["model"]])})
                for t in ac["templates"]["en"] + ac["templates"]["zh"]]
        desc.append(_spellings(rng, fill, noise))
    desc.append(_spellings(rng, ac["vague"]["en"] + ac["vague"]["zh"], noise))
    fakes = sorted(set(ac["fake_brands"]), key=ac["fake_brands"].index)
    desc += [_spellings(rng, [t.format(brand=b) for t in ac["fake_templates"]], noise) for b in fakes]
    d_off, d_cnt = _vocab(w, "desc", desc)
    w.s["model_ids"] = pl.Series([m["id"] for m in models])
    hs_off, hs_cnt = _vocab(w, "hs", [i["hs"] for i in items] + [list(ac["hs"]["honest"]),
                                                                 list(ac["hs"]["vague"])])
    partners = ac["board_partners"]
    tags = [i.get("brands", []) for i in items] + [
        [m["brand"], *(partners if m["segment"] == "consumer" else [])] for m in models]
    tags += [[m["model"]] for m in models] + [m.get("parts", []) for m in models]
    tags += [fakes, ac["fake_models"], ["NO BRAND", "无品牌", "N/A"]]
    t_off, t_cnt = _vocab(w, "tags", tags)
    ni, nm, nf = len(items), len(models), len(fakes)
    origins = np.zeros((nm, len(countries)))
    for j, m in enumerate(models):
        for c, v in ac["origins"].get(m["brand"], ac["origins"]["default"]).items():
            origins[j, cidx[c]] = v
    by_sector = np.zeros((len(sectors), ni))
    by_sector[sec, np.arange(ni)] = col["freq"]
    units = sorted({i["unit"] for i in items} | {"PCS"})
    w.s["units"] = pl.Series(units)
    w.a |= {f"i_{k}": v for k, v in col.items()} | {
        "i_p": _p(col["freq"]), "i_cum": _cum(by_sector), "i_risk": np.array([i.get("risk", 0.0) for i in items]),
        "i_unit": np.array([units.index(i["unit"]) for i in items]), "pcs": np.array(units.index("PCS")),
        "i_kg": np.array([i["unit"] == "KG" for i in items]),
        "i_doff": d_off[:ni], "i_dcnt": d_cnt[:ni], "m_doff": d_off[ni:ni + nm], "m_dcnt": d_cnt[ni:ni + nm],
        "vague": np.array([d_off[ni + nm], d_cnt[ni + nm]]), "f_doff": d_off[ni + nm + 1:],
        "f_dcnt": d_cnt[ni + nm + 1:], "i_hoff": hs_off[:ni], "i_hcnt": hs_cnt[:ni],
        "hs_honest": hs_off[ni] + np.arange(hs_cnt[ni]), "hs_honest_p": _p(ac["hs"]["honest"]),
        "hs_vague": hs_off[ni + 1] + np.arange(hs_cnt[ni + 1]), "hs_vague_p": _p(ac["hs"]["vague"]),
        "i_boff": t_off[:ni], "i_bcnt": t_cnt[:ni], "m_boff": t_off[ni:ni + nm], "m_bcnt": t_cnt[ni:ni + nm],
        "m_tag": t_off[ni + nm:ni + 2 * nm], "m_poff": t_off[ni + 2 * nm:ni + 3 * nm],
        "m_pcnt": t_cnt[ni + 2 * nm:ni + 3 * nm], "fake_tag": t_off[-3] + np.arange(nf),
        "fake_model": np.array([t_off[-2], t_cnt[-2]]), "nobrand": np.array([t_off[-1], t_cnt[-1]]),
        "m_p": _p([m["share"] for m in models]), "m_lo": np.array([m["price"][0] for m in models], float),
        "m_hi": np.array([m["price"][1] for m in models], float),
        "m_w": np.array([m["weight_kg"] for m in models], float), "m_origin": _cum(origins)}


@functools.lru_cache(maxsize=4)
def _fx(currencies: tuple[str, ...]) -> tuple[int, Arr]:
    """Units per USD by (currency, month) from the bundled table, so values screen consistently."""
    path = REFDATA / "fx" / "usd_rates.csv"
    if not path.exists():
        return 0, np.array([[config()["fx_fallback"][c]] for c in currencies], float)
    t = pl.read_csv(path).pivot(on="month", index="currency", values="units_per_usd")
    months = sorted(c for c in t.columns if c != "currency")
    rates = {r[0]: r[1:] for r in t.select("currency", *months).iter_rows()}
    return int(np.datetime64(months[0], "M").astype(np.int64)), np.array(
        [rates[c] for c in currencies], float)


def _world(seed: int, days: int, catalog: Catalog | None) -> _World:
    cfg = config()
    w, rng = _World(cfg), np.random.default_rng([seed, 0])
    ac, offices = cfg["accelerators"], cfg["offices"]
    countries = sorted(set(cfg["names"]["countries"]) | set(cfg["hubs"]) | {"ZZ"}
                       | set(cfg["export_destinations"]) | {o["country"] for o in offices}
                       | {c for s in cfg["sectors"].values() for c in s["origins"]}
                       | {c for o in ac["origins"].values() for c in o})
    sectors, ci = list(cfg["sectors"]), {c: i for i, c in enumerate(countries)}
    _parties(w, rng, days, countries, sectors)
    _goods(w, rng, _models(cfg, catalog), countries, sectors)
    by_country, modes = np.zeros((len(countries), len(offices))), np.zeros((len(offices), 7))
    for j, o in enumerate(offices):
        by_country[ci[o["country"]], j] = o["weight"]
        for mode, v in o["modes"].items():
            modes[j, TRANSPORT_MODES.index(mode)] = v
    by_country[by_country.sum(axis=1) == 0] = 1.0
    s_origin = np.zeros((len(sectors), len(countries)))
    for j, s in enumerate(sectors):
        for c, v in cfg["sectors"][s]["origins"].items():
            s_origin[j, ci[c]] = v
    hubs = [ci[h] for h in cfg["hubs"]]
    alt = np.array([next(h for h in hubs if h != c) for c in range(len(countries))])
    cur = tuple(cfg["currencies"])
    w.a |= {"office_cum": _cum(by_country), "s_origin": _cum(s_origin), "mode_cum": _cum(modes), "alt_hub": alt,
            "office_country": np.array([ci[o["country"]] for o in offices]),
            "hubs": np.array(hubs), "hub_p": _p(cfg["hubs"]), "dest_p": _p(cfg["export_destinations"]),
            "dest": np.array([ci[c] for c in cfg["export_destinations"]]), "cur_p": _p(cfg["currencies"]),
            "flow_p": _p([cfg["flows"].get(f, 0) for f in FLOWS]),
            "flow_acc_p": _p([ac["flows"].get(f, 0) for f in FLOWS]), "n_sectors": np.array(len(sectors)),
            "acc_sector": np.array(sectors.index(cfg["accelerator_sector"])),
            "cn": np.array(ci["CN"]), "zz": np.array(ci["ZZ"])}
    w.a["fx_m0"], w.a["fx"] = (np.array(v) for v in _fx(cur))
    w.s |= {"countries": pl.Series(countries), "offices": pl.Series([o["code"] for o in offices]),
            "flows": pl.Series(FLOWS), "modes": pl.Series(TRANSPORT_MODES), "currencies": pl.Series(cur)}
    return w


# ------------------------------------------------------------------ rows (per chunk, vectorised)
def _pattern(f: dict[str, Any], name: str, acc: Arr, intent: Arr) -> Arr:
    """P(pattern) given line kind and hidden intent, from the YAML [P|intent, P|no intent]."""
    a, o = (f[k]["patterns"].get(name, [0.0, 0.0]) for k in ("accelerator", "ordinary"))
    return np.where(acc, np.where(intent, a[0], a[1]), np.where(intent, o[0], o[1]))


def _sizes(rng: Rng, cfg: dict[str, Any], n: int) -> Arr:
    """Items per declaration, summing exactly to n."""
    ip = cfg["items_per_declaration"]
    if n == 0:
        return np.zeros(0, np.int64)
    k = np.where(rng.random(n) < ip["single"], 1, 1 + rng.geometric(ip["geometric_p"], n))
    cs = np.cumsum(k := k.clip(max=ip["max"]))
    k = k[: int(np.searchsorted(cs, n)) + 1].copy()
    k[-1] -= int(k.sum()) - n
    return k


def _declarations(w: _World, rng: Rng, n: int, start: dt.date, days: int) -> dict[str, Arr]:
    """Declaration-level draws: party, dates, route, hidden intent; split lots appended last."""
    cfg, a, f, sl = w.cfg, w.a, w.cfg["fraud"], w.cfg["split_lots"]
    lo, hi = sl["lines"]
    lens = rng.integers(lo, hi + 1, int(n * sl["share"]) * 2 // (lo + hi))
    k = _sizes(rng, cfg, n - int(lens.sum()))
    n_reg, cid = len(k), np.repeat(np.arange(len(lens)), lens)
    k = np.concatenate([k, np.ones(len(cid), np.int64)])
    nd, nc, camp = len(k), len(lens), np.arange(len(k)) >= n_reg
    acc = camp | (rng.random(nd) < cfg["accelerators"]["declaration_share"])
    n_dom = len(a["dom_p"])
    party = np.where(acc, rng.choice(n_dom, nd, p=a["acc_p"]), rng.choice(n_dom, nd, p=a["dom_p"]))
    model = rng.choice(len(a["m_p"]), nd, p=a["m_p"])
    cp = rng.choice(n_dom, nc, p=a["camp_p"])  # split lots: one party, one model, a few weeks
    party[n_reg:], model[n_reg:] = cp[cid], rng.choice(len(a["m_p"]), nc, p=a["m_p"])[cid]
    first = a["first_day"][party]
    day = first + (rng.random(nd) * (days - first)).astype(np.int64)
    win, c0 = min(sl["window_days"], days), a["first_day"][cp]
    c0 = c0 + (rng.random(nc) * np.maximum(days - c0 - win, 0)).astype(np.int64)
    day[n_reg:] = np.minimum(c0[cid] + rng.integers(0, win, len(cid)), days - 1)
    decl = np.where(rng.random(nd) < cfg["traders"]["declarant_loyalty"], a["pref_decl"][party],
                    rng.choice(len(a["decl_p"]), nd, p=a["decl_p"]))
    lat, new = f["latent"], first > 0
    z = (lat["trader"] * a["risk"][party] + lat["declarant"] * a["decl_risk"][decl]
         + lat["front"] * a["front"][party] + lat["new_trader"] * new + lat["split_lot"] * camp)
    i0 = np.where(acc, f["accelerator"]["intent_intercept"], f["ordinary"]["intent_intercept"])
    intent = rng.random(nd) < _sig(i0 + z)
    intent[n_reg:] = (rng.random(nc) < sl["intent"])[cid]
    wd = (start.weekday() + day) % 7  # weekly rhythm: most weekend filings move to a weekday
    move = (wd >= 5) & (rng.random(nd) > _pattern(f, "weekend_keep", acc, intent))
    to = day - wd + rng.integers(0, 5, nd)
    day = np.where(move, np.where(to < 0, to + 7, np.where(to >= days, to - 7, to)), day).clip(0, days - 1)
    flow = np.where(acc, rng.choice(3, nd, p=a["flow_acc_p"]), rng.choice(3, nd, p=a["flow_p"]))
    flow[n_reg:] = 0
    office = _cond(rng, a["office_cum"], a["p_country"][party])
    oc, sector = a["office_country"][office], np.where(acc, a["acc_sector"], a["p_sector"][party])
    mode = _cond(rng, a["mode_cum"], office)
    mode[n_reg:] = np.where(rng.random(len(cid)) < 0.7, TRANSPORT_MODES.index("courier"),
                            TRANSPORT_MODES.index("air"))
    origin = np.where(acc, _cond(rng, a["m_origin"], model), _cond(rng, a["s_origin"], sector))
    hub = (flow != 1) & (rng.random(nd) < _pattern(f, "hub", acc, intent))
    via = rng.choice(a["hubs"], nd, p=a["hub_p"])
    via = np.where(via == oc, a["alt_hub"][oc], via)
    shipped = np.where(hub | (origin == oc), via, origin)
    dest = np.where(flow == 0, oc, rng.choice(a["dest"], nd, p=a["dest_p"]))
    origin, shipped = np.where(flow == 1, a["cn"], origin), np.where(flow == 1, oc, shipped)
    g = np.where(flow == 1, dest, shipped) * a["n_sectors"] + sector
    foreign = a["grp_start"][g] + (a["grp_cnt"][g] * rng.random(nd) ** np.where(
        intent & acc, 3.0, 1.0)).astype(np.int64)
    fwd = rng.random(nd) < _pattern(f, "forwarder", acc, intent)
    imp, exp = np.where(flow == 1, foreign, party), np.where(flow == 1, party, foreign)
    cons = np.where(fwd, a["n_parties"] + rng.integers(0, a["n_fwd"], nd), imp)
    cons[rng.random(nd) < cfg["odd"]["null_consignee"]] = -1
    out = {"k": k, "acc": acc, "camp": camp, "party": party, "model": model, "day": day,
            "decl": decl, "new": new, "intent": intent, "weekend": (start.weekday() + day) % 7 >= 5,
            "flow": flow, "office": office, "mode": mode, "origin": origin, "shipped": shipped,
            "dest": dest, "hub": hub, "imp": imp, "exp": exp,
            "cons": cons, "sector": sector, "cur": rng.choice(len(a["cur_p"]), nd, p=a["cur_p"])}
    order = np.lexsort((rng.random(nd), day))  # declaration numbers follow acceptance dates
    return {key: v[order] for key, v in out.items()}


def _chunk(w: _World, rng: Rng, n: int, base: int, start: dt.date, days: int,
           truth: bool) -> pl.DataFrame:
    """One chunk of lines: goods, values, weights, spellings, then the hidden fraud draw."""
    cfg, a, f, ac = w.cfg, w.a, w.cfg["fraud"], w.cfg["accelerators"]
    dc = _declarations(w, rng, n, start, days)
    k = dc["k"]
    d = np.repeat(np.arange(len(k)), k)
    item_no = np.arange(n) - np.repeat(np.cumsum(k) - k, k) + 1
    acc = dc["acc"][d] & ((rng.random(n) < ac["item_share"]) | (item_no == 1))
    iv, m, camp = dc["intent"][d], dc["model"][d], dc["camp"][d]
    it = np.where(rng.random(n) < cfg["in_sector_share"], _cond(rng, a["i_cum"], dc["sector"][d]),
                  rng.choice(len(a["i_p"]), n, p=a["i_p"]))
    vague = acc & (rng.random(n) < _pattern(f, "vague", acc, iv))
    fake = acc & ~vague & (rng.random(n) < _pattern(f, "fake_brand", acc, iv))
    under = rng.random(n) < _pattern(f, "undervalued", acc, iv)
    disc = acc & ~under & (rng.random(n) < _pattern(f, "discounted", acc, iv))
    q_lo, q_hi = ac["quantity"]
    q_acc = np.floor(np.exp(rng.random(n) ** 2 * np.log(q_hi + 1))).clip(q_lo, q_hi)
    q_ord = _loguni(rng, a["i_qty_lo"][it], a["i_qty_hi"][it])
    q = np.where(acc, np.where(camp, rng.integers(1, 3, n), q_acc),
                 np.where(a["i_kg"][it], np.round(q_ord, 1), np.ceil(q_ord)))
    uv = np.where(acc, (a["m_lo"][m] + rng.random(n) * (a["m_hi"][m] - a["m_lo"][m]))
                  * rng.uniform(0.92, 1.12, n), _loguni(rng, a["i_value_lo"][it], a["i_value_hi"][it]))
    ratio = np.where(under, np.where(acc, a["m_lo"][m] * rng.uniform(0.1, 0.4, n) / uv,
                                     rng.uniform(0.3, 0.7, n)), np.where(disc, rng.uniform(0.45, 0.8, n), 1.0))
    declared, true = q * uv * ratio, q * uv * np.where(disc, ratio, 1.0)
    unit_kg = np.where(acc, a["m_w"][m] * rng.uniform(0.95, 1.15, n),
                       _loguni(rng, a["i_weight_lo"][it], a["i_weight_hi"][it]))
    net = q * unit_kg
    gross = net * np.where(acc, rng.uniform(1.2, 1.6, n), rng.uniform(1.03, 1.25, n))
    fb = rng.integers(0, len(a["fake_tag"]), n)
    desc = np.where(acc, np.where(vague, _grp(rng, a["vague"][0], a["vague"][1], n, 1.5), np.where(
        fake, _grp(rng, a["f_doff"][fb], a["f_dcnt"][fb], n), _grp(rng, a["m_doff"][m], a["m_dcnt"][m], n))),
        _grp(rng, a["i_doff"][it], a["i_dcnt"][it], n))
    hs = np.where(acc, np.where(vague | fake, rng.choice(a["hs_vague"], n, p=a["hs_vague_p"]),
                                rng.choice(a["hs_honest"], n, p=a["hs_honest_p"])),
                  _grp(rng, a["i_hoff"][it], a["i_hcnt"][it], n, 1.0))
    r = rng.random((3, n))
    nob = np.where(r[0] > 0.7, _grp(rng, a["nobrand"][0], a["nobrand"][1], n, 1.0), -1)
    brand = np.where(acc, np.where(r[0] < 0.6, _grp(rng, a["m_boff"][m], a["m_bcnt"][m], n, 1.5), -1),
                     np.where((r[0] < 0.45) & (a["i_bcnt"][it] > 0),
                              _grp(rng, a["i_boff"][it], a["i_bcnt"][it], n, 1.0), nob))
    brand = np.where(vague, nob, np.where(fake & (r[0] < 0.9), a["fake_tag"][fb], brand))
    honest_tags = acc & ~vague & ~fake
    model_tag = np.where(honest_tags & (r[1] < 0.5), a["m_tag"][m], -1)
    model_tag = np.where(fake & (r[1] < 0.5), _grp(rng, a["fake_model"][0], a["fake_model"][1], n, 1.0),
                         model_tag)
    part = np.where(honest_tags & (r[2] < 0.25) & (a["m_pcnt"][m] > 0),
                    _grp(rng, a["m_poff"][m], a["m_pcnt"][m], n, 1.0), -1)
    # hidden fraud draw: a logit over latent and visible factors (see generator.yaml `fraud`)
    c = {key: np.where(acc, f["accelerator"]["logit"][key], f["ordinary"]["logit"][key])
         for key in f["accelerator"]["logit"]}
    depth = np.where(disc, 0.0, np.clip(1.0 - ratio, 0.0, 1.0))
    logit = (c["intercept"] + c["intent"] * iv + c["trader"] * a["risk"][dc["party"][d]]
             + c["declarant"] * a["decl_risk"][dc["decl"][d]] + c["undervaluation"] * depth
             + c["vague"] * vague + c["hub"] * dc["hub"][d] + c["new_trader"] * dc["new"][d]
             + c["weekend"] * dc["weekend"][d] + c["fake_brand"] * fake + c["item_risk"] * a["i_risk"][it])
    fraud = rng.random(n) < _sig(logit)
    gap = np.where(true - declared < 0.1 * declared, declared * rng.uniform(0.2, 1.0, n), true - declared)
    rate = np.where(acc, ac["duty"], a["i_duty"][it]) + cfg["vat"]
    revenue = np.where(fraud, np.round(gap * rate, 2), 0.0)
    odd = cfg["odd"]
    net = np.where(rng.random(n) < odd["zero_net_weight"], 0.0, np.round(net, 3))
    gross = np.where(rng.random(n) < odd["null_gross_weight"], np.nan, np.round(gross, 3))
    origin = np.where(rng.random(n) < odd["unknown_origin"], a["zz"], dc["origin"][d])
    day, cur = dc["day"][d], dc["cur"][d]
    dates = np.datetime64(start, "D") + day
    mi = (dates.astype("datetime64[M]").astype(np.int64) - a["fx_m0"]).clip(0, a["fx"].shape[1] - 1)
    value = declared * a["fx"][cur, mi]
    value = np.where(w.s["currencies"].to_numpy()[cur] == "KRW", np.round(value), np.round(value, 2))
    s, party_col = w.s, {"imp": dc["imp"][d], "exp": dc["exp"][d]}
    cols: dict[str, Any] = {
        "declaration_id": "DEC" + pl.Series(base + d + 1).cast(pl.Utf8).str.zfill(10),
        "item_no": item_no, "date": dates, "flow": _take(s["flows"], dc["flow"][d]),
        "office": _take(s["offices"], dc["office"][d]),
        "declarant_id": _take(s["declarants"], dc["decl"][d]),
        "importer_id": _take(s["pid"], party_col["imp"]), "exporter_id": _take(s["pid"], party_col["exp"]),
        "importer_name": _take(s["names"], party_col["imp"]),
        "importer_address": _take(s["addresses"], party_col["imp"]),
        "exporter_name": _take(s["names"], party_col["exp"]),
        "exporter_address": _take(s["addresses"], party_col["exp"]),
        "consignee_name": _take(s["names"], dc["cons"][d]),
        "origin_country": _take(s["countries"], origin),
        "shipped_from_country": _take(s["countries"], dc["shipped"][d]),
        "destination_country": _take(s["countries"], dc["dest"][d]),
        "transport_mode": _take(s["modes"], dc["mode"][d]), "hs_code": _take(s["hs"], hs),
        "description": _take(s["desc"], desc), "brand": _take(s["tags"], brand),
        "model": _take(s["tags"], model_tag), "part_number": _take(s["tags"], part),
        "quantity": q, "quantity_unit": _take(s["units"], np.where(acc, a["pcs"], a["i_unit"][it])),
        "gross_weight_kg": pl.Series(gross, nan_to_null=True), "net_weight_kg": net, "value": value,
        "currency": _take(s["currencies"], cur), "inspected": acc | (rng.random(n) < cfg[
            "inspected_share_ordinary"]), "fraud": fraud,
        "critical": (fraud & (acc | (revenue >= cfg["critical_revenue_usd"]))).astype(np.int64),
        "revenue": revenue}
    out = pl.DataFrame(cols).cast(_schema())
    if truth:  # what an evaluation needs and a screening must never see
        flags = {"undervalued": under, "discounted": disc, "vague": vague, "fake_brand": fake,
                 "hub": dc["hub"][d], "split_lot": camp, "front": a["front"][dc["party"][d]]}
        out = out.with_columns(
            true_accelerator_id=_take(s["model_ids"], np.where(acc, m, -1)),
            true_value_usd=np.round(true, 2), intent=iv,
            patterns=pl.concat_str([pl.when(pl.lit(v)).then(pl.lit(k)) for k, v in flags.items()],
                                   separator=",", ignore_nulls=True))
    return out


def _schema() -> dict[str, pl.DataType]:
    schema = canonical_schema(with_labels=True)
    schema.pop(EXTRA)
    return schema


@functools.lru_cache(maxsize=1)
def _bundled_catalog() -> Catalog | None:
    """The bundled catalog, or None while it has no files yet (then YAML fallbacks are used)."""
    return load_catalog() if any((REFDATA / "catalog").glob("*.yaml")) else None


def _chunks(rows: int, seed: int, start: dt.date = dt.date(2025, 1, 1), days: int = 365,
            catalog: Catalog | None = None, truth: bool = False) -> Iterator[pl.DataFrame]:
    if rows < 0 or days < 1 or seed < 0:
        raise ValueError("rows and seed must be >= 0 and days >= 1")
    w = _world(seed, days, catalog if catalog is not None else _bundled_catalog())
    for c, lo in enumerate(range(0, rows, _CHUNK)):
        yield _chunk(w, np.random.default_rng([seed, 1, c]), min(_CHUNK, rows - lo), c * _CHUNK,
                     start, days, truth)


def generate(rows: int, *, seed: int = 0, start: dt.date = dt.date(2025, 1, 1), days: int = 365,
             catalog: Catalog | None = None, truth: bool = False) -> pl.DataFrame:
    """`rows` canonical declaration lines with labels, identical for the same arguments.

    Columns and dtypes are `canonical_schema(with_labels=True)` without `extra`, so the output
    screens with no mapping. `catalog` defaults to the bundled one (models missing from it fall
    back to `generator.yaml`). `truth=True` appends what evaluations need and screening must not
    see: true_accelerator_id, true_value_usd, intent and the dishonest patterns used.
    """
    frames = list(_chunks(rows, seed, start, days, catalog, truth))
    return pl.concat(frames) if frames else pl.DataFrame(schema=_schema())


def generate_batches(rows: int, *, seed: int = 0, batch_rows: int = 500_000,
                     **kw: Any) -> Iterator[pl.DataFrame]:
    """The rows of `generate(rows, seed=seed, **kw)` in frames of `batch_rows`, for bounded memory.

    Chunks are seeded independently of the batch size, so concatenating the batches gives
    exactly `generate`'s frame for any `batch_rows`.
    """
    if batch_rows < 1:
        raise ValueError("batch_rows must be >= 1")
    buf: list[pl.DataFrame] = []
    held = 0
    for chunk in _chunks(rows, seed, **kw):
        buf.append(chunk)
        held += chunk.height
        while held >= batch_rows:
            whole = pl.concat(buf)
            yield whole.slice(0, batch_rows)
            buf, held = [whole.slice(batch_rows)], whole.height - batch_rows
    if held:
        yield pl.concat(buf)
