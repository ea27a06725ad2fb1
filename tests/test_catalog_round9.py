"""Issue 14, ninth catalog round: whole families the catalog lacked (NVIDIA RTX A400 / A1000 /
A2000, Quadro P and T series, RTX 2000 Ada / PRO 2000, GeForce RTX 3050 / 5050, A10M, L40G,
Tesla T10; AMD Radeon PRO W5000 / W6000 / W7000, RX 7900 GRE and RX 9070, Instinct MI400; Intel
Max 1350 and Crescent Island; Huawei Atlas 350) and fifteen servers from MLPerf system files.
One line per family, written for this test (none taken from a collected set), and a look-alike
of each class that must stay out: the short numbers are also RAID controllers, storage arrays,
printers, tools."""

from __future__ import annotations

import pytest

from both_resolvers import left_out, model_reading, system_reading
from chipcustoms.assess.pipeline import References

# (text, HS code, model id, whether the line counts as an accelerator line)
FOUND = [
    # NVIDIA professional: RTX A / Ada / PRO count (tensor units); Pascal / TU117 cards do not
    ("NVIDIA RTX A2000 12GB low profile workstation card", "847330", "nvidia-rtx-a2000", True),
    ("PNY NVIDIA RTX A1000 8GB GDDR6", "847330", "nvidia-rtx-a1000", True),
    ("NVIDIA RTX 2000 Ada Generation 16GB", "847330", "nvidia-rtx-2000-ada", True),
    ("NVIDIA RTX PRO 2000 Blackwell 16GB", "847330", "nvidia-rtx-pro-2000", True),
    ("Quadro RTX 4000 8GB", "847330", "nvidia-quadro-rtx-4000", True),
    ("NVIDIA Quadro P4000 8GB GDDR5", "847330", "nvidia-quadro-p4000", False),
    ("NVIDIA T1000 8GB graphics card", "847330", "nvidia-t1000", False),
    # GeForce below the x090 tier: recognised, not counted
    ("MSI GeForce RTX 3050 8GB gaming card", "847330", "nvidia-rtx-3050", False),
    ("Gigabyte GeForce RTX 5050 8GB", "847330", "nvidia-rtx-5050", False),
    # NVIDIA datacenter members
    ("NVIDIA L40G 24GB", "847330", "nvidia-l40g", True),
    ("NVIDIA Tesla T10 16GB", "847330", "nvidia-tesla-t10", True),
    # AMD: RDNA 3 PRO counts, RDNA 2 PRO does not; the RX 9070s and the GRE kept apart
    ("AMD Radeon PRO W7700 16GB GDDR6", "847330", "amd-radeon-pro-w7700", True),
    ("AMD Radeon PRO W6600 8GB GDDR6", "847330", "amd-radeon-pro-w6600", False),
    ("Sapphire Radeon RX 9070 XT 16GB", "847330", "amd-rx-9070-xt", False),
    ("AMD Radeon RX 9070 16GB", "847330", "amd-rx-9070", False),
    ("Radeon RX 7900 GRE 16GB", "847330", "amd-rx-7900-gre", False),
    ("AMD Instinct MI455X accelerator", "847330", "amd-mi455x", True),
    ("AMD Instinct MI430X", None, "amd-mi430x", True),
    # Intel and Huawei
    ("Intel Data Center GPU Max 1350 OAM", "847330", "intel-max-1350", True),
    ("Intel Crescent Island inference GPU", "847330", "intel-crescent-island", True),
    ("华为 Atlas 350 加速卡", "847330", "huawei-atlas-350", True),
]

# Look-alikes written for this test: the short numbers of the new cards are also an HP RAID
# controller and storage array, a thermal printer, a Torx bit, a lamp and a module code; Intel's
# code name is also a place.
LEFT_OUT = [
    ("HP Smart Array P400 RAID controller", "847180"),
    ("HP MSA P2000 G3 storage array", "847170"),
    ("HP P4000 G2 LeftHand storage node", "847170"),
    ("T1000 thermal receipt printer", "844332"),
    ("Torx T10 screwdriver bits", "820540"),
    ("Garmin A400 module", "847180"),
    ("V520 controller board", "847180"),
    ("L40G industrial lamp", "940510"),
    ("A1000 mounting bracket", "732690"),
    ("W7500 workstation power supply", "850440"),
    ("Crescent Island ferry tickets", None),
]


