"""Policy packs: versioned YAML rules with SQL conditions, sources and reason templates.

A pack is what an analyst tunes; nothing here knows a model name or a threshold. Each rule says
why it exists (``source``), when it applies (effective dates) and what it tells the analyst
(``message`` template and ``evidence`` columns).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chipcustoms.errors import ReferenceDataError
from chipcustoms.policy.sqlexpr import Checked, check_name, parse
from chipcustoms.refdata import REFDATA, load_validated

Category = Literal["valuation", "routing", "classification", "control", "quantity", "party"]
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]+$")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([^}]*))?\}")
# A placeholder's format spec goes to DuckDB's format(): a plain number format only.
FORMAT_SPEC = re.compile(r"^[<>^]?[+\- ]?\d{0,2}[,_]?(\.\d{1,2})?[dfeg%]?$")


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
    # The same reason in Simplified Chinese (same placeholders), for the officer's language;
    # without it a Chinese page shows the English message.
    message_zh: str | None = None
    evidence: list[str] = Field(default_factory=list)
    group: GroupSpec | None = None

    @field_validator("code")
    @classmethod
    def _code_shape(cls, v: str) -> str:
        if not CODE_RE.match(v):
            raise ValueError("code must be UPPER_SNAKE_CASE (a stable reason code)")
        return v

    @field_validator("message", "message_zh")
    @classmethod
    def _plain_placeholders(cls, v: str | None) -> str | None:
        for m in re.finditer(r"\{[^{}]*\}?", v or ""):
            p = PLACEHOLDER.fullmatch(m.group())
            if p is None or not FORMAT_SPEC.match(p.group(2) or ""):
                raise ValueError(
                    f"message placeholder {m.group()[:40]!r} is not {{column}} or "
                    "{column:.Nf} (a plain number format)"
                )
        return v

    def placeholders(self) -> list[tuple[str, str | None]]:
        """The columns the messages name (English first, then any the Chinese adds)."""
        both = self.message + (self.message_zh or "")
        return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(both)]


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


@dataclass(frozen=True)
class ParsedRule:
    """One rule's expressions, checked (see :mod:`chipcustoms.policy.sqlexpr`)."""

    where: str
    condition: Checked
    group_where: Checked | None
    aggregates: dict[str, Checked]


def parse_rule(lp: LoadedPack, rule: Rule) -> ParsedRule:
    """Check every expression and name of ``rule``; errors name the pack file and the rule."""
    where = f"policy pack {lp.path}, rule {rule.id}"
    condition = parse(rule.condition, where=where)
    if rule.group is None:
        return ParsedRule(where, condition, None, {})
    g = rule.group
    for col in g.partition_by:
        check_name(col, where=where, what="partition_by entry")
    aggregates = {
        check_name(name, where=where, what="aggregate name"): parse(
            expr, where=f"{where} (aggregate {name})", aggregate=True
        )
        for name, expr in g.aggregates.items()
    }
    group_where = parse(g.where, where=f"{where} (group where)")
    return ParsedRule(where, condition, group_where, aggregates)


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
    loaded = LoadedPack(pack=pack, path=path, digest=digest)
    for rule in pack.rules:  # a pack is data people share: refuse it whole, before any use
        parse_rule(loaded, rule)
    return loaded


def load_packs(names: list[str] | None = None) -> list[LoadedPack]:
    """The named packs, or every bundled pack when none is named."""
    return [load_pack(n) for n in (names or list(bundled_packs()))]
