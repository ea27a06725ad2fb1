"""The languages of trade (refdata/resolver/languages.yaml), merged into the resolver vocabulary.

Why a file of its own: vocabulary.yaml says *what kind* of evidence a word is (hint, wording
class, system word); this file says *which words* each language uses for the few notions that
matter (brand, chip, graphics card, computing card, AI, server, laptop or phone), each language
with its dictionary source. :func:`merge` turns the per-language lists into the vocabulary's own
groups, pooled across languages so the resolver still runs a handful of regexes, not one per
language (an "AI 칩" or a "çip AI" mixes scripts anyway).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from chipcustoms.refdata import REFDATA, check_regexes, load_validated

LANGUAGES_FILE = REFDATA / "resolver" / "languages.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Language(_Strict):
    lang: str
    name: str
    source: str  # the dictionary pages the words came from
    brand: list[str] = []
    chip: list[str] = []
    processor: list[str] = []  # a noun for AI wording only: a CPU line names a processor too
    graphics: list[str] = []
    compute: list[str] = []
    ai: list[str] = []
    ai_abbr: list[str] = []
    server: list[str] = []
    devices: list[str] = []
    # advanced, high-end, cutting-edge, restricted: beside a chip, GPU or graphics card, AI
    # compute (as "high-end GPUs", "advanced AI chips" in vocabulary.yaml)
    qualifier: list[str] = []

    _p = field_validator(
        "brand",
        "chip",
        "processor",
        "graphics",
        "compute",
        "ai",
        "ai_abbr",
        "server",
        "devices",
        "qualifier",
    )(check_regexes)


class Rule(_Strict):
    """Wording no one language owns, with the reason it means what it does."""

    reason: str
    patterns: list[str]

    _p = field_validator("patterns")(check_regexes)


class LanguagesFile(_Strict):
    version: str
    languages: list[Language]
    # Systems under an export-control qualifier ("banned servers"): the counting wording class.
    qualified_systems: list[Rule] = []
    # AI-compute wording written alike in many languages (a GPU farm, an AI-only family with a
    # noun of any language, an accelerator card or flagship accelerator): the counting class.
    ai_wording: list[Rule] = []
    # A PC or phone processor's NPU ("Core Ultra with NPU", "NPU 40 TOPS"): vetoes the AI-compute
    # wording classes, as mining words do (vocabulary.yaml `not_ai`).
    consumer_npu: list[Rule] = []
    # Gaming-card chip numbers glued to their prefix ("RX580"): the plain-graphics class.
    graphics_models: list[Rule] = []
    architectures: list[str] = []  # an architecture name beside one of its own model numbers

    _p = field_validator("architectures")(check_regexes)


def union(patterns: list[str]) -> str:
    """One alternation, each pattern in its own group (as vocabulary.union)."""
    return "|".join(f"(?:{p})" for p in patterns)


def _alt(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")" if patterns else r"(?:$^)"


def _pool(langs: list[Language], field: str) -> list[str]:
    return [p for lang in langs for p in getattr(lang, field)]


# Polars' regex engine reads a pattern with a Unicode ``\b`` fast only while the pattern stays
# small; one that joins ``\b`` words with a large alternation of other scripts runs ten times
# slower. So every pooled pattern is built twice: from the words written with ``\b`` (Latin
# scripts) and from those written without (the other scripts), never the two joined.
_BOUNDED, _FREE = True, False
# Nouns of vocabulary.yaml (English, Russian) that AI words of any language may qualify too
# ("mesterséges intelligencia chipek", "чипи ШІ"), and card nouns ("KI-Karte", "ИИ карта").
_SHARED = {
    _BOUNDED: [
        r"\b(?:chip\S*|microchip\S*|gpus?|processors?|accelerators?|servers?)",
        r"\b(?:kart\S*|kort\S*|kaart\S*|kártya\S*|cartes?|tarjetas?|schede?|placas?|kad)\b",
    ],
    _FREE: [r"(?:чип|процессор|ускорител|сервер|карт)"],
}
# After a noun, AI words are read only in the languages' own nouns and the chip words: English
# "card", "server" and "GPU" lines are most lines, and vocabulary.yaml has their orders already.
_SHARED_AFTER = {
    _BOUNDED: [r"\b(?:chip\S*|microchip\S*)"],
    _FREE: [r"(?:чип|процессор|ускорител|сервер)"],
}
_AI_LATIN = r"\bai\b"  # "AI 칩", "çip AI": the English abbreviation in any language
# The same beside the scripts with no \b ("ชิป AI"): its own boundary, as their abbreviations.
_AI_FREE = r"(?:^|\s)ai"
# The nouns a qualifier makes AI compute, beside the languages' chip, graphics and compute
# words: chips, GPUs and accelerators (not processors or servers: "advanced processors" may be
# CPUs, as in English).
_SHARED_QUALIFIED = {
    _BOUNDED: [r"\b(?:chip\S*|microchip\S*|çip\S*|puces?|gpus?|accelerators?)"],
    _FREE: [r"(?:чип|ускорител)"],
}


def _split(patterns: list[str]) -> dict[bool, list[str]]:
    return {k: [p for p in patterns if ("\\b" in p) == k] for k in (_BOUNDED, _FREE)}


def merge(raw: dict[str, Any], path: Path | None = None) -> dict[str, Any]:
    """``raw`` (vocabulary.yaml as loaded) with the languages file's words added to its groups:
    hints, bare hints, exclusions, the AI-compute and plain-graphics wording classes, and the
    AI-system words (the server words only: a server with AI or GPU words is read by the wording
    patterns, in which the server is a noun). Raises
    :class:`chipcustoms.errors.ReferenceDataError` on a bad file."""
    lf = load_validated(
        path or LANGUAGES_FILE,
        LanguagesFile,
        section="languages",
        expected="a mapping (version, languages)",
    )
    langs = lf.languages
    pool = {f: _split(_pool(langs, f)) for f in Language.model_fields if f not in _META}
    out = dict(raw)
    out["hints"] = [
        *_list(raw, "hints"),
        *(_alt([*lang.brand, *lang.chip, *lang.graphics, *lang.compute]) for lang in langs),
        *lf.architectures,
    ]
    out["bare_hints"] = [*_list(raw, "bare_hints"), _alt(_pool(langs, "server"))]
    # All devices in a regex of their own: joined with vocabulary.yaml's, both run slower.
    out["exclusions_scripts"] = _pool(langs, "devices")
    wording: list[str] = []
    for k in (_BOUNDED, _FREE):
        ai = _alt(pool["ai"][k])
        abbr = _alt([_AI_LATIN if k else _AI_FREE, *pool["ai_abbr"][k]])
        own = [
            *(p for f in ("chip", "processor", "server", "graphics", "compute") for p in pool[f][k])
        ]
        nouns, after = _alt([*own, *_SHARED[k]]), _alt([*own, *_SHARED_AFTER[k]])
        patterns = [
            rf"{ai}\s*(?:\S+\s+){{0,2}}?{nouns}",
            rf"{after}\S*\s*(?:\S+\s+){{0,3}}?{ai}",
            # An abbreviation brings its own boundary where \b is not used: (?:^|\s)ші.
            rf"{abbr}\s*{nouns}",
            rf"{after}\S*(?:\s+\S+)?\s*{abbr}(?:\s|$)"
            if not k
            else rf"{after}\S*\s+(?:\S+\s+)?{abbr}",
            _alt(pool["compute"][k]),
        ]
        # A qualifier before or after the noun ("zaawansowane chipy", "puces avancées").
        if pool["qualifier"][k]:
            qual = _alt(pool["qualifier"][k])
            qualified = _alt(
                [*(p for f in ("chip", "graphics", "compute") for p in pool[f][k])]
                + _SHARED_QUALIFIED[k]
            )
            wording += [
                rf"{qual}\s*(?:\S+\s+){{0,2}}?{qualified}",
                rf"{qualified}\S*\s*(?:\S+\s+){{0,3}}?{qual}",
            ]
        # The scripts with no \b are fast joined; the Latin ones joined apart from the patterns
        # that start on a noun (those joined run six times slower).
        if k is _FREE:
            wording.append(union(patterns))
        else:
            wording += [
                union([patterns[0], patterns[2], patterns[4]]),
                rf"{after}\S*\s+(?:\S+\s+){{0,3}}?(?:{ai}|{abbr})",
            ]
    generic = [dict(g) for g in _list(raw, "generic")]
    counting = next(g for g in generic if g.get("is_accelerator"))
    plain = [g for g in generic if not g.get("is_accelerator")][-1]
    counting["patterns"] = [
        *counting["patterns"],
        *wording,
        *(p for r in lf.qualified_systems for p in r.patterns),
        *(p for r in lf.ai_wording for p in r.patterns),
    ]
    plain["patterns"] = [
        *plain["patterns"],
        *(_alt(pool["graphics"][k]) for k in (_BOUNDED, _FREE)),
        *(p for r in lf.graphics_models for p in r.patterns),
    ]
    out["generic"] = generic
    out["not_ai"] = [*_list(raw, "not_ai"), *(p for r in lf.consumer_npu for p in r.patterns)]
    systems = dict(_dict(raw, "ai_systems"))
    systems["systems"] = [*systems.get("systems", []), _alt(_pool(langs, "server"))]
    out["ai_systems"] = systems
    return out


_META = {"lang", "name", "source"}


def _list(raw: dict[str, Any], key: str) -> list[Any]:
    v = raw.get(key)
    return list(v) if isinstance(v, list) else []


def _dict(raw: dict[str, Any], key: str) -> dict[str, Any]:
    v = raw.get(key)
    return dict(v) if isinstance(v, dict) else {}