@pytest.mark.parametrize(("text", "hs", "model_id", "counts"), FOUND)
def test_new_models_are_recognised(
    refs: References, text: str, hs: str | None, model_id: str, counts: bool
) -> None:
    assert model_reading(refs, text, hs) == (model_id, counts)


@pytest.mark.parametrize(("text", "hs"), LEFT_OUT)
def test_look_alikes_stay_out(refs: References, text: str, hs: str | None) -> None:
    assert left_out(refs, text, hs)


# (text, model id, units, system id): the GPU written or not; a count on the line wins.
SYSTEMS = [
    ("Dell PowerEdge R760xa with 4x NVIDIA L40S", "nvidia-l40s", 4, "dell-r760xa"),
    ("Dell PowerEdge R750xa GPU server", "accelerator-unknown", 4, "dell-r750xa"),
    ("Dell PowerEdge XE8545", "accelerator-unknown", 4, "dell-xe8545"),
    (
        "HPE ProLiant DL380a Gen11 with 4 H100 PCIe",
        "nvidia-h100-pcie",
        4,
        "hpe-proliant-dl380a-gen11",
    ),
    ("Fujitsu PRIMERGY GX2560 M7", "accelerator-unknown", 4, "fujitsu-primergy-gx2560-m7"),
    ("Supermicro AS-8126GS-TNMR with 8x MI325X", "amd-mi325x", 8, "smc-as-8126gs-tnmr"),
    ("Supermicro SYS-521GE-TNRT", "accelerator-unknown", 8, "smc-sys-521ge-tnrt"),
    ("ASUS ESC8000-E11 server with 8 L4", "nvidia-l4", 8, "asus-esc8000-e11"),
    ("ASUS ESC8000-E11P GPU server", "accelerator-unknown", 8, "asus-esc8000-e11p"),
    ("ASUS ESC8000A-E12", "accelerator-unknown", 8, "asus-esc8000a-e12"),
    ("ASUS ESC N8A-E12 HGX server", "accelerator-unknown", 8, "asus-esc-n8a-e12"),
    ("Lenovo ThinkSystem SR685a V3", "accelerator-unknown", 8, "lenovo-sr685a-v3"),
    ("Lenovo ThinkSystem SR670 V2 with 4 A100 SXM", "nvidia-a100", 4, "lenovo-sr670-v2"),
    ("Nettrix X640 G50 with 8 A30", "nvidia-a30", 8, "nettrix-x640-g50"),
    ("GIGABYTE G492-ID0", "accelerator-unknown", 8, "gigabyte-g492-id0"),
]


@pytest.mark.parametrize(("text", "model_id", "units", "system_id"), SYSTEMS)
def test_named_systems(
    refs: References, text: str, model_id: str, units: int, system_id: str
) -> None:
    assert system_reading(refs, text) == (model_id, True, units, system_id)


def test_classes_follow_the_documented_rule(refs: References) -> None:
    """Tensor / matrix units decide the professional cards; gaming cards below the x090 tier
    and the crypto-era rule stay as documented (docs/recognition.md)."""
    by_id = refs.catalog.by_id
    assert {by_id[i].ai_class for i in ("nvidia-rtx-a400", "nvidia-rtx-2000-ada")} == {
        "workstation"
    }
    assert {
        by_id[i].ai_class for i in ("nvidia-quadro-p6000", "nvidia-t400", "amd-radeon-pro-w6400")
    } == {"none"}
    assert {by_id[i].ai_class for i in ("nvidia-rtx-3050", "amd-rx-9070-xt")} == {"consumer"}
    assert by_id["amd-radeon-pro-v520"].ai_class == "datacenter"


def test_new_models_classify_from_their_cited_figures(refs: References) -> None:
    """TPP comes from the cited dense figures: the MI455X's FP8 is far above 3A090.a; the RTX
    2000 Ada's halved sparse FP8 gives ≈768; a part whose maker publishes no figure stays
    undetermined with the reason recorded."""
    by_id = refs.catalog.by_id
    assert by_id["amd-mi455x"].classification.eccn == "3A090.a"
    assert by_id["nvidia-rtx-2000-ada"].classification.tpp == pytest.approx(767.6)
    mi430 = by_id["amd-mi430x"]
    assert mi430.classification.eccn == "undetermined" and "dense_tops" in mi430.missing


def test_every_new_system_names_models_the_catalog_has(refs: References) -> None:
    systems = {s.id: s for s in refs.catalog.systems}
    for *_, sid in SYSTEMS:
        assert systems[sid].models and all(m in refs.catalog.by_id for m in systems[sid].models)
