"""Issue 14, eleventh catalog round: the models and systems real text names that the catalog
lacked (Kunlunxin R300, Aivres KR9288, Moore Threads KUAE, Axelera Metis, Google TPU, Etched
Sohu, Intel Arc Pro B70), the gaming and mining generations below the counting line (Turing,
Pascal, Vega, Arc), Apple's MPX modules, and the HGX B200 / B300, MI355X and GB300 servers of
the latest MLPerf system descriptions. One line per family, written for this test (none taken
from a collected set), and a look-alike of each new short or common name that must stay out."""

from __future__ import annotations

from collections import Counter

import pytest

from both_resolvers import left_out, model_reading, system_reading
from both_resolvers import resolve_pairs as _resolve
from chipcustoms.assess.pipeline import References

# (text, HS code, model id, whether the line counts as an accelerator line)
FOUND = [
    # Data-centre parts: count
    ("Kunlunxin R300 inference card", "847330", "kunlunxin-r300", True),
    ("昆仑芯R300加速卡", "847330", "kunlunxin-r300", True),
    ("Google Cloud TPU v5e accelerator boards", "847330", "google-tpu-v5e", True),
    ("TPU v4 board", "847330", "google-tpu-v4", True),
    ("Google TPU v5p module", "847330", "google-tpu-v5p", True),
    ("Trillium TPU chips", "847330", "google-tpu-v6e", True),
    ("Ironwood TPU", "847330", "google-tpu7x", True),
    ("Etched Sohu ASIC", "847330", "etched-sohu", True),
    ("NVIDIA Groq 3 LPU chips", "847330", "groq-lp30", True),
    ("NUDT Matrix-2000 accelerator boards", "847330", "nudt-matrix-2000", True),
    ("NVIDIA Tesla P10 24GB", "847330", "nvidia-tesla-p10", True),
    # 910B bins as the SoC names them (910B4 was already read)
    ("Huawei Ascend 910B3 module", "847330", "huawei-ascend-910b", True),
    ("Ascend910B1 NPU", "847330", "huawei-ascend-910b", True),
    # Workstation and the TITAN of a generation: count
    ("Intel Arc Pro B70 32GB graphics card", "847330", "intel-arc-pro-b70", True),
    ("NVIDIA TITAN X Pascal 12GB", "847330", "nvidia-titan-x-pascal", True),
    # Gaming cards: recognised, never counted (the RTX 2080 no longer reads as the 2080 Ti)
    ("NVIDIA GeForce RTX 2080 8GB", "847330", "nvidia-rtx-2080", False),
    ("Gigabyte RTX 2080 Super Windforce", "847330", "nvidia-rtx-2080-super", False),
    ("MSI GeForce RTX 2070 Super", "847330", "nvidia-rtx-2070-super", False),
    ("ASUS RTX 2060 Super 8GB", "847330", "nvidia-rtx-2060-super", False),
    ("Zotac GeForce GTX 1080 Ti 11GB", "847330", "nvidia-gtx-1080-ti", False),
    ("AMD Radeon VII 16GB HBM2", "847330", "amd-radeon-vii", False),
    ("Sapphire Radeon RX Vega 64", "847330", "amd-rx-vega-64", False),
    ("Intel Arc A770 16GB", "847330", "intel-arc-a770", False),
    ("Intel Arc B580 graphics card", "847330", "intel-arc-b580", False),
    ("Palit GeForce GTX 1660 SUPER 6GB", "847330", "nvidia-gtx-1660-super", False),
    ("GTX 1650 4GB low profile", "847330", "nvidia-gtx-1650", False),
    ("Sapphire Pulse RX 6400", "847330", "amd-rx-6400", False),
    # Mining boards: recognised, never counted
    ("P106-100 mining card 6GB", "847330", "nvidia-p106-100", False),
    # Professional cards without matrix units and edge modules: class none
    ("Apple Radeon Pro W6800X Duo MPX module", "847330", "amd-radeon-pro-w6800x-duo", False),
    ("Axelera Metis AIPU M.2 module", "847330", "axelera-metis", False),
]

