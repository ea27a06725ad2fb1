"""Romanisation for the scripts where the generic transliteration misses the usual spelling.

rigour's ICU transliteration is right for Cyrillic and Chinese, but two scripts need help
before names written in them meet the same names written in Latin:

- **Hangul** is rendered in the Revised Romanization run together ("김정은" -> "gimjeong-eun")
  while sanctions lists write North Korean names in McCune-Reischauer without diacritics
  ("Kim Jong Un"). Syllables are decomposed arithmetically (Unicode's composition formula) and
  spelt from the tables in ``refdata/names/scripts.yaml``; a three-syllable run (family name and
  two-syllable given name, by far the usual shape) becomes three words, as lists write it.
  Its syllables in the Revised Romanization ("Jeong", "Eun") share a key with these
  (``korean_key``), so the scorer pairs them.
- **Cyrillic** names reach Latin through several national systems ("Yevgeny", "Jewgeni",
  "Evgueni"): ``translit_key`` folds the families' differences (``transliteration`` rules) so
  that the scorer can pair two spellings of one name.
- **Arabic** has no short vowels, and ICU writes ayn as "?" (which then splits the word in two:
  "معمر" -> "m" "mr"). The article is split off its noun and a few letters are replaced with
  the vowel Latin spellings give them before the transliteration runs; a token read from it
  then meets a Latin spelling on its consonants (``skeleton``: "qdhafy" / "gaddafi").
"""

from __future__ import annotations

import functools
import re
from typing import Any

from anyascii import anyascii

from chipcustoms.refdata import REFDATA, load_yaml

_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_ARABIC = re.compile(r"[\u0600-\u06ff]+")
_ABJAD = re.compile(r"[\u0590-\u06ff]")  # Hebrew and Arabic: scripts that write no short vowels


@functools.cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(REFDATA / "names" / "scripts.yaml")
    return data


def _syllable(ch: str) -> str:
    h = _data()["hangul"]
    code = ord(ch) - 0xAC00
    return str(
        h["initials"][code // 588] + h["medials"][(code % 588) // 28] + h["finals"][code % 28]
    )


def hangul(run: str) -> str:
    """Hangul in Latin letters: "김정은" -> "kim jong un", "삼성" -> "samsong"."""
    h = _data()["hangul"]
    if not _HANGUL.fullmatch(run):
        return run
    parts = [_syllable(c) for c in run]
    if len(run) != h["name_syllables"]:
        return "".join(parts)
    return " ".join([str(h["surnames"].get(run[0], parts[0])), *parts[1:]])


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def has_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


def has_abjad(text: str) -> bool:
    """Written in Arabic or Hebrew script, which write no short vowels: such a name meets its
    Latin spelling on consonant skeletons ("נתניהו" -> "ntnyhw" / "Netanyahu")."""
    return _ABJAD.search(text) is not None


@functools.cache
def _other_scripts() -> re.Pattern[str]:
    ranges = "".join(f"\\u{lo}-\\u{hi}" for lo, hi in _data()["other_scripts"].values())
    return re.compile(f"[{ranges}\\u200c\\u200d]+")  # with the zero-width joiners inside words


def other_scripts(text: str) -> str:
    """Runs of the scripts ICU does not romanise in Latin letters (anyascii): "ហ៊ុន សែន" ->
    "hon saen" where the transliteration gave "?? ???"."""
    return _other_scripts().sub(lambda m: anyascii(m.group(0)), text)


@functools.cache
def _korean_syllables() -> frozenset[str]:
    """Every Hangul syllable as ``hangul`` spells it (McCune-Reischauer without diacritics)."""
    return frozenset(_syllable(chr(0xAC00 + k)) for k in range(11172))


@functools.lru_cache(maxsize=500_000)
def korean_key(token: str) -> str | None:
    """One key for a Korean syllable in McCune-Reischauer and in the Revised Romanization, whose
    "eo" and "eu" are McCune-Reischauer's o and u once its breves are dropped ("Jeong" /
    "Jong", "Eun" / "Un", "Cheol" / "Chol"); None where the folded token spells no Korean
    syllable (``scripts.yaml`` ``korean_fold``)."""
    for a, b in _data()["korean_fold"]:
        token = token.replace(a, b)
    return token if token in _korean_syllables() else None


@functools.cache
def _skeleton_rules() -> tuple[list[tuple[str, str]], str, int]:
    sk = _data()["skeleton"]
    return [(str(a), str(b)) for a, b in sk["rules"]], str(sk["drop"]), int(sk["max_vowels"])


@functools.lru_cache(maxsize=500_000)
def skeleton(token: str) -> str | None:
    """A token's consonants, letter groups that spell one sound folded ("qdhafy", "gaddafi"
    -> "kdf"); None where fewer than two are left (or the token is a number)."""
    rules, drop, _ = _skeleton_rules()
    for a, b in rules:
        token = token.replace(a, b)
    out = re.sub(r"(.)\1+", r"\1", "".join(c for c in token if c not in drop))
    return out if len(out) >= 2 and not out.isdigit() else None


def vowel_poor(token: str) -> bool:
    """Few enough vowels to have been read from the Arabic script ("bshar", "mhmd")."""
    return sum(c in "aeiou" for c in token) <= _skeleton_rules()[2] and not token.isdigit()


def _arabic_word(m: re.Match[str]) -> str:
    a = _data()["arabic"]
    word = m.group(0)
    article = str(a["article"])
    if word.startswith(article) and len(word) > len(article) + 1 and word not in a["not_article"]:
        word = f"{article} {word[len(article) :]}"
    return "".join(a["letters"].get(c, c) for c in word)


def arabic(text: str) -> str:
    """Arabic words made ready for the transliteration (article apart, vowel letters)."""
    return _ARABIC.sub(_arabic_word, text)


@functools.cache
def _translit_rules() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(a), str(b)) for a, b in _data()["transliteration"]["rules"]]


def translit_min_length() -> int:
    return int(_data()["transliteration"]["min_length"])


@functools.lru_cache(maxsize=500_000)
def translit_key(token: str) -> str:
    """One key for the Latin spellings of one Cyrillic or Arabic name: "yevgeny", "jewgeni",
    "evgeniy" -> "ivgini"; "fyodor", "fedor" -> "fidur"; "obaidi", "ubaydi" -> "ubaidi" (the
    vowels Arabic does not write are folded, o / u and e / i). Doubled letters are single."""
    for pattern, repl in _translit_rules():
        token = pattern.sub(repl, token)
    return re.sub(r"(.)\1+", r"\1", token)
