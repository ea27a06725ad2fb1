import datetime as dt

import polars as pl
import pytest

from chipcustoms.errors import RuleError
from chipcustoms.policy.packs import LoadedPack, Pack
from chipcustoms.policy.rules import IDX, RuleSet
from chipcustoms.policy.sqlexpr import check

COLS = {"accelerator_id", "flow", "quantity", "description", "date", "importer_id"}


@pytest.mark.parametrize(
    "sql",
    [
        "accelerator_id IN ('nvidia-h20') AND flow = 'import'",
        "coalesce(quantity, 0) BETWEEN 1 AND 2 OR NOT (flow IS NULL)",
        "regexp_matches(lower(description), 'server part')",
        "date >= DATE '2025-10-10'",
    ],
)
def test_allowed_expressions_pass(sql: str) -> None:
    assert check(sql, COLS, where="t")


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("flow IN (SELECT flow FROM lines)", "not allowed"),
        ("read_csv('/etc/passwd') IS NOT NULL", "not allowed"),
        ("system('rm -rf /') = 1", "not allowed"),
        ("colour = 'red'", "unknown column"),
        ("lines.flow = 'import'", "qualified"),
        ("flow = 'import'; DROP TABLE lines", "not"),
        ("count(*) > 3", "not allowed"),
    ],
)
def test_forbidden_expressions_are_rejected(sql: str, why: str) -> None:
    with pytest.raises(RuleError, match=why):
        check(sql, COLS, where="t")


def _pack(rules: list[dict[str, object]]) -> list[LoadedPack]:
    pack = Pack.model_validate(
        {"id": "p", "version": "1", "title": "t", "source": "s", "rules": rules}
    )
    return [LoadedPack(pack=pack, path=__file__, digest="x")]  # type: ignore[arg-type]


def _lines() -> pl.DataFrame:
    dates = [dt.date(2025, 1, d) for d in (1, 2, 3, 4, 30)]
    return pl.DataFrame(
        {
            "importer_id": ["I1", "I1", "I1", "I1", "I1"],
            "accelerator_id": ["h20"] * 5,
            "quantity": [1.0, 2.0, 1.0, 1.0, 1.0],
            "flow": ["import"] * 5,
            "description": ["x"] * 5,
            "date": dates,
        }
    ).with_row_index(IDX)


def _dense(rs: RuleSet, lines: pl.DataFrame) -> pl.DataFrame:
    """evaluate() returns only lines with a hit; spread it over every line for assertions."""
    return (
        lines.select(IDX)
        .join(rs.evaluate(lines), on=IDX, how="left", maintain_order="left")
        .with_columns(pl.col("rule_reasons").fill_null([]), pl.col("floor_red").fill_null(False))
    )


def test_row_rule_gives_reason_with_message_and_evidence() -> None:
    rs = RuleSet(
        _pack(
            [
                {
                    "id": "r1",
                    "code": "BIG_LOT",
                    "title": "t",
                    "category": "quantity",
                    "condition": "quantity >= 2",
                    "weight": 0.5,
                    "floor": "red",
                    "source": "test",
                    "message": "{accelerator_id} lot of {quantity:.0f}",
                    "evidence": ["quantity"],
                }
            ]
        )
    )
    out = _dense(rs, _lines())
    assert out["floor_red"].to_list() == [False, True, False, False, False]
    reason = out["rule_reasons"][1][0]
    assert reason["code"] == "BIG_LOT" and reason["message"] == "h20 lot of 2"
    assert '"quantity":2.0' in reason["evidence"] and '"rule":"p/r1@1"' in reason["evidence"]


def test_group_rule_flags_split_lots_inside_the_window_only() -> None:
    rs = RuleSet(
        _pack(
            [
                {
                    "id": "split",
                    "code": "SPLIT_LOTS",
                    "title": "t",
                    "category": "quantity",
                    "condition": "lines >= 4 AND max_units <= 2",
                    "weight": 0.4,
                    "source": "test",
                    "message": "{lines} lines",
                    "group": {
                        "partition_by": ["importer_id", "accelerator_id"],
                        "window_days": 5,
                        "aggregates": {"lines": "count(*)", "max_units": "max(quantity)"},
                    },
                }
            ]
        )
    )
    out = _dense(rs, _lines())
    hit = out["rule_reasons"].list.len().to_list()
    assert hit == [1, 1, 1, 1, 0]  # the 30 January line is outside every 5-day window


def test_effective_dates_limit_a_rule() -> None:
    rs = RuleSet(
        _pack(
            [
                {
                    "id": "r",
                    "code": "LATE",
                    "title": "t",
                    "category": "control",
                    "condition": "TRUE",
                    "weight": 0.1,
                    "source": "s",
                    "message": "m",
                    "effective_from": "2025-01-04",
                }
            ]
        )
    )
    assert _dense(rs, _lines())["rule_reasons"].list.len().to_list() == [0, 0, 0, 1, 1]


def test_message_with_unknown_column_is_rejected_before_running() -> None:
    rs = RuleSet(
        _pack(
            [
                {
                    "id": "r",
                    "code": "XX",
                    "title": "t",
                    "category": "control",
                    "condition": "TRUE",
                    "weight": 0.1,
                    "source": "s",
                    "message": "{nope}",
                }
            ]
        )
    )
    with pytest.raises(RuleError, match="nope"):
        rs.evaluate(_lines())
