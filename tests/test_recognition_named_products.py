"""Catalogued models in the shapes the resolver did not read, and models the catalog lacked
(the spent parts' model misses, by class). Every text is written for this test, none taken from
a dev, spent or held-out part; both resolvers answer each (tests/both_resolvers.py):

- a non-GPU accelerator's bare name beside a card, board, module, chip, sample or chassis word
  in the languages of trade (recognise/named_products.py, refdata/resolver/product_words.yaml);
- quotes and brackets of East Asian text around a name, and a maker's possessive "'s";
- names another product shares (catalog ``context_aliases``: Rebellions' 아톰(ATOM), the
  first Gaudi), read only beside a vouching word and never over another model on the line;
- word order and spelled-out names: "RTX 6000 Pro Blackwell", Cambricon's Siyuan in pinyin,
  "MI300 APU", Gaudi's HL part numbers with and without the dash, Groq's LP30;
- consumer and edge cards the catalog lacked: the Maxwell GTX TITAN X (apart from the Pascal
  TITAN X / Xp), the RX 5000 series and the later RX names, the Hailo-8L.
"""

from __future__ import annotations

import polars as pl
import pytest

from both_resolvers import Probe, probe_failures, resolve_both
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.named_products import (
    is_bare,
    is_named,
    load_product_words,
    product_names,
)
from chipcustoms.recognise.resolver import Resolver

NON_GPU_NAMES: list[Probe] = [
    ("FuriosaAI engineering sample: one RNGD board", "furiosa-rngd", True),
    ("RNGD 모듈 2개", "furiosa-rngd", True),
    ("RNGD 样品卡", "furiosa-rngd", True),
    ("carte RNGD d'inférence", "furiosa-rngd", True),
    ("Muster RNGD Karte", "furiosa-rngd", True),
    ("образец модуля RNGD", "furiosa-rngd", True),
    ("RNGD 4U chassis, air cooled", "furiosa-rngd", True),
    ("RNGD 2U liquid-cooled inference server", "furiosa-rngd", True),
    ("910B board", "huawei-ascend-910b", True),
    ("SN40L module", "sambanova-sn40l", True),
    ("WSE3 systems", "cerebras-wse-3", True),
]

NON_GPU_LOOKALIKES: list[Probe] = [
    # A short number is another product's too: a card word does not make it a chip.
    ("P800 card reader", None, False),
    ("T20 module for the tractor", None, False),
    # The name with nothing that says a chip.
    ("RNGD", None, False),
]


def test_a_non_gpu_accelerators_name_beside_a_product_word_is_the_chip(refs: References) -> None:
    assert probe_failures(refs, NON_GPU_NAMES) == []


def test_a_short_number_or_a_name_alone_stays_out(refs: References) -> None:
    assert probe_failures(refs, NON_GPU_LOOKALIKES) == []
    rows = resolve_both(refs, ["P800 card reader", "T20 module for the tractor"])
    assert [r["accelerator_id"] for r in rows] == [None, None]


def test_the_product_names_are_the_ai_only_makers_bare_names_less_short_numbers(
    refs: References,
) -> None:
    names = product_names(refs.catalog, refs.resolver.alias_to_id)
    assert {"rngd", "mlu290", "mlu590"} <= set(names)
    assert not {"p800", "t20", "h100", "a100", "4090"} & set(names)
    assert "nvidia" not in load_product_words().makers


QUOTED_AND_POSSESSIVE: list[Probe] = [
    ("리벨리온 「ATOM」 가속기", "rebellions-atom", True),
    ("리벨리온의 《ATOM》 칩", "rebellions-atom", True),
    ("『RNGD』 카드", "furiosa-rngd", True),
    ("〈H100〉 GPU", "nvidia-h100-sxm", True),
    ("Groq's Language Processing Units", "groq-lpu", True),
    ("Cambricon’s Siyuan 290 card", "cambricon-mlu290-m5", True),
    ("Nvidia's A100 GPUs", "nvidia-a100", True),
]


def test_quotes_brackets_and_a_possessive_do_not_hide_a_name(refs: References) -> None:
    assert probe_failures(refs, QUOTED_AND_POSSESSIVE) == []


CONTEXT_ALIASES: list[Probe] = [
    ("신규 NPU 칩 ‘아톰(ATOM)’ 양산", "rebellions-atom", True),
    ("《아톰(ATOM)》 AI 가속기", "rebellions-atom", True),
    ("Gaudi deep learning accelerator card", "intel-gaudi1", True),
    ("8x Gaudi AI training server", "intel-gaudi1", True),
    # Another model on the line wins over the shared name.
    ("Gaudi HL 2080 training chip", "intel-gaudi2", True),
    ("Gaudi 3 OAM accelerator", "intel-gaudi3", True),
]


def test_a_shared_name_is_read_beside_a_vouching_word_and_yields_to_another_model(
    refs: References,
) -> None:
    assert probe_failures(refs, CONTEXT_ALIASES) == []


@pytest.mark.parametrize(
    "text",
    [
        "인텔 아톰(Atom) 프로세서 넷북",
        "Intel Atom chip netbook",
        "ATOM chip",
        "아톰(ATOM) 피규어",
    ],
)
def test_the_shared_names_other_products_stay_out(refs: References, text: str) -> None:
    (row,) = resolve_both(refs, [text])
    assert row["accelerator_id"] != "rebellions-atom" and not row["is_accelerator"], row


