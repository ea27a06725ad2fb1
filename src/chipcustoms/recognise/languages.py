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

    _p = field_validator(
        "brand", "chip", "processor", "graphics", "compute", "ai", "ai_abbr", "server", "devices"
    )(check_regexes)


class LanguagesFile(_Strict):
    version: str
    languages: list[Language]
    architectures: list[str] = []  # an architecture name beside one of its own model numbers

    _p = field_validator("architectures")(check_regexes)


def _alt(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")" if patterns else r"(?:$^)"


def _pool(langs: list[Language], field: str) -> list[str]:
    return [p for lang in langs for p in getattr(lang, field)]


# Card nouns of the Latin and Cyrillic scripts that "AI" may qualify ("KI-Karte", "ИИ карта").
_CARDS = r"\b(?:kart\w*|kort\w*|kaart\w*|kártyá?\w*|cartes?|tarjetas?|schede?|placas?|kad|карт\w*)"
# Written the English way in every script: "AI 칩", "çip AI", "एआई चिप" after the split.
_AI_LATIN = r"\bai\b"
_GPU = r"\bgpus?\b"
# The chip, processor, accelerator and server nouns of vocabulary.yaml (English, Russian), which
# AI words of any language may qualify too ("mesterséges intelligencia chipek", "чипи ШІ").
_SHARED = r"\b(?:chip\w*|microchip\w*|processors?|accelerators?|servers?|чип\w*|процессор|ускорител|сервер)"


def merge(raw: dict[str, object], path: Path | None = None) -> dict[str, object]:
    """``raw`` (vocabulary.yaml as loaded) with the languages file's words added to its groups:
    hints, bare hints, exclusions, the AI-compute and plain-graphics wording classes, and the
    AI-system words. Raises :class:`chipcustoms.errors.ReferenceDataError` on a bad file."""
    lf = load_validated(
        path or LANGUAGES_FILE,
        LanguagesFile,
        section="languages",
        expected="a mapping (version, languages)",
    )
    langs = lf.languages
    chip, server, graphics, compute = (
        _pool(langs, f) for f in ("chip", "server", "graphics", "compute")
    )
    ai, abbr = _alt(_pool(langs, "ai")), _alt([_AI_LATIN, *_pool(langs, "ai_abbr")])
    nouns = _alt(
        [*chip, *_pool(langs, "processor"), *server, *graphics, *compute, _CARDS, _GPU, _SHARED]
    )
    out = dict(raw)
    out["hints"] = [
        *_list(raw, "hints"),
        *(_alt([*lang.brand, *lang.chip, *lang.graphics, *lang.compute]) for lang in langs),
        *lf.architectures,
    ]
    out["bare_hints"] = [*_list(raw, "bare_hints"), _alt(server)]
    out["exclusions"] = [*_list(raw, "exclusions"), _alt(_pool(langs, "devices"))]
    ai_wording = [
        rf"{ai}\s*(?:\S+\s+){{0,2}}?{nouns}",
        rf"{nouns}\S*\s*(?:\S+\s+){{0,3}}?{ai}",
        rf"{abbr}\s*{nouns}",
        rf"{nouns}\S*\s+(?:\S+\s+)?{abbr}",
    ]
    generic = [dict(g) for g in _list(raw, "generic")]
    counting = next(g for g in generic if g.get("is_accelerator"))
    plain = [g for g in generic if not g.get("is_accelerator")][-1]
    counting["patterns"] = [*counting["patterns"], *ai_wording, _alt(compute)]
    plain["patterns"] = [*plain["patterns"], _alt(graphics)]
    out["generic"] = generic
    systems = dict(_dict(raw, "ai_systems"))
    systems["systems"] = [*systems.get("systems", []), _alt(server)]
    systems["carrying"] = [*systems.get("carrying", []), ai, _alt([*graphics, *compute])]
    out["ai_systems"] = systems
    return out


def _list(raw: dict[str, object], key: str) -> list[object]:
    v = raw.get(key)
    return list(v) if isinstance(v, list) else []


def _dict(raw: dict[str, object], key: str) -> dict[str, object]:
    v = raw.get(key)
    return dict(v) if isinstance(v, dict) else {}
