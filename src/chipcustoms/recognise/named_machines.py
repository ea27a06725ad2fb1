"""Supercomputers and AI clusters named by their own name (`refdata/resolver/named_machines.yaml`).

Why a list of its own: a trade or press line names a machine ("Christofari Neo", "Atlas 950
SuperCluster", "국가 슈퍼컴 6호기") with no GPU word and no model, and only the list knows that
the machine is built on accelerators; equally, "Cheyenne supercomputer" reads as AI-compute
wording ("supercomputer") while the machine is built of CPUs alone. A machine is not a catalog
system either: it is not sold by a SKU with a fixed count of accelerators per item.

The list gives two patterns that both resolvers read:

- :func:`ai_system_names`: the machines built on accelerators, joined to the server makers' SKU
  grammar (:mod:`.server_skus`). Both say "a computer built to carry accelerators" without a
  GPU word, and are read as an AI system phrase: the line is ``accelerator-unknown`` unless it
  writes the model, and a count written on it is a system's. The batch resolver runs the
  joined pattern once per text (``evidence.context_words``: ``__ai_named``).
- :func:`cpu_machines`: the machines built of CPUs alone, which veto the AI-compute wording
  classes as mining words do (``wording``, ``row_resolver._wording``).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from chipcustoms.recognise.model_class import model_class
from chipcustoms.recognise.server_skus import Source, load_server_skus
from chipcustoms.refdata import REFDATA, check_regexes, load_validated

MACHINES_FILE = REFDATA / "resolver" / "named_machines.yaml"


class Machine(BaseModel):
    """One named machine: what it is built on (``kind``), the catalog models it carries where
    public, its sources, the patterns (on the normalised text) and the texts each side of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    operator: str
    kind: Literal["ai", "cpu"]
    carries: list[str]
    note: str
    sources: list[Source]
    patterns: list[str]
    match: list[str]
    no_match: list[str]

    _p = field_validator("patterns")(check_regexes)


class Machines(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    machines: list[Machine]

    def regex(self, kind: Literal["ai", "cpu"]) -> str:
        """One alternation of the patterns of the machines of one kind; a kind without any
        is a pattern that matches nothing (an empty one would match every text)."""
        patterns = [p for m in self.machines if m.kind == kind for p in m.patterns]
        return "|".join(f"(?:{p})" for p in patterns) or r"[^\s\S]"


@cache
def load_machines() -> Machines:
    """The list, validated once; raises ReferenceDataError on a bad file."""
    return load_validated(MACHINES_FILE, Machines, expected="a mapping (version, machines)")


@cache
def ai_system_names() -> str:
    """A GPU server named by its SKU, a GPU box with written GPUs, or a machine built on
    accelerators named by its name, or a GPU named by a model's class ("H100-class GPUs",
    :mod:`.model_class`): one alternation, read as an AI system phrase."""
    return f"{load_server_skus().regex}|{load_machines().regex('ai')}|{model_class()}"


@cache
def cpu_machines() -> str:
    """A machine built of CPUs alone, named by its name: a veto of the AI-compute wording."""
    return load_machines().regex("cpu")
