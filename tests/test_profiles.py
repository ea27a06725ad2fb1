"""Jurisdiction profiles: which law governs which line, and no reason cites one that does not."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import Result
from typer.testing import CliRunner

from chipcustoms.assess.pipeline import References, assess, enrich
from chipcustoms.assess.selection import Budgets
from chipcustoms.cli.main import app
from chipcustoms.errors import ReferenceDataError, RuleError
from chipcustoms.policy.packs import load_packs
from chipcustoms.policy.profiles import bundled_profiles, governing, load_profile
from chipcustoms.policy.rules import RuleSet
from chipcustoms.synthetic.generator import generate
from test_scenarios import canonical

runner = CliRunner()


def test_every_bundled_pack_declares_its_law_and_every_profile_loads() -> None:
    packs = load_packs()
    assert all(lp.pack.jurisdiction is not None for lp in packs)
    assert set(bundled_profiles()) >= {"all", "cn-import", "us-export", "transit-hub"}
    for name in bundled_profiles():
        load_profile(name, packs)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("packs: [{pack: no-such-pack}]", "[no-such-pack]: no such policy pack"),
        ("packs: [{pack: cn-customs-2025, flows: [smuggle]}]", "packs.0.flows.0"),
        ("packs: [{pack: cn-customs-2025, where: 'x IN (SELECT 1)'}]", "not allowed"),
    ],
)
def test_a_broken_profile_names_file_and_entry(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        f"id: mine\ntitle: t\nscreener: s\njurisdiction: CN\n{body}\n", encoding="utf-8"
    )
    with pytest.raises(ReferenceDataError) as exc:
        load_profile(str(path), load_packs())
    assert str(path) in str(exc.value) and message in str(exc.value)


def test_an_unknown_column_in_a_governs_condition_fails_when_compiled(
    tmp_path: Path, refs: References
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\ntitle: t\nscreener: s\njurisdiction: CN\n"
        "packs: [{pack: cn-customs-2025, where: \"no_such_column = 'x'\"}]\n",
        encoding="utf-8",
    )
    rules = RuleSet(load_packs(), load_profile(str(path)))
    row = {"flow": "import", "destination_country": "CN", "shipped_from_country": "TW",
           "description": "NVIDIA H20"}  # fmt: skip
    lines = _lines(refs, [row])
    with pytest.raises(RuleError, match="profile p, pack cn-customs-2025"):
        rules.evaluate(lines)


def _lines(refs: References, rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {
        "declaration_id": "X",
        "item_no": 1,
        "date": "2026-03-10",
        "hs_code": "847330",
        "quantity": 1.0,
        "value": 20000.0,
        "currency": "USD",
        "office": "X",
        "origin_country": "TW",
    }
    frame = canonical([{**base, **r, "item_no": i + 1} for i, r in enumerate(rows)])
    return enrich(frame, refs, anomalies=False)


def test_governing_packs_per_line(refs: References) -> None:
    rows = [
        {"flow": "import", "destination_country": "CN", "shipped_from_country": "TW",
         "description": "NVIDIA H100 PCIe"},
        {"flow": "export", "destination_country": "CN", "shipped_from_country": "US",
         "description": "NVIDIA H100 PCIe"},
        {"flow": "export", "destination_country": "RU", "shipped_from_country": "CN",
         "origin_country": "CN", "description": "Huawei Ascend 910B"},
        {"flow": "transit", "destination_country": "CN", "shipped_from_country": "US",
         "office": "SGSIN", "description": "NVIDIA H100 PCIe"},
        {"flow": "import", "destination_country": "DE", "shipped_from_country": "US",
         "description": "NVIDIA H100 PCIe"},
    ]  # fmt: skip
    lines = _lines(refs, rows)
    packs = load_packs()
    got = [sorted(g) for g in governing(lines, load_profile("all"), packs).to_list()]
    assert got == [
        ["cn-customs-2025", "valuation-and-routing"],
        ["us-ear-3a090", "valuation-and-routing"],
        ["valuation-and-routing"],  # a Chinese-made chip outside the US: not subject to the EAR
        ["hub-strategic-goods", "us-ear-3a090", "valuation-and-routing"],
        ["valuation-and-routing"],  # an import into Germany: no export law, no CN measure
    ]
    hub = governing(lines, load_profile("transit-hub"), packs).to_list()
    assert sorted(hub[3]) == ["hub-strategic-goods", "valuation-and-routing"]
    us = governing(lines, load_profile("us-export"), packs).to_list()
    assert sorted(us[1]) == ["us-ear-3a090", "valuation-and-routing"]
    assert "us-ear-3a090" not in us[3]  # a transit is not an export for the exporter


@pytest.mark.parametrize("profile", sorted(bundled_profiles()))
def test_no_reason_cites_a_law_that_does_not_govern_the_line(profile: str) -> None:
    """Over generated trade under every flow, each rule reason's pack governs its line."""
    refs = References.load(profile=profile)
    lines = generate(2000, seed=3)
    flows = pl.Series(["import", "export", "transit"] * (lines.height // 3 + 1))[: lines.height]
    lines = lines.with_columns(flows.alias("flow"))
    out, _ = assess(lines, refs, Budgets())
    enriched = enrich(lines, refs, anomalies=False)
    governs = governing(enriched, refs.rules.profile, refs.packs).to_list()
    cited = 0
    for reasons, packs in zip(out["reasons"].to_list(), governs, strict=True):
        for r in reasons:
            if r["source"] == "rule":
                pack = json.loads(r["evidence"])["rule"].split("/")[0]
                assert pack in packs, (profile, r["code"], packs)
                cited += 1
    assert cited > 0


def test_profile_setting_and_screen_option(
    tmp_path: Path, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPCUSTOMS_PROFILE", "us-export")
    assert References.load().rules.profile.id == "us-export"
    db = str(tmp_path / "s.db")
    summary = tmp_path / "summary.md"
    res = runner.invoke(
        app,
        ["screen", str(fixtures / "lines.csv"), "-o", str(tmp_path / "a.csv"), "--db", db,
         "--profile", "cn-import", "-q", "--summary", str(summary)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "jurisdiction profile: **cn-import**" in summary.read_text(encoding="utf-8")
    from chipcustoms.store import open_store

    versions = open_store(db).runs()[0]["versions"]
    versions = json.loads(versions) if isinstance(versions, str) else versions
    assert versions["profile"] == "cn-import"
    listed = runner.invoke(app, ["profiles"])
    assert listed.exit_code == 0 and "cn-import" in listed.output and "(default)" in listed.output


def test_a_reason_that_a_licence_would_be_denied_carries_a_red_floor() -> None:
    """Coherent reasons: "prohibited without a licence" means at least red; a licence or permit
    reason without a red floor says why not in its message."""
    for lp in load_packs():
        for r in lp.pack.rules:
            text = f"{r.title} {r.message}".lower()
            if "presumption of denial" in text or "does not release" in text:
                assert r.floor == "red", (lp.pack.id, r.id)
            elif r.category == "control" and ("licence" in text or "permit" in text):
                assert r.floor is not None, (lp.pack.id, r.id)
                assert r.floor == "red" or "check" in r.message, (lp.pack.id, r.id)


def test_threshold_mode_takes_the_cut_offs_of_a_run_under_the_same_profile(
    tmp_path: Path, fixtures: Path
) -> None:
    db = str(tmp_path / "t.db")
    src = str(fixtures / "lines.csv")

    def screen(*extra: str) -> Result:
        return runner.invoke(app, ["screen", src, "-o", str(tmp_path / "o.csv"), "--db", db,
                                   "-q", *extra])  # fmt: skip

    assert screen("--profile", "cn-import").exit_code == 0
    refused = screen("--profile", "us-export", "--mode", "threshold")
    assert "under profile 'us-export'" in str(refused.exception)
    assert screen("--profile", "cn-import", "--mode", "threshold").exit_code == 0
