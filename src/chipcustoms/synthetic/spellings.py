"""The generator's text: noisy spellings, trader names and addresses, fronts of listed firms.

Drawn once per seed while :mod:`chipcustoms.synthetic.world` is built (rows only index into
the results); the word lists and noise rates are data in ``refdata/generator.yaml``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

Cfg = dict[str, Any]
_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}


# ------------------------------------------------------------------ text: spellings and names
def typo(r: random.Random, s: str) -> str:
    pos = [i for i, c in enumerate(s[:-1]) if c.isascii() and c.isalpha()][1:]
    if len(pos) < 2:
        return s
    i = r.choice(pos)
    return r.choice(
        [s[:i] + s[i + 1] + s[i] + s[i + 2 :], s[:i] + s[i + 1 :], s[:i] + s[i] + s[i:]]
    )


def swap(r: random.Random, s: str, pairs: Sequence[Sequence[Any]]) -> str:
    """Apply one applicable (from, to | [to, ...]) pair: an abbreviation, legal form, spelling."""
    hits = [(a, b) for a, b in pairs if a in s]
    if not hits:
        return s
    a, b = r.choice(hits)
    return s.replace(a, b if isinstance(b, str) else r.choice(b), 1)


def noisy(r: random.Random, s: str, noise: Cfg) -> str:
    """One clerk's spelling: shouted, lowered, typo'd, abbreviated or typed in full-width."""
    ops = r.choices(list(noise["ops"]), list(noise["ops"].values()), k=r.randint(1, 2))
    for op in dict.fromkeys(ops):  # ordered: a set's order would change with the hash seed
        if op == "typo":
            s = typo(r, s)
        elif op == "abbreviate":
            s = swap(r, s, noise["abbreviations"])
        else:
            s = s.translate(_FULLWIDTH) if op == "fullwidth" else getattr(s, op)()
    return s


def variants(r: random.Random, bases: Sequence[str], noise: Cfg) -> list[str]:
    """Clean descriptions first, then noisy variants: real data repeats a few spellings a lot."""
    out = dict.fromkeys(re.sub(r"\b(\w+) \1\b", r"\1", " ".join(b.split())) for b in bases)
    for b in list(out):
        for _ in range(noise["variants"] - 1):
            out.setdefault(noisy(r, b, noise))
    return list(out)


def id_code(r: random.Random, k: int) -> str:
    return "".join(r.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=k))


def party_names(r: random.Random, cfg: Cfg, country: str, sector: str, zh: bool) -> list[str]:
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
        "code": id_code(r, 10),
        "code8": id_code(r, 8),
        "cc": country,
        "br": r.randint(10**7, 10**8 - 1),
    }
    lang = "zh" if zh and "zh" in fmt else "en"
    return [
        r.choice(fmt[lang]).format(**ctx),
        r.choice(fmt["addr_" + lang]).format(**ctx),
        fmt["id"].format(**ctx),
    ]


def front_name(r: random.Random, cfg: Cfg, en: str, zh: str | None) -> str:
    """A name near a listed firm: what screening must still match (typos, forms, romanisation)."""
    ops = cfg["front_ops"]
    if zh and r.random() < 0.4:
        return swap(r, swap(r, zh, ops["zh_homophones"]), ops["zh_homophones"])
    cities = [c[0] + " " for c in cfg["names"]["cn_cities"]] + ["Hong Kong ", "Kowloon Bay "]
    edits: dict[str, Callable[[str], str]] = {
        "legal": lambda s: swap(r, s, ops["legal_forms"]),
        "abbr": lambda s: swap(r, s, ops["abbreviations"]),
        "translit": lambda s: swap(r, s, ops["transliterations"]),
        "typo": lambda s: typo(r, s),
        "upper": str.upper,
        "city": lambda s: next((s[len(c) :] for c in cities if s.startswith(c)), s),
    }
    s = en
    for op in r.sample(list(edits), 2):
        s = edits[op](s)
    return s if s != en else typo(r, s)
