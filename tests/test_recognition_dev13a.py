"""Issue 14, dev13's misses by class (branch dev13a): names and models. One table per class,
each with the look-alikes that must stay out:

- AI accelerators of hyperscalers and others, catalogued with sources (Microsoft's Maia 100,
  Meta's MTIA v1, Cambricon's MLU580) or named by a code name or a system (Trillium, the Trn2
  UltraServer), and an AI-only maker's product after a possessive ("the company's WSE-2"); 晶元
  as a Chinese chip word;
- product names in Hangul and in quotes beside a Korean AI-chip word (AI 반도체 'Warboy', 워보이,
  아톰 with the particles Korean glues to it);
- model precision: a named model read before an all-digit number the line compares it with
  ("faster than a 3080: the RTX 3080Ti"), "RTX A6000 Ada Generation" read by its "Ada
  Generation", and a model's class ("H100-class", "H100급", "H100级", "equivalent to the H100")
  read as a GPU of that class (accelerator-unknown), not the model;
- the host or head part of an AI system ("SN40L host module", "DGX head node"): a part.

Every text is written for this test (none is a line of a real-world set); each probe runs on the
batch resolver and the one-text resolver alike (tests/both_resolvers.py).
"""

from __future__ import annotations

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References

AU = "accelerator-unknown"

HYPERSCALERS: list[Probe] = [
    ("Microsoft Maia 100 accelerators for Azure", "microsoft-maia-100", True),
    ("the Maia 100 AI chip in Azure racks", "microsoft-maia-100", True),
    ("Azure Maia 100 boards", "microsoft-maia-100", True),
    ("Meta MTIA v1 inference chips", "meta-mtia-v1", True),
    ("a shipment of MTIA v1 accelerator cards", "meta-mtia-v1", True),
    ("Google Trillium chips for its data centres", "google-tpu-v6e", True),
    ("the TPU known as Trillium", "google-tpu-v6e", True),
    ("AWS Trn2 UltraServer racks", "aws-trainium2", True),
    ("two Trn2 UltraServers for model training", "aws-trainium2", True),
    ("the startup's WSE-3 wafer", "cerebras-wse-3", True),
    ("its WSE-2 processor", "cerebras-wse-2", True),
    ("寒武纪MLU580加速卡", "cambricon-mlu580", True),
    ("3千顆MLU580晶元", "cambricon-mlu580", True),
    ("MLU580 晶元 出货", "cambricon-mlu580", True),
]
# Names another thing shares: a flower and a hotel, a size or a dress, a wafer word without an
# AI-only maker's product, a Radeon card with the MLU580's number.
HYPERSCALERS_OUT: list[Probe] = [
    ("Trillium hotel booking", None, False),
    ("Trillium seeds, pack of 20", None, False),
    ("Maia 100 cotton dress", None, False),
    ("the company's annual report", None, False),
    ("单晶元件 硅片", None, False),
    ("used Radeon RX 580 graphics cards", None, False),
]

HANGUL: list[Probe] = [
    ("퓨리오사의 AI 반도체 ‘Warboy’ 공급", "furiosa-warboy", True),
    ("AI 반도체 워보이 카드 500장", "furiosa-warboy", True),
    ("리벨리온 NPU와 AI 반도체 아톰을 탑재한 서버", "rebellions-atom", True),
    ("국산 AI 반도체인 아톰과 경쟁 칩", "rebellions-atom", True),
]
# 워보이 is a film's character, 아톰 Intel's CPU and a cartoon robot: without a chip or AI word
# they stay words.
HANGUL_OUT: list[Probe] = [
    ("매드맥스 워보이 코스튬", None, False),
    ("Warboy costume, Mad Max", None, False),
    ("인텔 아톰 프로세서 넷북", None, False),
    ("우주소년 아톰 피규어", None, False),
]

MODELS: list[Probe] = [
    ("比3080更快的RTX 3080Ti显卡", "nvidia-rtx-3080-ti", False),
    ("RTX 4070Ti, a step up from the 4070", "nvidia-rtx-4070-ti", False),
    ("NVIDIA GeForce RTX 4080 and 4090 cards", "nvidia-rtx-4080", True),
    ("NVIDIA RTX A6000 Ada Generation 48GB", "nvidia-rtx-6000-ada", True),
    ("کارت گرافیک RTX A4000 Ada", "nvidia-rtx-4000-ada", True),
    ("NVIDIA RTX A6000 48GB workstation card", "nvidia-rtx-a6000", True),
    ("RTX A5000 graphics card", "nvidia-rtx-a5000", True),
]

MODEL_CLASS: list[Probe] = [
    ("H100-class GPUs from a domestic maker", AU, True),
    ("국산 A100급 GPU 2천 장", AU, True),
    ("国产H100级芯片", AU, True),
    ("H800級 GPU 伺服器", AU, True),
    ("an H200 equivalent accelerator", AU, True),
    ("GPUs equivalent to the H100", AU, True),
]
# A model written as itself stays the model; "classic" and "first-class" are no class of it.
MODEL_CLASS_OUT: list[Probe] = [
    ("NVIDIA H100 GPU", "nvidia-h100-sxm", True),
    ("first-class H100 servers", "nvidia-h100-sxm", True),
    ("H100 classic edition pump", None, False),
    ("microSD card V30 A200 class 10 128GB", None, False),
    ("RTX 4090-class gaming card", "nvidia-rtx-4090", True),
]

HOST_PARTS: list[Probe] = [
    ("SambaRack SN40L host module", None, False),
    ("DGX H100 head node", None, False),
    ("Trn2 CPU head tray", None, False),
]
# A system with its head node, a host board beside the baseboard it shows: the accelerators stay.
HOST_PARTS_OUT: list[Probe] = [
    ("GPU cluster: 8 servers with H100 and a head node", "nvidia-h100-sxm", True),
    ("Host Board connected to an HGX B200", "nvidia-b200", True),
    ("SambaRack SN40L-16 node", "sambanova-sn40l", True),
]


def test_hyperscaler_and_other_ai_accelerators_by_name(refs: References) -> None:
    assert probe_failures(refs, HYPERSCALERS) == []


def test_names_another_thing_shares_stay_out(refs: References) -> None:
    assert probe_failures(refs, HYPERSCALERS_OUT) == []


def test_hangul_and_quoted_product_names_beside_an_ai_chip_word(refs: References) -> None:
    assert probe_failures(refs, HANGUL) == []


def test_hangul_names_without_a_chip_word_stay_words(refs: References) -> None:
    assert probe_failures(refs, HANGUL_OUT) == []


def test_a_named_model_before_the_numbers_it_is_compared_with(refs: References) -> None:
    assert probe_failures(refs, MODELS) == []


def test_a_models_class_is_a_gpu_of_that_class(refs: References) -> None:
    assert probe_failures(refs, MODEL_CLASS) == []


def test_a_model_written_as_itself_is_no_class(refs: References) -> None:
    assert probe_failures(refs, MODEL_CLASS_OUT) == []


def test_host_and_head_parts_of_an_ai_system(refs: References) -> None:
    assert probe_failures(refs, HOST_PARTS) == []


def test_systems_with_their_head_node_keep_their_accelerators(refs: References) -> None:
    assert probe_failures(refs, HOST_PARTS_OUT) == []
