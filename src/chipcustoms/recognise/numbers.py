"""The spellings of a catalogued model number besides its aliases: bare ("V100" for "Tesla
V100"), spaced ("H 100") and misread ("A1OO", "Hl00").

Trade records are typed by hand, scanned and OCR-read: a space lands between the letters and
the digits, and a letter of nearly the same shape stands for a digit (O for 0, l and I for 1;
the letters are data, ``misread`` in refdata/resolver/vocabulary.yaml). Guessing digits is
what makes a pump a chip, so each spelling is read on a narrow condition: a spaced number only
beside a GPU word (as an all-digit number, ``Resolver._digits``), a misread one only on a line
that also names a brand (:func:`vouched`), and both at the bare-number confidence. The one-text
resolver reads the same tables (``row_resolver``).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Sequence

import polars as pl

from chipcustoms.recognise.catalog import Catalog
from chipcustoms.recognise.model_class import model_class
from chipcustoms.recognise.named_products import is_bare, is_named, vouching
from chipcustoms.recognise.textnorm import normalise_model_text
from chipcustoms.recognise.vocabulary import Vocabulary

MEMORY = re.compile(r"^\d+(?:g|gb|t|tb)$")
_NUMBER = re.compile(r"([a-z]{0,2})(\d{3,4})([a-z]?)")


def bare_numbers(catalog: Catalog, vocabulary: Vocabulary) -> dict[str, str]:
    """Model numbers a line may write without the brand or family word of every alias
    ("Tesla V100" -> "v100", "Ascend 910B" -> "910b"): the alias less brand words and
    memory sizes (and goods nouns, ``alias_nouns``, over a number of three or four digits:
    "T400 GPU" -> "t400"), when one token with letters and digits (or an all-digit number the
    vocabulary lists, "RTX 4090" -> "4090") is left and no other model leaves the same one,
    nor writes it after its own maker's name where that maker is no brand word ("Graphcore
    C600" beside MetaX's C600: a bare "C600" names neither).
    """
    brand = re.compile(vocabulary.brand_word)
    noun = re.compile(vocabulary.alias_noun)
    digits = re.compile(vocabulary.digit_number)
    found: dict[str, set[str]] = {}
    for m in catalog.models:
        for alias in [m.model, *m.aliases]:
            words = brand.sub(" ", normalise_model_text(alias)).split()
            words = [w for w in words if not MEMORY.match(w)]
            if len(words) > 1:  # "t400 gpu": a goods noun under a number of 3-4 digits
                rest = noun.sub(" ", " ".join(words)).split()
                words = rest if len(rest) == 1 and _NUMBER.fullmatch(rest[0]) else words
            if len(words) != 1:
                continue
            w = words[0]
            if (re.search(r"[a-z]", w) and re.search(r"\d", w)) or digits.fullmatch(w):
                found.setdefault(w, set()).add(m.id)
    for m in catalog.models:
        maker = normalise_model_text(m.vendor).split()[:1]
        for alias in [m.model, *m.aliases]:
            words = normalise_model_text(alias).split()
            if len(words) == 2 and words[:1] == maker and words[1] in found:
                found[words[1]].add(m.id)
    return {w: next(iter(ids)) for w, ids in found.items() if len(ids) == 1}


def lookalikes(catalog: Catalog, vocabulary: Vocabulary, bare: dict[str, str]) -> str:
    """Where a line names another product, not a chip, as one pattern (the resolver seeks no
    model number in its matches): a product line of another kind with its number ("ThinkStation
    P800", the vocabulary's ``lookalike_series``), and a server or board maker's name right
    before the bare number (``bare``: :func:`bare_numbers`, which the resolver has already read)
    of a chip that maker does not sell ("Dell R200 server", "Lenovo P800": ``lookalike_makers``);
    and a model's class ("H100-class GPUs", "H100급": :mod:`.model_class`), a GPU of that class.
    """
    series = f"{vocabulary.lookalike_series}|{model_class()}"
    sells = vocabulary.lookalike_sells
    sold = {m.id for vf in catalog.vendors if vf.vendor in sells for m in vf.models}
    others = sorted((n for n, i in bare.items() if i not in sold), key=len, reverse=True)
    if not others or vocabulary.lookalike_makers == r"$^":
        return series
    makers = rf"(?:{vocabulary.lookalike_makers}) (?:{'|'.join(map(re.escape, others))})\b"
    return f"{series}|{makers}"


# NVIDIA's board part numbers carry the board's project number: 692-2G506-... is the board
# printed "PG506" (A100 SXM4), 900-21001-... the "P1001" (A100 PCIe), 900-2G133 the PG133.
_BOARD = re.compile(r"^\d{3}-2(G\d{3}|\d{4})-")


def board_names(catalog: Catalog) -> dict[str, str]:
    """Board project names ("pg506", "p1001") read off the catalogued part numbers, each to
    the one model whose boards carry it. A name two models share (PG520: the H100, H800 and
    H200 SXM modules) names no model and is left to the generic wording."""
    found: dict[str, set[str]] = {}
    for m in catalog.models:
        for part in m.part_numbers:
            hit = _BOARD.match(part)
            if hit:
                found.setdefault("p" + hit.group(1).lower(), set()).add(m.id)
    return {w: next(iter(ids)) for w, ids in found.items() if len(ids) == 1}


# Board numbers as catalogued: NVIDIA's 900-2G133-0080-000 / 692-2G506-0212-005 and AMD's
# 100-300000003.
_NVIDIA_PART = re.compile(r"^(\d{3})-(2G\d{3}|2\d{4})-([^-]+)-(\d{3})$")
_AMD_PART = re.compile(r"^(1\d\d)-(\d{9})$")


def part_spelling(pattern: str) -> str:
    """A catalogued board number as trade records write it: the dashes optional (the text is
    compared with its spaces removed, so "900 21010 0000 000" and "900210100000000" are the
    same board) and NVIDIA's last group any or none ("900-21010-0000", "900-21001-0020-100":
    the board and its SKU tell the model; the last group is the revision). Other part numbers
    are kept as written."""
    m = _NVIDIA_PART.fullmatch(pattern)
    if m:
        return f"{m[1]}-?{m[2]}-?{m[3]}(?:-?[0-9A-Z]{{3}})?"
    m = _AMD_PART.fullmatch(pattern)
    return f"{m[1]}-?{m[2]}" if m else pattern


def part_patterns(catalog: Catalog) -> list[tuple[re.Pattern[str], str]]:
    """Every catalogued part number as a case-blind pattern in its trade spellings
    (:func:`part_spelling`), with its model id, in catalog order."""
    return [
        (re.compile(part_spelling(p), re.IGNORECASE), m.id)
        for m in catalog.models
        for p in m.part_numbers
    ]


def spellings(
    alias_to_id: dict[str, str], letters: tuple[tuple[str, str], ...]
) -> tuple[dict[str, str], dict[str, str]]:
    """(spaced, misread) spellings of the bare model numbers of three or four digits ("h100",
    "910b", "4090"), each to its model id: the letters and the digits apart ("h 100"), and
    misread letters for digits ("h1oo", "hl00", "vloo", "91ob"; a number without letters keeps
    a digit, so "4o9o" but not "oooo"). A spelling that is an alias already, or that two models
    share, is not used."""
    by_digit: dict[str, list[str]] = {}
    for letter, digit in letters:
        by_digit.setdefault(digit, []).append(letter)
    spaced: dict[str, set[str]] = {}
    misread: dict[str, set[str]] = {}
    for alias, model_id in alias_to_id.items():
        m = _NUMBER.fullmatch(alias)
        if m is None:
            continue
        prefix, number, suffix = m.groups()
        if prefix:
            spaced.setdefault(f"{prefix} {number}{suffix}", set()).add(model_id)
        for combo in itertools.product(*[[c, *by_digit.get(c, [])] for c in number]):
            word = "".join(combo)
            if word != number and (prefix or any(c.isdigit() for c in word)):
                misread.setdefault(prefix + word + suffix, set()).add(model_id)

    def unique(found: dict[str, set[str]]) -> dict[str, str]:
        return {
            w: next(iter(ids)) for w, ids in found.items() if len(ids) == 1 and w not in alias_to_id
        }

    return unique(spaced), unique(misread)


def noun_numbers(catalog: Catalog, vocabulary: Vocabulary, bare: dict[str, str]) -> list[str]:
    """The bare numbers (``bare``: :func:`bare_numbers`) that only a goods noun taken off an
    alias gave ("NVIDIA T400 GPU" -> "t400", "RTX A400 GPU" -> "a400"): such a number is also
    a storage array's ("HP MSA P2000"), a controller's or a module's, and no catalog alias
    writes it alone, so an HS code for computers is no evidence that it is the card."""
    plain = bare_numbers(catalog, dataclasses.replace(vocabulary, alias_noun=r"$^"))
    return sorted(set(bare) - set(plain))


@dataclasses.dataclass(frozen=True)
class Vouching:
    """Spellings a line may use only beside a word that vouches for them, each list with its
    pattern: a misread number ("H1OO") beside a brand (``misread.brands``), and a number only
    a goods noun gave (:func:`noun_numbers`) beside a brand, a GPU word or a bare-number hint
    ("A400 GPU", "NVIDIA A400", "P2000 96GB", "T1000 server"), never on the HS code alone;
    and a model's context aliases beside a product word, an AI word or its maker
    (:func:`.named_products.vouching`). The one-text resolver reads the same pairs."""

    pairs: tuple[tuple[frozenset[str], str], ...]
    # A letter and a digit ("a2") right after another maker's product number ("atlas 300i a2",
    # the vocabulary's ``generation_suffixes``) is that product's generation: each such bare
    # alias with the pattern that drops it.
    suffixes: tuple[tuple[str, str], ...] = ()
    # The context aliases (``named_products``): the weakest reading of a line, dropped where
    # another alias is found ("Gaudi HL 2080": the HL-2080, not the first Gaudi).
    weak: frozenset[str] = frozenset()
    # All-digit numbers ("3080"): read after a model the line writes with its series words ("between
    # the 3080 and the 3090: the RTX 3080Ti"), the numbers then a comparison or the list's rest.
    digits: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        catalog: Catalog,
        vocabulary: Vocabulary,
        bare: dict[str, str],
        misread: Sequence[str],
    ) -> Vouching:
        brand = vocabulary.misread_brand
        nouns = noun_numbers(catalog, vocabulary, bare)
        gen = vocabulary.generation_suffix
        short = sorted(w for w in bare if re.fullmatch(r"[a-z]\d", w))
        suffixes = () if gen == r"$^" else tuple((w, rf"(?:{gen}) {w}\b") for w in short)
        words = f"{brand}|{vocabulary.hint}|{vocabulary.bare_hint}|{vocabulary.bare_hint_apart}"
        context = vouching(catalog)
        pairs = ((frozenset(misread), brand), (frozenset(nouns), words), *context)
        weak = frozenset(w for names, _ in context for w in names)
        return cls(pairs, suffixes, weak, frozenset(w for w in bare if w.isdigit()))

    def words(self, aliases: list[str], norm: str) -> list[str]:
        """``aliases`` less the spellings no word in ``norm`` vouches for (one text)."""
        for words, pattern in self.pairs:
            if any(a in words for a in aliases) and not re.search(pattern, norm):
                aliases = [a for a in aliases if a not in words]
        for word, pattern in self.suffixes:
            if word in aliases and re.search(pattern, norm):
                aliases = [a for a in aliases if a != word]
        if any(a not in self.weak for a in aliases):
            aliases = [a for a in aliases if a not in self.weak]
        if any(a in self.digits for a in aliases) and not all(map(is_bare, aliases)):
            aliases = sorted(aliases, key=lambda a: a in self.digits)
        return aliases

    def apply(self, d: pl.DataFrame) -> pl.DataFrame:
        """:func:`vouched` for each list in turn (the batch path)."""
        for words, pattern in self.pairs:
            d = vouched(d, sorted(words), pattern)
        for word, pattern in self.suffixes:
            d = vouched(d, [word], pattern, unless=True)
        if self.weak:
            weak = sorted(self.weak)
            strong = pl.element().filter(~pl.element().is_in(weak))
            other = pl.col("__aliases").list.eval(~pl.element().is_in(weak)).list.any()
            d = d.with_columns(
                pl.when(other.fill_null(False))
                .then(pl.col("__aliases").list.eval(strong))
                .otherwise(pl.col("__aliases"))
            )
        return self._named_before_digits(d) if self.digits else d

    def _named_before_digits(self, d: pl.DataFrame) -> pl.DataFrame:
        """:attr:`digits` after the other aliases where one of them is no bare number
        (:func:`is_bare`): an all-digit number is the line's weakest reading ("between the 3080
        and the 3090: the RTX 3080Ti"), and kept, since a list's rest still counts. Only the
        lines holding an all-digit number are tested."""
        digits = sorted(self.digits)
        a = pl.element()
        named = is_named(a)
        some = pl.col("__aliases").list.eval(a.is_in(digits)).list.any().fill_null(False)
        has_named = pl.col("__aliases").list.eval(named).list.any().fill_null(False)
        return pl.concat(
            [
                d.filter(~some),
                d.filter(some).with_columns(
                    pl.when(has_named)
                    .then(
                        pl.col("__aliases").list.eval(
                            a.sort_by(a.is_in(digits), maintain_order=True)
                        )
                    )
                    .otherwise(pl.col("__aliases"))
                ),
            ]
        )


def vouched(
    d: pl.DataFrame, misread: list[str], brand: str, *, unless: bool = False
) -> pl.DataFrame:
    """``d`` with the misread spellings dropped from ``__aliases`` where ``__norm`` names no
    brand (``brand``: the vocabulary's ``misread.brands``). The brand regex runs only on the few
    lines that hold such a spelling; row order is not kept (the resolver joins by key). With
    ``unless``, dropped where ``brand`` is found instead (a generation suffix)."""
    some = pl.col("__aliases").list.eval(pl.element().is_in(misread)).list.any().fill_null(False)
    kept = pl.element().filter(~pl.element().is_in(misread))
    found = pl.col("__norm").str.contains(brand)
    return pl.concat(
        [
            d.filter(~some),
            d.filter(some).with_columns(
                pl.when(~found if unless else found)
                .then(pl.col("__aliases"))
                .otherwise(pl.col("__aliases").list.eval(kept))
            ),
        ]
    )
