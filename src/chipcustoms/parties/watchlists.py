"""Watchlist files -> one entity frame, whatever the format.

Every loader returns the same columns (``ENTITY_SCHEMA``): ``entity_id``, ``schema``, ``name``,
``aliases``, ``countries``, ``addresses``, ``identifiers``. A file is read in full and checked
before anything is stored, so a bad line stops the load with the file and line named and
nothing half-loaded.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from chipcustoms.errors import InputError

FORMATS = ("ftm", "targets-csv", "csl", "csv")
ENTITY_SCHEMA = pl.Schema(
    {
        "entity_id": pl.Utf8(),
        "schema": pl.Utf8(),
        "name": pl.Utf8(),
        "aliases": pl.List(pl.Utf8()),
        "countries": pl.List(pl.Utf8()),
        "addresses": pl.List(pl.Utf8()),
        "identifiers": pl.List(pl.Utf8()),
    }
)
# FollowTheMoney schemata that are parties to a trade; others (Sanction, Address...) are skipped.
FTM_PARTIES = {"LegalEntity", "Company", "Organization", "Person", "PublicBody", "Vessel"}
FTM_IDENTIFIERS = (
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "swiftBic",
    "uscCode",
    "imoNumber",
    "idNumber",
)
Entity = dict[str, Any]


def _split(value: str | None, sep: str = ";") -> list[str]:
    return [v.strip() for v in (value or "").split(sep) if v.strip()]


def _entity(where: str, **kw: Any) -> Entity:
    if not (kw.get("name") or "").strip():
        raise InputError(f"{where}: field 'name': an entity needs a name")
    if not (kw.get("entity_id") or "").strip():
        raise InputError(f"{where}: field 'id': an entity needs an id")
    return {
        k: kw.get(k) or ([] if k in ("aliases", "countries", "addresses") else None)
        for k in ENTITY_SCHEMA
    } | {"identifiers": kw.get("identifiers") or []}


def _csv_rows(path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = required - set(reader.fieldnames or [])
            if missing:
                raise InputError(f"{path}: line 1: missing column(s) {', '.join(sorted(missing))}")
            for row in reader:
                if None in row:
                    raise InputError(f"{path}: line {reader.line_num}: more fields than the header")
                yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def read_ftm(path: Path) -> Iterator[Entity]:
    """OpenSanctions ``entities.ftm.json``: one FollowTheMoney entity per line."""
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                props: dict[str, list[str]] = obj.get("properties") or {}
                schema = obj["schema"]
            except (json.JSONDecodeError, KeyError, AttributeError, TypeError) as exc:
                raise InputError(f"{path}: line {no}: not a FollowTheMoney entity ({exc})") from exc
            if schema not in FTM_PARTIES:
                continue
            names = props.get("name") or []
            yield _entity(
                f"{path}: line {no}",
                entity_id=obj.get("id"),
                schema=schema,
                name=names[0] if names else None,
                aliases=names[1:] + props.get("alias", []) + props.get("previousName", []),
                countries=[
                    c.upper() for k in ("country", "jurisdiction") for c in props.get(k, [])
                ],
                addresses=props.get("address", []),
                identifiers=[i for k in FTM_IDENTIFIERS for i in props.get(k, [])],
            )


def read_targets(path: Path) -> Iterator[Entity]:
    """OpenSanctions ``targets.simple.csv`` (multi-values joined by ';')."""
    for no, row in _csv_rows(path, {"id", "schema", "name", "aliases", "countries"}):
        yield _entity(
            f"{path}: line {no}",
            entity_id=row["id"],
            schema=row["schema"],
            name=row["name"],
            aliases=_split(row.get("aliases")),
            countries=[c.upper() for c in _split(row.get("countries"))],
            addresses=_split(row.get("addresses")),
            identifiers=_split(row.get("identifiers")),
        )


def read_csl(path: Path) -> Iterator[Entity]:
    """US Consolidated Screening List CSV (trade.gov): 29 columns, ``alt_names`` joined by '; '.

    Addresses end with the country code; ids are "type, number, country" joined by '; '.
    """
    for no, row in _csv_rows(path, {"_id", "source", "type", "name", "alt_names", "addresses"}):
        addresses = _split(row.get("addresses"))
        countries = [a.rsplit(",", 1)[-1].strip().upper() for a in addresses if "," in a]
        yield _entity(
            f"{path}: line {no}",
            entity_id=f"csl-{row['_id']}",
            schema={"Individual": "Person", "Vessel": "Vessel"}.get(row["type"], "LegalEntity"),
            name=row["name"],
            aliases=_split(row.get("alt_names")),
            countries=[c for c in countries if len(c) == 2],
            addresses=addresses,
            identifiers=[i.split(",")[1].strip() for i in _split(row.get("ids")) if "," in i],
        )


def read_simple(path: Path) -> Iterator[Entity]:
    """The simple CSV: ``name, aliases, country, address, identifiers`` (optional ``id``,
    ``schema``); aliases and identifiers joined by ';'. Without ``id`` the name is the id."""
    for no, row in _csv_rows(path, {"name"}):
        name = (row.get("name") or "").strip()
        yield _entity(
            f"{path}: line {no}",
            entity_id=(row.get("id") or "").strip() or _digest(name),
            schema=(row.get("schema") or "").strip() or "LegalEntity",
            name=name,
            aliases=_split(row.get("aliases")),
            countries=[c.upper() for c in _split(row.get("country"))],
            addresses=_split(row.get("address")),
            identifiers=_split(row.get("identifiers")),
        )


READERS: dict[str, Callable[[Path], Iterator[Entity]]] = {
    "ftm": read_ftm,
    "targets-csv": read_targets,
    "csl": read_csl,
    "csv": read_simple,
}


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def read_list(path: str | Path, fmt: str) -> pl.DataFrame:
    """All entities of one list file; duplicates of an id are refused (the file names them)."""
    p = Path(path)
    if fmt not in READERS:
        raise InputError(f"unknown watchlist format {fmt!r}; one of {', '.join(FORMATS)}")
    if not p.is_file():
        raise InputError(f"{p}: file not found")
    rows = list(READERS[fmt](p))
    if not rows:
        raise InputError(f"{p}: no entities found (is --format {fmt} right?)")
    df = pl.DataFrame(rows, schema=ENTITY_SCHEMA)
    dup = df.filter(pl.col("entity_id").is_duplicated())["entity_id"].unique().sort()
    if dup.len():
        raise InputError(f"{p}: entity id(s) repeated: {', '.join(dup.head(5).to_list())}")
    payload = df.select(pl.struct(pl.exclude("entity_id")).struct.json_encode())
    return df.with_columns(pl.Series("digest", [_digest(s) for s in payload.to_series()]))
