"""`chipcustoms catalog --check`: what the catalog does not know yet, model by model, and why.

The issue of catalog breadth asks that no classification stays `undetermined` where a spec sheet
exists: this report names, per model and system, the missing figure, the value without a
source, the missing PCI id, price or mass, so the gaps are a list to work through.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from chipcustoms.recognise.catalog import CITABLE, Catalog, Specs


class Finding(BaseModel):
    """One reason a catalog entry is incomplete (``chipcustoms catalog --check``)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["model", "system"]
    id: str
    problem: str
    detail: str = ""


_GK_PREFIX = "general knowledge"
_NEEDED = ("dense_tops", "die_area_mm2")


def check_catalog(cat: Catalog) -> list[Finding]:
    """Every model and system that is incomplete, and why.

    Models: a figure TPP/PD needs (dense TOPS, die area) absent, declared `missing` or not;
    a spec value with no source (per-value `cite`, else the model's `spec_sources`); a value
    cited only to a general-knowledge key; no PCI id; no price; no mass. Systems: no model it
    can carry, no mass, no vendor.
    """
    out: list[Finding] = []
    titles = {
        (vf.vendor_name, key): src.title for vf in cat.vendors for key, src in vf.sources.items()
    }
    for m in cat.models:
        for fig in _NEEDED:
            if not m._figure(fig):
                how = "declared missing" if fig in m.missing else "undeclared"
                detail = m.missing_note or "" if fig in m.missing else "not in the catalog"
                out.append(
                    Finding(kind="model", id=m.id, problem=f"missing {fig} ({how})", detail=detail)
                )
        for fig in sorted(CITABLE & set(Specs.model_fields)):
            if not m._figure(fig):
                continue
            keys = m.cite.get(fig) or m.specs.spec_sources
            if not keys:
                out.append(
                    Finding(kind="model", id=m.id, problem="no source for a value", detail=fig)
                )
            elif all(titles.get((m.vendor, k), "").startswith(_GK_PREFIX) for k in keys):
                out.append(
                    Finding(kind="model", id=m.id, problem="general-knowledge source", detail=fig)
                )
        if not m.pci_ids:
            note = " (declared missing)" if "pci_ids" in m.missing else ""
            out.append(Finding(kind="model", id=m.id, problem="no PCI id", detail=note.strip()))
        if m.price_usd is None:
            out.append(Finding(kind="model", id=m.id, problem="no price"))
        if m.weight_kg is None:
            out.append(Finding(kind="model", id=m.id, problem="no mass"))
    for s in cat.systems:
        if not s.models:
            out.append(Finding(kind="system", id=s.id, problem="no model it can carry"))
        if s.weight_kg is None:
            out.append(Finding(kind="system", id=s.id, problem="no mass"))
        if not s.vendor:
            out.append(Finding(kind="system", id=s.id, problem="no vendor"))
    return out


def format_findings(cat: Catalog, findings: list[Finding]) -> str:
    """The `catalog --check` report: one line per finding, then counts."""
    from collections import Counter

    lines = [
        f"{f.kind} {f.id}: {f.problem}" + (f" - {f.detail}" if f.detail else "") for f in findings
    ]
    by_problem = Counter(f.problem for f in findings)
    incomplete_m = len({f.id for f in findings if f.kind == "model"})
    incomplete_s = len({f.id for f in findings if f.kind == "system"})
    lines.append("")
    lines.append(
        f"{len(cat.models)} models ({incomplete_m} incomplete), "
        f"{len(cat.systems)} systems ({incomplete_s} incomplete), {len(findings)} findings"
    )
    lines += [f"  {n:4d}  {problem}" for problem, n in sorted(by_problem.items())]
    return "\n".join(lines)
