"""Policy packs: versioned YAML rules with SQL conditions, sources and reason templates.

A pack is what an analyst tunes; nothing here knows a model name or a threshold. Each rule says
why it exists (``source``), when it applies (effective dates) and what it tells the analyst
(``message`` template and ``evidence`` columns).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chipcustoms.errors import ReferenceDataError
from chipcustoms.refdata import REFDATA, load_validated

Category = Literal["valuation", "routing", "classification", "control", "quantity", "party"]
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]+$")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([^}]*))?\}")


class GroupSpec(BaseModel):
    """A group rule aggregates lines first (e.g. split lots), then tests each line's group."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partition_by: list[str]
    window_days: int = Field(gt=0)
    where: str = "TRUE"
    aggregates: dict[str, str]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = 1
    code: str
    title: str
    category: Category
    condition: str
    weight: float = Field(ge=0, le=1)
    floor: Literal["red", "yellow"] | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    source: str
    message: str
    evidence: list[str] = Field(default_factory=list)
    group: GroupSpec | None = None

    @field_validator("code")
    @classmethod
    def _code_shape(cls, v: str) -> str:
        if not CODE_RE.match(v):
            raise ValueError("code must be UPPER_SNAKE_CASE (a stable reason code)")
        return v

    def placeholders(self) -> list[tuple[str, str | None]]:
        return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(self.message)]


class Jurisdiction(BaseModel):
    """The law a pack carries and where it governs: a reason of the pack is only given on a
    line this condition holds for (ANDed into every rule's condition, see
    :mod:`chipcustoms.policy.profiles`), so no reason cites a law that does not govern the
    line's flow."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    law: str  # the law in words, as a reason's reader should recognise it
    authority: str  # whose law: an ISO country code, or `any` for checks every customs runs
    governs: str = "TRUE"  # SQL (the rule subset) over the line: the flows this law governs
    items: str = "TRUE"  # SQL: the items subject to this law (e.g. US-designed chips)
    note: str = ""


class Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    title: str
    description: str = ""
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    source: str
    # Optional for a user's own pack (it then governs every line); every bundled pack has one.
    jurisdiction: Jurisdiction | None = None
    rules: list[Rule]

    @model_validator(mode="after")
    def _unique_ids(self) -> Pack:
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate rule id(s) {dupes}")
        return self


class LoadedPack(BaseModel):
    pack: Pack
    path: Path
    digest: str

    @property
    def label(self) -> str:
        return f"{self.pack.id}@{self.pack.version}"


def bundled_packs() -> dict[str, Path]:
    return {p.stem: p for p in sorted((REFDATA / "policies").glob("*.yaml"))}


def load_pack(name_or_path: str) -> LoadedPack:
    """A bundled pack by id or a YAML file by path."""
    bundled = bundled_packs()
    path = bundled.get(name_or_path) or Path(name_or_path)
    if not path.exists():
        raise ReferenceDataError(
            f"policy pack {name_or_path!r}: neither bundled "
            f"({', '.join(bundled)}) nor an existing file"
        )
    pack = load_validated(path, Pack, section="rules")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return LoadedPack(pack=pack, path=path, digest=digest)


def load_packs(names: list[str] | None = None) -> list[LoadedPack]:
    """The named packs, or every bundled pack when none is named."""
    return [load_pack(n) for n in (names or list(bundled_packs()))]
