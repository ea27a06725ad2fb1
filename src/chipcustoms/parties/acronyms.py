"""How a one-word acronym relates to the initials of a longer name.

Lists write an organisation's acronym with the initials of its small words as often as without
them: "BOC" for "Bank of China", "BOT" for "Bank of Taiwan", "IRGC" for "Islamic Revolutionary
Guard Corps". The normalised name has lost its stopwords, so the acronym is read against the
initials of the words kept, with up to ``MAX_SMALL_WORDS`` letters of the small words ("of",
"and", "for", "the": ``names.yaml`` ``acronym_small_words``) inserted after its first letter.

``acronym_key`` is what the bound and the candidate index compare: the string without any of
those letters after the first. A word that ``spells_initials`` of a name has the same key as the
name's initials (deleting the inserted letters, then every other such letter, from both leaves the
same string), so an equality of keys is a proven superset of the scorer's rule.
"""

from __future__ import annotations

import functools

from chipcustoms.parties.names import load_names_data

MAX_SMALL_WORDS = 2  # "BOTC" = "Bank of the Trade Commission"; more reads letters into noise


@functools.cache
def _small_letters() -> frozenset[str]:
    return frozenset(str(w)[0] for w in load_names_data()["acronym_small_words"])


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
def spells_initials(word: str, initials: str | None) -> bool:
    """``word`` is ``initials``, or ``initials`` with at most MAX_SMALL_WORDS small-word
    initials inserted after the first letter ("boc" / "bc" from "Bank of China")."""
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
        return left > 0 and word[i] in small and fits(i + 1, j, left - 1)

    return fits(1, 1, extra)
