from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chipcustoms.assess.pipeline import References
from chipcustoms.cli.main import app
from chipcustoms.errors import InputError

CASES = [  # description, part_number, expected id, expected method
    ("NVIDIA H20 96GB HBM3 GPU module", None, "nvidia-h20", "alias"),
    ("NVIDIA H200 SXM 141GB", None, "nvidia-h200", "alias"),  # H200 is not H20
    ("GeForce RTX 4090 D 24GB", None, "nvidia-rtx-4090d", "alias"),  # 4090 D is not 4090
    ("GeForce RTX 4090 24GB", None, "nvidia-rtx-4090", "alias"),
    ("ＲＴＸ４０９０Ｄ 显卡", None, "nvidia-rtx-4090d", "alias"),  # full-width
    ("英伟达H20 计算卡", None, "nvidia-h20", "alias"),  # Chinese next to the model number
    ("HUAWEI 昇腾910B 加速卡", None, "huawei-ascend-910b", "alias"),
    ("Graphics card", "2330-885-A1", "nvidia-h100-sxm", "part_number"),  # GPU P/N prefix
    ("accelerator board 10DE-2329", None, "nvidia-h20", "pci_id"),
    ("AMD accelerator 1002:74a1", None, "amd-mi300x", "pci_id"),
    ("nvidai tesla a100 pcie 40gb", None, "nvidia-a100", "alias"),
    ("NVIDA RTX PRO 6000D server card", None, "nvidia-rtx-pro-6000d", "alias"),
    ("cotton t-shirts", None, None, None),
    ("gpu h1OO pcie", None, "gpu-unknown", "generic"),  # a typo in the number is never guessed
    ("Tesla H-100 80GB", None, "nvidia-h100-sxm", "alias"),  # dash inside the model number
    ("Card VEN_10DE&DEV_2684", None, "nvidia-rtx-4090", "pci_id"),  # Windows spelling
    ("Graphics Processing Module", "GV-N4090GAMING OC-24GD", "nvidia-rtx-4090", "part_number"),
    ("ASUS TUF-RTX4090D-O24G-GAMING", None, "nvidia-rtx-4090d", "part_number"),  # D stays D
    ("Water block for RTX 4090", None, None, "accessory"),
    ("Cooling fan for RTX 4090 Founders Edition", None, None, "accessory"),  # weak + for
    ("NVIDIA L40S GPU with passive heatsink", None, "nvidia-l40s", "alias"),  # the card itself
    ("RTX 5090 graphics card with water block", None, "nvidia-rtx-5090", "alias"),
    ("Кронштейн для видеокарты RTX 4090", None, None, "accessory"),
    ("RTX 4090 显卡支架", None, None, "accessory"),
    ("Gaming laptop with RTX 4090 Laptop GPU", None, None, "exclusion"),
    ("计算机显卡", None, "gpu-unknown", "generic"),
    ("AI accelerator card", None, "accelerator-unknown", "generic"),
    ("server parts", None, None, None),
]


@pytest.mark.parametrize(("text", "pn", "model", "method"), CASES, ids=[c[0] for c in CASES])
def test_resolution_table(
    refs: References, text: str, pn: str | None, model: str | None, method: str | None
) -> None:
    lines = pl.DataFrame(
        {
            "description": [text],
            "brand": [None],
            "model": [None],
            "part_number": [pn],
            "hs_code": ["847330"],
        },
        schema_overrides={"brand": pl.Utf8, "model": pl.Utf8, "part_number": pl.Utf8},
    )
    row = refs.resolver.resolve(lines).row(0, named=True)
    assert (row["accelerator_id"], row["resolution_method"]) == (model, method)
    assert 0 < row["resolution_confidence"] <= 1
    # Issue 14: AI wording (accelerator-unknown) counts; plain graphics (gpu-unknown) does not.
    assert row["is_accelerator"] == (model is not None and model != "gpu-unknown")
    assert row["resolution_reason"]


def test_fuzzy_fixes_letters_not_numbers(refs: References) -> None:
    lines = pl.DataFrame(
        {
            "description": ["GeForse RTXX 5090 graphics", "GPU H2OO module"],
            "brand": [None, None],
            "model": [None, None],
            "part_number": [None, None],
            "hs_code": ["847330", "847330"],
        },
        schema_overrides={"brand": pl.Utf8, "model": pl.Utf8, "part_number": pl.Utf8},
    )
    out = refs.resolver.resolve(lines)
    assert out["accelerator_id"].to_list() == ["nvidia-rtx-5090", "gpu-unknown"]
    assert out["resolution_method"][0] == "fuzzy" and out["resolution_confidence"][0] < 0.9


