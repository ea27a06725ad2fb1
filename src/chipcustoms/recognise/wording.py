"""The generic wording class of a line in the batch resolver: "AI accelerator card", "显卡".

Why a module of its own: the class is read off some 100 vocabulary patterns, the costliest part
of a line's context, and how they are run is a matter of speed alone (each on the texts holding
one of its words, :mod:`chipcustoms.recognise.literals`), kept apart from the weighing of the
evidence (:mod:`chipcustoms.recognise.evidence`). The one-text resolver reads the same patterns
in the same order (``row_resolver._wording``).
"""

from __future__ import annotations

import polars as pl

from chipcustoms.recognise.distinct import per_distinct
from chipcustoms.recognise.literals import any_of, prepare
from chipcustoms.recognise.named_machines import ai_system_names, cpu_machines
from chipcustoms.recognise.vocabulary import Vocabulary

_NAMED, _CPU = ai_system_names(), cpu_machines()


def read_words(v: Vocabulary) -> None:
    """Read the words of every pattern run through :mod:`.literals` (parsing ~150 patterns takes
    0.05-0.1 s, once per process): called where the vocabulary is loaded, so that the first
    batch does not wait for it."""
    wording = [p for _, _, patterns in v.generic for p in patterns]
    vetoes = [v.not_ai, v.not_graphics, _CPU]
    prepare([*wording, *v.hints, *vetoes, *v.ai_system, *(v.ai_system_parts or ()), _NAMED])


def wording(d: pl.DataFrame, v: Vocabulary) -> pl.DataFrame:
    """``d`` with the generic wording class of a line (``__generic``), read once per distinct
    text (:func:`.distinct.per_distinct`), with the SKU column the context step computed."""
    return per_distinct(d, "__norm", lambda t: _classes(t, v), carry=("__ai_named",))


def _classes(d: pl.DataFrame, v: Vocabulary) -> pl.DataFrame:
    """``d`` with the generic wording class of a line (``__generic``): the first class whose
    patterns match, AI-compute classes vetoed by mining words, and a system word beside an
    AI-compute word outranking every class. Some 100 patterns, run one by one (one alternation
    of them all is too large for the regex engine's fast path) and each only on the texts
    holding one of its words (:func:`.literals.any_of`): the costliest part of the context,
    run only where :func:`.evidence.needs_wording` says it can matter."""
    parts = list(v.ai_system_parts or ())
    # A machine built of CPUs alone (recognise/named_machines.py) vetoes as mining words do.
    groups = [[v.not_ai, _CPU], [v.not_graphics], [v.ai_system[0]], [v.ai_system[1]]]
    groups += [[p] for p in parts]
    groups += [list(patterns) for _, _, patterns in v.generic]
    hits = any_of(d["__norm"], groups)
    d = d.with_columns(h.alias(f"__w{i}") for i, h in enumerate(hits))
    w = [pl.col(f"__w{i}") for i in range(len(hits))]
    not_ai, not_graphics, ai = w[0], w[1], w[2] & w[3]  # as evidence._ai_system reads them
    if parts:
        ai = ai & ~(w[4] & ~w[5])
    ai = ai | pl.col("__ai_named")  # a GPU server's SKU or a named AI machine (context_words)
    generic: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    classes = w[4 + len(parts) :]
    for (gid, _, _), found in reversed(list(zip(v.generic, classes, strict=True))):
        # Mining words veto the AI-compute classes; integrated graphics the plain-graphics ones.
        found = found & ~(not_ai if gid in v.counting_generic else not_graphics)
        generic = pl.when(found).then(pl.lit(gid)).otherwise(generic)
    # A system word with an AI-compute word beside it outranks every wording class.
    generic = pl.when(ai & ~not_ai).then(pl.lit(v.ai_id)).otherwise(generic)
    return d.with_columns(generic.alias("__generic")).drop(f"__w{i}" for i in range(len(hits)))
