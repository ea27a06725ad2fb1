"""Issue 14, tenth catalog round: the model misses the dev and spent parts showed (Hygon BW1000,
the Radeon RX 6000 family around the RX 6700 XT, CMP 220HX), the families beside them (RX 7600 to
7800 XT, RX 9060 XT, Radeon AI PRO R9700S / 9600D, MetaX C550), spellings the catalog did not know
(RTX PRO 6000 X, Graphcore C600, Gigabyte's CMP 30HX part number), the Chinese parts of the
market gap (Cambricon MLU690, Enflame L600, MetaX C588 / N260), OEM option part numbers (Cisco,
HPE, Lenovo) and named AI servers from MLPerf system files. One line per family, written for
this test (none taken from a collected set), and a look-alike of each class that must stay out:
short numbers are also audio gear, printers, phones, servers and machine parts."""

from __future__ import annotations

from collections import Counter

import pytest

from both_resolvers import left_out, model_reading, system_reading
from both_resolvers import resolve_pairs as _resolve
from chipcustoms.assess.pipeline import References

# (text, HS code, model id, whether the line counts as an accelerator line)
FOUND = [
    # Chinese datacenter parts: count
    ("Hygon DCU BW1000 accelerator card", "847330", "hygon-bw1000", True),
    ("曦云C550 GPU加速卡", "847330", "metax-c550", True),
    ("MetaX Xiyun C588 GPU", "847330", "metax-c588", True),
    ("沐曦N260推理卡", "847330", "metax-n260", True),
    ("Cambricon MLU690 OAM module", "847330", "cambricon-mlu690", True),
    ("Enflame L600 training card 144GB", "847330", "enflame-l600", True),
    ("Iluvatar CoreX BI-V150 32GB GPU", "847330", "iluvatar-bi-v150", True),
    ("NVIDIA B200A GPU module", "847330", "nvidia-b200a", True),
    # AMD Radeon RX gaming cards of RDNA 2 / 3 / 4: recognised, never counted
    ("Sapphire Radeon RX 6600 8GB", "847330", "amd-rx-6600", False),
    ("XFX Radeon RX 6700 XT 12GB graphics card", "847330", "amd-rx-6700-xt", False),
    ("PowerColor Radeon RX 6750 XT", "847330", "amd-rx-6750-xt", False),
    ("ASRock RX 6800 XT 16GB video card", "847330", "amd-rx-6800-xt", False),
    ("AMD Radeon RX 6950 XT reference card", "847330", "amd-rx-6950-xt", False),
    ("Radeon RX 7800 XT 16GB", "847330", "amd-rx-7800-xt", False),
    ("Radeon RX 9060 XT 16GB gaming card", "847330", "amd-rx-9060-xt", False),
    # Radeon AI PRO: workstation class, counts
    ("AMD Radeon AI PRO R9700S 32GB", "847330", "amd-radeon-ai-pro-r9700s", True),
    ("AMD Radeon AI PRO 9600D professional card", "847330", "amd-radeon-ai-pro-9600d", True),
    # Mining: recognised, not counted
    ("NVIDIA CMP 220HX mining processor", "847330", "nvidia-cmp-220hx", False),
    ("Gigabyte GV-N30HXD6-6G", "847330", "nvidia-cmp-30hx", False),
    # Spellings of catalogued models
    ("NVIDIA RTX PRO 6000 X Blackwell 96GB", "847330", "nvidia-rtx-pro-6000", True),
    ("Graphcore C600 IPU card", "847330", "graphcore-gc200", True),
    # OEM option part numbers (Cisco PIDs, HPE and Lenovo options) name the card they sell
    ("Cisco UCSC-GPU-H100-80= GPU", "847330", "nvidia-h100-pcie", True),
    ("UCSC-GPU-RTXP6000", "847330", "nvidia-rtx-pro-6000", True),
    ("HPE S6W21C accelerator", "847330", "nvidia-rtx-pro-6000d", True),
    ("P63584-B21", "847330", "nvidia-l40s", True),
    ("Lenovo 4X67A84824", "847330", "nvidia-l4", True),
]

