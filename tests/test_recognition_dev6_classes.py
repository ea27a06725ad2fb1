"""Issue 14, the sixth draw's classes of miss: one probe set per class, positives and look-alikes.

Every text here is written for this test (none is a line of a real-world set). The classes:
supercomputers named in the languages of trade (languages.yaml `compute`), servers under an
export-control qualifier (`qualified_systems`; a maker's name alone does not count), and the NPU
of a PC or phone processor, which is not an AI accelerator in any language (`consumer_npu`, a veto
of the AI-compute wording). Each probe is checked on the batch resolver and on the one-text
resolver (recognise/row_resolver.py), which must agree field by field.
"""

from __future__ import annotations

import pytest

from both_resolvers import resolve_both
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.resolver import TEXT_FIELDS
from chipcustoms.recognise.row_resolver import RowResolver


def _both(refs: References, text: str) -> dict[str, object]:
    return resolve_both(refs, [text])[0]


def _is(refs: References, text: str) -> tuple[object, object]:
    row = _both(refs, text)
    return row["accelerator_id"], row["is_accelerator"]


# Class 1: a supercomputer is a system built of accelerators (docs/recognition.md), in every
# language of trade, not only English, Chinese and Russian.
SUPERCOMPUTERS = [
    "hai siêu máy tính của Dell cho viện nghiên cứu",  # vi
    "superkomputer untuk pusat data nasional",  # id
    "슈퍼컴퓨터 2대 납품 계약",  # ko
    "スーパーコンピュータ 計算ノード一式",  # ja
    "superordinateur pour la recherche climatique",  # fr
    "superordenador del centro nacional",  # es
    "суперкомп'ютер для університету",  # uk
    "суперкомпютър за научни изчисления",  # bg
    "süper bilgisayar sistemi, 4 kabin",  # tr
    "حاسوب فائق لمركز الأبحاث",  # ar
    "ซูเปอร์คอมพิวเตอร์ สำหรับมหาวิทยาลัย",  # th
    "सुपरकंप्यूटर प्रणाली का निर्यात",  # hi
]


@pytest.mark.parametrize("text", SUPERCOMPUTERS)
def test_supercomputers_in_the_languages_of_trade_count(refs: References, text: str) -> None:
    assert _is(refs, text) == ("accelerator-unknown", True)


# Look-alikes: the same words around a computer that is no supercomputer.
NOT_SUPERCOMPUTERS = [
    "siêu thị máy tính, linh kiện văn phòng",  # vi: a computer supermarket
    "máy tính xách tay siêu mỏng",  # vi: an ultra-thin laptop
    "컴퓨터 부품 및 모니터",  # ko: computer parts
    "ordinateur de bureau reconditionné",  # fr: a desktop computer
    "komputer meja bekas",  # id: a used desktop
]


@pytest.mark.parametrize("text", NOT_SUPERCOMPUTERS)
def test_other_computers_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 2: a server under an export-control qualifier is one that carries controlled accelerators;
# a maker's name with AI wording counts as any AI server does.
QUALIFIED_SERVERS = [
    "sanctioned Inspur servers, 12 units",
    "export-controlled servers bound for a third country",
    "embargoed Dell rack servers",
    "Supermicro AI servers, refurbished",
    "запрещённые серверы HPE для поставки",
    "禁运的服务器 两台",
]


@pytest.mark.parametrize("text", QUALIFIED_SERVERS)
def test_qualified_servers_count(refs: References, text: str) -> None:
    assert _is(refs, text) == ("accelerator-unknown", True)


# A maker's name alone beside a server word does not: Dell, HPE and Supermicro sell ordinary
# servers too.
PLAIN_SERVERS = [
    "Super Micro servers with forged invoices",
    "refurbished HPE ProLiant servers",
    "Dell rack servers, 2U",
    "серверы Supermicro б/у",
    "浪潮服务器 两台",
]


@pytest.mark.parametrize("text", PLAIN_SERVERS)
def test_a_makers_servers_alone_stay_out(refs: References, text: str) -> None:
    assert _is(refs, text)[1] is not True


