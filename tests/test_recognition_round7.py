"""Issue 14, seventh round: classes that seizure notices, indictments, rulings and trade records
use and that earlier probes missed. One probe set per class, positives and look-alikes.

Every text here is written for this test (none is a line of a real-world set). The classes:
export-control wording (the ECCNs of the AI controls, chips "subject to export controls"),
datacenter compute hardware named by what it does (computing power, high-bandwidth memory,
datacenter-grade), NVIDIA's board project names read off the catalogued part numbers (PG506,
P1001), trade spellings in Chinese, Japanese and Korean (辉达, 計算カード, 연산 카드, a card
counter glued to a number), and accelerator wording in Ukrainian, Kazakh, Russian, Spanish,
French and Thai. Each probe is checked on the batch resolver and on the one-text resolver
(recognise/row_resolver.py), which must agree field by field.
"""

from __future__ import annotations

import pytest

from both_resolvers import resolve_both
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.numbers import board_names


def _both(refs: References, text: str) -> dict[str, object]:
    return resolve_both(refs, [text])[0]


def _is(refs: References, text: str) -> tuple[object, object]:
    row = _both(refs, text)
    return row["accelerator_id"], row["is_accelerator"]


# Class 1: export-control wording. The ECCNs of the AI controls (3A090 chips, 4A090 computers)
# written as a classification or before an item noun, and chips or servers "subject to" the
# controls, name AI accelerators without naming a model.
EXPORT_CONTROL = [
    "integrated circuits, ECCN 3A090.a",
    "servers classified under ECCN 4A090",
    "3A090 chips, 40 pcs",
    "4A090 computers for a data centre",
    "items on the Commerce Control List, ECCN 3A090",
    "chips subject to US export controls",
    "semiconductors subject to export control regulations",
    "GPUs controlled under the Export Administration Regulations",
    "export-controlled chips",
    "high-performance computing chips",
]


@pytest.mark.parametrize("text", EXPORT_CONTROL)
def test_export_control_wording_counts(refs: References, text: str) -> None:
    assert _is(refs, text) == ("accelerator-unknown", True)


# Look-alikes: other ECCNs, other controlled goods, and the number inside another product.
NOT_EXPORT_CONTROL = [
    "ECCN 5A992 network switch",
    "5A992.c mass market encryption router",
    "machine tools subject to export controls",
    "firearm parts on the Commerce Control List",
    "EAR99 office furniture",
    "LED light 3A090 bulb",
]


