"""Misspellings real declarations carry: a GPU word with a letter dropped, doubled or swapped
("acelerator", "GUPs"), glued words ("graphicscard"), and a model number with a letter for a
digit or a doubled / dropped character ("H1OO", "L4OS", "MI3000X").

Why a step of its own: each slip is a one-off by its text (no alias list can hold them) but the
class is one, read on the distinct *tokens* of the distinct normalised texts: a token is
rewritten to the GPU word or catalogued model number it misspells, and every later step (the
GPU-word hint, the alias, the bare-number rules) reads the corrected text as it reads a correct
one. So a corrected number still needs its GPU word, brand or HS code, and a look-alike one edit
away from a model is judged by the same rules as the model. The words and letters are data
(refdata/resolver/misspellings.yaml); a line read through a correction gets a lower confidence
and says what was read as what ("'gups' read as 'gpus'"). The one-text resolver
(``row_resolver``) calls :meth:`Misspellings.correct` on its text: the same tables, the same
answer.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

import polars as pl
from pydantic import BaseModel, ConfigDict
from rapidfuzz.distance import DamerauLevenshtein

from chipcustoms.recognise.distinct import rewritten
from chipcustoms.recognise.letter_names import LetterNames
from chipcustoms.recognise.vocabulary import MISSPELLINGS_FILE, Vocabulary
from chipcustoms.refdata import load_validated

CONFIDENCE_FACTOR = 0.9  # a line read through a correction is less sure than a correct one
CONFIDENCE_CAP = 0.85  # and no surer than a bare model number (evidence.CONF["alias_bare_hs"])
_MAX_FOLDS = 64  # a token with more confusable letters than 6 is no misread model number
# The tokens worth judging, read in Polars before any is judged in Python: letters only (a
# word), or a letter and a digit (a model number).
_WORD_SHAPE = r"^[^\W\d_]{4,}$"
_NUMBER_SHAPE = r"^\w*(?:[^\W\d_]\w*\d|\d\w*[^\W\d_])\w*$"
_CACHE = 200_000  # tokens whose correction is remembered (per resolver)


class MisspellingData(BaseModel):
    """The file: GPU words per language, spelling folds, real words kept, digit letters."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    words: dict[str, list[str]]
    folds: dict[str, str]
    keep: list[str]
    digits: dict[str, str]


@cache
def load_misspellings() -> MisspellingData:
    """The misspellings file, validated once; raises ReferenceDataError on a bad file."""
    return load_validated(MISSPELLINGS_FILE, MisspellingData, expected="a mapping (words, ...)")


