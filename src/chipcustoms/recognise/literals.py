"""Which texts a regex can match at all: the literal words it cannot match without.

Why: the resolver runs some 150 vocabulary patterns over every batch, one by one (their
alternations are too large for the regex engine's fast path), and Polars compiles a pattern
again whenever its small cache (about 32 patterns) has moved on: for the 1,000,000-line
benchmark's distinct texts, compiling cost about a third of the resolver's time, and a pattern
with Unicode word boundaries runs the engine's slow path over every non-ASCII text. Most
patterns cannot match without one of a few words ("gpu", "显卡", "ускорител"): one Aho-Corasick
pass over the texts finds which words occur where, and each pattern runs, and is compiled, only
on the texts that hold one of its words (often none). The result is the pattern's own on every
text: a text without any of its words is one the pattern cannot match.

The words are read off Python's parse of the pattern (``re._parser``). Where Python and the Rust
engine behind Polars could read a construct differently (case folding, POSIX classes, class set
operations, verbose mode, flags), or a part of the pattern can match without a literal, the
pattern has no words and runs on every text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import polars as pl

# Constructs the two engines read differently: POSIX classes and class set operations, and the
# Rust engine's word-start and word-end assertions (``\<``, ``\>``, ``\b{start}``), which Python
# reads as literal characters. No words are read from such a pattern. Flags are read off the
# parse (see :func:`necessary`).
_UNSURE = ("[[", "[:", "&&", "~~", "--", "\\<", "\\>", "\\b{", "\\B{")
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
Words = frozenset[str]


@cache
def necessary(pattern: str) -> Words | None:
    """Words of which every match of ``pattern`` contains at least one, or None (no such set
    could be proven: the pattern must run on every text)."""
    if any(u in pattern for u in _UNSURE):
        return None
    try:
        tree = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    if tree.state.flags & (re.IGNORECASE | re.VERBOSE | re.LOCALE | re.ASCII):
        return None
    return _sequence(list(tree))


def _better(a: Words | None, b: Words | None) -> Words | None:
    """The set a text is less likely to hold: longer shortest word, then fewer words."""
    if a is None or b is None:
        return a if b is None else b
    return a if (min(map(len, a)), -len(a)) > (min(map(len, b)), -len(b)) else b


def _sequence(items: list[tuple[Any, Any]]) -> Words | None:
    """A match of a sequence contains a match of each of its items: the best item's words,
    where a run of literal characters is one word."""
    best: Words | None = None
    run: list[str] = []
    for op, arg in items:
        if op is C.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            best = _better(best, frozenset(["".join(run)]))
            run = []
        best = _better(best, _item(op, arg))
    if run:
        best = _better(best, frozenset(["".join(run)]))
    return best


def _item(op: Any, arg: Any) -> Words | None:
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, sub = arg
        return None if add_flags or del_flags else _sequence(list(sub))
    if op is C.ATOMIC_GROUP:
        return _sequence(list(arg))
    if op is C.BRANCH:  # a match of an alternation is a match of one branch
        branches = [_sequence(list(b)) for b in arg[1]]
        if any(b is None for b in branches):
            return None
        return frozenset().union(*[b for b in branches if b is not None])
    if op in _REPEATS:
        low, _high, sub = arg
        return _sequence(list(sub)) if low >= 1 else None
    if op is C.IN and arg and all(o is C.LITERAL for o, _ in arg):  # [aá]: one of them
        return frozenset(chr(c) for _, c in arg)
    return None  # anchors, word boundaries, classes, any character: no word


def matches(texts: pl.Series, patterns: Sequence[str]) -> list[pl.Series]:
    """Whether each of ``patterns`` matches each text, as Polars' ``str.contains`` says: one
    boolean Series per pattern, each pattern run only on the texts that hold one of its
    :func:`necessary` words (found for all patterns in one Aho-Corasick pass)."""
    if texts.null_count():  # a null text's result is null, not False: no shortcut
        return [texts.str.contains(p) for p in patterns]
    words = [necessary(p) for p in patterns]
    rows = _rows_per_pattern(texts, words)
    out = []
    for i, (pattern, needed) in enumerate(zip(patterns, words, strict=True)):
        if needed is None:
            out.append(texts.str.contains(pattern))
            continue
        hit = pl.repeat(False, len(texts), eager=True)
        where = rows.get(i)
        if where is not None:
            hit.scatter(where, texts.gather(where).str.contains(pattern))
        out.append(hit)
    return out


def any_of(texts: pl.Series, groups: Sequence[Sequence[str]]) -> list[pl.Series]:
    """Per group of patterns, whether any of them matches each text (:func:`matches`): each
    pattern run as its :func:`alternatives`, so that a large one (a dozen languages' phrases
    joined) is compiled only in the parts whose words occur."""
    parts = [[a for p in group for a in alternatives(p)] for group in groups]
    hits = iter(matches(texts, [a for group in parts for a in group]))
    out = []
    for group in parts:
        found = next(hits)
        for _ in group[1:]:
            found = found | next(hits)
        out.append(found)
    return out


def prepare(patterns: Sequence[str]) -> None:
    """Read the alternatives and words of ``patterns`` now (parsing is ~0.05 s for the
    vocabulary, once per process), not in the first batch that runs them."""
    for pattern in patterns:
        for alternative in alternatives(pattern):
            necessary(alternative)


@cache
def alternatives(pattern: str) -> tuple[str, ...]:
    """The top-level alternatives of ``pattern``, each unwrapped from a non-capturing group
    that spans it and split again: a text holds a match of the pattern if and only if it holds
    a match of one of them. The pattern itself where its syntax leaves any doubt (flags,
    lookarounds, named groups, nested classes)."""
    if _GROUP_OTHER.search(pattern) or any(u in pattern for u in _UNSURE):
        return (pattern,)
    pieces = _split(pattern)
    if pieces is None:
        return (pattern,)
    out: list[str] = []
    for piece in pieces:
        inner = _unwrapped(piece)
        out.extend(alternatives(inner) if inner is not None else (piece,))
    return tuple(out)


_GROUP_OTHER = re.compile(r"\(\?(?!:)")  # any group but (?:...) : flags, lookaround, names


def _scan(pattern: str) -> list[tuple[int, str, int]] | None:
    """(index, character, depth before it) of each structural ``(``, ``)`` and ``|`` outside
    escapes and classes, or None where a class nests or a bracket is unbalanced."""
    found, depth, i, in_class = [], 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "[":  # a nested class to the Rust engine, a literal to Python
                return None
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 2 if pattern[i + 1 : i + 2] == "^" else 1
            i += 1 if pattern[i : i + 1] == "]" else 0  # a leading ] is literal
            continue
        elif c in "()|":
            found.append((i, c, depth))
            depth += {"(": 1, ")": -1, "|": 0}[c]
            if depth < 0:
                return None
        i += 1
    return None if depth or in_class else found


def _split(pattern: str) -> list[str] | None:
    scanned = _scan(pattern)
    if scanned is None:
        return None
    cuts = [i for i, c, depth in scanned if c == "|" and depth == 0]
    bounds = [-1, *cuts, len(pattern)]
    return [pattern[a + 1 : b] for a, b in pairwise(bounds)]


def _unwrapped(piece: str) -> str | None:
    """The inside of ``(?:...)`` where that group spans the whole piece, else None."""
    if not piece.startswith("(?:"):
        return None
    scanned = _scan(piece)
    if scanned is None:
        return None
    closes = [i for i, c, depth in scanned if c == ")" and depth == 1]
    return piece[3:-1] if closes and closes[0] == len(piece) - 1 else None


def _rows_per_pattern(texts: pl.Series, words: list[Words | None]) -> dict[int, pl.Series]:
    """Pattern index -> the rows holding one of its words (patterns whose words occur nowhere
    are absent). Overlapping matches, so that a word inside another is found too."""
    pairs = [(w, i) for i, ws in enumerate(words) if ws is not None for w in ws]
    if not pairs or texts.is_empty():
        return {}
    table = pl.DataFrame(pairs, schema={"word": pl.Utf8, "pattern": pl.Int64}, orient="row")
    vocabulary = table["word"].unique().sort().to_list()
    found = pl.DataFrame(
        {
            "row": pl.int_range(len(texts), eager=True, dtype=pl.Int64),
            "word": texts.str.extract_many(vocabulary, overlapping=True),
        }
    ).explode("word")
    per_pattern = (
        found.drop_nulls()
        .unique()
        .join(table, on="word")
        .group_by("pattern")
        .agg(pl.col("row").unique().sort())
    )
    return dict(zip(per_pattern["pattern"], per_pattern["row"], strict=True))
