"""A catalogued model number counted as goods, with no GPU word (lead, round 12): a trade line
counts what it ships, so a count right beside a catalogued number of three or four digits
("200 H100s", "B200 × 8", "H800 2000 pcs", "H100を200個"), or "units of" before a shorter one
("3,000 units of H20"), lets the bare number stand, as a server word does
(refdata/resolver/vocabulary.yaml `bare_hints_apart`). Texts written for this test; both
resolvers answer each (tests/both_resolvers.py). Other goods counted beside a number stay out.
"""

from __future__ import annotations

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References

COUNTED: list[Probe] = [
    ("shipment of 120 A100s to a reseller", "nvidia-a100", True),
    ("1,500 H800 under one airway bill", "nvidia-h800-sxm", True),
    ("B300 × 4, boxed", "nvidia-b300", True),
    ("MI300X 16 pcs", "amd-mi300x", True),
    ("H200 50 шт", "nvidia-h200", True),
    ("H100 20张 现货", "nvidia-h100-sxm", True),
    ("A800を30枚", "nvidia-a800", True),
    ("2,000 units of H20 declared as parts", "nvidia-h20", True),
]

NOT_COUNTED: list[Probe] = [
    ("100 P800 card readers", None, False),
    ("24 Mercedes C500 hubcaps", None, False),
    ("50 pcs of A4 paper", None, False),
    ("12 Galaxy A520 phones", None, False),
    ("H20 × 6 water bottles", None, False),
]


def test_a_counted_model_number_is_the_chip(refs: References) -> None:
    assert probe_failures(refs, COUNTED) == []


def test_other_goods_counted_beside_a_number_stay_out(refs: References) -> None:
    assert probe_failures(refs, NOT_COUNTED) == []
