"""One line's enrichment for the online path: the columns :func:`pipeline.enrich` adds, as a dict.

Everything here is a dict lookup or a few float operations, except resolution, which is cached
per distinct text (a bounded LRU, setting ``online_cache_texts``). A miss goes to the
resolver's one-text form (:mod:`chipcustoms.recognise.row_resolver`, held equal to the batch
resolver by tests/test_row_resolver.py); the texts it declines, and a batch of many texts at
once, go to the batch resolver on a frame. The arithmetic and the catalog joins are written
again here, and tests/test_online_differential.py holds them to the batch path's values.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Any

import polars as pl

from chipcustoms import settings
from chipcustoms.assess import per_unit
from chipcustoms.assess.online_format import concat, div, gt, k_and, k_or
from chipcustoms.lines import fx
from chipcustoms.recognise import controls
from chipcustoms.recognise.catalog import Catalog
from chipcustoms.recognise.resolver import RESOLVED_SCHEMA, TEXT_FIELDS, Resolver
from chipcustoms.recognise.row_resolver import RowResolver

Row = dict[str, Any]
RESOLVED = [*RESOLVED_SCHEMA, "accelerator_vendor", "accelerator_model"]


class TextCache:
    """Resolution per distinct (description, brand, model, part number, HS code), bounded.

    A lock keeps the LRU whole when a server's threads share one assessor; a miss resolves
    outside it (two threads may resolve one new text twice, to the same result)."""

    # Up to this many new texts at once go through the one-text resolver; more share one
    # batch-resolver call (its fixed cost, ~30 ms, is then spread over the texts).
    ROW_LIMIT = 32

    def __init__(self, resolver: Resolver, size: int | None = None) -> None:
        self.resolver = resolver
        self.row = RowResolver(resolver)
        self.size = max(1, int(size if size is not None else settings.get("online_cache_texts")))
        self._cache: OrderedDict[tuple[Any, ...], Row] = OrderedDict()
        self._lock = threading.Lock()
        self.misses = 0

    def get(self, line: Row) -> Row:
        key = tuple(line.get(c) for c in TEXT_FIELDS)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        return self.resolve_many([line])[key]

    def resolve_many(self, lines: list[Row]) -> dict[tuple[Any, ...], Row]:
        """Resolve the texts of ``lines`` not yet cached in one batch-resolver call (the
        resolver works per distinct text, so a frame of many texts gives each text's result);
        returns the new ones by key."""
        keys = {tuple(line.get(c) for c in TEXT_FIELDS) for line in lines}
        with self._lock:
            todo = [k for k in keys if k not in self._cache]
        if not todo:
            return {}
        found: dict[tuple[Any, ...], Row] = {}
        if len(todo) <= self.ROW_LIMIT:
            for k in todo:
                row = self.row.resolve(k)
                if row is not None:
                    found[k] = row
        rest = [k for k in todo if k not in found]
        if rest:
            frame = pl.DataFrame(
                [dict(zip(TEXT_FIELDS, k, strict=True)) for k in rest],
                schema=dict.fromkeys(TEXT_FIELDS, pl.Utf8),
                orient="row",
            )
            resolved = self.resolver.resolve(frame).select(RESOLVED).to_dicts()
            found.update(zip(rest, resolved, strict=True))
        with self._lock:
            self.misses += len(todo)
            for key, row in found.items():
                self._cache[key] = row
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return found


class RowEnricher:
    """The catalog, rate table and EAR tables as dicts, built once from the References."""

    def __init__(self, catalog: Catalog, resolver: Resolver, cache_size: int | None = None) -> None:
        self.texts = TextCache(resolver, cache_size)
        rates = fx.load_rates()
        self._rates = {
            (c, m): r for c, m, r in rates.select("currency", "month", "units_per_usd").iter_rows()
        }
        self._lo: date | None = rates["month"].min()  # type: ignore[assignment]
        self._hi: date | None = rates["month"].max()  # type: ignore[assignment]
        cat = catalog.frame().drop("accelerator_vendor", "accelerator_model")
        self._catalog_cols = [c for c in cat.columns if c != "accelerator_id"]
        self._catalog = {r["accelerator_id"]: r for r in cat.to_dicts()}
        vocabulary = resolver.vocabulary
        self._system_hs = set(vocabulary.system_hs)
        self._unknown_ai = set(vocabulary.counting_generic)
        self._ai_hs = set(per_unit.ai_hs(catalog, vocabulary))
        self._system_kg = per_unit.system_kg(catalog)
        self._system_eccn = per_unit.system_eccn(catalog)
        cg = controls.country_groups()
        self._lic = cg.members("ac_license_required")
        self._d5 = cg.members("D5_plus_Macau")
        self._end_use: dict[tuple[str, str], str] = {}
        for a, d, c in controls.end_use_table(catalog).iter_rows():
            self._end_use.setdefault((a, d), c)
        self._known = {m.id for m in catalog.models}

    def enrich(self, line: Row) -> Row:
        """``line`` (canonical columns) with every column enrich() adds, anomalies aside."""
        row = dict(line)
        self._values(row)
        row.update(self.texts.get(line))
        self._per_unit(row)
        self._controls(row)
        return row

    def _values(self, row: Row) -> None:
        d = row.get("date")
        month = None
        if d is not None and self._lo is not None and self._hi is not None:
            month = min(max(d.replace(day=1), self._lo), self._hi)
        rate = self._rates.get((row.get("currency"), month))
        row["fx_rate"] = rate
        row["value_usd"] = value_usd = div(row.get("value"), rate)
        hs = row.get("hs_code")
        row["hs6"] = None if hs is None else hs[:6]
        row["hs4"] = None if hs is None else hs[:4]
        q = row.get("quantity")
        qty = q if gt(q, 0) else None
        row["unit_value_usd"] = uv = div(value_usd, qty)
        row["unit_gross_kg"] = div(row.get("gross_weight_kg"), qty)
        row["unit_net_kg"] = div(row.get("net_weight_kg"), qty)
        net = row.get("net_weight_kg")
        per_kg = div(value_usd, net) if gt(net, 0) else None
        row["unit_basis_usd"] = uv if uv is not None else per_kg
        row["unit_basis"] = "piece" if uv is not None else "kg" if per_kg is not None else None

    def _per_unit(self, row: Row) -> None:
        found = self._catalog.get(row["accelerator_id"])
        for c in self._catalog_cols:
            row[c] = None if found is None else found[c]
        hs6 = row["hs6"]
        headings = row.pop("hs_headings")
        units = row["units_per_item"]
        acc = row["accelerator_id"]

        def hs6_in(codes: set[str]) -> bool | None:
            return None if hs6 is None else hs6 in codes

        acc_unknown = None if acc is None else acc in self._unknown_ai
        if row["is_accelerator"]:
            contains = None if headings is None or hs6 is None else hs6 in headings
            several = k_or(gt(units, 1), row["system_id"] is not None, headings is None)
            fits = k_or(
                bool(contains),
                k_and(hs6_in(self._system_hs), several),
                k_and(acc_unknown, hs6_in(self._ai_hs)),
            )
        else:
            fits = None
        row["hs_heading_fits"] = fits
        row["value_per_accelerator_usd"] = div(
            row["unit_value_usd"], None if units is None else float(units)
        )
        sys_id = row["system_id"]
        row["system_weight_kg"] = skg = None if sys_id is None else self._system_kg.get(sys_id)
        if acc_unknown:
            row["eccn"] = (
                "undetermined" if sys_id is None else self._system_eccn.get(sys_id, "undetermined")
            )
        if skg is not None:
            row["expected_unit_kg"] = skg
        elif units == 1:
            row["expected_unit_kg"] = row["weight_kg_typical"]
        else:
            row["expected_unit_kg"] = None

    def _controls(self, row: Row) -> None:
        dest = row.get("destination_country")
        acc = row["accelerator_id"]
        row["dest_ac_license_required"] = lic = None if dest is None else dest in self._lic
        row["dest_d5_macau"] = d5 = None if dest is None else dest in self._d5
        row["end_use_control"] = euc = (
            None if acc is None or dest is None else self._end_use.get((acc, dest))
        )
        eccn = row["eccn"]
        is_3a090 = None if eccn is None else eccn.startswith("3A090")
        if acc is None:
            row["license_required"] = row["license_basis"] = None
            return
        if k_and(is_3a090, lic):
            required: bool | None = True
            basis = (
                concat(eccn, " to D:5/Macau: licence, presumption of denial")
                if k_and(is_3a090, lic, d5)
                else concat(eccn, " to D:1/D:4: licence required")
            )
        elif euc is not None:
            required, basis = True, concat("end-use control ", euc)
        elif eccn == "undetermined":
            required = None
            if acc not in self._known:
                possible = row.get("possible_models")
                basis = "classification undetermined: accelerator model not identified" + (
                    "" if possible is None else "; the system can carry: " + possible
                )
            else:
                basis = "classification undetermined: dense TOPS not published"
        else:
            required = False
            basis = (
                concat(eccn, ": no licence for this destination")
                if is_3a090
                else "not 3A090 by parameters"
            )
        possible = row.get("possible_models")
        if acc not in self._known and possible is not None and eccn not in (None, "undetermined"):
            basis = concat(basis, "; the system is built with ", possible, " (", eccn, ")")
        row["license_required"], row["license_basis"] = required, basis
