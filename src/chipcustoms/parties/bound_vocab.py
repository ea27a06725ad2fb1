"""What the bound knows of each token: the per-token arrays of one ``upper_bounds`` call.

``bound.py`` bounds ``compare``'s score from token lengths, letter sets and similarities; a
few of ``compare``'s pairings do not follow from spelling (one nickname group or
transliteration key, one consonant skeleton, an acronym), so each token and name carries the
ids that let the bound allow them. Every id here over-approximates ``compare``: two tokens
that ``compare`` may pair by such a rule always share the id.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chipcustoms.parties.acronyms import acronym_key, initials
from chipcustoms.parties.compare import token_weight
from chipcustoms.parties.names import name_key
from chipcustoms.parties.scripts import skeleton, vowel_poor

CAP = 64  # token lengths the similarity table knows exactly

Tokens = tuple[str, ...]


@dataclass(frozen=True)
class Vocab:
    """Per-token arrays of the token ids of one ``upper_bounds`` call."""

    words: list[str]
    weight: npt.NDArray[np.float64]  # token_weight
    length: npt.NDArray[np.int64]
    digit: npt.NDArray[np.bool_]
    first: npt.NDArray[np.int64]  # the first character's code
    letters: npt.NDArray[np.uint32]  # the letter set (``letters``)
    row: npt.NDArray[np.int32]  # offsets of the length into ``bound._sim_table`` (capped at CAP)
    col: npt.NDArray[np.int32]
    nick: npt.NDArray[np.int64]  # ``names.name_key``'s id (nickname, transliteration), -1: none
    skel: npt.NDArray[np.int64]  # ``scripts.skeleton``'s id, -1: none
    poor: npt.NDArray[np.bool_]  # ``scripts.vowel_poor``

    @classmethod
    def of(cls, words: list[str]) -> Vocab:
        n = len(words)
        length = np.fromiter(map(len, words), dtype=np.int64, count=n)
        capped = np.minimum(length, CAP).astype(np.int32)
        return cls(
            words,
            np.fromiter(map(token_weight, words), dtype=np.float64, count=n),
            length,
            np.fromiter((t.isdigit() for t in words), dtype=bool, count=n),
            np.fromiter((ord(t[0]) if t else -1 for t in words), dtype=np.int64, count=n),
            np.fromiter(map(letters, words), dtype=np.uint32, count=n),
            capped * np.int32((CAP + 1) * 65),
            capped * np.int32(65),
            _group_ids(words),
            np.fromiter(
                (hash(k) & 0x7FFFFFFFFFFFFFFF if (k := skeleton(w)) else -1 for w in words),
                dtype=np.int64,
                count=n,
            ),
            np.fromiter(map(vowel_poor, words), dtype=bool, count=n),
        )

    def extend(self, words: list[str]) -> Vocab:
        """This vocabulary and ``words`` after it (the queries' new tokens)."""
        if not words:
            return self
        more = Vocab.of(words)
        return Vocab(
            self.words + more.words,
            *(
                np.concatenate([getattr(self, f), getattr(more, f)])
                for f in (
                    *("weight", "length", "digit", "first", "letters"),
                    *("row", "col", "nick", "skel", "poor"),
                )
            ),
        )


def _group_ids(words: list[str]) -> npt.NDArray[np.int64]:
    return np.fromiter(
        (hash(g) & 0x7FFFFFFFFFFFFFFF if (g := name_key(w)) else -1 for w in words),
        dtype=np.int64,
        count=len(words),
    )


def acronyms(names: Sequence[Tokens], compact: dict[str, int]) -> npt.NDArray[np.int64]:
    """The id (in ``compact``) of the ``acronym_key`` of each name's initials
    (``acronyms.initials``), or of a one-word name itself, -2: none."""
    return np.fromiter(
        (
            compact.setdefault(acronym_key(a), len(compact))
            if (a := initials(t) or (t[0] if len(t) == 1 else None))
            else -2
            for t in names
        ),
        dtype=np.int64,
        count=len(names),
    )


def trimmed(names: Sequence[Tokens], compact: dict[str, int]) -> npt.NDArray[np.int64]:
    """The id of a one-word name of 3+ letters less its last letter, -3: none. ``compare``
    reads "SMIC" as the initials of "Semiconductor Manufacturing International" and the
    initial of its legal form; the bound takes any last letter."""
    return np.fromiter(
        (
            compact.setdefault(acronym_key(t[0][:-1]), len(compact))
            if len(t) == 1 and len(t[0]) >= 3
            else -3
            for t in names
        ),
        dtype=np.int64,
        count=len(names),
    )


def nicknames(
    v: Vocab, ta: npt.NDArray[np.integer], tb: npt.NDArray[np.integer]
) -> npt.NDArray[np.bool_]:
    """Token pairs of one name key: one nickname group, or one name across transliterations
    (``compare`` pairs them at NICKNAME_SIMILARITY or TRANSLIT_SIMILARITY, never more)."""
    return (v.nick[ta] == v.nick[tb]) & (v.nick[ta] >= 0)


def skeletons(
    v: Vocab, ta: npt.NDArray[np.integer], tb: npt.NDArray[np.integer]
) -> npt.NDArray[np.bool_]:
    """Token pairs that ``compare`` may pair on their consonants (when one name is written in
    Arabic script, which the bound does not know: it assumes so)."""
    return (v.skel[ta] == v.skel[tb]) & (v.skel[ta] >= 0) & (v.poor[ta] | v.poor[tb])


def letters(token: str) -> int:
    """The set of characters of ``token`` as 32 bits (a character's code mod 32: the letters
    of a normalised token are a-z, 0-9 and "&", so only digits share a bit with letters, which
    can only make two letter sets look closer, never further apart)."""
    bits = 0
    for c in token:
        bits |= 1 << (ord(c) & 31)
    return bits


def join_ids(names: Sequence[Tokens], ids: dict[str, int], add: bool) -> npt.NDArray[np.int64]:
    """Per token (the CSR layout of ``bound._flat``), the id in ``ids`` of the token joined to
    the next one of its name ("xiao" + "ping" -> "xiaoping"), -1 for a name's last token and
    where ``add`` is false and ``ids`` has no such word. ``names.joins`` pairs a name's two
    words with one word of the other name only when the joined word is that word, so the
    bound needs only to know whether a pair holds such a word (it then allows any score)."""
    out = []
    for t in names:
        for x, y in itertools.pairwise(t):
            z = x + y
            if min(len(x), len(y)) < 2:
                out.append(-1)
            elif add:
                out.append(ids.setdefault(z, len(ids)))
            else:
                out.append(ids.get(z, -1))
        if t:
            out.append(-1)
    return np.asarray(out, dtype=np.int64)


def token_ids(names: Sequence[Tokens], ids: dict[str, int]) -> npt.NDArray[np.int64]:
    """Per token (``bound._flat``'s layout), its id in ``ids`` (a side's joined words), or -1."""
    return np.fromiter((ids.get(x, -1) for t in names for x in t), dtype=np.int64)


def joined_pairs(
    a_join: npt.NDArray[np.int64],
    a_tok: npt.NDArray[np.integer],
    b_tok: npt.NDArray[np.integer],
    a_in_b: npt.NDArray[np.int64],
    b_join: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Pairs of a ``(pairs, la)`` x ``(pairs, lb)`` block where one name's joined words
    (``a_join`` in token ids, ``b_join`` in the other side's join ids) is a word of the other
    (``b_tok``; ``a_in_b``: ``a``'s tokens in ``b``'s join ids)."""
    hit = (a_join[:, :, None] == b_tok[:, None, :].astype(np.int64)).any(axis=(1, 2))
    return hit | ((a_in_b[:, :, None] == b_join[:, None, :]) & (a_in_b[:, :, None] >= 0)).any(
        axis=(1, 2)
    )
