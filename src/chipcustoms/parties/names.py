"""Name normalisation for screening: one declared or listed name -> a comparable ``NormName``.

Front companies sit one legal form, one transliteration or one abbreviation away from a listed
name, so everything that does not identify the party is taken out before comparing: Unicode
variants and scripts (rigour's ICU transliteration: Cyrillic, Arabic, Chinese pinyin), legal
forms (rigour's org-type database plus ``refdata/names/names.yaml``), honorifics and filler,
and trade abbreviations ("TECH", "INTL"). Chinese runs are transliterated as one word each
(深圳 -> "shenzhen", the way firms write it in Latin), after their legal forms are removed and
the usual company words are translated.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from rigour.names import replace_org_types_compare
from rigour.text import ascii_text, metaphone

from chipcustoms.parties.scripts import (
    arabic,
    hangul,
    has_hangul,
    korean_key,
    other_scripts,
    translit_key,
    translit_min_length,
)
from chipcustoms.refdata import REFDATA, load_yaml

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
_DROP = re.compile(r"[.'’`´]")
_SPLIT = re.compile(r"[^a-z0-9&]+")
_SLASHED = re.compile(r"\b([a-z])/([a-z])\b")  # "M/V", "M/T", "A/S": one abbreviation
_IMO = re.compile(r"^[0-9]{7}$")
# the Persian / Urdu ezafe written between hyphens ("Lashkar-e-Taiba", "Tehrik-i-Taliban"): one
# particle however it is spelt (a lone "i" or "e" between spaces may be an initial: left alone)
_EZAFE = re.compile(r"(?<=[a-z])-[ei]-(?=[a-z])")
_NUMBERED = re.compile(r"\b(?:no|nr|nos)\s*(?=\d)")  # "Dae Yang No. 7" / "Dae Yang 7"


@dataclass(frozen=True)
class NormName:
    """The comparable form of one name, and what was taken off it (shown in explanations)."""

    original: str
    tokens: tuple[str, ...]  # the core: ASCII, lower case, no legal form, abbreviations expanded
    legal_forms: tuple[str, ...]
    # spelling variants rewritten to their canonical form (``variants.yaml``): (as written,
    # canonical, family), shown in explanations
    variants: tuple[tuple[str, str, str], ...] = ()

    @property
    def core(self) -> str:
        return " ".join(self.tokens)

    @property
    def han(self) -> str:
        """The name's Chinese, Japanese and Korean characters as written (NFKC), "" if none."""
        return "".join(_CJK.findall(unicodedata.normalize("NFKC", self.original)))

    @property
    def compact(self) -> str:
        """Without spaces: "XIN YUAN" and "Xinyuan", "SiemensAG" and "Siemens AG" agree."""
        return "".join(self.tokens)

    def keys(self) -> list[str]:
        """Blocking keys for the candidate index: each token and its sound, and the compact form."""
        out = {f"t:{t}" for t in self.tokens}
        out.update(f"m:{sound(t)}" for t in self.tokens if len(t) > 2)
        if self.compact:
            out.add(f"c:{self.compact}")
        return sorted(out)


@functools.cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(REFDATA / "names" / "names.yaml")
    return data


def load_names_data() -> dict[str, Any]:
    """``refdata/names/names.yaml`` as loaded once."""
    return _data()


@functools.cache
def _variants() -> tuple[dict[str, tuple[str, str]], list[tuple[re.Pattern[str], str]]]:
    """``variants.yaml`` as a token -> (canonical, family) map, and the phrases of several
    words (country names) as whole-word patterns, longest first."""
    data = load_yaml(REFDATA / "names" / "variants.yaml")
    tokens: dict[str, tuple[str, str]] = {}
    phrases: list[tuple[str, str]] = []
    for family in ("countries", "arabic", "korean"):
        for canonical, written in data[family].items():
            for w in written:
                if " " in w:
                    phrases.append((w, str(canonical)))
                else:
                    tokens[str(w)] = (str(canonical), family)
    for syllable, pinyin in data["wade_giles"].items():
        tokens[str(syllable)] = (str(pinyin), "wade_giles")
    phrases.sort(key=lambda p: -len(p[0]))
    return tokens, [(re.compile(rf"\b{re.escape(w)}\b"), c) for w, c in phrases]


@functools.cache
def _nickname_groups() -> dict[str, str]:
    variants = load_yaml(REFDATA / "names" / "variants.yaml")
    out: dict[str, str] = {}
    for family in ("nicknames", "arabic_given", "cantonese"):  # one group a token (tests)
        data = variants[family]
        out.update({str(c): str(c) for c in data})
        out.update({str(w): str(c) for c, written in data.items() for w in written})
    return out


def nickname_group(token: str) -> str | None:
    """The full given name a nickname or name stands for ("bibi", "benjamin" -> "benjamin"),
    or None. Nicknames are not rewritten (a typo between two nicknames, "Tom" / "Tim", must
    stay a typo): the scorer pairs two tokens of one group (``compare``), and the candidate
    index keys the group (``matcher``)."""
    return _nickname_groups().get(token)


