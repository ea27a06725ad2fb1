"""The fuzzy reading of a model name: which catalogued alias a text misspells, if one.

Why its own rule: a fuzzy match scores an alias against the whole text, so an alias that *adds*
a word the text does not carry can win ("Ascend 950" scored against "ascend 950 pr", "GeForce
RTX 6000" against "rtx 6000 ada"). Where the number is in one model's aliases only, the words
an alias adds change nothing ("NVIDIA L40G 24GB" is the "nvidia l40g 24gb gddr6"). Where it is
in several models' aliases, a word after the model number is the variant ("PR", "Ada", "Ti";
GPU words and memory sizes are no variant): a text that does not write it names the generation,
and where the catalog has the generation only as variants, or as models that differ in a word
the text does not carry ("Quadro RTX 6000", "RTX PRO 6000"), the answer is no model: the
wording's generic class, with the candidates as evidence (:func:`unnamed_reason`). A word before
the number may be supplied ("GeForce 3090" is the "geforce rtx 3090") while the candidates agree
on one model, and a misspelt word ("Quaddro") still counts as written. The model number itself
must be verbatim (:func:`model_tokens`). Shared by the batch and the one-text path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import polars as pl
from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz

from chipcustoms.recognise.vocabulary import FUZZY_FILE
from chipcustoms.refdata import load_validated

FUZZY_CUTOFF = 75.0  # the model number itself must be verbatim (see model_tokens)
UNNAMED = "a name it does not write in full, one of:"  # the reason's note, both paths
_NEAR = 80.0  # a word of 4+ letters this close to a text's word is that word misspelt


def model_tokens(alias: str) -> set[str]:
    """The alias's tokens with a digit ("h100"): a fuzzy match needs them verbatim."""
    return {t for t in alias.split() if any(ch.isdigit() for ch in t)}


@dataclass(frozen=True)
class FuzzyReading:
    """The alias read and its score, or no alias and the models the text may mean."""

    alias: str | None
    score: float | None
    unnamed: tuple[str, ...] = ()


class FuzzyData(BaseModel):
    """The file: the words an alias may add after its number (whole-word patterns)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    plain_words: list[str]


@cache
def plain_words() -> re.Pattern[str]:
    """Words an alias may add after the number without naming a variant (refdata/resolver/
    fuzzy.yaml): what kind of goods ("gpu", "graphics card") and memory ("16gb", "gddr6")."""
    data = load_validated(FUZZY_FILE, FuzzyData, expected="a mapping (plain_words)")
    return re.compile("^(?:" + "|".join(f"(?:{p})" for p in data.plain_words) + ")$")


def _added(alias: str, tokens: set[str], plain: re.Pattern[str]) -> tuple[list[str], list[str]]:
    """The alias's words the text does not carry: (before its model number, after it less the
    plain words)."""
    words = alias.split()
    at = next(i for i, w in enumerate(words) if any(ch.isdigit() for ch in w))
    before = [w for w in words[:at] if w not in tokens]
    after = [w for w in words[at + 1 :] if w not in tokens and not plain.fullmatch(w)]
    return before, after


def _near(word: str, tokens: set[str]) -> bool:
    return len(word) >= 4 and any(fuzz.ratio(word, t) >= _NEAR for t in tokens)


def read_fuzzy(
    text: str,
    tokens: set[str],
    index: dict[str, list[str]],
    aliases: dict[str, str],
    plain: re.Pattern[str],
) -> FuzzyReading | None:
    """The fuzzy reading of one normalised ``text`` (``tokens``: its words less other product
    lines' names), from the aliases ``index`` lists under its model numbers (``plain``: see
    :func:`plain_words`); None when no alias scores. The first best-scoring alias wins among
    those that name the same model."""
    found: list[tuple[str, float]] = []
    models: set[str] = set()  # every model whose alias holds the text's number, scored or not
    for tok in tokens & index.keys():
        for alias in index[tok]:
            if not model_tokens(alias) <= tokens:
                continue
            models.add(aliases[alias])
            score = fuzz.partial_ratio(text, alias, score_cutoff=FUZZY_CUTOFF)
            if score:
                found.append((alias, score))
    if not found:
        return None
    if len(models) == 1:
        return FuzzyReading(*_best(found))  # the number is one model's: added words change nothing
    # Candidates that add no word after the number; if they mean two models, those whose added
    # words are all misspelt in the text.
    named = [(a, s) for a, s in found if not _added(a, tokens, plain)[1]]
    if len({aliases[a] for a, _ in named}) > 1:
        named = [
            (a, s) for a, s in named if all(_near(w, tokens) for w in _added(a, tokens, plain)[0])
        ]
    ids = {aliases[a] for a, _ in named}
    if len(ids) == 1:
        best = _best(found)
        return FuzzyReading(*(best if aliases[best[0]] in ids else _best(named)))
    return FuzzyReading(None, None, tuple(sorted({aliases[a] for a, _ in found})))


def _best(found: list[tuple[str, float]]) -> tuple[str, float]:
    best = found[0]
    for alias, score in found[1:]:
        if score > best[1]:
            best = (alias, score)
    return best


def unnamed_reason(d: pl.DataFrame) -> pl.DataFrame:
    """Resolved rows whose fuzzy step found only models the text does not name (``__f_unnamed``)
    and that resolved to no model (a generic class or nothing): the candidates as evidence, in
    the reason and in ``resolution_others``."""
    unnamed = pl.col("__f_unnamed")
    method = pl.col("resolution_method")
    show = unnamed.is_not_null() & (method.is_null() | (method == "generic"))
    return d.with_columns(
        pl.when(show)
        .then(pl.format(f"{{}}; {UNNAMED} {{}}", "resolution_reason", unnamed))
        .otherwise(pl.col("resolution_reason"))
        .alias("resolution_reason"),
        pl.when(show)
        .then(unnamed)
        .otherwise(pl.col("resolution_others"))
        .alias("resolution_others"),
    )


def unnamed_reason_row(out: dict[str, object], unnamed: str | None) -> None:
    """:func:`unnamed_reason` for one resolved row (the one-text resolver), in place."""
    if unnamed is not None and out["resolution_method"] in (None, "generic"):
        out["resolution_reason"] = f"{out['resolution_reason']}; {UNNAMED} {unnamed}"
        out["resolution_others"] = unnamed
