import polars as pl
import pytest

from chipcustoms.pipeline import References

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
    ("gpu h1OO pcie", None, None, None),  # a typo inside the number is never guessed
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
    if model:
        assert 0 < row["resolution_confidence"] <= 1


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
    assert out["accelerator_id"].to_list() == ["nvidia-rtx-5090", None]
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
