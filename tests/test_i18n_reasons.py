"""Simplified Chinese for every reason and for the run summary (issue 15, deliverable 5)."""

import json
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chipcustoms.assess.checks import CHECKS, built
from chipcustoms.assess.pipeline import RESOLUTION_EVIDENCE, SELECTION_MESSAGES, References, assess
from chipcustoms.assess.selection import Budgets
from chipcustoms.cli.main import app
from chipcustoms.lines.ingest import read_and_ingest
from chipcustoms.lines.mapping import load_mapping
from chipcustoms.policy.messages import code_templates, localise, placeholders, rules_by_ref
from chipcustoms.refdata import REFDATA
from chipcustoms.run.summary import RunCounts, markdown

CJK = re.compile(r"[\u4e00-\u9fff]")
PACKS = sorted(p.name for p in (REFDATA / "policies").glob("*.yaml"))


def test_every_bundled_pack_rule_has_a_zh_message_with_the_same_values(
    refs: References,
) -> None:
    loaded = {lp.pack.id: lp.pack for lp in refs.packs}
    assert len(loaded) >= len(PACKS)
    for pack in loaded.values():
        for rule in pack.rules:
            assert rule.message_zh, f"{pack.id}/{rule.id} has no message_zh"
            assert CJK.search(rule.message_zh)
            zh = [m.group(0) for m in re.finditer(r"\{[^}]*\}", rule.message_zh)]
            en = [m.group(0) for m in re.finditer(r"\{[^}]*\}", rule.message)]
            assert sorted(set(zh)) == sorted(set(en)), f"{pack.id}/{rule.id}"


def _evidence_keys(refs: References, cols: list[str]) -> dict[str, set[str]]:
    keys = {r.code: {r.column, *c.evidence} for r, _, c in built(refs.scoring, cols)}
    keys["RES_ACCELERATOR"] = set(RESOLUTION_EVIDENCE)
    for code, _ in SELECTION_MESSAGES.values():
        keys[code] = {"channel", "risk_score"}
    return keys


def test_every_anomaly_resolution_and_selection_code_has_a_fillable_zh_template(
    refs: References, assessed: pl.DataFrame
) -> None:
    keys = _evidence_keys(refs, assessed.columns)
    assert set(CHECKS) <= set(keys)
    table = code_templates()
    for code, have in keys.items():
        templates = table.codes.get(code)
        assert templates, f"{code} has no zh template"
        for t in templates:
            assert CJK.search(t)
            missing = set(placeholders(t)) - have
            assert not missing, f"{code}: {t!r} names {missing}, not in its evidence"


@pytest.fixture
def assessed(refs: References, fixtures: Path) -> pl.DataFrame:
    lines = read_and_ingest(fixtures / "lines.csv", load_mapping(None)).accepted
    out, _ = assess(lines, refs, Budgets(red=0.3, yellow=0.3, blue=0.2))
    return out


def test_zh_messages_fill_from_a_real_assessment(refs: References, assessed: pl.DataFrame) -> None:
    by_ref = rules_by_ref(lp.pack for lp in refs.packs)
    seen: dict[str, int] = {}
    for reasons in assessed["reasons"].to_list():
        for r in reasons:
            zh = localise(r, by_ref, "zh-CN")
            assert localise(r, by_ref, "en") == r["message"]
            if r["source"] in ("rule", "anomaly", "resolution", "selection"):
                assert CJK.search(zh), (r["code"], zh)
                # numbers in the English text appear in the Chinese one, same formats
                seen[r["source"]] = seen.get(r["source"], 0) + 1
    assert {"rule", "anomaly", "resolution", "selection"} <= set(seen)


def test_a_value_missing_from_the_evidence_keeps_the_english_message() -> None:
    reason = {
        "code": "VAL_LOW_FOR_HS",
        "source": "anomaly",
        "message": "Unit value 3.00 USD per kg is far below other lines of HS 847330.",
        "evidence": json.dumps({"unit_basis": "kg", "hs6": "847330"}),  # no unit_basis_usd
    }
    assert localise(reason, {}, "zh-CN") == reason["message"]
    full = {**reason, "evidence": json.dumps({"unit_basis": "kg", "hs6": "847330",
                                               "unit_basis_usd": 3.0})}
    assert localise(full, {}, "zh-CN") == (
        "每千克单价 3.00 美元，远低于本批次税号 847330 下的其他申报：疑似低报价格。"
    )


def test_summary_in_zh(refs: References, fixtures: Path) -> None:
    lines = read_and_ingest(fixtures / "lines.csv", load_mapping(None)).accepted
    out, report = assess(lines, refs, Budgets(red=0.3, yellow=0.3, blue=0.2))
    counts = RunCounts(out.height, out.height, 0)
    args = {"title": "t", "output": "o.csv", "quarantine": None}
    en = markdown(counts, report, out, **args)
    zh = markdown(counts, report, out, **args, lang="zh-CN",
                  rules=rules_by_ref(lp.pack for lp in refs.packs))
    assert "## Top reasons" in en and "## 主要理由" in zh
    assert "## Top reasons" not in zh and "## 风险最高的十个申报项" in zh
    assert f"- 读取申报项：{out.height:,}" in zh
    en_reasons = [ln for ln in en.splitlines() if ln.startswith("  - `")]
    zh_reasons = [ln for ln in zh.splitlines() if ln.startswith("  - `")]
    assert len(en_reasons) == len(zh_reasons) > 0
    assert all(CJK.search(ln) for ln in zh_reasons if "`MODEL_RISK`" not in ln
               and "`PARTY_" not in ln)


def test_screen_lang_option(tmp_path: Path, fixtures: Path) -> None:
    summary = tmp_path / "s.md"
    res = CliRunner().invoke(app, ["screen", str(fixtures / "lines.csv"), "-o",
                                   str(tmp_path / "a.csv"), "-q", "--summary", str(summary),
                                   "--lang", "zh-CN"])
    assert res.exit_code == 0, res.output
    assert "## 各通道申报项数" in summary.read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["screen", str(fixtures / "lines.csv"), "-o",
                                   str(tmp_path / "b.csv"), "-q", "--lang", "fr"])
    assert bad.exit_code != 0
