"""Issue 14, round 12: the classes of the lines the three newly spent parts (spent10, spent10b,
spent11) showed the rules missing: AI-compute wording, GPU counts in the thousands, cards beside
the bridge that joins them, and look-alikes that were let in.

Every text here is written for this test (none is a line of a real-world set). Each probe is
checked on the batch resolver and on the one-text resolver, which must agree field by field
(tests/both_resolvers.py); each class has look-alikes that must stay out.
"""

from __future__ import annotations

import pytest

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References

AU = "accelerator-unknown"
GU = "gpu-unknown"

# (1) Generic AI-compute wording in the languages of trade.
AI_WORDING: list[Probe] = [
    # The noun first and "AI" after it, as Vietnamese, Indonesian and Romanian write "AI GPU".
    ("3 chip AI của Nvidia bị thu giữ", AU, True),
    ("GPU AI untuk pusat data", AU, True),
    ("cipuri AI pentru servere", AU, True),
    ("GPU AI", AU, True),
    # 通用GPU (GPGPU), the domestic accelerators' name, simplified and traditional.
    ("国产通用GPU芯片一批", AU, True),
    ("通用 GPU 加速卡", AU, True),
    ("國產通用圖形處理器", AU, True),
    # HBM beside a card or module word of the European and Cyrillic languages.
    ("видеокарта с памятью HBM2e", AU, True),
    ("графична карта с HBM3 памет", AU, True),
    ("tarjeta PCIe con memoria HBM2", AU, True),
    ("karta z pamięcią HBM2e", AU, True),
    # An accelerator word beside an NVIDIA datacenter architecture name; the West Slavic
    # compute accelerator on its own.
    ("výpočetní akcelerátor Hopper", AU, True),
    ("akcelerátor s architekturou Blackwell", AU, True),
    ("Ampere-Beschleuniger für Rechenzentren", AU, True),
    ("ускоритель на архитектуре Volta", AU, True),
    ("výpočtový akcelerátor PCIe", AU, True),
    ("akceleratory obliczeniowe do serwerów", AU, True),
    ("изчислителен ускорител с пасивно охлаждане", AU, True),
    # Compute nodes of the Romance languages with a GPU.
    ("nœud de calcul équipé de 4 GPU", AU, True),
    ("nodo de cómputo con GPU NVIDIA", AU, True),
    ("fornitura di nodi di calcolo con GPU", AU, True),
    ("nó de computação com acelerador", AU, True),
    ("noeud de calcul avec GPU", AU, True),
    # Supercomputers in Korean (the short form and the statute's word) and Japanese.
    ("국가 슈퍼컴 구축 사업", AU, True),
    ("초고성능컴퓨터 7호기 도입", AU, True),
    ("新しいスパコンの調達", AU, True),
    # 算力 (computing power) lets a bare catalogued number stand.
    ("算力之王H100", "nvidia-h100-sxm", True),
    ("算力 A800 现货", "nvidia-a800", True),
]

AI_WORDING_OUT: list[Probe] = [
    ("GPU AI upscaling for games", None, False),  # an English gaming feature
    ("GeForce RTX 3080 Ampere", "nvidia-rtx-3080", False),  # a gaming card of the architecture
    ("Ampere meter 10 A", None, False),
    ("HBM2 памет", None, False),  # memory alone
    ("nodo di calcolo", None, False),  # a node with no GPU word
    ("通用显卡支架", None, False),  # a bracket
    ("super cup 2024 trophy", None, False),
]

# (2) A GPU count in the thousands: AI compute; a count of graphics cards, a smaller count, a
# model number beside "GPU" and counterfeit GPUs stay plain graphics.
COUNTS: list[Probe] = [
    ("10,000 GPUs for a new cluster", AU, True),
    ("about 2.500 GPU Nvidia", AU, True),
    ("3,000 units GPU", AU, True),
    ("GPU 약 3만장 확보", AU, True),
    ("GPU 超 2 万片", AU, True),
    ("5千枚のGPU", AU, True),
    ("tens of thousands of GPUs", AU, True),
    ("12 000 graphics processing units", AU, True),
    ("GPU 4000 units", AU, True),
]

COUNTS_OUT: list[Probe] = [
    ("300 GPUs", GU, False),
    ("2,000 graphics cards", GU, False),
    ("그래픽카드 3,000개", GU, False),
    ("5,000 counterfeit Nvidia GPUs", GU, False),
    ("hơn 20.000 GPU Nvidia giả", GU, False),
    ("2,000 crypto mining GPUs", GU, False),
    ("GPU 1650", "nvidia-gtx-1650", False),
]

# NVIDIA's graphics processing units with the noun spelled out count; the abbreviation "Nvidia
# GPUs" (labelled both ways) and graphics cards stay plain graphics.
SPELLED_OUT: list[Probe] = [
    ("graphics processing units made by Nvidia", AU, True),
    ("Nvidia's graphics processing units", AU, True),
    ("unidades de procesamiento gráfico fabricadas por Nvidia", AU, True),
    ("وحدات معالجة الرسومات التي تصنعها إنفيديا", AU, True),
    ("エヌビディアの画像処理半導体", AU, True),
    ("엔비디아 그래픽 처리 장치", AU, True),
]

SPELLED_OUT_OUT: list[Probe] = [
    ("Nvidia GPUs", GU, False),
    ("NVIDIA graphics cards", GU, False),
    ("graphics processing units and related products", GU, False),
]

# (3) Cards beside the bridge that joins them: the cards are the goods; the bridge alone, or for
# the cards, is an accessory.
BRIDGED: list[Probe] = [
    ("two RTX A6000 graphics cards connected by an NVLink bridge", "nvidia-rtx-a6000", True),
    ("RTX A5000 GPUs linked via a 3-slot NVLink bridge", "nvidia-rtx-a5000", True),
    ("NVLink bridge for RTX A6000", None, False),
    ("RTX A6000 NVLink bridge 2-slot", None, False),
]

# (4) Look-alikes: physics and software accelerators, NVIDIA's network adapters, integrated
# graphics; the accelerators beside them are still read.
LOOKALIKES: list[Probe] = [
    ("医用电子直线加速器", None, False),
    ("加速器行业研究报告", None, False),
    ("回旋加速器 部件", None, False),
    ("游戏加速器 年卡", None, False),
    ("medical linear accelerator", None, False),
    ("линейный ускоритель электронов", None, False),
    ("NVIDIA Mellanox MCX75310AAS-NEAT adapter", None, False),
    ("迈络思 网卡 100G", None, False),
    ("NVIDIA server adapter dual port", None, False),
    ("Intel UHD Graphics 630", None, False),
    ("Intel Iris Xe Graphics", None, False),
    ("Ryzen 7 with Radeon 780M graphics", None, False),
    ("CPU with integrated graphics", None, False),
    ("集成显卡 主机", None, False),
]

LOOKALIKES_KEEP: list[Probe] = [
    ("AI加速器", AU, True),
    ("昇腾AI加速卡", AU, True),
    ("workstation with Intel UHD Graphics 770 and NVIDIA RTX A4000", "nvidia-rtx-a4000", True),
    ("AMD Radeon graphics card", GU, False),
    ("GPU server with integrated graphics", AU, True),
]


@pytest.mark.parametrize(
    "probes",
    [
        AI_WORDING,
        AI_WORDING_OUT,
        COUNTS,
        COUNTS_OUT,
        SPELLED_OUT,
        SPELLED_OUT_OUT,
        BRIDGED,
        LOOKALIKES,
        LOOKALIKES_KEEP,
    ],
    ids=[
        "ai-wording",
        "ai-wording-out",
        "counts",
        "counts-out",
        "spelled-out",
        "spelled-out-out",
        "bridged",
        "lookalikes",
        "lookalikes-keep",
    ],
)
def test_round12_classes(refs: References, probes: list[Probe]) -> None:
    assert probe_failures(refs, probes) == []