def test_gaudi_alone_is_no_model(refs: References) -> None:
    (row,) = resolve_both(refs, ["Gaudi"])
    assert row["accelerator_id"] != "intel-gaudi1"


NAME_SHAPES: list[Probe] = [
    ("NVIDIA RTX 6000 Pro Blackwell 96GB", "nvidia-rtx-pro-6000", True),
    ("RTX 4500 Pro Blackwell graphics", "nvidia-rtx-pro-4500", True),
    ("RTX 5000 Pro Blackwell card", "nvidia-rtx-pro-5000", True),
    ("Siyuan 370 accelerator card", "cambricon-mlu370-x8", True),
    ("Siyuan 270 inference card", "cambricon-mlu270-s4", True),
    ("Siyuan 590 训练卡", "cambricon-mlu590", True),
    ("Tiangai 100 GPGPU card", "iluvatar-bi-v100", True),
    ("Iluvatar Tiangai 150 accelerator", "iluvatar-bi-v150", True),
    ("MetaX Xiyun C500 64GB", "metax-c500", True),
    ("AMD MI300 APU with 128 GB HBM3", "amd-mi300a", True),
    ("Instinct MI300 APU nodes", "amd-mi300a", True),
    ("MI300X OAM 192GB", "amd-mi300x", True),
    ("Habana HL-2080 mezzanine", "intel-gaudi2", True),
    ("HL2080 OAM module", "intel-gaudi2", True),
    ("Gaudi HL-200 PCIe card", "intel-gaudi1", True),
    ("HL 205 Gaudi mezzanine card", "intel-gaudi1", True),
    ("HL-225B OAM", "intel-gaudi2", True),
    ("Goya HL-1000 inference card", "intel-goya", True),
    ("Groq LP30 chips in an LPX tray", "groq-lp30", True),
    ("64 LP30 Language Processing Units", "groq-lp30", True),
]


def test_word_order_pinyin_and_part_number_shapes(refs: References) -> None:
    assert probe_failures(refs, NAME_SHAPES) == []


CONSUMER_AND_EDGE: list[Probe] = [
    # The Maxwell GTX TITAN X is consumer; the Pascal TITAN X and TITAN Xp stay flagship.
    ("Видеокарта NVIDIA GeForce GTX TITAN X 12 ГБ", "nvidia-titan-x", False),
    ("GTX Titan X Maxwell, used", "nvidia-titan-x", False),
    ("GTX TITAN X Pascal 12GB", "nvidia-titan-x-pascal", True),
    ("ASUS GeForce GTX TITAN Xp", "nvidia-titan-xp", True),
    # Radeon RX gaming cards with board-partner suffixes: consumer, their own id.
    ("MSI Radeon RX 5500 XT MECH 4G OC", "amd-rx-5500-xt", False),
    ("Sapphire Pulse RX 5600 XT 6GB", "amd-rx-5600-xt", False),
    ("PowerColor Red Dragon RX 5700 8GB", "amd-rx-5700", False),
    ("Gigabyte RX 5700 XT GAMING OC 8G", "amd-rx-5700-xt", False),
    ("XFX RX 6750 GRE 10GB Speedster", "amd-rx-6750-gre", False),
    ("Radeon RX 7650 GRE 8GB", "amd-rx-7650-gre", False),
    ("AMD Radeon RX 7700 16GB", "amd-rx-7700", False),
    ("Radeon RX 7700 XT 12GB", "amd-rx-7700-xt", False),
    # An edge module keeps its model and is no accelerator (the Hailo-8 and 10H rule).
    ("Hailo-8L AI accelerator M.2 module", "hailo-8l", False),
    ("Hailo 8L NPU for Raspberry Pi", "hailo-8l", False),
]


def test_consumer_and_edge_cards_the_catalog_lacked(refs: References) -> None:
    assert probe_failures(refs, CONSUMER_AND_EDGE) == []


# The architect: his name beside an AI-maker word list had made any line naming him AI compute.
GAUDI_THE_ARCHITECT: list[Probe] = [
    ("Sagrada Familia cathedral postcard set by Antoni Gaudi", None, False),
    ("Gaudi architecture picture book, hardcover", None, False),
    ("Casa Batllo by Gaudi, framed print", None, False),
    ("Habana Gaudi AI training cards, 8 pieces", "intel-gaudi1", True),
    ("Gaudi 2 accelerator cards for the Gaudi museum's AI exhibit", "intel-gaudi2", True),
]


def test_gaudi_the_architect_is_not_the_accelerator(refs: References) -> None:
    assert probe_failures(refs, GAUDI_THE_ARCHITECT) == []


def test_the_column_form_of_a_named_alias_is_the_negation_of_is_bare(refs: References) -> None:
    """``is_named`` (Polars, the batch's vouching) and ``is_bare`` (Python) are one rule in two
    forms: held equal over every alias of the catalog."""
    aliases = sorted(Resolver(refs.catalog).alias_to_id)
    named = pl.Series(aliases).to_frame("a").select(is_named(pl.col("a")))["a"].to_list()
    assert named == [not is_bare(a) for a in aliases]
