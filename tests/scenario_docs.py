"""docs/scenarios.md from tests/scenarios/golden.yaml: the golden scenarios as a table an
officer reads. `tests/test_docs.py` fails when the file is out of date; regenerate with

    PYTHONPATH=src python tests/scenario_docs.py > docs/scenarios.md
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

GOLDEN = Path(__file__).parent / "scenarios" / "golden.yaml"


def _cell(text: object) -> str:
    return str(text).replace("|", "/").replace("\n", " ").strip()


def _codes(codes: list[str]) -> str:
    return ", ".join(f"`{c}`" for c in codes)


def _expected(expect: dict[str, Any]) -> str:
    parts = []
    if "channel" in expect:
        parts.append(f"**{expect['channel']}**")
    if "at_least" in expect:
        parts.append(f"at least {expect['at_least']}")
    if "at_most" in expect:
        parts.append(f"at most {expect['at_most']}")
    if "floor" in expect:
        parts.append(f"floor {expect['floor']}")
    if "units" in expect:
        parts.append(f"{expect['units']} units")
    if "line" in expect:
        parts.append(f"(line {expect['line']})")
    return "; ".join(parts) or "-"


def _reasons(expect: dict[str, Any]) -> str:
    parts = []
    if expect.get("must"):
        parts.append("must: " + _codes(expect["must"]))
    if expect.get("one_of"):
        parts.append("exactly one of: " + _codes(expect["one_of"]))
    if expect.get("must_not"):
        parts.append("never: " + _codes(expect["must_not"]))
    return "; ".join(parts) or "-"


def _line(line: dict[str, Any]) -> str:
    """'NVIDIA H20 module' (1 x, 11,000 USD, HS 84733090, import TW > CN)."""
    route = " > ".join(
        str(line[k])
        for k in ("origin_country", "shipped_from_country", "destination_country")
        if line.get(k)
    )
    flow = f"{line.get('flow', '')} {route}".strip()
    return _cell(
        f"{line.get('description', '')} ({line.get('quantity', 1)} x, "
        f"{float(line.get('value', 0)):,.0f} {line.get('currency', '')}, "
        f"HS {line.get('hs_code', '')}{', ' + flow if flow else ''})"
    )


def markdown(path: Path = GOLDEN) -> str:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenarios = doc["scenarios"]
    profiles = sorted({s["profile"] for s in scenarios})
    out = [
        "# Golden scenarios",
        "",
        "What a customs officer expects of chipcustoms, written before the code that meets it. "
        "Generated from `tests/scenarios/golden.yaml` by `tests/scenario_docs.py`; "
        "`tests/test_scenarios.py` runs every row (threshold mode, with the cut-offs of a budget "
        "run over a generated day at the profile's border) and `tests/test_docs.py` fails when "
        "this file is out of date.",
        "",
        f"{len(scenarios)} scenarios over the profiles {', '.join(f'`{p}`' for p in profiles)}. "
        "Channels order green < blue < yellow < red; the floor is the strongest rule floor on "
        "the line; a code ending in `*` is a prefix (`EAR_*`: any US EAR reason).",
        "",
        "Lines: description (quantity, declared value, HS code, flow and origin > shipped from >"
        " destination).",
        "",
        "| id | profile | pattern | lines | the officer expects | channel / floor | reasons |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scenarios:
        base = {**doc["defaults"], **doc["profiles"][s["profile"]]}
        descriptions = "; ".join(_line({**base, **line}) for line in s["lines"])
        out.append(
            f"| `{s['id']}` | {s['profile']} | {s['pattern']} | {descriptions} | "
            f"{_cell(s['officer'])} | {_expected(s['expect'])} | {_reasons(s['expect'])} |"
        )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
