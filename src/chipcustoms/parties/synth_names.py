"""Synthetic party names for the recall check and the generated list (no real party meant).

A listed entity is a Chinese trading firm (written in Latin, with its Chinese original kept for
the transliterated query), a Western firm, a person, or a Russian person (Latin list spelling,
Cyrillic original). ``variants`` derives the declared forms a screening must still find: a typo,
a reordering, an initialled given name, the original script, an abbreviated legal form. Pools
are in ``refdata/names/synthetic.yaml``; everything is seeded, so a check is reproducible.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from typing import Any

from rigour.text import ascii_text

from chipcustoms.refdata import REFDATA, load_yaml

KINDS = ("chinese", "western", "person", "russian")
VARIANTS = ("typo", "reordered", "initialled", "transliterated", "abbreviated")


@dataclass(frozen=True)
class SynthEntity:
    schema: str
    name: str  # as listed (Latin)
    original: str  # the same in its own script ("" when Latin already)
    kind: str


@functools.cache
def _pools() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(REFDATA / "names" / "synthetic.yaml")
    return data


def _invented(rng: random.Random, low: int, high: int) -> str:
    """A made-up word of ``low`` to ``high`` Latin syllables."""
    return "".join(rng.choice(_pools()["syllables"]) for _ in range(rng.randint(low, high))).title()


def entity(rng: random.Random) -> SynthEntity:
    """One listed party of a random kind."""
    p = _pools()
    kind = rng.choice(KINDS)
    if kind == "chinese":
        city = rng.choice(sorted(p["cities"]))
        trade = "".join(rng.choice(p["hanzi"]) for _ in range(rng.choice((2, 2, 3))))
        ind = rng.choice(sorted(p["industries"]))
        latin = ascii_text(trade).replace(" ", "").title()
        name = f"{p['cities'][city]} {latin} {p['industries'][ind]} Co., Ltd."
        return SynthEntity("Company", name, f"{city}{trade}{ind}有限公司", kind)
    if kind == "western":
        stem = rng.choice(p["western_stems"]) + _invented(rng, 1, 2).lower()
        words = rng.sample(p["western_words"], rng.choice((1, 2)))
        return SynthEntity(
            "Company", " ".join([stem, *words, rng.choice(p["legal_forms"])]), "", kind
        )
    if kind == "person":
        given = rng.sample(p["given"], rng.choice((1, 1, 2)))
        surname = rng.choice(p["surnames"]) if rng.random() < 0.3 else _invented(rng, 2, 3)
        return SynthEntity("Person", " ".join([*given, surname]), "", kind)
    g, pat = rng.choice(sorted(p["cyrillic_given"])), rng.choice(sorted(p["cyrillic_patronymics"]))
    if rng.random() < 0.3:
        s = rng.choice(sorted(p["cyrillic_surnames"]))
        surname = p["cyrillic_surnames"][s]
    else:
        parts = [rng.choice(p["cyrillic_syllables"]) for _ in range(rng.randint(1, 2))]
        s = ("".join(parts) + rng.choice(p["cyrillic_endings"])).title()
        surname = ascii_text(s)
    latin = f"{p['cyrillic_given'][g]} {p['cyrillic_patronymics'][pat]} {surname}"
    return SynthEntity("Person", latin, f"{s} {g} {pat}", kind)


def typo(rng: random.Random, name: str) -> str:
    """One edit (insert, delete, substitute, swap) in one word of five letters or more."""
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return name
    i = rng.choice(long)
    w, k = words[i], rng.randrange(1, len(words[i]) - 1)
    op = rng.choice(("ins", "del", "sub", "swap"))
    letter = rng.choice("aeioulnrst")
    words[i] = {
        "ins": w[:k] + letter + w[k:],
        "del": w[:k] + w[k + 1 :],
        "sub": w[:k] + letter + w[k + 1 :],
        "swap": w[: k - 1] + w[k] + w[k - 1] + w[k + 1 :],
    }[op]
    return " ".join(words)


def variant(rng: random.Random, e: SynthEntity, how: str) -> str:
    """The declared form of ``e`` made ``how`` (one of VARIANTS)."""
    words = e.name.split()
    if how == "typo":
        return typo(rng, e.name)
    if how == "reordered" and e.schema == "Person":
        return " ".join([words[-1], *words[:-1]])
    if how == "reordered":
        return " ".join([*words[1:], words[0]])  # the city last: "Xinyuan Technology ... Shenzhen"
    if how == "initialled" and e.schema == "Person":
        return " ".join([w[0] + "." for w in words[:-1]] + [words[-1]])
    if how == "initialled":  # firms are not declared with initials: a typo instead
        return typo(rng, e.name)
    if how == "transliterated":
        return e.original or typo(rng, e.name)
    text = e.name
    for long, short in _pools()["abbreviate"].items():
        text = text.replace(long, short)
    return text


def sample(n: int, seed: int) -> tuple[list[SynthEntity], list[tuple[str, int, str]]]:
    """``n`` distinct listed entities and ``n`` queries: for nine in ten a variant of a listed
    entity (query, its index, how), the rest a fresh name that is listed nowhere (index -1)."""
    rng = random.Random(seed)
    ents: dict[str, SynthEntity] = {}
    while len(ents) < n:
        e = entity(rng)
        ents.setdefault(e.name, e)
    listed = list(ents.values())
    queries = []
    for _ in range(n):
        if rng.random() < 0.1:
            queries.append((entity(rng).name, -1, "fresh"))
            continue
        i = rng.randrange(n)
        how = rng.choice(VARIANTS)
        queries.append((variant(rng, listed[i], how), i, how))
    return listed, queries