def name_key(token: str) -> str | None:
    """The key under which two person-name tokens pair as one name: a nickname's full name
    ("bibi" -> "benjamin"), a Korean syllable in either romanisation ("jeong" / "jong":
    ``scripts.korean_key``), then folded across Cyrillic romanisations (``scripts.translit_key``).
    None for another short token without a nickname group (short tokens are left to the typo
    budget, "Jang" / "Yang" are two Korean surnames). The bound and the scorer share it."""
    group = nickname_group(token)
    if group is None and (korean := korean_key(token)) is not None:
        return korean  # "jeong" / "jong": one Korean syllable in two systems
    if group is None and len(token) < translit_min_length():
        return None
    return translit_key(group or token)


def _canonical(words: list[str]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Spelling variants rewritten to their canonical form, and what was rewritten."""
    tokens, phrases = _variants()
    seen: list[tuple[str, str, str]] = []
    text = " ".join(words)
    for pattern, canonical in phrases:
        text, n = pattern.subn(canonical, text)
        if n:
            seen.append((pattern.pattern[2:-2].replace("\\", ""), canonical, "countries"))
    out = []
    for w in text.split():
        if w in tokens:
            canonical, family = tokens[w]
            seen.append((w, canonical, family))
            w = canonical
        out.append(w)
    return out, seen


@functools.cache
def _legal_phrases() -> tuple[re.Pattern[str], dict[str, str]]:
    """``names.yaml``'s legal forms of several words as one whole-word pattern (longest first)
    and what each is rewritten to."""
    forms = {str(w): str(f) for w, f in _data()["legal_phrases"].items()}
    words = "|".join(re.escape(w) for w in sorted(forms, key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\b"), forms


@functools.cache
def _theophoric_words() -> tuple[frozenset[str], frozenset[str]]:
    spec = _data()["theophoric"]
    return frozenset(spec["prefixes"]), frozenset(spec["articles"])


def _theophoric(words: list[str]) -> list[str]:
    """An Arabic theophoric name without the article inside it ("abdul al rahman" -> "abdul
    rahman"; ``names.yaml`` ``theophoric``): lists write "Abd al-Rahman", "Abdul Rahman" and
    "Abdulrahman", which then agree once spaces are ignored (``compare``'s compact form). The
    two words are not joined: "Abdul" is also a given name of its own (Afghan and Pakistani
    names: "Mohammad Abdul Abbas Akhund" / "Mohammad Abbas Akhund"), which joining would turn
    from a dropped word into a different one (tried: two synth pairs lost)."""
    prefixes, articles = _theophoric_words()
    if prefixes.isdisjoint(words):
        return words
    return [
        w
        for i, w in enumerate(words)
        if not (0 < i < len(words) - 1 and w in articles and words[i - 1] in prefixes)
    ]


def _imo(words: list[str]) -> list[str]:
    """The words "IMO 9811000" as one token, "imo9811000": a vessel's identifier, which the scorer
    pairs only with itself and which costs little when one name leaves it out. A seven-digit
    number without "IMO" whose check digit is right is read as one too ("Ocean Pearl 9123456"):
    lists and manifests drop the letters, and only one number in ten passes the check by chance."""
    out: list[str] = []
    for w in words:
        if out and out[-1] == "imo" and _IMO.match(w):
            out[-1] = f"imo{w}"
        elif _IMO.match(w) and imo_checks(w):
            out.append(f"imo{w}")
        else:
            out.append(w)
    return out


def imo_checks(digits: str) -> bool:
    """The IMO number's check: the first six digits weighted 7 down to 2, summed, end in the
    seventh (9074729: 9*7 + 0*6 + 7*5 + 4*4 + 7*3 + 2*2 = 139)."""
    return sum(int(d) * (7 - k) for k, d in enumerate(digits[:6])) % 10 == int(digits[6])


def _flags(text: str) -> str:
    """A vessel's flag beside its name taken off ("Panama-flagged", "flag of Panama", "(Panama
    flag)"): the country words of ``countries`` next to ``flag_words`` only, so "Red Flag
    Trading" keeps its name."""
    countries, flag = vocab("countries"), "|".join(sorted(vocab("flag_words"), key=len)[::-1])

    def drop(m: re.Match[str]) -> str:
        return " " if (m.group(1) or m.group(2)) in countries else m.group(0)

    pattern = rf"\b(?:([a-z]+)[\s-]+(?:{flag})|(?:{flag})\s+(?:of\s+)?([a-z]+))\b"
    return re.sub(pattern, drop, text)


def _once(words: list[str]) -> list[str]:
    """A name written twice, once in Latin and once in its own script ("Kim Jong-un (김정은)",
    "Huawei (华为)"), said once: the repeat says nothing more. Single repeated words stay
    ("Abdullahi Mohamed Mohamed Caddow": a repeated given name is part of the name)."""
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        return words[:half]
    return words


def joins(tokens: tuple[str, ...], other: tuple[str, ...]) -> list[tuple[str, str]]:
    """Two adjacent tokens of ``tokens`` that the other name writes as one word ("Xiao Ping" /
    "Xiaoping", "Ahmadi Nejad" / "Ahmadinejad", "Abdul Rahman" / "Abdulrahman"): each half of
    2+ letters, the joined word exactly a token of ``other`` that neither half is, and not a
    generic word (so the joined name never weighs less than its halves, which ``bound.py``
    assumes; ``bound_vocab.join_ids`` finds the same pairs)."""
    have = set(other)
    return [
        (x, y)
        for x, y in itertools.pairwise(tokens)
        if min(len(x), len(y)) >= 2
        and x + y in have
        and x not in have
        and y not in have
        and x + y not in vocab("generic_words")
    ]


def join_words(tokens: tuple[str, ...], pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    """``tokens`` with each of ``pairs`` (adjacent, from ``joins``) written as one word."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) in pairs:
            out.append(tokens[i] + tokens[i + 1])
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


def english_spelling(a: str, b: str) -> bool:
    """``a`` and ``b`` are one English word in British and American spelling ("defence" /
    "defense", "organisation" / "organization"): ``names.yaml``'s ``english_endings``. Such
    words share their first four letters (the endings differ), so others are out at once."""
    return a[:4] == b[:4] and any(
        u[: -len(x)] == v[: -len(y)] and u.endswith(x) and v.endswith(y)
        for x, y in _data()["english_endings"]
        for u, v in ((a, b), (b, a))
    )


def is_imo(token: str) -> bool:
    return token.startswith("imo") and _IMO.match(token[3:]) is not None


@functools.cache
def vocab(name: str) -> frozenset[str]:
    """One word list of ``names.yaml`` as a set (the scorer's generic words, countries...)."""
    return frozenset(str(w) for w in _data()[name])


@functools.cache
def sound(token: str) -> str:
    """Metaphone key: "Tayota" and "Toyota" share one, so a typo still finds its candidate."""
    return metaphone(token) or token


@functools.cache
def data_version() -> str:
    return str(_data()["version"])


def _cjk(run: re.Match[str]) -> str:
    text = run.group(0)
    d = _data()
    for form in sorted(d["cjk_legal_forms"], key=len, reverse=True):
        text = text.replace(form, " ")
    for word, english in sorted(d["cjk_words"].items(), key=lambda kv: -len(kv[0])):
        text = text.replace(word, f" {english} " if english.strip() else " ")
    parts = []
    for piece in text.split():
        if piece.isascii():
            parts.append(piece)
        elif has_hangul(piece):  # a personal name as three words, like lists write it
            parts.append(hangul(piece))
        else:
            parts.append(ascii_text(piece).replace(" ", ""))
    return " " + " ".join(parts) + " "


@functools.lru_cache(maxsize=1_000_000)
def normalize(name: str) -> NormName:
    """The comparable form of ``name``; cached, since party names repeat heavily."""
    d = _data()
    text = unicodedata.normalize("NFKC", name).casefold()
    if text.count(",") == 1:  # "MADURO MOROS, Nicolas": the list's family-name-first form,
        family, given = text.split(",")  # read in the name's own order (the alignment is free
        text = f"{given} {family}"  # of order, but which part sits where is not: name_parts)
    text = _CJK.sub(_cjk, text)
    if not text.isascii():
        text = other_scripts(arabic(text))
    if not text.isascii():  # forms spelt with accents: "beschränkter Haftung" -> gmbh
        text = replace_org_types_compare(text)
    text = ascii_text(text).lower()
    text = _DROP.sub("", _SLASHED.sub(r"\1\2", text)).replace("&", " and ")  # "AT&T" / "AT and T"
    if "flag" in text:
        text = _flags(text)
    if "-" in text:
        text = _EZAFE.sub(" e ", text)
    if "n" in text:
        text = _NUMBERED.sub(" ", text)
    text = replace_org_types_compare(" ".join(_SPLIT.split(text)).strip())
    phrases, phrase_forms = _legal_phrases()  # "sp z oo" -> "spzoo"
    text = phrases.sub(lambda m: phrase_forms[m.group(0)], text)
    stop, forms, abbr = vocab("stopwords"), vocab("legal_forms"), d["abbreviations"]
    raw = [abbr.get(t, t) for t in _SPLIT.split(text) if t]
    words, seen = _canonical(_imo([w for t in raw for w in t.split()]))
    words = _theophoric(words)
    core = _once([w for w in words if w not in stop and w not in forms])
    legal = tuple(w for w in words if w in forms)
    if len(core) >= 3 and core[0] in d["vessel_prefixes"]:  # "MV Ever Given"
        core, legal = core[1:], (core[0], *legal)
    if not core:  # a name made only of form words ("Holding Company") keeps them
        core = [w for w in words if w not in stop] or words
    variants = tuple(v for v in seen if v[1] in core)
    return NormName(name, tuple(core), legal, variants)
