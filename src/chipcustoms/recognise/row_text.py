"""One text's normalisation for the one-text resolver, and the proof that Python reads it as Polars.

The batch resolver runs its patterns in Polars (Rust's ``regex`` crate, Rust's Unicode tables);
the one-text path (:mod:`chipcustoms.recognise.row_resolver`) runs the *same pattern strings*
with Python's ``re``. The two engines agree on syntax the vocabulary may use (``check_regexes``
compiles every pattern with ``re``; :func:`compile_same` refuses the constructs Rust reads
differently) and on match semantics (leftmost-first, the same captures). Where they can differ is
per character: what ``\\w`` (hence ``\\b``), ``\\s`` and ``\\d`` match, and lower / upper case and
NFKC of a character, from two Unicode databases. :class:`CharOracle` asks Polars itself, once per
character, and a text is read in Python only when every character (and every character its
normalisation yields) gets the same answer from both; any other text goes to the batch resolver.
Characters refused whatever the answers: unassigned in Python's database, surrogates, a capital
sigma (its lower case depends on the next letter), and non-ASCII characters whose case maps touch
ASCII (the Kelvin sign, the long s, the dotless i: Python's ``re`` and Rust fold them differently
under ``(?i)``).
"""

from __future__ import annotations

import re
import threading
import unicodedata
import warnings

import polars as pl

from chipcustoms.recognise.textnorm import (
    _CJK_LATIN,
    _GLUED,
    _HAN_MAKER,
    _HOMOGLYPHS,
    _LATIN_CJK,
    _LETTER_DASH_DIGIT,
    _POSSESSIVE,
    _PUNCT,
    _SUFFIX,
    _TIMES,
    DIGIT_TABLE,
    HOMOGLYPH_BEFORE_DIGIT,
    MARKS,
)

_PROBES = (r"^\w$", r"^\s$", r"^\d$")
_REFUSED = {"\u03a3"}  # capital sigma: final-sigma lower-casing depends on context


def compile_same(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled by Python, refusing what Rust's regex reads another way: a class
    inside a class and class set operations (``[[``, ``--``, ``&&``, ``~~``), which Python
    reads as literals and flags with a FutureWarning. Raises ``ValueError``."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return re.compile(pattern)
        except (FutureWarning, re.error) as exc:
            raise ValueError(f"pattern not read alike by Python and Polars: {exc}") from exc


class CharOracle:
    """Per character: do Python and Polars give the same ``\\w``/``\\s``/``\\d`` answers, lower
    and upper case and NFKC (for the character and all it normalises to)? Answers are cached
    for the process; Polars is asked once for each batch of characters not seen before."""

    def __init__(self) -> None:
        self._safe: dict[str, bool] = {}
        self._lock = threading.Lock()
        self._probes = [re.compile(p) for p in _PROBES]
        self.check("".join(chr(c) for c in range(32, 127)) + "×")  # "×": _TIMES writes it

    def check(self, text: str) -> bool:
        """Whether every character of ``text`` is read alike by both engines."""
        safe = self._safe
        new = {c for c in text if c not in safe}
        if new:
            self._learn(new)
        return all(safe[c] for c in text)

    @staticmethod
    def _closure(c: str) -> set[str]:
        nf = unicodedata.normalize("NFKC", c)
        return {c, *nf, *nf.lower(), *nf.upper(), *c.upper(), *c.lower()}

    def _learn(self, chars: set[str]) -> None:
        closures = {c: self._closure(c) for c in chars}
        # A surrogate cannot be UTF-8: Polars takes no text holding one (nor does the batch).
        probe = sorted(x for x in set().union(*closures.values()) if not _surrogate(x))
        # In the calling thread (select_seq): no wake-up of the pool, and the probes stay in
        # this thread's regex cache.
        frame = pl.DataFrame(pl.Series("c", probe, dtype=pl.Utf8)).select_seq(
            *[pl.col("c").str.contains(p).alias(f"p{k}") for k, p in enumerate(_PROBES)],
            pl.col("c").str.to_lowercase().alias("lower"),
            pl.col("c").str.to_uppercase().alias("upper"),
            pl.col("c").str.normalize("NFKC").alias("nfkc"),
        )
        agree: dict[str, bool] = {}
        for c, row in zip(probe, frame.iter_rows(), strict=True):
            agree[c] = self._agrees(c, row)
        verdict = {c: all(agree.get(x, False) for x in closures[c]) for c in chars}
        with self._lock:
            self._safe.update(verdict)

    def _agrees(self, c: str, row: tuple[object, ...]) -> bool:
        cat = unicodedata.category(c)
        if cat in ("Cn", "Cs") or c in _REFUSED:
            return False
        if not c.isascii() and any(x.isascii() for x in c.lower() + c.upper()):
            return False
        python = (
            *[p.match(c) is not None for p in self._probes],
            c.lower(),
            c.upper(),
            unicodedata.normalize("NFKC", c),
        )
        return python == row


def _surrogate(c: str) -> bool:
    return "\ud800" <= c <= "\udfff"


_VEN_DEV = re.compile(r"(?i)ven_([0-9a-f]{4})&dev_([0-9a-f]{4})")
_DASH = re.compile(_LETTER_DASH_DIGIT)
_X = re.compile(_TIMES)
_GLUE = [(re.compile(pattern), repl) for pattern, _, repl in _GLUED]
_CYR = re.compile(HOMOGLYPH_BEFORE_DIGIT)
_GLYPHS = [(re.compile(f"(?i){cyr}(\\d)"), f"{lat}\\g<1>") for cyr, lat in _HOMOGLYPHS.items()]
_PUNCT_RE = re.compile(_PUNCT)
_POSSESSIVE_RE = re.compile(_POSSESSIVE)
_MARKS = re.compile(MARKS)
_CJK_L = re.compile(_CJK_LATIN)
_L_CJK = re.compile(_LATIN_CJK)
_HAN_M = re.compile(_HAN_MAKER)
_SPACES = re.compile(r"\s+")
_SUFFIX_RE = re.compile(_SUFFIX)


def normalised(text: str) -> str:
    """``__norm`` of :meth:`Resolver.resolve_distinct` for one text, step by step as there:
    Windows device ids, ``+``, the model spelling, the homoglyph passes, then
    :func:`textnorm.normalise_expr`."""
    s = _VEN_DEV.sub(r"\g<1>-\g<2>", text).replace("+", " plus ")
    s = unicodedata.normalize("NFKC", _MARKS.sub(" ", s)).translate(DIGIT_TABLE)
    s = _DASH.sub(r"\g<1>\g<2>\g<3>", s)
    for pattern, repl in _GLUE:
        s = pattern.sub(repl, s)
    s = _X.sub("\\g<1> × \\g<2>", s)
    if _CYR.search(s):
        for pattern, repl in _GLYPHS:
            s = pattern.sub(repl, s)
    s = unicodedata.normalize("NFKC", s).lower()
    s = _PUNCT_RE.sub(" ", _POSSESSIVE_RE.sub(r"\g<1>", s)).replace("-", " ")
    s = _L_CJK.sub(r"\g<1> \g<2>", _CJK_L.sub(r"\g<1> \g<2>", s))
    s = _HAN_M.sub(r"\g<1> \g<2>", s)
    s = _SPACES.sub(" ", s).strip()
    return _SUFFIX_RE.sub(r"\g<1>\g<2>", s)


def part_number_text(s: str) -> str:
    """:func:`textnorm.normalise_part_number` for one text."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", s).upper())
