"""The resolver's vocabulary (refdata/resolver/vocabulary.yaml), validated on load.

Words are data, like the catalog: an analyst who meets a new accessory word ("GPU sag bar") adds
it to the YAML, not to the code. Each group is joined into one regular expression so that the
resolver runs it once over all distinct texts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from chipcustoms.recognise.languages import LANGUAGES_FILE, merge
from chipcustoms.refdata import REFDATA, check_regexes, load_validated, load_yaml

VOCABULARY_FILE = REFDATA / "resolver" / "vocabulary.yaml"
# Read by misspelling.py; hashed here too, so that editing it changes the resolver's version.
MISSPELLINGS_FILE = REFDATA / "resolver" / "misspellings.yaml"
LETTER_NAMES_FILE = REFDATA / "resolver" / "letter_names.yaml"  # letter_names.py
FUZZY_FILE = REFDATA / "resolver" / "fuzzy.yaml"  # fuzzy.py


# Context for validating the merged vocabulary: its patterns are vocabulary.yaml's (checked by
# the file's own validation just before) and the languages' (checked by theirs), joined into
# fixed constructs; compiling the joined alternations again with `re` took a quarter of a second
# of every start. The one-text resolver still compiles every merged pattern with `re` in the tests.
_CHECKED = {"patterns_checked": True}


def _check_patterns(v: list[str], info: ValidationInfo) -> list[str]:
    if info.context and info.context.get("patterns_checked"):
        return v
    return check_regexes(v)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Accessories(_Strict):
    strong: list[str]
    # Strong words run as a regex of their own: joined with `strong` they overflow the regex
    # engine's fast path (one alternation of both cost 13x the two apart).
    strong_apart: list[str] = []
    # A part named right after the number of what it fits ("H100 coolers and backplates"):
    # an accessory even where a "with" word follows, which keeps a card elsewhere.
    head: list[str] = []
    weak: list[str]
    for_words: list[str]
    with_words: str

    _s = field_validator("strong", "strong_apart", "head", "weak", "for_words")(_check_patterns)


class GenericClass(_Strict):
    id: str
    name: str
    is_accelerator: bool = False  # what the class means (docs/recognition.md)
    patterns: list[str]

    _p = field_validator("patterns")(_check_patterns)


class AiSystems(_Strict):
    systems: list[str]
    carrying: list[str]
    parts: list[str] = []  # "server CPUs": the system word qualifies a part
    parts_unless: list[str] = []  # ... unless a GPU or accelerator word stands beside it

    _p = field_validator("systems", "carrying", "parts", "parts_unless")(_check_patterns)


class Misread(_Strict):
    """Letters typed or OCR-read for digits inside a model number, and the brand words that
    vouch for such a number (:mod:`chipcustoms.recognise.numbers`)."""

    letters: dict[str, str] = {}  # "o" -> "0": the letter and the digit it stands for
    brands: list[str] = []

    _p = field_validator("brands")(_check_patterns)

    @field_validator("letters")
    @classmethod
    def _one_letter_one_digit(cls, v: dict[str, str]) -> dict[str, str]:
        for letter, digit in v.items():
            if not (len(letter) == 1 and letter.isalpha() and letter.islower()):
                raise ValueError(f"misread letter {letter!r}: one lower-case letter")
            if not (len(digit) == 1 and digit.isdigit()):
                raise ValueError(f"misread digit {digit!r} for {letter!r}: one digit")
        return v


class LookalikeMakers(_Strict):
    """Makers whose name licenses a bare number (brand words) and the catalog vendors whose
    chips they sell: before any other vendor's number, their name is their own product's."""

    brands: list[str] = []
    sells: list[str] = []  # catalog vendor keys (the vendor files' ``vendor``)

    _p = field_validator("brands")(_check_patterns)


class VocabularyFile(_Strict):
    version: str
    hints: list[str]
    bare_hints: list[str] = []  # let a bare model number be a chip, not GPU words themselves
    # More of them, run as a regex of their own: one more word joined with the list above
    # leaves the regex engine's fast path (one pass of the union took 9x as long).
    bare_hints_apart: list[str] = []
    digit_numbers: list[str] = []  # all-digit numbers ("4090") read as a bare model number
    # Product lines of another kind with their number ("ThinkStation P800"): not searched for
    # model numbers (docs/recognition.md, precision round).
    lookalike_series: list[str] = []
    lookalike_makers: LookalikeMakers = LookalikeMakers()
    misread: Misread = Misread()  # "A1OO": letters for digits, read beside a brand word only
    hs_prefixes: list[str]
    hs_chapters: list[str]
    accessories: Accessories
    exclusions: list[str]
    # The languages' devices (languages.py): a regex of their own, since Polars' engine slows
    # down tenfold on one joining a large alternation of other scripts with the patterns above.
    exclusions_scripts: list[str] = []
    exclusions_apart: list[str] = []  # likewise apart, for speed (see Accessories.strong_apart)
    generic: list[GenericClass]
    system_words: list[str]
    ai_systems: AiSystems
    brand_words: list[str]
    # Goods nouns and memory types stripped from an alias for a bare number of 3-4 digits only.
    alias_nouns: list[str] = []
    # Another maker's product number before which a letter and a digit is its generation.
    generation_suffixes: list[str] = []
    system_hs: list[str]
    not_ai: list[str]
    # Integrated graphics (a CPU's or SoC's GPU): vetoes the plain-graphics class, a named model
    # is still read (docs/recognition.md, round 12).
    not_graphics: list[str] = []

    _p = field_validator(
        "hints",
        "bare_hints",
        "bare_hints_apart",
        "digit_numbers",
        "lookalike_series",
        "exclusions",
        "exclusions_scripts",
        "exclusions_apart",
        "system_words",
        "brand_words",
        "alias_nouns",
        "generation_suffixes",
        "not_ai",
        "not_graphics",
    )(_check_patterns)

    @model_validator(mode="after")
    def _one_meaning_per_id(self) -> VocabularyFile:
        """A generic id may have several entries (order decides), but one meaning."""
        meaning: dict[str, bool] = {}
        for g in self.generic:
            if meaning.setdefault(g.id, g.is_accelerator) != g.is_accelerator:
                raise ValueError(f"generic class {g.id!r} both counts and does not")
        return self


def union(patterns: list[str]) -> str:
    """One alternation of several patterns (each kept in its own group)."""
    return "|".join(f"(?:{p})" for p in patterns)


@dataclass(frozen=True)
class Vocabulary:
    """The YAML, joined into the few regexes the resolver runs."""

    version: str
    hint: str
    alias_noun: str  # matches nothing where the vocabulary lists none
    bare_hint: str  # matches nothing where the vocabulary lists no bare hints
    digit_number: str  # likewise where it lists no all-digit numbers
    hs_prefixes: tuple[str, ...]
    hs_chapters: tuple[str, ...]
    accessory_strong: str
    accessory_strong_apart: str  # matches nothing where the vocabulary lists none
    accessory_weak: str
    accessory_head: str  # matches nothing where the vocabulary lists none
    for_words: str
    with_words: str
    exclusion: str
    # (id, name, patterns), first match wins; the patterns are run one by one, because one
    # alternation of them all is too large for the regex engine's fast path.
    generic: tuple[tuple[str, str, tuple[str, ...]], ...]
    system_word: str
    counting_generic: frozenset[str]  # generic ids whose lines are accelerators
    ai_system: tuple[str, str]  # (system words, AI-compute words): both on one line
    # (part words, GPU words): "server CPUs" is a part, not a system, unless a GPU word is there;
    # None where the vocabulary lists no part words.
    ai_system_parts: tuple[str, str] | None
    ai_id: str  # the generic id such a line gets
    brand_word: str
    system_hs: tuple[str, ...]
    not_ai: str  # words that veto the counting generic classes (mining)
    exclusion_scripts: str = r"$^"  # the languages' devices, run as a regex of their own
    exclusion_apart: str = r"$^"  # the exclusions kept apart for speed
    bare_hint_apart: str = r"$^"  # the bare hints kept apart for speed
    not_graphics: str = r"$^"  # words that veto the plain-graphics classes (integrated GPUs)
    misread_letters: tuple[tuple[str, str], ...] = ()  # ("o", "0"): a letter read as a digit
    misread_brand: str = r"$^"  # the brand words that let such a number be read
    hints: tuple[str, ...] = ()  # the patterns joined in ``hint``, to run one by one
    lookalike_series: str = r"$^"  # another product line's name and number, not searched
    lookalike_makers: str = r"$^"  # makers who number their own products like chips ...
    lookalike_sells: tuple[str, ...] = ()  # ... and the catalog vendors whose chips they sell
    generation_suffix: str = r"$^"  # a product number whose "A2" / "V7" after it is no chip


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Load and validate the vocabulary (default: the bundled one)."""
    path = path or VOCABULARY_FILE
    load_validated(
        path,
        VocabularyFile,
        section="generic",
        expected="a mapping (hints, accessories, generic...)",
    )
    # Valid on its own, then with the languages of trade added to its groups (languages.py).
    vf = VocabularyFile.model_validate(merge(load_yaml(path)), context=_CHECKED)
    files = (LANGUAGES_FILE, MISSPELLINGS_FILE, LETTER_NAMES_FILE, FUZZY_FILE)
    words = b"".join(f.read_bytes() for f in files)
    digest = hashlib.sha256(path.read_bytes() + words).hexdigest()[:10]
    # A system word with an AI-compute word beside it outranks every wording class.
    ai_id = next(g.id for g in vf.generic if g.is_accelerator)
    return Vocabulary(
        version=f"{vf.version}#{digest}",
        hint=union(vf.hints),
        hints=tuple(vf.hints),
        alias_noun=union(vf.alias_nouns or [r"$^"]),
        bare_hint=union(vf.bare_hints or [r"$^"]),
        digit_number=union(vf.digit_numbers or [r"$^"]),
        hs_prefixes=tuple(vf.hs_prefixes),
        hs_chapters=tuple(vf.hs_chapters),
        accessory_strong=union(vf.accessories.strong),
        accessory_strong_apart=union(vf.accessories.strong_apart or [r"$^"]),
        accessory_weak=union(vf.accessories.weak),
        accessory_head=union(vf.accessories.head or [r"$^"]),
        for_words=union(vf.accessories.for_words),
        with_words=vf.accessories.with_words,
        exclusion=union(vf.exclusions),
        generic=tuple((g.id, g.name, tuple(g.patterns)) for g in vf.generic),
        system_word=union(vf.system_words),
        counting_generic=frozenset(g.id for g in vf.generic if g.is_accelerator),
        ai_system=(union(vf.ai_systems.systems), union(vf.ai_systems.carrying)),
        ai_system_parts=(
            (union(vf.ai_systems.parts), union(vf.ai_systems.parts_unless or [r"$^"]))
            if vf.ai_systems.parts
            else None
        ),
        ai_id=ai_id,
        brand_word=union(vf.brand_words),
        system_hs=tuple(vf.system_hs),
        not_ai=union(vf.not_ai),
        exclusion_scripts=union(vf.exclusions_scripts or [r"$^"]),
        exclusion_apart=union(vf.exclusions_apart or [r"$^"]),
        bare_hint_apart=union(vf.bare_hints_apart or [r"$^"]),
        not_graphics=union(vf.not_graphics or [r"$^"]),
        misread_letters=tuple(sorted(vf.misread.letters.items())),
        misread_brand=union(vf.misread.brands or [r"$^"]),
        lookalike_series=union(vf.lookalike_series or [r"$^"]),
        lookalike_makers=union(vf.lookalike_makers.brands or [r"$^"]),
        lookalike_sells=tuple(vf.lookalike_makers.sells),
        generation_suffix=union(vf.generation_suffixes or [r"$^"]),
    )