class Misspellings:
    """Token corrections for one resolver's aliases; :meth:`frame` and :meth:`correct` apply
    them to the batch and to one text alike."""

    def __init__(
        self, aliases: dict[str, str], vocabulary: Vocabulary, data: MisspellingData | None = None
    ) -> None:
        data = data or load_misspellings()
        self._folds = data.folds
        # Folded key ("grafics", "graphicscard") -> the word or phrase as the vocabulary reads it.
        self._words: dict[str, str] = {}
        # A phrase is a key glued ("graphicscard") and each of its words apart ("graphique"):
        # a slip in one word of "carte graphiqe" is read back to the phrase's word.
        for phrase in (w for ws in data.words.values() for w in ws):
            self._words.setdefault(self._fold(phrase.replace(" ", "")), phrase)
            for word in phrase.split()[1:] if " " in phrase else ():
                if len(word) >= 4:
                    self._words.setdefault(self._fold(word), word)
        self._known = {w for p in self._words.values() for w in p.split()} | set(data.keep)
        self._known |= set(aliases) | _vocabulary_words(vocabulary)
        # Each key under itself and its one-letter deletions: a token within one edit of a key
        # shares one of these with it, so a token is compared with a handful of keys, not all.
        self._near: dict[str, set[str]] = {}
        for key in self._words:
            for variant in {key, *_deletions(key)}:
                self._near.setdefault(variant, set()).add(key)
        self._digits = data.digits
        self._letters = LetterNames(aliases)  # "إتش 100", read before the slips
        self._brand = re.compile(vocabulary.misread_brand)
        self._cache: dict[str, str | None] = {}
        # Kept words that are also a model number misread ("h2o": water, or the H20 with its O
        # for the zero): read as the number only right after a maker's name ("NVIDIA H2O").
        self._guarded = {k for k in data.keep if _has_digit(k)}
        self._known_list = sorted(self._known - self._guarded)
        # Catalogued model numbers a token may misspell: one token, letters and 2+ digits; a
        # doubled or dropped character only into a distinctive one (2+ letters, 3+ digits:
        # "mi300x"), since "K2200" is a real card one character from the Kunlunxin "K200".
        self._numbers = {
            a: i
            for a, i in aliases.items()
            if " " not in a and any(c.isalpha() for c in a) and sum(c.isdigit() for c in a) >= 2
        }
        self._distinctive = {
            a
            for a in self._numbers
            if sum(c.isalpha() for c in a) >= 2 and sum(c.isdigit() for c in a) >= 3
        }
        # Numbers written after their series word in a catalogued alias ("mtt s4000"): a doubled
        # or dropped character in one that is not distinctive is read only right after that
        # word ("MTT S400"), as the series word vouches for the number the way a brand does.
        self._series: dict[str, set[str]] = {}  # number -> its series words
        self._slip_cache: dict[str, frozenset[str]] = {}
        for alias in aliases:
            head, _, number = alias.rpartition(" ")
            if head and " " not in head and number in self._numbers:
                self._series.setdefault(number, set()).add(head)

    def _fold(self, word: str) -> str:
        for a, b in self._folds.items():
            word = word.replace(a, b)
        return word

    def word(self, token: str) -> str | None:
        """The GPU word ``token`` misspells, or None (a known word, a short token, no match)."""
        if token in self._known or len(token) < 4 or not token.isalpha():
            return None
        return self._nearest(self._fold(token), len(token))

    def _nearest(self, key: str, length: int) -> str | None:
        if key in self._words:
            return self._words[key]
        near = {k for v in (key, *_deletions(key)) for k in self._near.get(v, ())}
        for cand in sorted(near):
            if length >= 6:
                if DamerauLevenshtein.distance(key, cand, score_cutoff=1) <= 1:
                    return None if _inflected(key, cand) else self._words[cand]
            elif len(cand) == len(key) and _swapped(key, cand):
                return self._words[cand]
        return None

    def number(self, token: str) -> str | None:
        """The catalogued model number ``token`` misspells, or None: letters read as digits
        ("h1oo", "l4os"), else one doubled or dropped character ("mi3000x", "s400"), when
        exactly one model is reached."""
        known = token in self._known and token not in self._guarded
        if known or not (_has_digit(token) and any(c.isalpha() for c in token)):
            return None
        if token.endswith("s") and token[:-1] in self._known:
            return None  # a plural ("h100s"), read by the alias step
        slots = [[c, self._digits[c]] if c in self._digits else [c] for c in token]
        found: set[str] = set()
        for combo in itertools.islice(itertools.product(*slots), _MAX_FOLDS):
            word = "".join(combo)
            if word != token and word in self._numbers:
                found.add(word)
        if not found:
            edits = {
                token[:i] + token[i + 1 :] for i in range(1, len(token)) if token[i] == token[i - 1]
            }
            edits |= {
                token[:i] + token[i] + token[i:] for i in range(len(token)) if token[i].isdigit()
            }
            found = edits & self._distinctive
        ids = {self._numbers[w] for w in found}
        return min(found) if len(ids) == 1 else None

    def slip(self, token: str, before: str) -> str | None:
        """The number ``token`` slips from by one doubled or dropped character, where the word
        ``before`` it is that number's series word in a catalogued alias ("mtt s400" -> "s4000"),
        or None; only where one model is reached."""
        found = {n for n in self._slips_from(token) if before in self._series[n]}
        return min(found) if len({self._numbers[n] for n in found}) == 1 else None

    def _slips_from(self, token: str) -> frozenset[str]:
        """The series numbers ``token`` is one doubled or dropped character from (cached)."""
        found = self._slip_cache.get(token)
        if found is None:
            found = frozenset()
            if token not in self._known and _has_digit(token) and not token.isdigit():
                found = frozenset(n for n in _edits(token) if n != token and n in self._series)
            if len(self._slip_cache) < _CACHE:
                self._slip_cache[token] = found
        return found

    def token(self, token: str) -> str | None:
        """The correction of one token (a GPU word, else a model number), or None; cached,
        since the batch judges each distinct token once and the one-text path meets the same."""
        if token not in self._cache:
            fix = self.word(token) if token.isalpha() else self.number(token)
            self._cache[token] = fix if len(self._cache) < _CACHE else None
        return self._cache.get(token)

    def correct(self, text: str) -> tuple[str, str | None]:
        """``text`` (normalised) with its letter names read (:mod:`letter_names`) and its
        misspellings corrected (:meth:`typos`), and the notes of both (None when nothing was)."""
        text, spelt = self._letters.correct(text)
        text, typo = self.typos(text)
        return text, _joined(spelt, typo)

    def typos(self, text: str) -> tuple[str, str | None]:
        """``text`` (normalised) with its misspelt tokens corrected, and the note saying what
        was read as what (None when nothing was). A model number is corrected only on a line
        that names a brand (``misread.brands`` in vocabulary.yaml), as the catalogued misread
        spellings are read (``numbers.vouched``): "gpu h1OO pcie" alone is not guessed."""
        toks = text.split(" ")
        fixes = [self.token(t) if len(t) >= 3 else None for t in toks]
        fixes = [
            f if f is not None or not i or len(t) < 3 else self.slip(t, toks[i - 1])
            for i, (t, f) in enumerate(zip(toks, fixes, strict=True))
        ]
        fixes = [
            None if t in self._guarded and not (i and self._brand.search(toks[i - 1])) else f
            for i, (t, f) in enumerate(zip(toks, fixes, strict=True))
        ]
        words = [
            f if f is not None and t.isalpha() else t for t, f in zip(toks, fixes, strict=True)
        ]
        if not self._brand.search(" ".join(words)):
            fixes = [f if t.isalpha() else None for t, f in zip(toks, fixes, strict=True)]
        notes = [f"'{t}' read as '{f}'" for t, f in zip(toks, fixes, strict=True) if f is not None]
        if not notes:
            return text, None
        out = [t if f is None else f for t, f in zip(toks, fixes, strict=True)]
        return " ".join(out), "; ".join(notes)

    def frame(self, d: pl.DataFrame, column: str = "__norm") -> pl.DataFrame:
        """:meth:`correct` on a batch: ``d`` with ``column`` read and the notes as ``__typo``."""
        d = self._typo_frame(self._letters.frame(d, column), column)
        spelt, typo = pl.col("__spelt"), pl.col("__typo")
        note = (
            pl.when(spelt.is_null())
            .then(typo)
            .when(typo.is_null())
            .then(spelt)
            .otherwise(pl.format("{}; {}", spelt, typo))
        )
        return d.with_columns(note.alias("__typo")).drop("__spelt")

    def _typo_frame(self, d: pl.DataFrame, column: str) -> pl.DataFrame:
        """``d`` with ``column`` corrected and the note as ``__typo``: each distinct token is
        judged once, and only the texts holding a corrected token are rewritten."""
        texts = d[column].unique().drop_nulls()
        tokens = texts.str.split(" ").explode().unique().drop_nulls()
        tokens = tokens.filter(
            (tokens.str.len_chars() >= 3)
            & ~tokens.is_in(self._known_list)
            & (tokens.str.contains(_NUMBER_SHAPE) | tokens.str.contains(_WORD_SHAPE))
        )
        fixed = [t for t in tokens.to_list() if self.token(t) is not None or self._slips_from(t)]
        if not fixed:
            return d.with_columns(pl.lit(None, pl.Utf8).alias("__typo"))
        words = pl.col(column).str.split(" ")
        hit = texts.to_frame().filter(words.list.eval(pl.element().is_in(fixed)).list.any())
        return rewritten(d, column, hit[column].to_list(), self.typos, "__typo")


