"""Issue 14, supercomputers and AI clusters named by their own name, as a class: a machine built
on accelerators is an AI system whose model the line does not write (``accelerator-unknown``,
the model read where the line writes it); a machine built of CPUs alone stays out even though
"supercomputer" is AI-compute wording (`refdata/resolver/named_machines.yaml`).

Every text here is written for this test (none is a line of a real-world set). Each probe is
checked on the batch resolver and on the one-text resolver, which must agree field by field.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.catalog import load_catalog
from chipcustoms.recognise.named_machines import Machines, load_machines
from chipcustoms.recognise.row_text import normalised

AU = "accelerator-unknown"

# A machine built on accelerators, named alone, in the scripts its operator and the press use.
AI_MACHINES: list[Probe] = [
    ("Sber Christofari Neo computing time", AU, True),
    ("доступ к суперкомпьютеру «Кристофари»", AU, True),
    ("the Chervonenkis machine", AU, True),
    ("кластер «Червоненкис» компании Яндекс", AU, True),
    ("Yandex Lyapunov cluster", AU, True),
    ("Huawei Atlas 960 SuperCluster", AU, True),
    ("華為 Atlas 950 SuperCluster 集群", AU, True),
    ("국가 슈퍼컴퓨터 6호기 도입", AU, True),
    ("수퍼컴 6호기", AU, True),
    ("天河二号A 超级计算机 升级", AU, True),
    ("Tianhe-2A nodes", AU, True),
    ("국가 슈퍼컵 6호기 가동 시작", AU, True),  # 컵 for 컴: the slip the list reads before 호기
    # The model written on the line is read as written.
    ("Christofari Neo with A100 80GB GPUs", "nvidia-a100", True),
]

# Machines built of CPUs alone, and look-alike names, stay out.
NOT_AI: list[Probe] = [
    ("Cheyenne supercomputer, sold as is", None, False),
    ("NCAR Cheyenne super computer racks", None, False),
    ("Fugaku supercomputer node", None, False),
    ("スーパーコンピュータ「富岳」", None, False),
    ("Sunway TaihuLight supercomputer", None, False),
    ("국가 슈퍼컴퓨터 5호기 누리온", None, False),
    ("Lyapunov exponent calculator", None, False),
    ("Atlas 950 road atlas", None, False),
    ("Christopher's laptop", None, False),
    ("广州市天河区 电脑配件", None, False),
]

# The name of a CPU machine vetoes only the wording: a GPU or model written beside it is read.
CPU_WITH_GPUS: list[Probe] = [
    ("Cheyenne supercomputer upgrade with 8 H100 GPUs", "nvidia-h100-sxm", True),
]

# "Supercomputer" beside a city that shares a machine's name is still AI-compute wording.
PLACES: list[Probe] = [
    ("supercomputer shipped to Cheyenne, Wyoming", AU, True),
]

CLASSES = {"ai": AI_MACHINES, "not_ai": NOT_AI, "cpu_gpus": CPU_WITH_GPUS, "places": PLACES}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_class(refs: References, name: str) -> None:
    failed = probe_failures(refs, CLASSES[name])
    assert not failed, failed


def _both(pattern: str, text: str) -> tuple[bool, bool]:
    norm = normalised(text)
    return bool(re.search(pattern, norm)), bool(pl.Series([norm]).str.contains(pattern)[0])


def test_each_machines_examples_each_side_of_its_patterns() -> None:
    """Every machine's examples match its patterns and its look-alikes match none of the list's
    patterns of its kind, in Python's and Polars' engines alike."""
    machines = load_machines()
    wrong = []
    for m in machines.machines:
        for text in m.match:
            if _both("|".join(m.patterns), text) != (True, True):
                wrong.append((m.name, text))
        for text in m.no_match:
            if _both(machines.regex(m.kind), text) != (False, False):
                wrong.append((m.name, text))
    assert not wrong, wrong


def test_every_machine_cites_a_source_and_carries_catalogued_models() -> None:
    ids = {m.id for m in load_catalog().models}
    machines = load_machines().machines
    assert all(s.url.startswith("https://") for m in machines for s in m.sources)
    assert all(set(m.carries) <= ids for m in machines)
    assert all(bool(m.carries) == (m.kind == "ai") for m in machines)


def test_a_kind_without_machines_matches_nothing() -> None:
    """An empty alternation would match every text: a list without CPU machines must veto none."""
    empty = Machines(version="0", machines=[]).regex("cpu")
    assert not re.search(empty, "cheyenne supercomputer")
    assert not pl.Series(["any text", ""]).str.contains(empty).any()