@pytest.mark.parametrize("text", NOT_EXPORT_CONTROL)
def test_other_controlled_goods_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 2: datacenter compute hardware named by what it does: computing power (the English of
# 算力), high-bandwidth memory spelled out beside a GPU word, datacenter-grade GPUs.
COMPUTE_HARDWARE = [
    "computing power servers",
    "computing power equipment, 2 sets",
    "compute power cards",
    "high-bandwidth memory GPU modules",
    "GPU accelerators with high bandwidth memory",
    "datacenter-grade GPUs",
    "data center class accelerators",
    "GPU compute nodes",
    "liquid-cooled GPU racks",
]


@pytest.mark.parametrize("text", COMPUTE_HARDWARE)
def test_compute_hardware_wording_counts(refs: References, text: str) -> None:
    assert _is(refs, text) == ("accelerator-unknown", True)


# Look-alikes: power banks and supplies, memory and cabinets bought for AI servers.
NOT_COMPUTE_HARDWARE = [
    "computing power bank 20000mAh",
    "computing power supply unit",
    "high bandwidth memory chips for AI servers",
    "server rack cabinet for AI servers",
    "liquid cooled rack server",
    "Samsung HBM3E 12H memory chips",
]


@pytest.mark.parametrize("text", NOT_COMPUTE_HARDWARE)
def test_parts_and_power_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 3: NVIDIA's board project names, read off the catalogued part numbers (692-2G506 ->
# PG506, 900-21001 -> P1001). A name one model's boards carry names that model; a name several
# share (PG520: H100, H800 and H200 SXM) is an accelerator of unknown model beside a board word.
def test_board_names_come_from_the_catalogued_part_numbers(refs: References) -> None:
    boards = board_names(refs.resolver.catalog)
    assert boards["pg506"] == boards["p1001"] == "nvidia-a100"
    assert "pg520" not in boards  # shared by the H100, H800 and H200 SXM modules


BOARDS = [
    ("PG506 module", "nvidia-a100"),
    ("P1001 card", "nvidia-a100"),
    ("NVIDIA PG506 GPU board", "nvidia-a100"),
    ("PG520 board", "accelerator-unknown"),
    ("NVIDIA H100 SXM5 80GB board PG520", "nvidia-h100-sxm"),
]


@pytest.mark.parametrize(("text", "model"), BOARDS)
def test_board_names_are_read(refs: References, text: str, model: str) -> None:
    assert _is(refs, text) == (model, True)


NOT_BOARDS = [
    "PG520 pressure gauge",
    "PG193 pressure gauge",
    "P1001 pneumatic valve",
    "Toyota brake pad P1001",
]


@pytest.mark.parametrize("text", NOT_BOARDS)
def test_board_numbers_on_other_goods_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 4: trade spellings in Chinese, Japanese and Korean: 辉达 (the simplified form of the
# Taiwanese 輝達), compute cards in Japanese and Korean, a card counter glued to a number
# ("4090卡"), and the Gaudi 2 mezzanine card's part name.
CJK = [
    ("辉达A100", "nvidia-a100"),
    ("辉达H20芯片", "nvidia-h20"),
    ("計算カード H100", "nvidia-h100-sxm"),
    ("연산 카드 A100", "nvidia-a100"),
    ("RTX的4090卡", "nvidia-rtx-4090"),
    ("H20卡 96G", "nvidia-h20"),
    ("HL-225B mezzanine card", "intel-gaudi2"),
    ("計算カード 8枚", "accelerator-unknown"),
    ("GPU 연산 카드", "accelerator-unknown"),
    ("辉达GPU服务器", "accelerator-unknown"),
]


@pytest.mark.parametrize(("text", "model"), CJK)
def test_cjk_trade_spellings_are_read(refs: References, text: str, model: str) -> None:
    assert _is(refs, text) == (model, True)


NOT_CJK = [
    "英伟达显卡",  # a plain graphics card
    "4090 pieces of fabric",  # a quantity
    "卡 4090 件",  # a counter, then a quantity
    "RTX 4090 gaming laptop",
]


@pytest.mark.parametrize("text", NOT_CJK)
def test_cjk_look_alikes_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 5: accelerator wording in Ukrainian, Kazakh, Russian (data centres), Spanish, French
# and Latin "AI" beside a Thai chip word.
LANGUAGES = [
    "графічні прискорювачі для сервера",  # uk: graphics accelerators
    "обчислювальні прискорювачі",  # uk: computing accelerators
    "графикалық үдеткіш",  # kk: graphics accelerator
    "графические процессоры для ЦОД",  # ru: GPUs for data centres
    "ускорители для дата-центров",  # ru
    "tarjetas aceleradoras Nvidia",  # es
    "cartes accélératrices pour serveurs",  # fr
    "ชิป AI",  # th
]


@pytest.mark.parametrize("text", LANGUAGES)
def test_accelerator_wording_in_other_languages_counts(refs: References, text: str) -> None:
    assert _is(refs, text) == ("accelerator-unknown", True)


NOT_LANGUAGES = [
    "материнские платы, блоки питания, процессоры, оперативную память, кулеры и видеокарты",
    "відеокарта для ігор",  # uk: a gaming graphics card
    "прискорювач частинок",  # uk: a particle accelerator
    "tarjetas de memoria",  # es: memory cards
    "การ์ดจอ",  # th: a graphics card
]


@pytest.mark.parametrize("text", NOT_LANGUAGES)
def test_other_language_look_alikes_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 6 (the seventh draw's classes): "accelerator" typed wrong, a GPU with a datacenter
# memory size, 服務器 (the traditional characters of the mainland word for server), the purpose
# written first with more words between (用於AI和高效能運算的GPU), and Ascend after a GPU word.
SEVENTH_DRAW = [
    "2 x Acclerators per node with 96GB GPU memory",
    "accelarator cards 8 pcs",
    "GPU with at least 141GB memory",
    "192GB accelerators, 4 per tray",
    "英偉達 AI 服務器 2台",
    "用於AI和高效能運算的顯卡",
    "用于人工智能和高性能计算的GPU",
    "chip Ascend thế hệ mới",
    "GPU Huawei Ascend",
]


@pytest.mark.parametrize("text", SEVENTH_DRAW)
def test_seventh_draw_classes_count(refs: References, text: str) -> None:
    assert _is(refs, text) == ("accelerator-unknown", True)


NOT_SEVENTH_DRAW = [
    "服務器機櫃",  # a server cabinet
    "Ascend bicycle helmet",
    "GPU 8GB gaming card",
    "RAM 96GB DDR5 for workstation",
    "80G SD card",
]


@pytest.mark.parametrize("text", NOT_SEVENTH_DRAW)
def test_seventh_draw_look_alikes_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 7: enforcement prose about servers: a server containing qualified chips counts (what an
# export case says such a server carries); switches bought for AI clusters are parts.
def test_servers_containing_qualified_chips_count(refs: References) -> None:
    assert _is(refs, "Dell and Supermicro servers containing advanced chips") == (
        "accelerator-unknown",
        True,
    )
    assert _is(refs, "rack servers equipped with restricted semiconductors")[1] is True


@pytest.mark.parametrize(
    "text",
    [
        "servers with advanced cooling",
        "systems with advanced chips for cars",
        "HPC cluster interconnect switches for AI clusters",
    ],
)
def test_server_look_alikes_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 8: export-control wording in Chinese, Japanese, Korean and Russian, as class 1 in
# English; "advanced computing" chips in Chinese; the qualified chip with the maker after it.
EXPORT_CONTROL_LANGUAGES = [
    "受美国出口管制的芯片",  # zh
    "先进计算芯片",  # zh: advanced computing chips
    "米国の輸出規制対象の半導体",  # ja
    "先端半導体 エヌビディア製",  # ja: the maker after the chip
    "수출 통제 대상 GPU",  # ko
    "чипы, подпадающие под экспортный контроль США",  # ru
    "графические процессоры Nvidia для обучения ИИ",  # ru
]


@pytest.mark.parametrize("text", EXPORT_CONTROL_LANGUAGES)
def test_export_control_wording_in_other_languages_counts(refs: References, text: str) -> None:
    assert _is(refs, text) == ("accelerator-unknown", True)


NOT_EXPORT_CONTROL_LANGUAGES = [
    "出口管制法规汇编 书籍",  # a book of export-control law
    "汽车芯片",  # car chips
    "先进制程设备",  # advanced-process equipment
    "видеокарта для игр",  # a gaming graphics card
    "экспортный контроль консультации",  # export-control consulting
    "スマホ AI チップ",  # a phone's AI chip
]


@pytest.mark.parametrize("text", NOT_EXPORT_CONTROL_LANGUAGES)
def test_export_control_look_alikes_in_other_languages_stay_out(
    refs: References, text: str
) -> None:
    assert _is(refs, text)[1] is not True
