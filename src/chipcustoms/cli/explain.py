"""Rendering of a stored line for `chipcustoms explain`: the analyst's "why is this red?"."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

SHOWN = (
    "date",
    "flow",
    "office",
    "importer_id",
    "importer_name",
    "exporter_name",
    "origin_country",
    "shipped_from_country",
    "destination_country",
    "transport_mode",
    "hs_code",
    "description",
    "brand",
    "model",
    "part_number",
    "quantity",
    "gross_weight_kg",
    "net_weight_kg",
    "value",
    "currency",
)


def render(record: dict[str, Any], console: Console) -> None:
    decl = record["declaration"]
    latest = record["assessments"][0]
    console.print(
        f"[bold]{decl['declaration_id']} item {decl['item_no']}[/]: "
        f"[bold]{latest['channel'].upper()}[/] (risk {latest['risk_score']:.3f}, "
        f"selection {latest['selection']}, run {latest['run_id']} at "
        f"{latest['created_at']})",
        highlight=False,
    )
    declared = Table("declared", "value", show_header=False, box=None)
    for key in SHOWN:
        if decl.get(key) not in (None, ""):
            declared.add_row(key, str(decl[key]))
    console.print(declared)
    if latest["accelerator_id"]:
        from chipcustoms.recognise.catalog import load_catalog

        model = load_catalog().by_id.get(latest["accelerator_id"])
        lic = {True: "licence required", False: "no licence needed", None: "undetermined"}
        console.print(
            f"Resolved: {model.model if model else '?'} ({latest['accelerator_id']}, "
            f"confidence {latest['resolution_confidence']:.3f}); ECCN "
            f"{latest['eccn']}; US EAR (information): {lic[latest['license_required']]}",
            highlight=False,
        )
    else:
        console.print("Resolved: not an accelerator in the catalog")
    console.print("[bold]Reasons[/] (strongest first; score = contribution to the risk score)")
    for r in json.loads(latest["reasons"] or "[]"):
        console.print(
            f"  [bold]{r['code']}[/] ({r['source']}, {r['score']:.3f}) {escape(r['message'])}",
            highlight=False,
        )
        ev = json.loads(r["evidence"]) if r.get("evidence") else {}
        if ev:
            console.print(
                "      evidence: " + ", ".join(f"{k}={v}" for k, v in ev.items()),
                highlight=False,
                style="dim",
            )
    if len(record["assessments"]) > 1:
        hist = Table("run", "at", "channel", "risk", "top reason", title="History")
        for a in record["assessments"]:
            hist.add_row(
                str(a["run_id"]),
                a["created_at"],
                a["channel"],
                f"{a['risk_score']:.3f}",
                a["top_reason"] or "",
            )
        console.print(hist)
    case = record["case"]
    if case:
        console.print(
            f"Case {case['case_id']}: {case['status']}, channel {case['channel']}, "
            f"assigned to {case['assigned_to'] or 'nobody'}, opened "
            f"{case['opened_at']}",
            highlight=False,
        )
        for o in record["outcomes"]:
            console.print(
                f"  outcome by {o['recorded_by']} at {o['recorded_at']}: "
                f"{'found' if o['found'] else 'nothing found'} "
                f"{o['real_accelerator_id'] or ''} {o['notes'] or ''}"
            )
    else:
        console.print("No case: the line was released (green).")
