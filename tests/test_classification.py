import pytest

from chipcustoms.recognise.classification import classify, total_processing_performance

# (dense TOPS, die mm2, datacenter) -> ECCN; figures from shared/reference/accelerators.md §2.1
CASES = [
    ("H100 SXM", {"fp16": 989.5, "int8": 1979}, 814, True, "3A090.a"),
    ("A100", {"fp16": 312, "int8": 624}, 826, True, "3A090.a"),
    ("H20", {"fp16": 148, "int8": 296}, 814, True, "not-3A090"),
    ("L40", {"fp16": 181, "int8": 362}, 608.5, True, "3A090.b"),
    ("L20", {"fp16": 119.5, "int8": 239}, 608.5, True, "not-3A090"),
    ("L2", {"fp16": 96.5, "int8": 193}, 294.5, True, "not-3A090"),
    ("RTX 4090 D", {"int8": 588.4}, 608.5, False, "not-3A090"),
    ("RTX 5090", {"fp4": 1676}, 750, False, "3A090.a"),
    ("RTX PRO 6000D", {}, 750, True, "undetermined"),
]


@pytest.mark.parametrize(("name", "tops", "die", "dc", "eccn"), CASES, ids=[c[0] for c in CASES])
def test_3a090_decision(name: str, tops: dict[str, float], die: float, dc: bool, eccn: str) -> None:
    assert classify(tops, die, datacenter=dc).eccn == eccn


def test_tpp_takes_the_highest_precision() -> None:
    assert total_processing_performance({"fp16": 989.5, "int8": 1979}) == 15832
    assert total_processing_performance({}) is None


def test_consumer_above_threshold_is_nac_eligible() -> None:
    c = classify({"fp4": 1676}, 750, datacenter=False)
    assert c.nac_aca_eligible and c.tpp == 6704


def test_datacenter_without_die_area_is_undetermined_between_thresholds() -> None:
    assert classify({"int8": 300}, None, datacenter=True).eccn == "undetermined"
    assert classify({"int8": 100}, None, datacenter=True).eccn == "not-3A090"