def _joined(*notes: str | None) -> str | None:
    found = [n for n in notes if n is not None]
    return "; ".join(found) if found else None


def noted(d: pl.DataFrame) -> pl.DataFrame:
    """Resolved rows with the correction's note and lower confidence where a line read through
    a correction resolved to something (a line that names nothing keeps its plain answer)."""
    read = pl.col("__typo").is_not_null() & pl.col("accelerator_id").is_not_null()
    return d.with_columns(
        pl.when(read)
        .then(
            (pl.col("resolution_confidence") * CONFIDENCE_FACTOR).clip(upper_bound=CONFIDENCE_CAP)
        )
        .otherwise(pl.col("resolution_confidence"))
        .alias("resolution_confidence"),
        pl.when(read)
        .then(pl.format("{}; {}", "resolution_reason", "__typo"))
        .otherwise(pl.col("resolution_reason"))
        .alias("resolution_reason"),
    )


def noted_row(out: dict[str, object], note: str | None) -> None:
    """:func:`noted` for one resolved row (the one-text resolver), in place."""
    if note is not None and out["accelerator_id"] is not None:
        conf = out["resolution_confidence"]
        assert isinstance(conf, float)
        out["resolution_confidence"] = min(conf * CONFIDENCE_FACTOR, CONFIDENCE_CAP)
        out["resolution_reason"] = f"{out['resolution_reason']}; {note}"


def _vocabulary_words(v: Vocabulary) -> set[str]:
    """The words written in the vocabulary's patterns (4+ letters): a token the vocabulary reads
    as written ("aceleradora", its own common misspellings) is never corrected into another."""
    patterns = [v.hint, v.bare_hint, v.not_ai, v.exclusion, v.accessory_strong, v.accessory_weak]
    patterns += [*v.ai_system, *(p for _, _, ps in v.generic for p in ps)]
    return {w.lower() for p in patterns for w in re.findall(r"[^\W\d_]{4,}", p)}


def _inflected(token: str, word: str) -> bool:
    """Whether ``token`` differs from ``word`` at its end only, as a case or number ending does
    ("видеокарту", "ускорителем", "beschleunigern", "gráfico"): a word form, not a slip. A
    doubled last letter ("aceleradorr") is a slip."""
    if len(token) == len(word):
        return token[:-1] == word[:-1]
    if len(token) == len(word) + 1:
        return token[:-1] == word and token[-1] != word[-1]
    return token == word[:-1]


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _edits(token: str) -> set[str]:
    """``token`` with one doubled character undone or one digit doubled."""
    n = len(token)
    found = {token[:i] + token[i + 1 :] for i in range(1, n) if token[i] == token[i - 1]}
    return found | {token[:i] + token[i] + token[i:] for i in range(n) if token[i].isdigit()}


def _has_digit(token: str) -> bool:
    return any(c.isdigit() for c in token)


def _swapped(a: str, b: str) -> bool:
    """Two equal-length words that differ by two neighbouring letters swapped."""
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )
