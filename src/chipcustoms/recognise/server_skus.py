"""The SKU grammar of the server makers' GPU lines (`refdata/resolver/server_skus.yaml`).

Why a file of its own: trade lines name a GPU server by its SKU alone ("SYS-420GH-TNGR",
"PRIMERGY GX2570 M5"), with no GPU word, and the catalog can never list every SKU. Each maker's
numbering marks its GPU line (Supermicro's G after the number, Fujitsu's GX, Dell's XE9xxx), so
an uncatalogued SKU of that line is a computer built to carry accelerators, while the same
maker's general-purpose SKUs are not. Both resolvers read the one pattern built here as an AI
system phrase (a system word and an AI-compute word in one): the line is `accelerator-unknown`
unless it writes the model, and a count written on it is read as a system's.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from pydantic import BaseModel, ConfigDict, field_validator

from chipcustoms.refdata import REFDATA, check_regexes, load_validated

SKUS_FILE = REFDATA / "resolver" / "server_skus.yaml"


class Source(BaseModel):
    """A page that states a fact of the list (a maker's numbering of its GPU line; what a named
    machine carries)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    url: str


class Line(BaseModel):
    """One maker's GPU line: the rule in words, its source, the patterns (on the normalised
    text) and the SKUs each side of the rule that the tests hold it to."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    maker: str
    rule: str
    source: Source
    patterns: list[str]
    gpu: list[str]
    not_gpu: list[str]

    _p = field_validator("patterns")(check_regexes)


class Boxes(BaseModel):
    """A GPU box carrying written GPUs (``carry``), unless its count is what it fits
    (``capacity``), with the examples each side."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: Source
    carry: str
    capacity: str
    carrying: list[str]
    not_carrying: list[str]

    _p = field_validator("carry", "capacity")(lambda v: check_regexes([v])[0])


class ServerSkus(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    lines: list[Line]
    boxes: Boxes

    @property
    def regex(self) -> str:
        """One alternation: a GPU server named by its SKU, or a GPU box with written GPUs (read
        as a system phrase; :func:`carried_box` decides whether the box is still a part). The
        batch resolver runs it once per text (``evidence.context_words``: ``__ai_named``), the
        one-text resolver in ``row_resolver._is_ai_system``."""
        skus = [p for line in self.lines for p in line.patterns]
        return "|".join(f"(?:{p})" for p in [*skus, self.boxes.carry])


@cache
def load_server_skus() -> ServerSkus:
    """The grammar file, validated once; raises ReferenceDataError on a bad file."""
    return load_validated(SKUS_FILE, ServerSkus, expected="a mapping (version, lines)")


def carried_box(norm: pl.Expr) -> pl.Expr:
    """A GPU box that carries the GPUs written on it: not the part the accessory words make it."""
    b = load_server_skus().boxes
    return norm.str.contains(b.carry) & ~norm.str.contains(b.capacity)
