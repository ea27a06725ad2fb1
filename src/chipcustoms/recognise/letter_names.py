"""Latin letters written by their names in another script: "إنفيديا إتش 100" (NVIDIA H100),
"एच 20" (H20), "এইচ-২০" (H20), "эйч 100".

Why a step of its own: a model number's letters are Latin in every catalog, but news and
trade texts in Arabic, Persian, Hindi, Bengali, Thai or Russian often spell them as spoken, so
the alias step sees a word of the other script and a bare number. A run of letter names (the
table of refdata/resolver/letter_names.yaml, one source per script) directly before a number is
read as the Latin letters glued to it, only where that spelling is a catalogued model number and one
model is reached; every later step then judges "h100" as it judges a Latin "H100" (a bare "H20"
still needs its GPU word, brand or HS code). It runs on the normalised text, where a letter
name and a number glued in the source ("এইচ২০০") are already two tokens, and is applied by
:class:`misspelling.Misspellings` so the batch and the one-text path share it.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from pydantic import BaseModel, ConfigDict

from chipcustoms.recognise.distinct import rewritten
from chipcustoms.recognise.textnorm import normalise_text
from chipcustoms.recognise.vocabulary import LETTER_NAMES_FILE
from chipcustoms.refdata import load_validated

_MAX_RUN = 3  # letters before a catalogued number ("gb200", "rtx4090"): never more than three


class ScriptLetters(BaseModel):
    """One script's letter names and the page they come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str
    letters: dict[str, list[str]]


class LetterNameData(BaseModel):
    """The file: scripts by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    scripts: dict[str, ScriptLetters]


@cache
def load_letter_names() -> LetterNameData:
    """The letter-name file, validated once; raises ReferenceDataError on a bad file."""
    return load_validated(LETTER_NAMES_FILE, LetterNameData, expected="a mapping (scripts)")


class LetterNames:
    """Letter-name runs before a number, read as catalogued model numbers."""

    def __init__(self, aliases: dict[str, str], data: LetterNameData | None = None) -> None:
        data = data or load_letter_names()
        # A name as normalised text (its words apart) -> the Latin letters it may stand for.
        self._names: dict[tuple[str, ...], set[str]] = {}
        for script in data.scripts.values():
            for letter, names in script.letters.items():
                for name in names:
                    words = tuple(normalise_text(name).split())
                    if words:
                        self._names.setdefault(words, set()).add(letter)
        self._longest = max((len(n) for n in self._names), default=1)
        self._aliases = aliases
        self._first_words = sorted({n[0] for n in self._names})
        # Prefilter for the batch: a name's first word as a whole token (or a token that
        # begins with it: "дабл-ю" is normalised apart) and a digit somewhere after it.
        self._regex = (
            r"(?:^|\s)(?:" + "|".join(sorted(self._first_words, key=len, reverse=True)) + r")\s"
        )

    def _run(self, toks: list[str], i: int) -> list[tuple[int, set[str]]]:
        """The letter names that begin at token ``i``: (tokens taken, letters), longest first."""
        found = []
        for size in range(min(self._longest, len(toks) - i), 0, -1):
            letters = self._names.get(tuple(toks[i : i + size]))
            if letters:
                found.append((size, letters))
        return found

    def _reading(self, runs: list[set[str]], number: str) -> str | None:
        """The one catalogued model number the letter runs and ``number`` spell, or None (none,
        or two models reached: "بي 100" is the B100 or the P100, not guessed)."""
        spellings = {""}
        for letters in runs:
            spellings = {s + c for s in spellings for c in letters}
        found = {s + number for s in spellings if s + number in self._aliases}
        return min(found) if len({self._aliases[f] for f in found}) == 1 else None

    def correct(self, text: str) -> tuple[str, str | None]:
        """``text`` (normalised) with each letter-name run before a number read as the model
        number it spells, and the note saying what was read as what (None when nothing was)."""
        toks = text.split(" ")
        out: list[str] = []
        notes: list[str] = []
        i = 0
        while i < len(toks):
            j = i
            runs: list[set[str]] = []
            spans: list[int] = []
            while len(runs) < _MAX_RUN and j < len(toks):
                step = self._run(toks, j)
                if not step:
                    break
                size, letters = step[0]
                runs.append(letters)
                spans.append(j)
                j += size
            if runs and j < len(toks) and toks[j][:1].isdigit() and toks[j].isascii():
                for k, start in enumerate(spans):
                    model = self._reading(runs[k:], toks[j])
                    if model is not None:
                        out.extend(toks[i:start])
                        notes.append(f"'{' '.join(toks[start : j + 1])}' read as '{model}'")
                        out.append(model)
                        i = j + 1
                        break
                else:
                    out.append(toks[i])
                    i += 1
                continue
            out.append(toks[i])
            i += 1
        if not notes:
            return text, None
        return " ".join(out), "; ".join(notes)

    def frame(self, d: pl.DataFrame, column: str = "__norm") -> pl.DataFrame:
        """``d`` with ``column`` read through :meth:`correct` and the note as ``__spelt``: only
        the distinct texts holding a letter name before a space are judged in Python."""
        texts = d[column].unique().drop_nulls()
        texts = texts.filter(texts.str.contains_any(self._first_words))  # one literal pass
        hit = texts.filter(texts.str.contains(self._regex) & texts.str.contains(r"\d"))
        return rewritten(d, column, hit.to_list(), self.correct, "__spelt")