# Class 3: a PC or phone processor's NPU is not an AI accelerator, in any language (precision
# matters most: these were false positives).
CONSUMER_NPU = [
    "Intel Core Ultra 7 processor with NPU",  # en
    "45 TOPS NPU, on-device AI",  # en
    "Ryzen AI 300 series processors",  # en: "AI processors" otherwise
    "процессор AMD Ryzen со встроенным нейропроцессором",  # ru
    "NPU до 45 TOPS",  # ru / bg
    "мобилни процесори с NPU",  # bg
    "процесор Intel з NPU",  # uk
    "Prozessor mit integrierter NPU",  # de
    "NPU mit 48 TOPS",  # de
    "procesador con NPU integrada",  # es
    "processeur avec NPU intégré",  # fr
    "procesor z NPU do komputerów",  # pl
    "酷睿处理器内置NPU",  # zh
    "인텔 프로세서 내장 NPU",  # ko
    "Copilot+ PC processors",  # en
]


@pytest.mark.parametrize("text", CONSUMER_NPU)
def test_a_pc_processors_npu_is_no_accelerator(refs: References, text: str) -> None:
    accelerator_id, is_accelerator = _is(refs, text)
    assert is_accelerator is not True
    assert accelerator_id != "accelerator-unknown"


# Look-alikes the other way: datacenter NPUs and AI cards stay accelerators, and "pcs" (pieces)
# or "PCIe" beside AI wording is no "AI PC".
DATACENTER_NPU = [
    ("Huawei Ascend NPU cards, 8 pcs", "accelerator-unknown"),
    ("neural processing unit accelerator card for data centres", "accelerator-unknown"),
    ("NPU accelerator card 256 TOPS", "accelerator-unknown"),
    ("нейропроцессор для центров обработки данных", "accelerator-unknown"),
    ("10 pcs AI accelerator cards", "accelerator-unknown"),
    ("AI PCIe accelerator card", "accelerator-unknown"),
    ("Ascend 910B NPU processor with HBM", "huawei-ascend-910b"),
]


@pytest.mark.parametrize(("text", "want"), DATACENTER_NPU, ids=[d[0] for d in DATACENTER_NPU])
def test_datacenter_npus_still_count(refs: References, text: str, want: str) -> None:
    assert _is(refs, text) == (want, True)


# A maker's chips with no AI word do not count (the rule counts "Nvidia accelerators" and
# qualified chips, not any chip a maker sells: Tegra, networking, console chips).
@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("NVIDIA Tegra chips for in-car displays", False),
        ("Nvidia accelerators, boxed", True),
        ("advanced Nvidia chips", True),
    ],
)
def test_a_makers_chips_need_an_ai_word(refs: References, text: str, counts: bool) -> None:
    assert (_is(refs, text)[1] is True) is counts


# Class 4 (an id, not the meaning): a gaming card's chip number glued to its prefix is plain
# graphics, as it is with a space; a catalogued number keeps its model; a microcontroller of the
# same prefix is nothing.
GLUED = [
    ("Maxsun RX560 4G", "gpu-unknown", False),
    ("GTX1050Ti, boxed", "gpu-unknown", False),
    ("GTX1660 Super, boxed", "nvidia-gtx-1660-super", False),  # catalogued since round 11
    ("Sapphire RX7900XTX", "amd-rx-7900-xtx", False),  # catalogued: a consumer card
    ("RTX4090 24GB", "nvidia-rtx-4090", True),
    ("Renesas RX130 microcontroller", None, False),
    ("RX65N MCU board", None, False),
]


@pytest.mark.parametrize(("text", "want", "counts"), GLUED, ids=[g[0] for g in GLUED])
def test_glued_gaming_card_numbers_are_plain_graphics(
    refs: References, text: str, want: str | None, counts: bool
) -> None:
    assert _is(refs, text) == (want, counts)


def test_the_one_text_resolver_answers_the_probes(refs: References) -> None:
    """The port is real: the one-text resolver answers nearly every probe itself (it declines
    only texts whose characters it cannot prove both engines read alike, here Thai and Hindi
    combining marks), and `_both` holds each answer equal to the batch's."""
    texts = [
        *SUPERCOMPUTERS, *NOT_SUPERCOMPUTERS, *QUALIFIED_SERVERS, *PLAIN_SERVERS, *CONSUMER_NPU,
        *(d[0] for d in DATACENTER_NPU), *(g[0] for g in GLUED),
    ]  # fmt: skip
    row = RowResolver(refs.resolver)
    fields = [tuple(t if c == "description" else None for c in TEXT_FIELDS) for t in texts]
    answered = [f for f in fields if row.resolve(f) is not None]
    assert len(answered) >= len(texts) - 3
