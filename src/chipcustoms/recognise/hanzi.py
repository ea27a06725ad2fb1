"""Traditional spellings of the catalog's Simplified Chinese aliases.

Taiwanese and Hong Kong sources write the mainland makers' names in Traditional script (曦雲C600,
摩爾線程, 寒武紀), and an alias written only in Simplified characters missed them: a bare "C600" is
two makers' number, so without the family name the line had no model. The resolver adds each
alias's Traditional spelling beside it (refdata/resolver/hanzi.yaml); texts are not converted, so
the vocabulary's patterns, which list both scripts, read the text as written.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict

from chipcustoms.refdata import REFDATA, load_validated

HANZI_FILE = REFDATA / "resolver" / "hanzi.yaml"


class HanziData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    traditional: dict[str, str]


@cache
def _table() -> dict[int, str]:
    data = load_validated(HANZI_FILE, HanziData, expected="a mapping (traditional)")
    return {ord(simplified): trad for simplified, trad in data.traditional.items()}


def traditional(alias: str) -> str:
    """``alias`` in Traditional characters (unchanged where it has no Simplified one)."""
    return alias.translate(_table())
