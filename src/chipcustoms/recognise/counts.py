"""The wording of a count of accelerators carried by one item (`refdata/resolver/counts.yaml`).

Why a file of its own: which numbers are units per item and which are a quantity of items is
data (per language, per measure word), and both resolvers (the batch one in `evidence.py`, the
one-text one in `row_resolver.py`) must read the same patterns in the same order.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, field_validator

from chipcustoms.refdata import REFDATA, check_regexes, load_validated

COUNTS_FILE = REFDATA / "resolver" / "counts.yaml"


class Counts(BaseModel):
    """The patterns in the order they are tried; each has one group, the count (a number
    word's group is a key of ``number_words``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    any_line: list[str]
    system: list[str]
    words: list[str]
    quantity: list[str]
    number_words: dict[str, int]

    _p = field_validator("any_line", "system", "words", "quantity")(check_regexes)

    @property
    def digits(self) -> list[str]:
        """The digit patterns of a system's line, in order: any-line ones first."""
        return [*self.any_line, *self.system]

    @property
    def quantity_regex(self) -> str:
        """One regex: a number that counts servers, not the GPUs in one."""
        return "|".join(f"(?:{p})" for p in self.quantity)

    @property
    def word_counts(self) -> dict[str, str]:
        """Number word -> its count as digits (cast like an extracted digit count)."""
        return {w: str(n) for w, n in self.number_words.items()}


@cache
def load_counts() -> Counts:
    """The counts file, validated once; raises ReferenceDataError on a bad file."""
    return load_validated(COUNTS_FILE, Counts, expected="a mapping (any_line, system, words)")