# Look-alikes written for this test: the new short numbers are also an amplifier, a Samsung
# phone, an AV receiver, a press, a grease cartridge, a laptop GPU, an old Dell server (why no
# "Kunlunxin R300" is catalogued: its bare "R300" beside "Dell" would read as the card), a
# marketplace item code, and Lenovo's NVLink bridge option (an accessory, not a GPU).
LEFT_OUT = [
    ("BW1000 subwoofer amplifier", "851840"),
    ("Samsung C550 mobile phone", "851713"),
    ("Yamaha RX-A6800 AV receiver", "851981"),
    ("C600 hydraulic press", "846210"),
    ("GC600 grease cartridge", "340319"),
    ("Radeon RX 6800M laptop", "847130"),
    ("Dell PowerEdge R300 server", "847150"),
    ("MLU690771648 zapatos de cuero", None),
    ("Lenovo 4X67A97320 ThinkSystem NVIDIA 2-way NVLink bridge", "847330"),
]


@pytest.mark.parametrize(("text", "hs", "model_id", "counts"), FOUND)
def test_new_models_are_recognised(
    refs: References, text: str, hs: str | None, model_id: str, counts: bool
) -> None:
    assert model_reading(refs, text, hs) == (model_id, counts)


@pytest.mark.parametrize(("text", "hs"), LEFT_OUT)
def test_look_alikes_stay_out(refs: References, text: str, hs: str | None) -> None:
    assert left_out(refs, text, hs)


def test_an_rx_number_names_the_card_but_never_counts(refs: References) -> None:
    """ "RX 6800" is the card's own short name (as "RX 9070" is, round 9): a line that writes
    it is read as the card even beside a pump's HS code, but a gaming card never makes the line
    an accelerator line, so the look-alike costs no false positive."""
    row = _resolve(refs, [("RX 6800 water pump", "841370")]).row(0, named=True)
    assert (row["accelerator_id"], row["is_accelerator"]) == ("amd-rx-6800", False)


def test_bare_c600_is_not_read_as_graphcore(refs: References) -> None:
    """The Graphcore aliases carry the maker's name: a bare "C600" beside a GPU word is no
    GC200 (MetaX also sells a C600), so the line stays a GPU of unknown model."""
    row = _resolve(refs, [("C600 GPU", "847330")]).row(0, named=True)
    assert row["accelerator_id"] != "graphcore-gc200"


