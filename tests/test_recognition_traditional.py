"""Aliases written in Simplified Chinese are read in their Traditional spelling too (lead,
session 11; recognise/hanzi.py, refdata/resolver/hanzi.yaml): Taiwanese and Hong Kong sources
write the mainland makers' names in Traditional script, and where the number alone is two
makers' ("C600") or not distinctive, the family name in Traditional script went unread. Texts
written for this test; both resolvers answer each (tests/both_resolvers.py).
"""

from __future__ import annotations

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.hanzi import traditional

TRADITIONAL: list[Probe] = [
    ("曦雲C600 通用GPU", "metax-c600", True),
    ("沐曦曦雲C500 加速卡", "metax-c500", True),
    ("摩爾線程MTT S4000 計算卡", "moorethreads-mtt-s4000", True),
    ("寒武紀思元590", "cambricon-mlu590", True),
    ("崑崙芯P800 AI加速卡", "kunlunxin-p800", True),
    ("華為昇騰910C", "huawei-ascend-910c", True),
]

STAY_OUT: list[Probe] = [
    ("雲端伺服器租用服務", None, False),  # a cloud-server rental: no accelerator named
    ("華為P40手機", None, False),  # a Huawei phone
]


def test_the_traditional_spelling_of_an_alias_is_read(refs: References) -> None:
    assert probe_failures(refs, TRADITIONAL) == []


def test_traditional_words_alone_name_no_accelerator(refs: References) -> None:
    assert probe_failures(refs, STAY_OUT) == []


def test_only_simplified_characters_change() -> None:
    assert traditional("曦云 c600") == "曦雲 c600"
    assert traditional("rtx 4090") == "rtx 4090"
    assert traditional("燧原") == "燧原"  # the same in both scripts
