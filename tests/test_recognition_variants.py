"""Issue 14, third round: how declarations write a model they *do* name. One test per class,
each with the negatives the fix must leave out. Every example is written for this test (none is
taken from the real-world sets).

The classes: a bare model number beside a datacenter memory size;
Russian spellings of the family names; phones whose model number is also a GPU's; GeForce numbers
written without "RTX" beside a graphics-card word.
"""

from __future__ import annotations

import polars as pl
import pytest

from chipcustoms.assess.pipeline import References


def _resolve(refs: References, texts: list[str], hs: str | None = None) -> pl.DataFrame:
    lines = pl.DataFrame(
        {"description": texts, "hs_code": [hs] * len(texts)},
        schema={"description": pl.Utf8, "hs_code": pl.Utf8},
    )
    return refs.resolver.resolve(lines)


def _one(refs: References, text: str, hs: str | None = None) -> dict[str, object]:
    return _resolve(refs, [text], hs).row(0, named=True)


# A bare number with the memory its board ships with is a chip.
MEMORY = [
    ("H200 141GB, lot of 4", "nvidia-h200"),
    ("L20 48G passive", "nvidia-l20"),
    ("A40 48 ГБ б/у", "nvidia-a40"),
    ("B200 192G module", "nvidia-b200"),
    ("A100 显存40G", "nvidia-a100"),
]
# Sizes phones, SD cards and DIMMs are sold in are no evidence, nor is a count ("x 10").
MEMORY_OUT = [
    ("A40 64GB dual sim", "851713"),
    ("A100 32GB microSD card", "852351"),
    ("H20 water pump x 4", "841370"),
    ("grade A100 bolts x10", "731815"),
]


@pytest.mark.parametrize(("text", "model"), MEMORY, ids=[m[0] for m in MEMORY])
def test_a_bare_number_with_its_memory_size_is_a_chip(
    refs: References, text: str, model: str
) -> None:
    row = _one(refs, text)
    assert (row["accelerator_id"], row["is_accelerator"]) == (model, True)


def test_a_memory_size_gives_the_lower_bare_number_confidence(refs: References) -> None:
    bare, worded = _resolve(refs, ["H200 141GB", "H200 GPU 141GB"]).rows(named=True)
    assert bare["resolution_confidence"] < worded["resolution_confidence"]


@pytest.mark.parametrize(("text", "hs"), MEMORY_OUT, ids=[o[0] for o in MEMORY_OUT])
def test_phone_sizes_and_counts_are_no_evidence(refs: References, text: str, hs: str) -> None:
    assert _one(refs, text, hs)["is_accelerator"] is False


# Russian spellings of the family name are GPU words, as "Tesla" is.
def test_a_russian_family_name_makes_the_number_a_chip(refs: References) -> None:
    rows = _resolve(refs, ["ускоритель Тесла P40, б/у", "Тесла V100 32 ГБ"]).rows(named=True)
    assert [(r["accelerator_id"], r["is_accelerator"]) for r in rows] == [
        ("nvidia-p40", True),
        ("nvidia-v100-sxm2", True),
    ]


# Phones sold under a number a GPU also has: the phone line's suffix or family name says so,
# even with a maker that also makes AI chips.
PHONES = ["Huawei P40 Pro 8+256GB", "HUAWEI P40 lite, blue", "Samsung Galaxy A40 4/64"]


@pytest.mark.parametrize("text", PHONES)
def test_phones_named_like_gpus_stay_out(refs: References, text: str) -> None:
    row = _one(refs, text, "851713")
    assert row["is_accelerator"] is False
    assert row["accelerator_id"] is None


def test_a_tesla_p40_board_is_still_read(refs: References) -> None:
    row = _one(refs, "Tesla P40 24GB passive GPU", "847330")
    assert (row["accelerator_id"], row["is_accelerator"]) == ("nvidia-p40", True)


# GeForce numbers written without "RTX" beside a card word or a board maker (Chinese retail
# style): read, at the bare-number confidence; alone, beside a server or memory word only, or
# as a quantity, not.
DIGITS = [
    ("影驰4090显卡 二手", "nvidia-rtx-4090"),
    ("华硕 5090 显卡 32G", "nvidia-rtx-5090"),
    ("NVIDIA 4090 GPU, boxed", "nvidia-rtx-4090"),
]
DIGITS_OUT = [
    ("4090", "847330"),
    ("4090 server chassis", "847150"),
    ("4090 48G", "847330"),
    ("invoice 4090 steel screws", "731815"),
]


@pytest.mark.parametrize(("text", "model"), DIGITS, ids=[d[0] for d in DIGITS])
def test_a_geforce_number_without_rtx_beside_a_card_word_is_read(
    refs: References, text: str, model: str
) -> None:
    row = _one(refs, text, "847330")
    assert (row["accelerator_id"], row["is_accelerator"]) == (model, True)
    assert row["resolution_confidence"] < _one(refs, "RTX 4090 显卡")["resolution_confidence"]


@pytest.mark.parametrize(("text", "hs"), DIGITS_OUT, ids=[d[0] for d in DIGITS_OUT])
def test_an_all_digit_number_needs_a_gpu_word(refs: References, text: str, hs: str) -> None:
    row = _one(refs, text, hs)
    assert row["is_accelerator"] is False
    assert row["accelerator_id"] is None


def test_a_misspelt_name_around_the_number_stays_a_fuzzy_match(refs: References) -> None:
    row = _one(refs, "GeForse RTXX 4090 graphics", "847330")
    assert (row["accelerator_id"], row["resolution_method"]) == ("nvidia-rtx-4090", "fuzzy")


# A display board named by its standard ("SVGA board", "super VGA adapter") is a plain graphics
# board: gpu-unknown, not an accelerator; a VGA cable or monitor is neither.
def test_a_vga_board_is_a_plain_graphics_board(refs: References) -> None:
    out = _resolve(refs, ["SVGA board, ISA bus", "VGA cable 2m"], "847330")
    assert out["accelerator_id"].to_list() == ["gpu-unknown", None]
    assert out["is_accelerator"].to_list() == [False, False]
