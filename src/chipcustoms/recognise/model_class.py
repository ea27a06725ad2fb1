"""A GPU named by the class of a catalogued model (`refdata/resolver/model_class.yaml`).

"H100-class GPUs", "(H100급) GPU", "H100级" and "equivalent to the H100" name a GPU of the
H100's class, often a domestic one, not the H100: the real-world sets label such lines
``accelerator-unknown``. The number is still a catalogued one, so the alias table reads it as
the model; this module gives the pattern that says it is a class, and both resolvers act on it
the same way: the line's bare numbers are no model (``numbers.Vouching``), and the phrase is an
AI system phrase (``named_machines.ai_system_names``), so the line is ``accelerator-unknown``.
A model written with its series words ("RTX 4090") is read as written.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict

from chipcustoms.refdata import REFDATA, LanguagePatterns, load_validated

CLASS_FILE = REFDATA / "resolver" / "model_class.yaml"
# A model number as the normalised text writes it: letters then digits ("h100", "a800", "mi300x").
_NUMBER = r"[a-z]{1,3}\d{2,4}[a-z]{0,2}"


class ClassWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    after: list[LanguagePatterns]
    before: list[LanguagePatterns]


@cache
def load_class_words() -> ClassWords:
    """The bundled list, validated once."""
    return load_validated(CLASS_FILE, ClassWords, expected="a mapping (version, after, before)")


@cache
def model_class() -> str:
    """A model number with a class word after it or before it (the normalised text)."""
    words = load_class_words()
    after = "|".join(p for g in words.after for p in g.patterns)
    before = "|".join(p for g in words.before for p in g.patterns)
    return rf"\b{_NUMBER} ?(?:{after})|\b(?:{before}) (?:the |an? )?{_NUMBER}\b"
