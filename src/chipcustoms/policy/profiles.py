"""Jurisdiction profiles: who runs the screen, and so which law governs which line.

A profile (``refdata/profiles/*.yaml``) names the policy packs it applies and, per pack, the
flows it applies them to. A pack declares the law it carries and where that law governs
(:class:`chipcustoms.policy.packs.Jurisdiction`): the flows it governs and the items subject to
it. A pack's rule therefore fires on a line only where

    pack.jurisdiction.governs AND pack.jurisdiction.items AND flow IN profile flows AND where

holds. That condition is SQL in the rule subset (:mod:`chipcustoms.policy.sqlexpr`) and is ANDed
into every rule's condition (:class:`chipcustoms.policy.rules.RuleSet`), so the law a reason
cites always governs the line's flow in the profile's jurisdiction, evaluated over the batch
with the rules, never line by line. The profile ``all`` applies every pack, each only where
its own law governs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chipcustoms import settings
from chipcustoms.errors import ReferenceDataError, RuleError
from chipcustoms.policy.packs import LoadedPack, Pack
from chipcustoms.policy.sqlexpr import check, columns_of
from chipcustoms.refdata import REFDATA, load_validated

Flow = Literal["import", "export", "transit"]
EVERY_PACK = "*"


class PackUse(BaseModel):
    """One pack a profile applies, and to which flows (default: every flow the law governs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pack: str
    flows: list[Flow] | None = None
    where: str = "TRUE"  # SQL: a further limit the screener puts on this pack


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    screener: str  # who runs the screen, in words
    jurisdiction: str  # whose border: an ISO country code, `hub`, or `any`
    description: str = ""
    packs: list[PackUse] = Field(min_length=1)

    @model_validator(mode="after")
    def _sql_and_ids(self) -> Profile:
        seen: set[str] = set()
        for use in self.packs:
            if use.pack in seen:
                raise ValueError(f"pack {use.pack!r} named twice")
            seen.add(use.pack)
            check(use.where, columns_of(use.where), where=f"pack {use.pack} where")
        return self

    def use_of(self, pack_id: str) -> PackUse | None:
        for use in self.packs:
            if use.pack in (pack_id, EVERY_PACK):
                return use
        return None

    def applies(self, pack: Pack) -> bool:
        return self.use_of(pack.id) is not None

    def condition(self, pack: Pack) -> str:
        """SQL: the lines on which ``pack`` governs under this profile (unchecked text)."""
        use = self.use_of(pack.id)
        if use is None:
            return "FALSE"
        parts = []
        if pack.jurisdiction is not None:
            parts += [pack.jurisdiction.governs, pack.jurisdiction.items]
        if use.flows is not None:
            parts.append("flow IN (" + ", ".join(f"'{f}'" for f in use.flows) + ")")
        parts.append(use.where)
        kept = [p for p in parts if p.strip().upper() != "TRUE"]
        return " AND ".join(f"({p})" for p in kept) or "TRUE"


def bundled_profiles() -> dict[str, Path]:
    return {p.stem: p for p in sorted((REFDATA / "profiles").glob("*.yaml"))}


def default_name() -> str:
    """The profile of a screen given no ``--profile``: the server setting, else ``all``."""
    return str(settings.get("profile") or "all")


def load_profile(name_or_path: str | None = None, packs: list[LoadedPack] | None = None) -> Profile:
    """A bundled profile by id or a YAML file by path; with ``packs``, every pack it names must
    be among them (an error names the file and the entry)."""
    name = name_or_path or default_name()
    bundled = bundled_profiles()
    path = bundled.get(name) or Path(name)
    if not path.exists():
        raise ReferenceDataError(
            f"profile {name!r}: neither bundled ({', '.join(bundled)}) nor an existing file"
        )
    try:
        profile = load_validated(path, Profile, section="packs", expected="a profile mapping")
    except RuleError as exc:
        raise ReferenceDataError(f"{path}: {exc}") from exc
    if packs is not None:
        known = {lp.pack.id for lp in packs}
        for use in profile.packs:
            if use.pack != EVERY_PACK and use.pack not in known:
                raise ReferenceDataError(
                    f"{path} [{use.pack}]: no such policy pack (loaded: {', '.join(sorted(known))})"
                )
    return profile


def load_profiles() -> list[Profile]:
    return [load_profile(str(p)) for p in bundled_profiles().values()]


def check_condition(profile: Profile, pack: Pack, columns: set[str]) -> str:
    """The governs-condition of ``pack`` under ``profile``, checked against the batch's columns."""
    where = f"profile {profile.id}, pack {pack.id} (jurisdiction)"
    return check(profile.condition(pack), columns, where=where)


def governing(lines: pl.DataFrame, profile: Profile, packs: list[LoadedPack]) -> pl.Series:
    """Per line, the ids of the packs whose law governs it under ``profile`` (one DuckDB scan:
    one boolean per pack, gathered into a list)."""
    from chipcustoms.policy.rules import _thread_connection

    applied = [lp.pack for lp in packs if profile.applies(lp.pack)]
    if not applied:
        return pl.Series("governing_packs", [[]] * lines.height, dtype=pl.List(pl.Utf8))
    columns = set(lines.columns)
    cases = ", ".join(
        f"CASE WHEN coalesce({check_condition(profile, p, columns)}, FALSE) THEN '{p.id}' END"
        for p in applied
    )
    con = _thread_connection()
    con.register("gov_lines", lines.with_row_index("__gov_i").to_arrow())
    try:
        out = con.sql(
            f"SELECT list_filter([{cases}], lambda x: x IS NOT NULL) AS governing_packs "
            "FROM gov_lines ORDER BY __gov_i"
        ).pl()
    finally:
        con.unregister("gov_lines")
    return out["governing_packs"]