# (text, model id, units, system id): the GPU written or not; a count on the line wins.
SYSTEMS = [
    ("Supermicro AS-A126GS-TNBR", "accelerator-unknown", 8, "smc-as-a126gs-tnbr"),
    (
        "Supermicro AS-4126GS-NMR-LCC liquid cooled server",
        "accelerator-unknown",
        8,
        "smc-as-4126gs-nmr-lcc",
    ),
    ("Supermicro SRS-GB200-NVL72-M1 rack", "nvidia-gb200", 72, "smc-srs-gb200-nvl72-m1"),
    ("MiTAC G8825Z5 with 8 MI325X", "amd-mi325x", 8, "mitac-g8825z5"),
    ("GIGABYTE G593-ZD1 server", "accelerator-unknown", 8, "gigabyte-g593-zd1"),
    ("GIGABYTE G593-ZD2 with H100 SXM5", "nvidia-h100-sxm", 8, "gigabyte-g593-zd2"),
    ("GIGABYTE G492-ZD2 HGX A100 server", "nvidia-a100", 8, "gigabyte-g492-zd2"),
    ("HPE ProLiant XL675d Gen10 Plus", "accelerator-unknown", 8, "hpe-proliant-xl675d-gen10-plus"),
    ("Fujitsu PRIMERGY GX2570 M6", "accelerator-unknown", 8, "fujitsu-primergy-gx2570-m6"),
    ("ASUS ESC N4A-E11 server", "accelerator-unknown", 4, "asus-esc-n4a-e11"),
    ("ASUS ESC4000A-E12 with 2 L40S", "nvidia-l40s", 2, "asus-esc4000a-e12"),
    ("Supermicro SYS-421GU-TNXR", "accelerator-unknown", 4, "smc-sys-421gu-tnxr"),
    ("Supermicro SYS-820GH-TNR2 server", "accelerator-unknown", 8, "smc-sys-820gh-tnr2"),
    ("Habana HLS-Gaudi2 training server", "intel-gaudi2", 8, "intel-hls-gaudi2"),
    ("Supermicro AS-4125GS-TNRT", "accelerator-unknown", 8, "smc-as-4125gs-tnrt"),
    ("xFusion FusionServer G5500 V6", "accelerator-unknown", 8, "xfusion-g5500-v6"),
    ("ASRock Rack 4U8G-ROME2 GPU server", "accelerator-unknown", 8, "asrock-4u8g-rome2"),
    ("tinybox green", "accelerator-unknown", 6, "tinycorp-tinybox-green"),
    ("Huawei CloudMatrix 384 supernode", "accelerator-unknown", 384, "huawei-cloudmatrix-384"),
    ("Atlas 900 A3 SuperPoD", "accelerator-unknown", 384, "huawei-cloudmatrix-384"),
    ("Huawei Atlas 950 SuperPoD", "accelerator-unknown", 8192, "huawei-atlas-950-superpod"),
]


@pytest.mark.parametrize(("text", "model_id", "units", "system_id"), SYSTEMS)
def test_named_systems(
    refs: References, text: str, model_id: str, units: int, system_id: str
) -> None:
    assert system_reading(refs, text) == (model_id, True, units, system_id)


def test_every_new_system_names_models_the_catalog_has(refs: References) -> None:
    systems = {s.id: s for s in refs.catalog.systems}
    for *_, sid in SYSTEMS:
        assert systems[sid].models and all(m in refs.catalog.by_id for m in systems[sid].models)


def test_ids_are_unique(refs: References) -> None:
    """The loader keeps the last of two entries with one id, so a model or system catalogued
    twice (two rounds adding the same server) would silently lose the first entry's data."""
    ids = Counter(m.id for m in refs.catalog.models)
    ids.update(s.id for s in refs.catalog.systems)
    assert [i for i, n in ids.items() if n > 1] == []


def test_classes_follow_the_documented_rule(refs: References) -> None:
    """Radeon RX gaming cards are consumer whatever their tier; the Radeon AI PRO variants are
    workstation (AI accelerators), the CMP 220HX mining, the BW1000 and C550 datacenter."""
    by_id = refs.catalog.by_id
    assert {by_id[i].ai_class for i in ("amd-rx-6900-xt", "amd-rx-7800-xt", "amd-rx-9060-xt")} == {
        "consumer"
    }
    assert {by_id[i].ai_class for i in ("amd-radeon-ai-pro-r9700s", "amd-radeon-ai-pro-9600d")} == {
        "workstation"
    }
    assert by_id["nvidia-cmp-220hx"].ai_class == "mining"
    assert {by_id[i].ai_class for i in ("hygon-bw1000", "metax-c550")} == {"datacenter"}


def test_unpublished_figures_stay_undetermined_with_the_reason(refs: References) -> None:
    """Hygon publishes no BW1000 figure (the circulating ones conflict): TPP stays undetermined
    and the model says why; the RX 6700 XT's cited FP16 puts it far below every line."""
    by_id = refs.catalog.by_id
    bw = by_id["hygon-bw1000"]
    assert bw.classification.eccn == "undetermined"
    assert "dense_tops" in bw.missing and bw.missing_note
    assert by_id["amd-rx-6700-xt"].classification.tpp == pytest.approx(26.43 * 16, rel=0.01)
