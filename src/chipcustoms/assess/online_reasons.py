"""A line's reasons, risk score, channel and selection note, built directly (no frame).

The same steps as pipeline.score / pipeline.finish and selection.apply_thresholds, in the same
order, so that the floats come out bit for bit (the risk score is part of the selection note's
evidence text): rule term 1 - exp(sum(log(1 - w))), then the noisy-OR product in term order.
"""

from __future__ import annotations

import math
from typing import Any

from chipcustoms.assess.online_format import concat, json_object, round_even
from chipcustoms.assess.selection import BLUE, GREEN, RED, YELLOW

Row = dict[str, Any]
RANK_EVIDENCE, RANK_RESOLUTION, RANK_SELECTION = 0, 1, 2


def reason(code: str, source: str, score: float, message: str | None, evidence: Row) -> Row:
    """pipeline._reason for one line: the score rounded to 4 places, evidence as JSON text."""
    return {
        "code": code,
        "source": source,
        "score": round_even(float(score), 4),
        "message": message,
        "evidence": json_object(evidence.items()),
    }


def rule_term(reasons: list[Row]) -> float | None:
    """1 - exp(sum(log(1 - score))) over the line's rule reasons; None without any."""
    if not reasons:
        return None
    total = 0.0
    for r in reasons:
        keep = 1 - r["score"]
        total += -math.inf if keep == 0 else (math.log(keep) if keep > 0 else math.nan)
    return 1 - math.exp(total)


def noisy_or(terms: list[float | None]) -> float:
    """scoring.noisy_or for one line: nulls count as 0, terms clipped to [0, 1]."""
    keep = 1.0
    for t in terms:
        v = 0.0 if t is None else t
        keep = keep * (1 - (v if math.isnan(v) else min(max(v, 0.0), 1.0)))
    return 1 - keep


def resolution_message(row: Row) -> str | None:
    """The RES_ACCELERATOR sentence (pipeline.score): named model, or what was recognised."""
    eccn = "" if row["eccn"] is None else "; US ECCN " + row["eccn"]
    match = row["resolution_match"]
    quoted = "" if match is None else " '" + match + "'"
    if row["accelerator_vendor"] is not None:
        return concat(
            "Resolved to ",
            row["accelerator_vendor"],
            " ",
            row["accelerator_model"],
            " by ",
            row["resolution_method"],
            quoted,
            eccn,
            ".",
        )
    model = row["accelerator_model"]
    method = row["resolution_method"]
    return concat(
        "Recognised as ",
        "an accelerator" if model is None else model,
        " by ",
        "wording" if method is None else method,
        quoted,
        eccn,
        ".",
    )


def one_reason_per_fact(
    parts: list[tuple[int, Row]], same_fact: dict[str, set[str]]
) -> list[tuple[int, Row]]:
    """Drop an anomaly reason where a rule reason stating the same fact is on the line."""
    rule_codes = {r["code"] for _, r in parts if r["source"] == "rule"}
    drop = {code for code, rules in same_fact.items() if rules & rule_codes}
    return [(k, r) for k, r in parts if r["code"] not in drop]


def ordered(parts: list[tuple[int, Row]]) -> list[tuple[int, Row]]:
    """Evidence first by score (highest first), then resolution, then selection; stable."""
    return sorted(parts, key=lambda p: (p[0], -p[1]["score"]))


def channel_of(
    risk: float,
    floor_red: bool,
    floor_yellow: bool,
    top_category: str | None,
    thresholds: dict[str, float | None],
) -> tuple[str, str]:
    """selection.apply_thresholds for one line: (channel, selection)."""

    def at_least(ch: str) -> bool:
        t = thresholds.get(ch)
        return t is not None and risk >= t

    if floor_red or at_least(RED):
        channel = RED
    elif floor_yellow or at_least(YELLOW):
        channel = YELLOW
    elif top_category == "valuation" and at_least(BLUE):
        channel = BLUE
    else:
        channel = GREEN
    if channel == GREEN:
        return channel, "none"
    if (channel == RED and floor_red) or (channel == YELLOW and floor_yellow):
        return channel, "floor"
    return channel, "threshold"
