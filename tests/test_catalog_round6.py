"""Issue 14, sixth catalog round: older NVIDIA datacenter, pro and TITAN cards, edge modules, the
GB10 desktops, early Instinct and cloud Radeon cards, Intel Flex / Arc Pro, AI accelerators that
are not GPUs (Qualcomm, FuriosaAI, AWS, SOPHGO, Alibaba, Untether, d-Matrix, Vastai, Rebellions,
Hailo), more domestic Chinese cards, and the MLPerf-listed servers. One line per maker family,
written for this test (none taken from a collected set), and a look-alike of each class that
must stay out: metric screw sizes, a phone, Intel's N100 CPU, a Torx bit, PC memory, a relay.
"""

from __future__ import annotations

import pytest

from both_resolvers import resolve_pairs as _resolve
from chipcustoms.assess.pipeline import References

# (text, HS code, model id, whether the line counts as an accelerator line)
FOUND = [
    # NVIDIA: Kepler / Maxwell datacenter cards, Quadro, TITAN (flagship), 2080 Ti (consumer)
    ("NVIDIA Tesla K80 24GB GPU accelerator, used", "847330", "nvidia-tesla-k80", True),
    ("Tesla M10 GPU for VDI", "847330", "nvidia-tesla-m10", True),
    ("Quadro RTX 8000 48GB passive", "847330", "nvidia-quadro-rtx-8000", True),
    ("NVIDIA TITAN RTX", None, "nvidia-titan-rtx", True),
    ("GeForce RTX 2080 Ti 22GB graphics card", "847330", "nvidia-rtx-2080-ti", False),
    ("NVIDIA GB10 Grace Blackwell superchip", None, "nvidia-gb10", True),
    ("NVIDIA Rubin GPU", "847330", "nvidia-rubin", True),
    # AMD: early Instinct, cloud Radeon, a China variant, a gaming card kept apart from its XTX
    ("AMD Radeon Instinct MI25 16GB", "847330", "amd-mi25", True),
    ("Radeon PRO V710 cloud GPU", "847330", "amd-radeon-pro-v710", True),
    ("AMD Radeon PRO W7900D 48GB", "847330", "amd-radeon-pro-w7900d", True),
    ("Radeon RX 7900 XT graphics card", "847330", "amd-rx-7900-xt", False),
    # Intel
    ("Intel Data Center GPU Flex 170", "847330", "intel-flex-170", True),
    ("Intel Arc Pro B60 24GB", "847330", "intel-arc-pro-b60", True),
    ("Intel Gaudi 2 HL-225 OAM", "847330", "intel-gaudi2", True),
    # accelerators that are not GPUs
    ("Qualcomm Cloud AI 100 Ultra inference card", "847330", "qualcomm-cloud-ai-100-ultra", True),
    ("FuriosaAI RNGD NPU card", "847330", "furiosa-rngd", True),
    ("Hailo-8 M.2 AI accelerator module", "847330", "hailo-8", False),
    ("AWS Trainium2 chips", "854231", "aws-trainium2", True),
    ("speedAI240 inference accelerator", "847330", "untether-speedai240", True),
    ("d-Matrix Corsair inference accelerator", "847330", "dmatrix-corsair", True),
    ("Rebellions ATOM-Max NPU", "847330", "rebellions-atom", True),
    # Chinese makers
    ("含光800 加速卡", "847330", "alibaba-hanguang-800", True),
    ("Sophon SC5 深度学习加速卡", "847330", "sophgo-bm1684", True),
    ("Atlas 300I Pro 推理卡", "847330", "huawei-atlas-300i-pro", True),
    ("Cambricon MLU100 intelligent processing card", "847330", "cambricon-mlu100", True),
    ("MetaX MXN100 inference GPU", "847330", "metax-n100", True),
    ("Enflame CloudBlazer i20", "847330", "enflame-cloudblazer-i20", True),
    ("瀚博SV100", "847330", "vastai-sv100", True),
    ("MTT S5000 加速卡", "847330", "moorethreads-mtt-s5000", True),
]

# Look-alikes: a metric screw size, a phone, Intel's N100 mini PC, a Torx bit, PC memory and a
# power supply from the Corsair brand, an Intel Atom tablet, a relay that shares a server code;
# fasteners and car parts whose numbers are a Tesla card's.
LEFT_OUT = [
    ("M6 cage nuts for server rack", None),
    ("M10 bolts for server", "731815"),
    ("Xiaomi Mi 8 phone", "851713"),
    ("Intel N100 mini PC", "847150"),
    ("Torx T10 screwdriver bits", "820540"),
    ("Corsair Vengeance DDR5 memory", "847330"),
    ("Corsair 1000W power supply", "850440"),
    ("D75E-4U relay", "853649"),
    ("Rubin vase, ceramic", "691390"),
    # Numbers the new Tesla models share with fasteners and car parts (written for this test).
    ("K80 server rack screws", None),
    ("K40 hex bolts, zinc plated", None),
    ("Tesla Model Y K20 brake pads", "870830"),
    ("Tesla Model S M60 wiper blades", None),
]


