"""Issue 14, systems named without a GPU word, as classes: a GPU server named by its maker's SKU
(the grammar of `refdata/resolver/server_skus.yaml`), a GPU box carrying written GPUs, and a
letter-digit suffix glued to a name by a dash (part of the name, not a count).

Every text here is written for this test (none is a line of a real-world set). Each probe is
checked on the batch resolver and on the one-text resolver, which must agree field by field.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from both_resolvers import Probe, probe_failures, resolve_pairs
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.row_text import normalised
from chipcustoms.recognise.server_skus import carried_box, load_server_skus

AU = "accelerator-unknown"

# An uncatalogued SKU of a maker's GPU line, in the shapes trade lines write it, in several
# languages: a system built to carry accelerators, the model unknown.
SKUS: list[Probe] = [
    ("Supermicro SYS-740GP-TNRT tower", AU, True),
    ("2 units AS-4125GS-TNRT, new in box", AU, True),
    ("服务器 SYS-221GE-NR 一台", AU, True),
    ("Сервер Supermicro 1029GQ-TRT б/у", AU, True),
    ("Fujitsu PRIMERGY GX2460 M1 rack server", AU, True),
    ("Servidor GIGABYTE G482-Z54 usado", AU, True),
    ("ASUS ESC4000-E10 server", AU, True),
    ("Lenovo ThinkSystem SR670 V2", AU, True),
    ("HPE Cray XD665 node", AU, True),
    ("Dell PowerEdge XE7740 rack server", AU, True),
    ("浪潮 NF5468A5 一台", AU, True),
    ("H3C UniServer R5300 G3", AU, True),
    ("xFusion FusionServer G5200 V7", AU, True),
    # XC for XE before a number of Dell's GPU line (a plural s read off); GPU and a count
    # written inside a SKU's configuration code.
    ("Dell PowerEdge XC9640s, 2 units", AU, True),
    ("HPC5000-XILGPU8R10S 1台", AU, True),
    ("Сервер HPC3000-XSLGPU2T", AU, True),
    # The model written beside the SKU is read, with the count on the line.
    ("SYS-421GE-TNRT with 8 L40S", "nvidia-l40s", True, 8),
    ("GFX-H100-4X", "nvidia-h100-sxm", True, 4),
]

# The same makers' general-purpose, storage and twin servers, and look-alike shapes, stay out.
NOT_GPU: list[Probe] = [
    ("Supermicro SYS-1029U-TR4", None, False),
    ("SYS-6029P-TRT server", None, False),
    ("AS-2024US-TRT", None, False),
    ("Fujitsu PRIMERGY RX2540 M6", None, False),
    ("GIGABYTE R282-Z90 rack server", None, False),
    ("ASUS RS720-E10-RS12", None, False),
    ("ThinkSystem SR650 V2 server", None, False),
    ("Dell PowerEdge XE7100 storage server", None, False),
    ("HPE ProLiant DL380 Gen10", None, False),
    ("Inspur NF5280M6 server", None, False),
    ("H3C UniServer R4900 G5", None, False),
    ("FusionServer 2288H V6", None, False),
    ("Logitech G502 HERO mouse", None, False),
    ("XE8612 relay socket", None, False),
    ("XD665 oil filter", None, False),
    ("Supermicro X11 board, 512GB DDR4 kit", None, False),
    ("Dell EMC XC7525 hyper-converged node", None, False),
    ("HPC5000-XCL224R2S compute node", None, False),
]

# A GPU box or expansion chassis carrying GPUs written with their count is a system carrying
# them; a bare box, or one whose count is what it fits, stays a part.
BOXES: list[Probe] = [
    ("GPU box with 8x A100 40GB", "nvidia-a100", True, 8),
    ("GPU BOX (8 V100 GPUs only)", None, True, 8),
    ("GPU enclosure, 4 x RTX 3090 installed", "nvidia-rtx-3090", True, 4),
    ("GPU box", None, False),
    ("GPU box for 4 RTX 3090", None, False),
    ("eGPU enclosure Thunderbolt 3", None, False),
]

# A letter-digit suffix glued to a system or model name by a dash is part of the name; a count
# written apart keeps its reading.
SUFFIXES: list[Probe] = [
    ("Aivres KR9288-X3 rack server", AU, True, 8),
    ("寒武纪 MLU370-X8 训练服务器", "cambricon-mlu370-x8", True, 1),
    ("Aivres KR9288 x3", AU, True, 3),
    ("3 x KR9288", AU, True, 3),
    ("server with H100 x8", "nvidia-h100-sxm", True, 8),
    ("GPU server, L40S x4", "nvidia-l40s", True, 4),
]

CLASSES = {"skus": SKUS, "not_gpu": NOT_GPU, "boxes": BOXES, "suffixes": SUFFIXES}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_class(refs: References, name: str) -> None:
    failed = probe_failures(refs, CLASSES[name])
    assert not failed, failed


def _both(pattern: str, text: str) -> tuple[bool, bool]:
    norm = normalised(text)
    return bool(re.search(pattern, norm)), bool(pl.Series([norm]).str.contains(pattern)[0])


def test_each_makers_examples_each_side_of_its_rule() -> None:
    """Every maker's GPU SKUs match its grammar and its other SKUs match none, in Python's and
    Polars' engines alike."""
    skus = load_server_skus()
    wrong = []
    for line in skus.lines:
        for text in line.gpu:
            if _both("|".join(line.patterns), text) != (True, True):
                wrong.append((line.maker, text))
        for text in line.not_gpu:
            if _both(skus.regex, text) != (False, False):
                wrong.append((line.maker, text))
    assert not wrong, wrong


def test_box_examples_each_side_of_the_rule() -> None:
    b = load_server_skus().boxes
    norms = [normalised(t) for t in [*b.carrying, *b.not_carrying]]
    got = pl.DataFrame({"n": norms}).select(carried_box(pl.col("n"))).to_series().to_list()
    assert got == [True] * len(b.carrying) + [False] * len(b.not_carrying)


def test_every_maker_cites_a_source() -> None:
    skus = load_server_skus()
    assert all(line.source.url.startswith("https://") for line in skus.lines)
    assert skus.boxes.source.url.startswith("https://")


def test_catalogued_sku_keeps_its_count_and_possible_model(refs: References) -> None:
    """A catalogued GPU-line SKU is read as the named system, its carried model the possible one."""
    row = resolve_pairs(refs, [("Supermicro SYS-420GH-TNGR", "847150")]).row(0, named=True)
    assert row["system_id"] == "smc-sys-420gh-tngr"
    assert row["accelerator_id"] == AU
    assert row["units_per_item"] == 8
    assert row["possible_models"] == "intel-gaudi1"
