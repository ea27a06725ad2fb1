"""Synthetic, seeded customs declarations with hidden ground truth.

Real declarations with inspection outcomes are confidential, yet every stage of the pipeline
(ingest, resolution, rules, the learned model, selection) needs volume and labels to be built and
evaluated. A small *world* is drawn once per seed (traders, declarants, a vocabulary of a few
thousand description spellings, the accelerator mix from the catalog); rows are then drawn
vectorised in fixed-size chunks seeded by ``(seed, chunk index)``, so :func:`generate` and
:func:`generate_batches` give the same rows whatever the batch size, and millions of rows never
sit in memory at once. Every number lives in ``refdata/generator.yaml``, which also documents
the hidden fraud process.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from chipcustoms.catalog import Accelerator, Catalog, load_catalog
from chipcustoms.refdata import REFDATA, load_yaml
from chipcustoms.schema import EXTRA, FLOWS, TRANSPORT_MODES, canonical_schema

__all__ = ["config", "generate", "generate_batches"]

_CHUNK = 1 << 16  # rows per independently seeded chunk; batches are slices of the chunk stream
Arr = npt.NDArray[Any]
Rng = np.random.Generator
Cfg = dict[str, Any]
_IMPORT, _EXPORT = FLOWS.index("import"), FLOWS.index("export")
_COURIER, _AIR = TRANSPORT_MODES.index("courier"), TRANSPORT_MODES.index("air")
_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}


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


# ------------------------------------------------------------------ text: spellings and names
def _typo(r: random.Random, s: str) -> str:
    pos = [i for i, c in enumerate(s[:-1]) if c.isascii() and c.isalpha()][1:]
    if len(pos) < 2:
        return s
    i = r.choice(pos)
    return r.choice(
        [s[:i] + s[i + 1] + s[i] + s[i + 2 :], s[:i] + s[i + 1 :], s[:i] + s[i] + s[i:]]
    )


def _swap(r: random.Random, s: str, pairs: Sequence[Sequence[Any]]) -> str:
    """Apply one applicable (from, to | [to, ...]) pair: an abbreviation, legal form, spelling."""
    hits = [(a, b) for a, b in pairs if a in s]
    if not hits:
        return s
    a, b = r.choice(hits)
    return s.replace(a, b if isinstance(b, str) else r.choice(b), 1)


def _noisy(r: random.Random, s: str, noise: Cfg) -> str:
    """One clerk's spelling: shouted, lowered, typo'd, abbreviated or typed in full-width."""
    ops = r.choices(list(noise["ops"]), list(noise["ops"].values()), k=r.randint(1, 2))
    for op in dict.fromkeys(ops):  # ordered: a set's order would change with the hash seed
        if op == "typo":
            s = _typo(r, s)
        elif op == "abbreviate":
            s = _swap(r, s, noise["abbreviations"])
        else:
            s = s.translate(_FULLWIDTH) if op == "fullwidth" else getattr(s, op)()
    return s


def _spellings(r: random.Random, bases: Sequence[str], noise: Cfg) -> list[str]:
    """Clean descriptions first, then noisy variants: real data repeats a few spellings a lot."""
    out = dict.fromkeys(re.sub(r"\b(\w+) \1\b", r"\1", " ".join(b.split())) for b in bases)
    for b in list(out):
        for _ in range(noise["variants"] - 1):
            out.setdefault(_noisy(r, b, noise))
    return list(out)


def _code(r: random.Random, k: int) -> str:
    return "".join(r.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=k))


def _party(r: random.Random, cfg: Cfg, country: str, sector: str, zh: bool) -> list[str]:
    """Name, address and id of one trader from the YAML formats, in one script throughout."""
    n = cfg["names"]
    fmt = n["formats"].get(country, n["formats"]["foreign"])
    (s1, z1), (s2, z2) = r.sample(n["syllables"], 2)
    word = r.choice(cfg["sectors"][sector]["words"] if r.random() < 0.8 else n["extra_words"])
    city, road, hk = r.choice(n["cn_cities"]), r.choice(n["cn_roads"]), r.choice(n["hk_districts"])
    district, c = r.choice(city[2]), n["countries"].get(country, {"legal": [""], "cities": [""]})
    ctx = {
        "s1": s1,
        "s2": s2.lower(),
        "s1_zh": z1,
        "s2_zh": z2,
        "word": word[0],
        "word_zh": word[1],
        "city": city[0],
        "city_zh": city[1],
        "district": district[0],
        "district_zh": district[1],
        "road": road[0],
        "road_zh": road[1],
        "hk_district": hk[0],
        "hk_district_zh": hk[1],
        "hk_street": r.choice(n["hk_streets"]),
        "street": r.choice(n["foreign_streets"]),
        "a": r.choice(n["foreign_stems"]),
        "b": r.choice(n["foreign_stems"]),
        "legal": r.choice(c["legal"]),
        "fcity": r.choice(c["cities"]),
        "country": c.get("name"),
        "no": r.randint(1, 998),
        "floor": r.randint(1, 40),
        "unit": r.randint(1, 30),
        "region": city[3],
        "code": _code(r, 10),
        "code8": _code(r, 8),
        "cc": country,
        "br": r.randint(10**7, 10**8 - 1),
    }
    lang = "zh" if zh and "zh" in fmt else "en"
    return [
        r.choice(fmt[lang]).format(**ctx),
        r.choice(fmt["addr_" + lang]).format(**ctx),
        fmt["id"].format(**ctx),
    ]


def _front(r: random.Random, cfg: Cfg, en: str, zh: str | None) -> str:
    """A name near a listed firm: what screening must still match (typos, forms, romanisation)."""
    ops = cfg["front_ops"]
    if zh and r.random() < 0.4:
        return _swap(r, _swap(r, zh, ops["zh_homophones"]), ops["zh_homophones"])
    cities = [c[0] + " " for c in cfg["names"]["cn_cities"]] + ["Hong Kong ", "Kowloon Bay "]
    edits: dict[str, Callable[[str], str]] = {
        "legal": lambda s: _swap(r, s, ops["legal_forms"]),
        "abbr": lambda s: _swap(r, s, ops["abbreviations"]),
        "translit": lambda s: _swap(r, s, ops["transliterations"]),
        "typo": lambda s: _typo(r, s),
        "upper": str.upper,
        "city": lambda s: next((s[len(c) :] for c in cities if s.startswith(c)), s),
    }
    s = en
    for op in r.sample(list(edits), 2):
        s = edits[op](s)
    return s if s != en else _typo(r, s)


# ------------------------------------------------------------------ the world (once per seed)
@dataclass
class _World:
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
    w: _World, rng: Rng, r: random.Random, days: int, countries: list[str], sectors: list[str]
) -> None:
    """Domestic traders, fronts of listed firms, foreign parties grouped by (country, sector)."""
    cfg, t, acc_sector = w.cfg, w.cfg["traders"], w.cfg["accelerator_sector"]
    dom_c = rng.choice(list(t["domestic_countries"]), t["domestic"], p=_p(t["domestic_countries"]))
    dom_s = rng.choice(sectors, t["domestic"], p=_p([cfg["sectors"][s]["share"] for s in sectors]))
    rows = [
        [*_party(r, cfg, c, s, r.random() < t["chinese_name_share"][c]), c, s, False]
        for c, s in zip(dom_c.tolist(), dom_s.tolist(), strict=True)
    ]
    fronts = [
        (_front(r, cfg, en, zh), c, c + _code(r, 8))
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
            rows += [[*_party(r, cfg, c, s, False), c, s, False] for _ in range(k)]
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
    w: _World, r: random.Random, models: list[Cfg], countries: list[str], sectors: list[str]
) -> None:
    """Ordinary items and accelerator models as arrays, with their spelling vocabularies."""
    ac, noise, items = w.cfg["accelerators"], w.cfg["noise"], w.cfg["items"]
    desc, hs, tags, a = _Vocab(), _Vocab(), _Vocab(), w.a
    ph = {"brand": "", "model": "", "alias": "", "memory": "", "form": ""}
    fakes = list(dict.fromkeys(ac["fake_brands"]))
    a["i_desc"] = desc.add([_spellings(r, i["en"] + i.get("zh", []), noise) for i in items])
    templates = ac["templates"]["en"] + ac["templates"]["zh"]
    a["m_desc"] = desc.add(
        [
            _spellings(
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
    a["vague"] = desc.add([_spellings(r, ac["vague"]["en"] + ac["vague"]["zh"], noise)])
    a["f_desc"] = desc.add(
        [_spellings(r, [t.format(brand=b) for t in ac["fake_templates"]], noise) for b in fakes]
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


def _world(seed: int, days: int, catalog: Catalog | None) -> _World:
    cfg = config()
    ac, offices, w = cfg["accelerators"], cfg["offices"], _World(cfg)
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


def _declarations(w: _World, rng: Rng, n: int, start: dt.date, days: int) -> dict[str, Arr]:
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


def _routes(w: _World, rng: Rng, dc: dict[str, Arr]) -> dict[str, Arr]:
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


def _lines(w: _World, rng: Rng, x: dict[str, Arr], item_no: Arr) -> dict[str, Arr]:
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
    w: _World, rng: Rng, x: dict[str, Arr], ln: dict[str, Arr]
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


def _labels(w: _World, rng: Rng, x: dict[str, Arr], ln: dict[str, Arr]) -> dict[str, Arr]:
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
    w: _World, rng: Rng, n: int, base: int, start: dt.date, days: int, truth: bool
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


def _with_truth(
    w: _World, out: pl.DataFrame, x: dict[str, Arr], ln: dict[str, Arr]
) -> pl.DataFrame:
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
    w = _world(seed, days, catalog if catalog is not None else _bundled_catalog())
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