@pytest.mark.parametrize(("text", "hs", "model_id", "counts"), FOUND)
def test_new_models_are_recognised(
    refs: References, text: str, hs: str | None, model_id: str, counts: bool
) -> None:
    row = _resolve(refs, [(text, hs)]).row(0, named=True)
    assert (row["accelerator_id"], row["is_accelerator"]) == (model_id, counts)


@pytest.mark.parametrize(("text", "hs"), LEFT_OUT)
def test_look_alikes_stay_out(refs: References, text: str, hs: str | None) -> None:
    row = _resolve(refs, [(text, hs)]).row(0, named=True)
    assert row["is_accelerator"] is False
    assert row["system_id"] is None


# (text, model id, units): the GPU written or not; a count on the line wins over the catalog's.
# A system's name that does not write its GPU (DGX-2, DGX Spark, MCCX D800) gives
# accelerator-unknown even when the system always carries one model (issue 14; system_names.py).
SYSTEMS = [
    ("Dell PowerEdge XE9685L AI server", "accelerator-unknown", 8),
    ("HPE ProLiant DL384 Gen12", "accelerator-unknown", 2),  # carries the GH200, unwritten
    ("Supermicro SYS-422GA-NBRT-LCC with 8x B200", "nvidia-b200", 8),
    ("GIGABYTE G893-SD1", "accelerator-unknown", 8),
    ("Cisco UCS C885A M8 GPU server", "accelerator-unknown", 8),
    ("QuantaGrid D75E-4U with 4 H200 NVL", "nvidia-h200-nvl", 4),
    ("Aivres KR6288 server", "accelerator-unknown", 8),
    ("Atlas 800 Model 3000", "accelerator-unknown", 8),
    ("NVIDIA DGX Spark personal AI supercomputer", "accelerator-unknown", 1),
    ("ASUS Ascent GX10", "accelerator-unknown", 1),
    ("NVIDIA Vera Rubin NVL72 rack", "nvidia-rubin", 72),
    ("Supermicro SYS-822GA-NGR3 Gaudi 3 server", "intel-gaudi3", 8),
    ("NVIDIA DGX-2", "accelerator-unknown", 16),
    ("Nettrix X660 G45L", "accelerator-unknown", 8),
    ("xFusion FusionServer G5500 V7 with 8x L40", "nvidia-l40", 8),
    ("H3C UniServer R5500 G5", "accelerator-unknown", 8),
    ("Inspur NF5468M6 with 4 Biren BR104", "biren-br104", 4),
    ("Wiwynn ES200 G2", "accelerator-unknown", 2),
    ("Moore Threads MCCX D800 GPU server", "accelerator-unknown", 8),
]


@pytest.mark.parametrize(("text", "model_id", "units"), SYSTEMS)
def test_named_systems(refs: References, text: str, model_id: str, units: int) -> None:
    row = _resolve(refs, [(text, "847150")]).row(0, named=True)
    assert (row["accelerator_id"], row["is_accelerator"], row["units_per_item"]) == (
        model_id,
        True,
        units,
    )


def test_jetson_modules_do_not_count(refs: References) -> None:
    """Class none by the rule (edge modules); the vocabulary's exclusion word "jetson" already
    keeps such lines out, so the catalog entries change nothing for them."""
    rows = _resolve(refs, [("Jetson AGX Thor module", "847330"), ("Jetson AGX Orin 64GB", None)])
    assert rows["is_accelerator"].to_list() == [False, False]
    assert not refs.catalog.by_id["nvidia-jetson-agx-orin"].is_accelerator


def test_new_models_classify_from_their_cited_figures(refs: References) -> None:
    """TPP comes from the cited dense figures: Trainium2 and the Cloud AI 100 Ultra pass 4,800
    on TPP alone; the Jetson Thor does not, and being no datacenter part it is not controlled;
    a model whose maker publishes no compute figure stays undetermined."""
    models = {m.id: m for m in refs.catalog.models}
    assert models["aws-trainium2"].classification.eccn == "3A090.a"
    assert models["qualcomm-cloud-ai-100-ultra"].classification.tpp == 6960
    thor = models["nvidia-jetson-agx-thor"]
    assert thor.classification.tpp == 4140 and not thor.is_accelerator
    hg = models["alibaba-hanguang-800"]
    assert hg.classification.eccn == "undetermined" and "dense_tops" in hg.missing


def test_every_new_system_names_models_the_catalog_has(refs: References) -> None:
    systems = {s.id: s for s in refs.catalog.systems}
    for sid in ("dell-xe9685l", "hpe-proliant-dl380a-gen12", "qct-d75t-7u", "nvidia-dgx-spark"):
        assert systems[sid].models and all(
            m in refs.resolver.catalog.by_id for m in systems[sid].models
        )