# Look-alikes written for this test: the new common words are also a flower, a timber, a web
# portal and a Greek goddess; the new short numbers are also Dell's PowerEdge R300 of 2008 and
# a Radeon laptop chip.
LEFT_OUT = [
    ("Trillium flower bulbs", "060110"),
    ("Ironwood garden furniture", "940360"),
    ("Sohu.com advertising services", None),
    ("Metis goddess statue", "970300"),
    ("Matrix 2000 LED display panel", "852859"),
    ("Dell PowerEdge R300 server", "847150"),
    ("Dell R300 rack server", "847150"),
]


@pytest.mark.parametrize(("text", "hs", "model_id", "counts"), FOUND)
def test_new_models_are_recognised(
    refs: References, text: str, hs: str | None, model_id: str, counts: bool
) -> None:
    assert model_reading(refs, text, hs) == (model_id, counts)


@pytest.mark.parametrize(("text", "hs"), LEFT_OUT)
def test_look_alikes_stay_out(refs: References, text: str, hs: str | None) -> None:
    assert left_out(refs, text, hs)


# (text, model id, units, system id): the GPU written or not (a name that does not write it is
# accelerator-unknown even for a fixed build: docs/recognition.md); a count on the line wins.
SYSTEMS = [
    ("Dell PowerEdge XE9780 with B300", "nvidia-b300", 8, "dell-xe9780"),
    ("Dell PowerEdge XE9780L server", "accelerator-unknown", 8, "dell-xe9780l"),
    ("Dell PowerEdge XE9785L liquid cooled", "accelerator-unknown", 8, "dell-xe9785l"),
    ("Dell PowerEdge XE9785 MI355X server", "amd-mi355x", 8, "dell-xe9785"),
    ("GIGABYTE G894-AD1 server", "accelerator-unknown", 8, "gigabyte-g894-ad1"),
    ("GIGABYTE G894-SD3-AAX7", "accelerator-unknown", 8, "gigabyte-g894-sd3"),
    ("GIGABYTE G893-ZX1-AAX4 server", "accelerator-unknown", 8, "gigabyte-g893-zx1-aax4"),
    ("Lenovo ThinkSystem SR680a V4", "accelerator-unknown", 8, "lenovo-sr680a-v4"),
    ("Lenovo SR675i V3 with 4 RTX PRO 6000", "nvidia-rtx-pro-6000", 4, "lenovo-sr675i-v3"),
    ("Supermicro AS-8126GS-NB3RT", "accelerator-unknown", 8, "smc-as-8126gs-nb3rt"),
    ("Supermicro SYS-822GS-NB3RT server", "accelerator-unknown", 8, "smc-sys-822gs-nb3rt"),
    ("Supermicro SYS-822GS-NBRT with B200", "nvidia-b200", 8, "smc-sys-822gs-nbrt"),
    ("Supermicro SRS-GB300-NVL72-M1 rack", "nvidia-gb300", 72, "smc-srs-gb300-nvl72-m1"),
    ("ASUS ESC NB8-E11 server", "accelerator-unknown", 8, "asus-esc-nb8-e11"),
    ("ASUS ESC8000-E12P", "accelerator-unknown", 8, "asus-esc8000-e12p"),
    ("Cisco UCS C880A M8", "accelerator-unknown", 8, "cisco-ucs-c880a-m8"),
    ("Inventec P9000AG7 GPU server", "accelerator-unknown", 8, "inventec-p9000ag7"),
    ("Netweb Camarero PDI200A2HG-810", "accelerator-unknown", 8, "netweb-camarero-pdi200a2hg-810"),
    ("Aivres KR9288 with 8 B200", "nvidia-b200", 8, "aivres-kr9288"),
    ("Moore Threads KUAE computing cluster", "accelerator-unknown", 8, "moorethreads-kuae"),
    ("Dell Pro Max with GB10", "nvidia-gb10", 1, "dell-pro-max-gb10"),
    ("NVIDIA GH200 NVL2 server", "nvidia-gh200", 2, "nvidia-gh200-nvl2"),
    ("NVIDIA DGX GH200 supercomputer", "nvidia-gh200", 256, "nvidia-dgx-gh200"),
    ("寒武纪玄思1000智能加速器", "accelerator-unknown", 4, "cambricon-xuansi-1000"),
    ("NVIDIA Groq 3 LPX rack", "groq-lp30", 256, "groq-3-lpx"),
    ("NVIDIA DGX-1V deep learning system", "accelerator-unknown", 8, "nvidia-dgx-1-v100"),
    # Existing systems that gained a model from the same MLPerf files
    ("Cisco UCS C885A M8 with MI350X", "amd-mi350x", 8, "cisco-ucs-c885a-m8"),
    ("HPE ProLiant Compute XD685 MI355X", "amd-mi355x", 8, "hpe-cray-xd685"),
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
    """The loader keeps the last of two entries with one id: a model or system catalogued twice
    would silently lose the first entry's data."""
    ids = Counter(m.id for m in refs.catalog.models)
    ids.update(s.id for s in refs.catalog.systems)
    assert [i for i, n in ids.items() if n > 1] == []


def test_pci_ids_name_one_model(refs: References) -> None:
    """A PCI id read off a board names one catalogued model; where pci.ids gives two products
    one id (the Radeon Pro W6800X and its Duo), the id sits on one entry only."""
    owners = Counter(p for m in refs.catalog.models for p in m.pci_ids)
    assert owners["1002:73ab"] == 1
    new = [m for m in refs.catalog.models if m.id.startswith(("nvidia-rtx-20", "nvidia-gtx-10"))]
    assert new and all(owners[p] == 1 for m in new for p in m.pci_ids)


def test_classes_follow_the_documented_rule(refs: References) -> None:
    """TPUs, the R300 and the Sohu are data-centre parts; the B70 a workstation card like the
    B60; the Pascal TITAN the flagship of its generation; gaming cards below it consumer; the
    P10x boards mining; Apple's RDNA 2 / Vega MPX modules and the Metis edge module none."""
    by_id = refs.catalog.by_id
    cls = {i: by_id[i].ai_class for i in by_id}
    assert {cls[i] for i in ("google-tpu-v6e", "kunlunxin-r300", "etched-sohu", "groq-lp30")} == {
        "datacenter"
    }
    assert cls["intel-arc-pro-b70"] == cls["intel-arc-pro-b60"] == "workstation"
    assert cls["nvidia-titan-x-pascal"] == cls["nvidia-titan-xp"] == "flagship_consumer"
    assert {cls[i] for i in ("nvidia-rtx-2080", "nvidia-gtx-1080-ti", "intel-arc-b580")} == {
        "consumer"
    }
    assert {cls[i] for i in ("nvidia-p102-100", "nvidia-p104-100", "nvidia-p106-100")} == {"mining"}
    assert {cls[i] for i in ("amd-radeon-pro-w6800x-duo", "axelera-metis")} == {"none"}


def test_unpublished_figures_stay_undetermined_with_the_reason(refs: References) -> None:
    """Kunlunxin and Etched publish no compute figure: TPP stays undetermined and the entry says
    why. Google's own TPU pages give the TPU v6e's dense bf16 rate, so its TPP is computed."""
    by_id = refs.catalog.by_id
    for i in ("kunlunxin-r300", "etched-sohu"):
        assert by_id[i].classification.eccn == "undetermined"
        assert "dense_tops" in by_id[i].missing and by_id[i].missing_note
    assert by_id["google-tpu-v6e"].classification.tpp == pytest.approx(1836 * 8, rel=0.01)


def test_a_kuae_line_is_one_server_unless_it_counts(refs: References) -> None:
    """KUAE is a cluster of eight-card servers: a line without a count is read as one server (a
    floor), a line with its own count keeps it."""
    row = _resolve(refs, [("KUAE cluster with 16 MTT S4000", "847150")]).row(0, named=True)
    assert (row["system_id"], row["units_per_item"]) == ("moorethreads-kuae", 16)


@pytest.mark.parametrize(
    ("text", "model_id"),
    [
        ("900-2G500-0010-000", "nvidia-v100-pcie"),
        ("GPU 900-2G500-0000-000 Tesla board", "nvidia-v100-pcie"),
        ("900-2G500-0040-000", "nvidia-v100s-pcie"),
        ("Dell 900-2G500-0140-030 accelerator", "nvidia-v100s-pcie"),
    ],
)
def test_volta_board_part_numbers_name_their_card(
    refs: References, text: str, model_id: str
) -> None:
    """NVIDIA's PG500 board numbers as nvidia-smi, Redfish and reseller listings print them: the
    bare number names the V100 or V100S PCIe card (they read as an unknown accelerator before)."""
    assert model_reading(refs, text, "847330") == (model_id, True)
