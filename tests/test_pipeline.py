import json
from pathlib import Path

import polars as pl
import pytest

from chipcustoms.assess.pipeline import OUTPUT_COLUMNS, References, assess
from chipcustoms.assess.selection import Budgets
from chipcustoms.lines.ingest import read_and_ingest
from chipcustoms.lines.mapping import load_mapping


@pytest.fixture
def assessed(refs: References, fixtures: Path) -> pl.DataFrame:
    lines = read_and_ingest(fixtures / "lines.csv", load_mapping(None)).accepted
    out, _ = assess(lines, refs, Budgets(red=0.3, yellow=0.3, blue=0.2))
    return out


def _line(df: pl.DataFrame, decl: str, item: int = 1) -> dict[str, object]:
    return df.filter((pl.col("declaration_id") == decl) & (pl.col("item_no") == item)).row(
        0, named=True
    )


def test_one_assessment_per_line_in_input_order(assessed: pl.DataFrame) -> None:
    assert assessed["declaration_id"].to_list() == ["D1", "D1", "D2", "D3", "D4", "D5", "D6"]
    assert assessed.columns[: len(OUTPUT_COLUMNS)] == OUTPUT_COLUMNS


@pytest.mark.parametrize(
    ("decl", "item", "model", "method"),
    [
        ("D1", 1, "nvidia-h20", "alias"),
        ("D1", 2, "nvidia-h100-pcie", "alias"),  # full-width "Ｈ１００ PCIe"
        ("D2", 1, None, None),
        ("D4", 1, "nvidia-rtx-4090d", "alias"),
        ("D5", 1, "nvidia-h100-sxm", "part_number"),  # GPU P/N 2330-885-A1
        ("D6", 1, "nvidia-a100", "alias"),
    ],
)
def test_resolution(
    assessed: pl.DataFrame, decl: str, item: int, model: str | None, method: str | None
) -> None:
    row = _line(assessed, decl, item)
    assert row["accelerator_id"] == model and row["resolution_method"] == method


def test_ear_result_for_accelerator_lines(assessed: pl.DataFrame) -> None:
    h100 = _line(assessed, "D5")
    assert h100["eccn"] == "3A090.a" and h100["license_required"] is True
    assert _line(assessed, "D4")["license_required"] is False  # 4090 D below 4800 TPP
    h20 = _line(assessed, "D1")
    assert h20["eccn"] == "not-3A090" and h20["license_required"] is True  # is-informed letter
    assert _line(assessed, "D2")["license_required"] is None


def test_reasons_are_ordered_objects_with_evidence(assessed: pl.DataFrame) -> None:
    reasons = _line(assessed, "D1")["reasons"]
    assert {"code", "source", "score", "message", "evidence"} == set(reasons[0])
    scored = [r["score"] for r in reasons if r["source"] in ("rule", "anomaly")]
    assert scored == sorted(scored, reverse=True)
    codes = {r["code"] for r in reasons}
    assert {"CN_SCRUTINY_NAMED_MODEL", "ROUTE_TRANSIT_HUB"} <= codes
    # One fact, one reason: an H20 at 3,000 USD (under half its catalog low) is stated once, by
    # the rule with the red floor, not again by the anomaly.
    valuation = [r for r in reasons if r["code"] in ("VAL_BELOW_RANGE", "VAL_FAR_BELOW_CATALOG")]
    assert [r["code"] for r in valuation] == ["VAL_FAR_BELOW_CATALOG"]
    assert json.loads(valuation[0]["evidence"])["unit_value_usd"] == 3000.0


def test_floors_and_channels(assessed: pl.DataFrame) -> None:
    # An H100 imported into CN: China's checks on advanced chips (floor yellow); the EAR's
    # presumption of denial does not govern an import, so it no longer gives a red floor.
    d5 = _line(assessed, "D5")
    assert d5["channel"] in ("red", "yellow") and d5["floor_yellow"]
    assert not any(r["code"].startswith("EAR_") for r in d5["reasons"])
    assert _line(assessed, "D1")["channel"] in ("red", "yellow")  # floor yellow at least
    assert _line(assessed, "D2")["channel"] == "green"


def test_risk_is_monotone_in_evidence(refs: References, fixtures: Path) -> None:
    lines = read_and_ingest(fixtures / "lines.csv", load_mapping(None)).accepted
    base, _ = assess(lines, refs, Budgets())
    cheaper, _ = assess(lines.with_columns(pl.col("value") / 10), refs, Budgets())
    assert (cheaper["risk_score"] >= base["risk_score"] - 1e-12).all()
    assert (base["risk_score"].is_between(0, 1)).all()


def test_no_accelerator_batch_still_assesses(refs: References) -> None:
    lines = read_and_ingest(
        Path(__file__).parent / "fixtures" / "lines.csv", load_mapping(None)
    ).accepted.filter(pl.col("declaration_id") == "D2")
    out, rep = assess(lines, refs, Budgets())
    assert out.height == 1 and rep.counts["green"] == 1
