"""The registered anomaly checks (assess/anomalies.py) for one line, with the peers loaded once.

Each bundled check has its row form here, keyed by its code, written from the same formula and
message as its ``@check`` expression (tests/test_online_differential.py holds them equal). A
check registered without a row form still works: its expressions run on a one-row frame, so a
new check is correct online before it is fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from chipcustoms.assess import anomalies
from chipcustoms.assess.checks import built
from chipcustoms.assess.online_format import clip01, concat, div, fmt, ge, gt, k_and, ln
from chipcustoms.assess.scoring import AnomalySetting, ScoringConfig

Row = dict[str, Any]
Peers = dict[str, tuple[float | None, int, float | None]]  # hs6 -> (median, count, scaled MAD)
RowCheck = Callable[[Row, AnomalySetting, str], tuple[float | None, str | None]]


def peer_table(peers: pl.DataFrame | None) -> Peers:
    """An :func:`anomalies.peer_stats` table as a dict by HS6 (null HS6 never matches)."""
    if peers is None:
        return {}
    return {
        h: (m, int(n), d)
        for h, m, n, d in peers.select("hs6", "med", "n", "mad").iter_rows()
        if h is not None
    }


def _value_below_range(row: Row, s: AnomalySetting, col: str) -> tuple[float | None, str | None]:
    per_acc = row["value_per_accelerator_usd"]
    if per_acc is None:
        per_acc = row["unit_value_usd"]
    r = div(per_acc, row["price_low_usd"])
    score = None if r is None else clip01(1 - r)
    message = concat(
        "Declared value per accelerator ",
        fmt(per_acc),
        " USD is ",
        fmt(None if score is None else score * 100),
        "% below the catalog low price ",
        fmt(row["price_low_usd"]),
        " USD for ",
        row["accelerator_model"],
        ".",
    )
    return score, message


def _weight_implausible(row: Row, s: AnomalySetting, col: str) -> tuple[float | None, str | None]:
    unit_kg = row["unit_gross_kg"]
    if unit_kg is None:
        unit_kg = row["unit_net_kg"]
    units = row["units_per_item"]
    one = 1 if units is None else units
    typical, system = row["weight_kg_typical"], row["system_weight_kg"]
    if one == 1:
        expected = None if typical is None else s.packing["card"] * typical
    else:
        expected = None if system is None else s.packing["system"] * system
    log = ln(div(unit_kg, expected))
    # Polars divides by a literal as a product with its reciprocal: so does this, bit for bit.
    score = None if log is None else clip01(abs(log) * (1 / anomalies.LN5))
    if one > 1:
        tail = concat("system ", row["system_id"], " (catalogued ", fmt(system, 1), " kg).")
    else:
        tail = concat(row["accelerator_model"], " (typical ", fmt(typical, 2), " kg bare).")
    return score, concat("Weight per unit ", fmt(unit_kg, 2), " kg does not fit ", tail)


def _value_low_for_hs(row: Row, s: AnomalySetting, col: str) -> tuple[float | None, str | None]:
    basis = row["unit_basis_usd"]
    peer_ln = ln(basis) if gt(basis, 0) else None
    med, n, mad = row["__peers"].get(row["hs6"], (None, None, None))
    enough = k_and(
        None if n is None else n >= (s.min_peers or 20), None if mad is None else gt(mad, 0)
    )
    score = None
    if enough:
        z = div(None if peer_ln is None or med is None else peer_ln - med, mad)
        score = None if z is None else clip01((-z - 2) / 4)
    message = concat(
        "Unit value ",
        fmt(basis, 2),
        " USD per ",
        row["unit_basis"],
        " is far below other lines of HS ",
        row["hs6"],
        " in this batch.",
    )
    return score, message


def _data_gap(row: Row, s: AnomalySetting, col: str) -> tuple[float | None, str | None]:
    value, net = row.get("value"), row.get("net_weight_kg")
    gap = (
        (value is not None and value == 0)
        or (net is not None and net == 0)
        or row.get("origin_country") is None
    )
    return (1.0 if gap else 0.0), "The line declares a zero value or mass, or no origin country."


ROW_CHECKS: dict[str, RowCheck] = {
    "VAL_BELOW_RANGE": _value_below_range,
    "WEIGHT_IMPLAUSIBLE": _weight_implausible,
    "VAL_LOW_FOR_HS": _value_low_for_hs,
    "DATA_GAP": _data_gap,
}


class RowChecks:
    """Every registered check for one line: its score column, and its reason when reported."""

    def __init__(
        self,
        config: ScoringConfig,
        peers: pl.DataFrame | None,
        columns: list[str],
        to_frame: Callable[[list[Row]], pl.DataFrame],
    ) -> None:
        self.config = config
        self.peers = peer_table(peers)
        self.frame_peers = peers
        self._to_frame = to_frame
        # Built once: the evidence columns of each check, in registration order.
        self.checks = [(r, s, c.evidence) for r, s, c in built(config, columns)]
        self._slow = any(r.code not in ROW_CHECKS for r, _, _ in self.checks)

    def score(self, row: Row) -> list[tuple[str, float | None, str | None, list[str]]]:
        """(code, score, message, evidence columns) per check, in registration order; sets the
        `anom_*` columns on ``row``."""
        out = []
        row["__peers"] = self.peers
        by_frame = self._by_frame(row) if self._slow else {}
        for r, s, evidence in self.checks:
            fn = ROW_CHECKS.get(r.code)
            value, message = fn(row, s, r.column) if fn is not None else by_frame[r.code]
            row[r.column] = value
            out.append((r.code, value, message, evidence))
        del row["__peers"]
        return out

    def _by_frame(self, row: Row) -> dict[str, tuple[float | None, str | None]]:
        """The checks without a row form, by their expressions over a one-row frame."""
        frame = self._to_frame([{k: v for k, v in row.items() if k != "__peers"}])
        scored = anomalies.add_scores(frame, peers=self.frame_peers, config=self.config)
        out = {}
        for r, _, check in built(self.config, scored.columns):
            if r.code not in ROW_CHECKS:
                out[r.code] = (scored[r.column].item(), scored.select(check.message).item())
        return out


def is_reported(value: float | None, setting: AnomalySetting) -> bool:
    """The batch's ``col >= report_at`` filter (null never reports)."""
    return bool(ge(value, setting.report_at))


def contribution(value: float | None, setting: AnomalySetting) -> float:
    """``col.fill_null(0) * weight``: the check's risk term and its reason's score."""
    return (0.0 if value is None else value) * setting.weight
