"""How a one-word acronym relates to the initials of a longer name.

Lists write an organisation's acronym with the initials of its small words as often as without
them: "BOC" for "Bank of China", "BOT" for "Bank of Taiwan", "IRGC" for "Islamic Revolutionary
Guard Corps". The normalised name has lost its stopwords, so the acronym is read against the
initials of the words kept, with up to ``MAX_SMALL_WORDS`` letters of the small words ("of",
"and", "for", "the": ``names.yaml`` ``acronym_small_words``) inserted between two initials,
never after the last (on the OFAC list, "MAKO" then read as "Mehdi Kammoun" and "MMT" as
"Milanka Milosevic": hundreds of hits between different entries).

``acronym_key`` is what the bound and the candidate index compare: the string without any of
those letters after the first. A word that ``spells_initials`` of a name has the same key as the
name's initials (deleting the inserted letters, then every other such letter, from both leaves the
same string), so an equality of keys is a proven superset of the scorer's rule.
"""

from __future__ import annotations

import functools
import re

from rigour.text import ascii_text

from chipcustoms.parties.names import NormName, load_names_data

MAX_SMALL_WORDS = 2  # "BOTC" = "Bank of the Trade Commission"; more reads letters into noise


@functools.cache
def _small_words() -> frozenset[str]:
    return frozenset(str(w) for w in load_names_data()["acronym_small_words"])


@functools.cache
def _small_letters() -> frozenset[str]:
    return frozenset(w[0] for w in _small_words())


@functools.lru_cache(maxsize=200_000)
def small_letters(original: str) -> str:
    """The initials of the small words a name is written with ("Bank of China" -> "o"): the
    only letters an acronym of it may add to its significant words' initials ("SOL" is not
    "Step Latinamedica")."""
    words = re.findall(r"[a-z]+", ascii_text(original).casefold())
    return "".join(w[0] for w in words if w in _small_words())


def initials(tokens: tuple[str, ...]) -> str | None:
    """The initials a one-word acronym of this name spells: of its 2 to 6 words, or, where its
    last word already spells those of the words before it (the acronym in brackets beside the
    name: "Kelvara Mining Development Corporation (KMD)"), of those words only."""
    if 3 <= len(tokens) <= 7 and spells_initials(tokens[-1], "".join(t[0] for t in tokens[:-1])):
        return "".join(t[0] for t in tokens[:-1])
    return "".join(t[0] for t in tokens) if 2 <= len(tokens) <= 6 else None


@functools.lru_cache(maxsize=200_000)
def acronym_key(text: str) -> str:
    """``text`` without the small words' initials after its first letter ("boc" -> "bc")."""
    small = _small_letters()
    return text[:1] + "".join(c for c in text[1:] if c not in small)


@functools.lru_cache(maxsize=200_000)
def spells_initials(word: str, initials: str | None, allowed: str = "") -> bool:
    """``word`` is ``initials``, or ``initials`` with at most MAX_SMALL_WORDS of the letters in
    ``allowed`` (``small_letters``) inserted between two of them ("boc" / "bc" from "Bank of
    China")."""
    if not initials or word == initials:
        return word == initials
    extra = len(word) - len(initials)
    if not 0 < extra <= MAX_SMALL_WORDS or word[0] != initials[0]:
        return False
    small = _small_letters()

    @functools.cache
    def fits(i: int, j: int, left: int) -> bool:
        if i == len(word):
            return j == len(initials)
        if j < len(initials) and word[i] == initials[j] and fits(i + 1, j + 1, left):
            return True
        # a small word stands between two significant words, never last ("MMT" is no "M. M.")
        return left > 0 and j < len(initials) and word[i] in small and fits(i + 1, j, left - 1)

    if not all(word.count(c) - initials.count(c) <= allowed.count(c) for c in set(word)):
        return False

    return fits(1, 1, extra)


def name_acronym(a: NormName, b: NormName) -> str | None:
    """One name is a single word that spells the other's initials with the small words the other
    is written with ("BOC" / "Bank of China"), or those and then the initial of a legal form the
    other carries ("SMIC": Semiconductor Manufacturing International Corporation; the bound
    allows any last letter, ``bound_vocab.trimmed``)."""
    for x, y in ((a, b), (b, a)):
        w = x.tokens[0] if len(x.tokens) == 1 else ""
        if len(w) < 2 or (init := initials(y.tokens)) is None:
            continue
        allowed = small_letters(y.original)
        if spells_initials(w, init, allowed):
            return w
        forms = {f[0] for f in y.legal_forms}
        if len(w) >= 3 and w[-1] in forms and spells_initials(w[:-1], init, allowed):
            return w
    return None
