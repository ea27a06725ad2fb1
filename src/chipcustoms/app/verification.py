"""Checking an inspector's lspci / nvidia-smi capture against the catalog, on the spot.

The capture is compared twice: with what the declaration resolved to (a relabelled card shows
up as ``model_mismatch`` here) and with what the inspector reports having found (a typo in the
form shows up there). Both verdicts are stored with the outcome, so the audit trail keeps the
evidence and not only the inspector's word.
"""

from __future__ import annotations

import json
from typing import Any

from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.captures import identify, parse_capture, verify


def verify_capture(
    capture: str | None,
    refs: References,
    *,
    declared_id: str | None,
    declared_units: float | None = None,
    reported_id: str | None = None,
    reported_units: float | None = None,
) -> str | None:
    """JSON text of the verification, or None without a capture."""
    if not capture or not capture.strip():
        return None
    found = identify(parse_capture(capture), refs.resolver)
    result: dict[str, Any] = verify(found, declared_id, declared_units)
    result["against"] = "declaration"
    if reported_id is not None or reported_units is not None:
        report = verify(found, reported_id or declared_id, reported_units)
        result["against_report"] = {
            "status": report["status"],
            "reported_accelerator_id": reported_id,
            "reported_units": reported_units,
        }
    return json.dumps(result, default=str)


def declared_units(line: dict[str, Any] | None) -> float | None:
    """How many accelerators the line declares: its quantity times the units per item its
    newest assessment resolved (8 for an HGX board), so the outcome keeps what was declared."""
    if line is None or line["declaration"].get("quantity") is None:
        return None
    history = line.get("assessments") or []
    per_item = (history[0].get("units_per_item") if history else None) or 1
    return float(line["declaration"]["quantity"]) * float(per_item)
