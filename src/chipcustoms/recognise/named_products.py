"""Names of accelerators that are not GPUs, read beside the words that make them a chip.

A GPU's bare number ("H100") is read beside a GPU word; an AI accelerator that is no GPU is
written by its product name ("RNGD", "MLU370", "BR104") beside a card, board, module, chip or
sample word, in the languages of trade ("RNGD sample card", "MLU370 板卡", "BR104 모듈"). Those
words are no GPU words (a "card" is also a greeting card, a "module" a memory module), so they
make a chip only of the bare name of a maker that builds AI accelerators and no graphics cards
(``product_words.yaml`` ``makers``). A short number of one letter and up to three digits ("P800",
"T20") is another product's too and stays with the GPU words.

Some catalogued names are another product's as well: Rebellions' "ATOM" is Intel's Atom CPU,
"Gaudi" an architect. A model lists them as ``context_aliases``; each is read only where a
product word, an AI word or the model's maker vouches for it (:func:`vouching`), the way
``numbers.Vouching`` reads a misread number only beside a brand.

Both resolvers read the same tables: the product hint joins the vocabulary's GPU words
(:func:`with_product_words`), the context aliases join ``numbers.Vouching``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from functools import cache

import polars as pl
from pydantic import BaseModel, ConfigDict

from chipcustoms.recognise.catalog import Catalog
from chipcustoms.recognise.textnorm import normalise_model_text
from chipcustoms.recognise.vocabulary import Vocabulary, union
from chipcustoms.refdata import REFDATA, LanguagePatterns, load_validated

PRODUCT_WORDS_FILE = REFDATA / "resolver" / "product_words.yaml"
# A number another product's name shares: one letter and up to three digits ("p800", "t20").
_SHORT = re.compile(r"[a-z]\d{1,3}[a-z]?")


class ProductWordsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    makers: list[str]
    words: list[LanguagePatterns]
    ai: list[LanguagePatterns]
    possessive: list[LanguagePatterns] = []


@cache
def load_product_words() -> ProductWordsFile:
    """The bundled ``product_words.yaml``, validated (read once per process)."""
    return load_validated(
        PRODUCT_WORDS_FILE, ProductWordsFile, section="words", expected="makers, words, ai"
    )


_BARE_LEN, _SERIES = 6, ("rtx", "gtx")  # a longer word, or one of these series, is named


def is_bare(alias: str) -> bool:
    """A model number alone ("h20", "a100", "mi300x"): also a pump, a bolt grade, a camera."""
    return " " not in alias and len(alias) <= _BARE_LEN and not alias.startswith(_SERIES)


def is_named(alias: pl.Expr) -> pl.Expr:
    """Not :func:`is_bare`, on a column of aliases: an alias with its series or brand words
    ("rtx 3080ti", "tesla v100")."""
    series = alias.str.starts_with(_SERIES[0])
    for word in _SERIES[1:]:
        series = series | alias.str.starts_with(word)
    return alias.str.contains(" ", literal=True) | (alias.str.len_chars() > _BARE_LEN) | series


def _words(groups: list[LanguagePatterns]) -> str:
    return union([p for g in groups for p in g.patterns])


def product_names(catalog: Catalog, aliases: dict[str, str]) -> list[str]:
    """The bare names (``aliases``: normalised alias -> model id) of the models of the makers
    of AI accelerators only, less the short numbers another product shares."""
    makers = set(load_product_words().makers)
    ids = {m.id for vf in catalog.vendors if vf.vendor in makers for m in vf.models}
    found = (a for a, i in aliases.items() if i in ids and is_bare(a))
    return sorted(a for a in found if not _SHORT.fullmatch(a))


def product_hint(names: list[str]) -> str:
    """A product name with a product word within three words of it, either order ("RNGD 4U
    air-cooled chassis"), or right after a possessive ("the company's WSE-2")."""
    if not names:
        return r"$^"
    name = r"\b(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b"
    words = load_product_words()
    word = f"(?:{_words(words.words)})"
    owner = f"|(?:{_words(words.possessive)}) {name}" if words.possessive else ""
    return f"{name}(?: \\S+){{0,3}}? ?{word}|{word} ?(?:\\S+ ){{0,3}}?{name}{owner}"


def with_product_words(
    vocabulary: Vocabulary, catalog: Catalog, aliases: dict[str, str]
) -> Vocabulary:
    """``vocabulary`` with the product hint among its GPU words, and its version carrying the
    word list's digest (editing the words changes the resolver's version)."""
    hint = product_hint(product_names(catalog, aliases))
    digest = hashlib.sha256(PRODUCT_WORDS_FILE.read_bytes()).hexdigest()[:6]
    return dataclasses.replace(
        vocabulary,
        version=f"{vocabulary.version}.{digest}",
        hint=f"{vocabulary.hint}|(?:{hint})",
        hints=(*vocabulary.hints, hint),
    )


def vouching(catalog: Catalog) -> list[tuple[frozenset[str], str]]:
    """Per maker, (its models' context aliases, the pattern that vouches for them): a product
    word, an AI word or the maker's own name ("Rebellions" for its ATOM, not "Intel")."""
    words = load_product_words()
    common = f"{_words(words.words)}|{_words(words.ai)}"
    pairs = []
    for vf in catalog.vendors:
        names = {normalise_model_text(a) for m in vf.models for a in m.context_aliases}
        if names:
            maker = sorted({normalise_model_text(n) for n in (vf.vendor, vf.vendor_name)})
            own = r"\b(?:" + "|".join(map(re.escape, maker)) + r")\b"
            pairs.append((frozenset(names), f"{common}|{own}"))
    return pairs
