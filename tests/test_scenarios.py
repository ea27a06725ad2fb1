"""The golden scenarios (tests/scenarios/golden.yaml): what a customs officer expects, checked.

Per profile, the cut-offs come from one budget-mode run over generated background lines (a
day's worth of ordinary trade, cached per profile); each scenario's lines are then assessed
together in threshold mode with those cut-offs, as a declaration is at lodgement. The bundled
demo watchlist is loaded into a temporary store so that screening reasons exist. The semantics
of `expect` are the YAML header's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from chipcustoms.assess.pipeline import References, assess, enrich
from chipcustoms.assess.selection import Budgets
from chipcustoms.lines.ingest import ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.parties.commands import ensure_demo_list
from chipcustoms.run.references import load_references
from chipcustoms.store import open_store
from chipcustoms.synthetic.generator import generate

GOLDEN = Path(__file__).parent / "scenarios" / "golden.yaml"
DOC = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
SCENARIOS: list[dict[str, Any]] = DOC["scenarios"]
ORDER = {"green": 0, "blue": 1, "yellow": 2, "red": 3}
# What makes a generated line one of the profile's own border: its flow and office, and the
# country whose border it crosses (imports: destination; exports: where it is shipped from).
BORDER = {"import": ["destination_country"], "export": ["shipped_from_country"], "transit": []}
BACKGROUND_LINES = 3000
BUDGETS = Budgets()  # the default budgets of `screen`

# Scenarios that depend on work of other branches (recognition: units of named servers, generic
# AI wording, accessories in Chinese; screening: one distinctive syllable). The lead removes
# these marks when the branches are merged.
NEEDS_OTHER_BRANCH: set[str] = set()


def scenario_lines(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenario's lines with the file's defaults and the profile's defaults filled in."""
    base = {**DOC["defaults"], **DOC["profiles"][scenario["profile"]]}
    return [{**base, **line} for line in scenario["lines"]]


def canonical(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a source file would give them (text), through the default mapping's ingest."""
    columns = sorted({k for r in rows for k in r})
    raw = pl.DataFrame(
        {c: [None if r.get(c) is None else str(r[c]) for r in rows] for c in columns},
        schema={c: pl.Utf8 for c in columns},
    )
    result = ingest(raw, load_mapping(None), file="golden.yaml")
    assert result.quarantined == 0, result.quarantine.to_dicts()
    return result.accepted


@pytest.fixture(scope="module")
def store_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("scenarios") / "scenarios.db")
    ensure_demo_list(open_store(db))
    return db


@pytest.fixture(scope="module")
def profiled(store_db: str) -> Any:
    """profile -> (References, cut-offs of a budget run over a generated day at the profile's
    border: the generator's lines with the profile's flow, office and border country)."""
    cache: dict[str, tuple[References, dict[str, float | None]]] = {}

    def get(profile: str) -> tuple[References, dict[str, float | None]]:
        if profile not in cache:
            refs = load_references(db=store_db, profile=profile)
            background = generate(BACKGROUND_LINES, seed=15, days=1)
            border = DOC["profiles"][profile]
            if "flow" in border:
                keys = ["flow", "office", *BORDER[border["flow"]]]
                background = background.with_columns(
                    pl.lit(border[k]).alias(k) for k in keys if k in border
                )
            _, report = assess(background, refs, BUDGETS)
            cache[profile] = (refs, report.thresholds)
        return cache[profile]

    return get


def _codes(reasons: list[dict[str, Any]]) -> list[str]:
    return [r["code"] for r in reasons]


def _has(codes: list[str], pattern: str) -> bool:
    if pattern.endswith("*"):
        return any(c.startswith(pattern[:-1]) for c in codes)
    return pattern in codes


def check_line(expect: dict[str, Any], row: dict[str, Any], units: float | None) -> list[str]:
    """The ways one assessed line falls short of ``expect`` (empty: it meets it)."""
    codes = _codes(row["reasons"])
    channel = row["channel"]
    floor = "red" if row["floor_red"] else "yellow" if row["floor_yellow"] else "none"
    problems = []
    if "channel" in expect and channel != expect["channel"]:
        problems.append(f"channel {channel}, expected {expect['channel']}")
    if "at_least" in expect and ORDER[channel] < ORDER[expect["at_least"]]:
        problems.append(f"channel {channel}, expected at least {expect['at_least']}")
    if "at_most" in expect and ORDER[channel] > ORDER[expect["at_most"]]:
        problems.append(f"channel {channel}, expected at most {expect['at_most']}")
    if "floor" in expect and floor != expect["floor"]:
        problems.append(f"floor {floor}, expected {expect['floor']}")
    problems += [f"missing {c}" for c in expect.get("must", []) if not _has(codes, c)]
    problems += [f"unwanted {c}" for c in expect.get("must_not", []) if _has(codes, c)]
    if "one_of" in expect:
        present = [c for c in expect["one_of"] if c in codes]
        if len(present) != 1:
            problems.append(f"one_of {expect['one_of']}: found {present}")
    if "units" in expect and units != expect["units"]:
        problems.append(f"units {units}, expected {expect['units']}")
    return problems


def _param(s: dict[str, Any]) -> Any:
    marks = []
    if s["id"] in NEEDS_OTHER_BRANCH:
        marks.append(pytest.mark.xfail(strict=False, reason="needs recognition/screening branch"))
    return pytest.param(s, id=s["id"], marks=marks)


@pytest.mark.parametrize("scenario", [_param(s) for s in SCENARIOS])
def test_scenario(scenario: dict[str, Any], profiled: Any) -> None:
    refs, thresholds = profiled(scenario["profile"])
    lines = canonical(scenario_lines(scenario))
    out, _ = assess(lines, refs, BUDGETS, thresholds=thresholds)
    units = enrich(lines, refs, anomalies=False)["units_per_item"].to_list()
    expect = scenario["expect"]
    which = [expect["line"]] if "line" in expect else range(out.height)
    failures = {}
    for i in which:
        row = out.row(i, named=True)
        problems = check_line(expect, row, units[i])
        if problems:
            failures[row["declaration_id"]] = {
                "problems": problems,
                "reasons": [f"{r['code']}: {r['message']}" for r in row["reasons"]],
                "risk": row["risk_score"],
                "thresholds": thresholds,
            }
    assert not failures, yaml.safe_dump(failures, allow_unicode=True, width=200)


def test_every_profile_and_pattern_is_covered() -> None:
    from chipcustoms.policy.profiles import bundled_profiles

    assert {s["profile"] for s in SCENARIOS} == set(bundled_profiles())
    assert len(SCENARIOS) >= 60
    assert len({s["id"] for s in SCENARIOS}) == len(SCENARIOS)
