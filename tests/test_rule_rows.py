"""One line's rules through the row evaluators equal the batch query's answer for that line.

Every rule of every bundled pack, under every bundled profile, over a generated batch in all
three flows: the same reasons (code, score, message, evidence JSON text, in order), floors and
hit references as :meth:`RuleSet.evaluate`, line by line; group rules with their windows from
an in-memory provider holding the batch's other lines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from chipcustoms.assess.pipeline import References, enrich
from chipcustoms.errors import RuleError
from chipcustoms.policy.packs import LoadedPack, Pack, load_packs
from chipcustoms.policy.profiles import bundled_profiles, load_profile
from chipcustoms.policy.rule_rows import InMemoryWindows, RowRules
from chipcustoms.policy.rules import IDX, RuleSet
from chipcustoms.synthetic.generator import generate
from test_scenarios import DOC, canonical, scenario_lines


@pytest.fixture(scope="module")
def batch(refs: References) -> pl.DataFrame:
    """Generated trade in all three flows, and every golden scenario's lines (each pattern an
    officer names, so every bundled rule has lines it fires on)."""
    lines = generate(1500, seed=11)
    flows = pl.Series(["import", "export", "transit"] * (lines.height // 3 + 1))[: lines.height]
    scenarios = [line for s in DOC["scenarios"] for line in scenario_lines(s)]
    cheap = {
        **scenarios[0],
        "declaration_id": "CHEAP",
        "value": 900,  # uncontrolled, priced
        "description": "NVIDIA RTX PRO 6000D graphics card 84GB",
    }
    golden = canonical([*scenarios, cheap])
    both = pl.concat(
        [lines.with_columns(flows.alias("flow")), golden.select(lines.columns)], how="vertical"
    )
    return enrich(both, refs, anomalies=False)


def _by_line(rs: RuleSet, batch: pl.DataFrame) -> dict[int, dict[str, Any]]:
    return {r[IDX]: r for r in rs.evaluate(batch).to_dicts()}


def _row_results(rows: RowRules, batch: pl.DataFrame) -> dict[int, dict[str, Any]]:
    lines = batch.to_dicts()
    windows = InMemoryWindows(lines)
    out = {}
    for line in lines:
        hit = rows.evaluate(line, windows.without(line))
        if hit is not None:
            out[line[IDX]] = {IDX: line[IDX], "rule_reasons": hit.rule_reasons,
                              "floor_red": hit.floor_red, "floor_yellow": hit.floor_yellow,
                              "rule_hits": hit.rule_hits}  # fmt: skip
    return out


@pytest.mark.parametrize("profile", sorted(bundled_profiles()))
def test_every_bundled_rule_gives_the_batch_answer_line_by_line(
    profile: str, batch: pl.DataFrame
) -> None:
    rs = RuleSet(load_packs(), load_profile(profile))
    want = _by_line(rs, batch)
    got = _row_results(rs.row_evaluator(batch.schema), batch)
    assert set(got) == set(want)
    for i, expected in want.items():
        assert got[i] == expected, i
    assert len(want) > 20  # the batch exercises the rules, not only the misses


def test_every_bundled_rule_is_hit_somewhere(batch: pl.DataFrame) -> None:
    """The comparison above means something only if the rules fire: over all profiles the
    batch hits every bundled rule."""
    hit: set[str] = set()
    for profile in bundled_profiles():
        rs = RuleSet(load_packs(), load_profile(profile))
        for refs in rs.evaluate(batch)["rule_hits"].to_list():
            hit |= set(refs)
    every = {f"{lp.pack.id}/{r.id}@{r.version}" for lp in load_packs() for r in lp.pack.rules}
    assert hit == every, sorted(every - hit)


def _pack(rules: list[dict[str, Any]]) -> list[LoadedPack]:
    pack = Pack.model_validate({"id": "t", "version": "1", "title": "t", "source": "test",
                                "rules": rules})  # fmt: skip
    from pathlib import Path

    return [LoadedPack(pack=pack, path=Path("t.yaml"), digest="x")]


SPLIT = {
    "id": "split", "code": "SPLIT_LOT", "title": "t", "category": "quantity",
    "condition": "n >= 3 AND top <= 2", "weight": 0.4, "source": "s",
    "message": "{importer_id}: {n} lines, {units:.1f} units, mean {mean:.2f}, {kinds} kinds",
    "evidence": ["importer_id", "n", "units", "top", "low", "mean", "kinds", "valued"],
    "group": {"partition_by": ["importer_id", "model"], "window_days": 7,
              "where": "quantity IS NOT NULL AND quantity > 0",
              "aggregates": {"n": "count(*)", "units": "sum(quantity)", "top": "max(quantity)",
                             "low": "min(quantity)", "mean": "avg(quantity)",
                             "kinds": "count(DISTINCT office)", "valued": "count(value)"}},
}  # fmt: skip


def test_group_rules_match_the_batch_window() -> None:
    """Aggregates over +/- window days within the partition (NULL keys grouped together, the
    where filter applied to the window's lines), compared with the batch's window query."""
    base = dt.date(2026, 3, 1)
    rows = []
    for k in range(60):
        rows.append({
            "declaration_id": f"D{k}", "date": base + dt.timedelta(days=(k * 5) % 30),
            "importer_id": [None, "IMP1", "IMP2"][k % 3],
            "model": ["h20", "h100"][k % 2 if k % 7 else 0],
            "quantity": [1.0, 2.0, None, 0.0, 1.5, 3.0][k % 6], "office": ["A", "B", None][k % 3],
            "value": None if k % 4 == 0 else float(k),
        })  # fmt: skip
    batch = pl.DataFrame(rows).with_row_index(IDX)
    rs = RuleSet(_pack([SPLIT]), load_profile("all"))
    want = _by_line(rs, batch)
    got = _row_results(rs.row_evaluator(batch.schema), batch)
    assert want and set(got) == set(want)
    for i, expected in want.items():
        assert got[i] == expected, i


def test_a_group_rule_without_a_provider_is_an_error() -> None:
    batch = pl.DataFrame([{"declaration_id": "D", "date": dt.date(2026, 1, 1),
                           "importer_id": "I", "model": "m", "quantity": 1.0,
                           "office": "A", "value": 1.0}]).with_row_index(IDX)  # fmt: skip
    rows = RuleSet(_pack([SPLIT]), load_profile("all")).row_evaluator(batch.schema)
    with pytest.raises(RuleError, match="window provider"):
        rows.evaluate(batch.to_dicts()[0])


def test_a_rule_on_an_unknown_column_fails_when_compiled_as_the_batch_does() -> None:
    bad = {
        **SPLIT,
        "group": None,
        "condition": "no_such_column > 1",
        "evidence": [],
        "message": "m",
    }
    rs = RuleSet(_pack([bad]), load_profile("all"))
    schema = pl.Schema({"date": pl.Date, "importer_id": pl.Utf8})
    with pytest.raises(RuleError, match="unknown column 'no_such_column'"):
        rs.row_evaluator(schema)