def test_resolution_is_computed_once_per_distinct_text(refs: References) -> None:
    lines = pl.DataFrame(
        {
            "description": ["NVIDIA H20 module"] * 50_000 + ["cotton"] * 50_000,
            "brand": [None] * 100_000,
            "model": [None] * 100_000,
            "part_number": [None] * 100_000,
            "hs_code": ["847330"] * 100_000,
        },
        schema_overrides={"brand": pl.Utf8, "model": pl.Utf8, "part_number": pl.Utf8},
    )
    out = refs.resolver.resolve(lines)
    assert out["accelerator_id"].value_counts().height == 2
    assert out.height == 100_000


def _lines(texts: list[str], hs: list[str] | None = None) -> pl.DataFrame:
    return pl.DataFrame(
        {"description": texts, "hs_code": hs or ["847330"] * len(texts)},
        schema={"description": pl.Utf8, "hs_code": pl.Utf8},
    )


@pytest.mark.parametrize(
    ("text", "model", "units"),
    [
        ("NVIDIA DGX H100 system", "nvidia-h100-sxm", 8),
        ("PowerEdge XE9680", "accelerator-unknown", 8),  # the buyer chooses; not named here
        ("Dell PowerEdge XE9680 with 8 x AMD MI300X", "amd-mi300x", 8),
        ("HGX H100 4-GPU board", "nvidia-h100-sxm", 4),  # the text's count wins
        ("GB200 NVL72 rack", "nvidia-gb200", 72),
        ("AI服务器 H200 八卡", "nvidia-h200", 8),
        ("MSI GeForce RTX 4090 D VENTUS 3X 24G", "nvidia-rtx-4090d", 1),  # 3X is the cooler
    ],
)
def test_systems_carry_several_accelerators(
    refs: References, text: str, model: str, units: int
) -> None:
    row = refs.resolver.resolve(_lines([text], ["847150"])).row(0, named=True)
    assert (row["accelerator_id"], row["units_per_item"]) == (model, units)


def test_bare_model_numbers_need_context(refs: References) -> None:
    out = refs.resolver.resolve(
        _lines(["H20", "H20", "NVIDIA H20"], ["847330", "841330", "841330"])
    )
    assert out["accelerator_id"].to_list() == ["nvidia-h20", None, "nvidia-h20"]
    assert out["resolution_method"][1] == "rejected"


def test_input_without_optional_columns(refs: References) -> None:
    out = refs.resolver.resolve(pl.DataFrame({"description": ["NVIDIA H20", None]}))
    assert out["accelerator_id"].to_list() == ["nvidia-h20", None]
    assert out["is_accelerator"].to_list() == [True, False]


def test_resolve_command_adds_the_columns(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "description,hs_code\nPowerEdge XE9680 8x H200,847150\n"
        "GPU support bracket RTX 4090,830250\n"
    )
    result = CliRunner().invoke(app, ["resolve", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    out = pl.read_ndjson(tmp_path / "out.jsonl")
    assert out["accelerator_id"].to_list() == ["nvidia-h200", None]
    assert out["units_per_item"].to_list() == [8, 1]
    assert {"confidence", "resolution_reason", "is_accelerator"} <= set(out.columns)


def test_resolve_command_needs_a_description(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("text\nH20\n")
    result = CliRunner().invoke(app, ["resolve", str(src)])
    assert isinstance(result.exception, InputError)
    assert "description" in str(result.exception)


def test_pipeline_follows_the_resolver(refs: References) -> None:
    from chipcustoms.assess.pipeline import enrich

    lines = pl.DataFrame(
        {
            "declaration_id": ["A", "B", "C"],
            "item_no": [1, 1, 1],
            "date": ["2025-11-03"] * 3,
            "hs_code": ["847150", "847330", "847330"],
            "description": ["NVIDIA DGX H100", "Graphics card", "NVIDIA H20"],
            "brand": [None] * 3,
            "model": [None] * 3,
            "part_number": [None] * 3,
            "quantity": [1.0, 10.0, 2.0],
            "gross_weight_kg": [130.0, 10.0, 3.0],
            "net_weight_kg": [120.0, 8.0, 2.5],
            "value": [320000.0, 3000.0, 24000.0],
            "currency": ["USD"] * 3,
            "destination_country": ["CN"] * 3,
        },
        schema_overrides={"brand": pl.Utf8, "model": pl.Utf8, "part_number": pl.Utf8},
    ).with_columns(pl.col("date").str.to_date())
    out = enrich(lines, refs, anomalies=False)
    assert out["accelerator_id"].to_list() == ["nvidia-h100-sxm", "gpu-unknown", "nvidia-h20"]
    assert out["is_accelerator"].to_list() == [True, False, True]
    assert out["units_per_item"].to_list() == [8, 1, 1]
    assert out["value_per_accelerator_usd"].to_list() == [40000.0, 300.0, 12000.0]
