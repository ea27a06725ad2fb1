"""Issue 14, deliverable 5's input: `units_per_item` read right from the wording.

Every example is written for this test (none is taken from the real-world sets). Three classes:
a count of accelerators carried by one item (a server, a workstation, a baseboard), a quantity
of items that is not a count per item (it stays 1, or the catalog count of a named system), and
a named system whose catalog count gives way only to an explicit per-item count. Each answer is
checked on the batch resolver and on the one-text resolver (the online path) alike.
"""

from __future__ import annotations

import polars as pl
import pytest

from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.devset import evaluate
from chipcustoms.recognise.resolver import TEXT_FIELDS
from chipcustoms.recognise.row_resolver import RowResolver


def _units(refs: References, text: str) -> tuple[int, bool]:
    """The units per item and `is_accelerator` of one text, the same on both resolvers."""
    lines = pl.DataFrame({"description": [text]}, schema={"description": pl.Utf8})
    row = refs.resolver.resolve(lines).row(0, named=True)
    one = RowResolver(refs.resolver).resolve(
        tuple(text if f == "description" else None for f in TEXT_FIELDS)
    )
    if one is not None:
        assert one["units_per_item"] == row["units_per_item"], text
    return row["units_per_item"], row["is_accelerator"]


# Class 1: a count of accelerators carried by one item.
PER_ITEM = [
    ("rack server with 8 GPUs", 8),
    ("8-GPU server, 4U", 8),
    ("8x H100 SXM5 server", 8),
    ("inference server, H100 x 8", 8),
    ("8 * A100 80GB server", 8),
    ("AI server equipped with eight H200", 8),
    ("GPU server featuring eight MTT S4000 units", 8),
    ("GPU server featuring four Gaudi2 accelerators", 4),
    ("配备8张H100的训练服务器", 8),
    ("8卡服务器 AI训练", 8),
    ("双卡 RTX 4090 深度学习工作站", 2),
    ("搭載 4 張 A100 的伺服器", 4),
    ("сервер с 8 ускорителями H100", 8),
    ("сервер, восемь ускорителей H100", 8),
    ("сервер с четырьмя ускорителями A800", 4),
    ("2x RTX 4090 workstation", 2),
    ("HGX H100 baseboard with 8 GPUs", 8),
    ("servidor con 4x A100", 4),
    ("máy chủ AI với 8 GPU H100", 8),
]


@pytest.mark.parametrize(("text", "units"), PER_ITEM, ids=[t for t, _ in PER_ITEM])
def test_a_count_carried_by_one_item_is_its_units(refs: References, text: str, units: int) -> None:
    got, accelerator = _units(refs, text)
    assert accelerator, text
    assert got == units


# Class 2: a quantity of items, each one accelerator (or one named server): not units per item.
QUANTITY = [
    ("50 GPU H200 NVIDIA", 1),
    ("10 pcs H100 PCIe 80GB", 1),
    ("QTY 8 NVIDIA H100 PCIe", 1),
    ("300 cards RTX 4090", 1),
    ("300 NVIDIA A100 cards", 1),
    ("二台 H100 GPU", 1),
    ("1,111 units of PowerEdge XE9680 servers", 8),
    ("12 Dell PowerEdge XE9680", 8),
    ("10 x Dell PowerEdge XE9680", 8),
    ("5 x NVIDIA DGX H100", 8),
    ("2 x Supermicro servers with 8x H100", 8),
]


@pytest.mark.parametrize(("text", "units"), QUANTITY, ids=[t for t, _ in QUANTITY])
def test_a_quantity_of_items_is_not_units_per_item(refs: References, text: str, units: int) -> None:
    got, _ = _units(refs, text)
    assert got == units


# Lines that are not systems keep 1 whatever number words they carry: a cooler's "3X", a
# phone's "双卡" (dual SIM), a lot of eight cards.
NOT_SYSTEMS = [
    "MSI RTX 4090 VENTUS 3X 24G",
    "双卡双待 智能手机",
    "eight NVIDIA A100 40GB PCIe cards",
    "восемь видеокарт RTX 4090",
]


@pytest.mark.parametrize("text", NOT_SYSTEMS)
def test_number_words_off_a_system_line_keep_one(refs: References, text: str) -> None:
    assert _units(refs, text)[0] == 1


# Class 3: a named system's catalog count, overridden only by an explicit per-item count.
def test_a_named_system_keeps_its_catalog_count_unless_the_line_says_otherwise(
    refs: References,
) -> None:
    assert _units(refs, "Dell PowerEdge XE9680")[0] == 8
    assert _units(refs, "PowerEdge XE9680 with 4 H100")[0] == 4
    assert _units(refs, "PowerEdge XE9680, H200 x 4")[0] == 4
    assert _units(refs, "PowerEdge XE9680 H200 server, order of 20")[0] == 8


def test_an_empty_units_label_is_not_scored(refs: References) -> None:
    """A source that gives no count leaves `units` empty: such a line counts for precision and
    model accuracy but not for units accuracy, which reports its n."""
    labelled = pl.DataFrame(
        {
            "description": ["AI server with 8 GPUs", "AI servers", "NVIDIA H100 PCIe 80GB"],
            "expected_id": ["accelerator-unknown", "accelerator-unknown", "nvidia-h100-pcie"],
            "is_accelerator": ["true", "true", "true"],
            "units": ["8", "", "2"],
        }
    )
    ev = evaluate(refs.resolver, labelled)
    assert (ev.units_labelled, ev.right_units) == (2, 1)
    assert ev.units_accuracy == 0.5
    assert "units label 0.500 (1/2)" in "\n".join(ev.lines())
