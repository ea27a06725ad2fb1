"""Issue 14, the misses of the twelfth collection's dev part (dev11), as classes.

Every text here is written for this test (none is a line of a real-world set). The classes: a
system whose name does not write the GPU it carries (accelerator-unknown with the carried model as
the possible one; a name that writes it keeps it); a letter-dash-digit model or system name glued
after Han; a processor word or a listing's condition right beside a model number of three or four
digits; N-way boards and number words of the European languages on a system line; clusters named
by their card count (千卡 / 万卡集群); the Korean AI chip makers in Hangul; Arabic supercomputing;
Intel's NPU as a PC part; gaming series written with xx; and the names dev11 brought to the
catalog (GTX 1650 / 1660 SUPER, MLU270-X, Matrix-2000, Groq 3 LPU / LP30). Each probe is checked
on the batch resolver and on the one-text resolver, which must agree field by field.
"""

from __future__ import annotations

import polars as pl
import pytest

from both_resolvers import Probe, probe_failures, resolve_pairs
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.system_names import written_models
from chipcustoms.recognise.textnorm import normalise_model_expr, normalise_model_text

# (text, expected accelerator_id or None for "any", expected is_accelerator[, units, HS code])
AU = "accelerator-unknown"


# (e) A system whose name does not write its GPU: accelerator-unknown with the system's units,
# even when it always carries one model; a name that writes the model, or the model written
# elsewhere on the line, gives the model.
SYSTEMS: list[Probe] = [
    ("Huawei Atlas 800T A2 training server", AU, True, 8),
    ("two Cerebras CS-3 systems", AU, True, 1),
    ("NVIDIA DGX-2 supercomputer", AU, True, 16),
    ("NVIDIA DGX-1V deep learning system", AU, True, 8),
    ("NVIDIA DGX H100 system", "nvidia-h100-sxm", True, 8),
    ("HGX B200 8-GPU baseboard", "nvidia-b200", True, 8),
    ("NVIDIA DGX-1 with V100 16GB", "nvidia-v100-sxm2", True, 8),
    ("NVIDIA DGX-1 P100 server", "nvidia-p100-sxm2", True, 8),
    ("GB300 NVL72 rack", "nvidia-gb300", True, 72),
    ("Atlas 800T A2 server with Ascend 910B", "huawei-ascend-910b", True, 8),
]

# A letter-dash-digit model or system name glued after Han (a word character, so no word
# boundary stood before the letters): joined as after a space.
HAN_GLUED: list[Probe] = [
    ("采购英伟达DGX-2服务器", AU, True, 16),
    ("英伟达DGX-1V服务器两台", AU, True, 8),
    ("一批H-100显卡", "nvidia-h100-sxm", True),
    ("寒武纪MLU-370加速卡", None, True),
]

# (b) A processor word of a language of trade right beside a model number of three or four
# digits; shorter numbers are CPUs' names too and stay out, as does a number not catalogued.
PROCESSORS: list[Probe] = [
    ("5,000 H200 processors for a data centre", "nvidia-h200", True),
    ("bộ xử lý B200 nhập khẩu", "nvidia-b200", True),
    ("processeurs H800 saisis", "nvidia-h800-sxm", True),
    ("Prozessoren A800 für Server", "nvidia-a800", True),
    ("H100处理器一批", "nvidia-h100-sxm", True),
    ("Apple A16 processor", None, False),
    ("Intel N100 processor mini PC", None, False),
    ("processor H20 for a water pump", None, False),
]

# (b) A trade listing's condition right after a model number of three or four digits.
CONDITION: list[Probe] = [
    ("H200 refurbished, tested", "nvidia-h200", True),
    ("V100 (used) 32GB", "nvidia-v100-sxm2", True),
    ("A800 pre-owned", "nvidia-a800", True),
    ("Samsung Galaxy A30 used", None, False),
    ("Canon C300 used camera", None, False),
]

# (b) Counts: an N-way board carries N on any line; number words of Dutch, German, French,
# Spanish, Italian and Portuguese on a system's line; off a system line a quantity stays 1.
COUNTS: list[Probe] = [
    ("4-way H100 NVLink board", "nvidia-h100-sxm", True, 4),
    ("8-way MI325X accelerator platform", "amd-mi325x", True, 8),
    ("Server mit acht H200 Karten", "nvidia-h200", True, 8),
    ("servidor con cuatro GPU A100", "nvidia-a100", True, 4),
    ("serveur avec dix cartes L40S", "nvidia-l40s", True, 10),
    ("server met twee H100-kaarten", "nvidia-h100-sxm", True, 2),
    ("acht H100 Grafikkarten", "nvidia-h100-sxm", True, 1),
    ("due to H100 shortages, servers are delayed", "nvidia-h100-sxm", True, 1),
]

# (b) Chinese clusters named by their card count: a thousand or ten thousand accelerator cards.
CLUSTERS: list[Probe] = [
    ("建设千卡集群", AU, True),
    ("萬卡級叢集", AU, True),
    ("万卡智算集群项目", AU, True),
    ("万卡通会员卡", None, False),
]

# (c) The Korean AI chip makers by their Hangul names, with or without the genitive particle.
KOREAN_MAKERS: list[Probe] = [
    ("퓨리오사의 RNGD 카드", "furiosa-rngd", True),
    ("리벨리온의 ATOM 200장", "rebellions-atom", True),
    ("리벨리온 아톰 가속기", "rebellions-atom", True),
    ("리벨리온 NPU 서버", AU, True),
    ("인텔 ATOM 프로세서 노트북", None, False),
]

# (b) Arabic supercomputing, as the English word and the Arabic supercomputer are read.
ARABIC: list[Probe] = [
    ("خوادم الحوسبة الفائقة", AU, True),
    ("معدات حوسبة فائقة", AU, True),
    ("خدمات الحوسبة السحابية", None, False),
]

# The false alarm: Intel's NPU is the NPU of its PC processors; a datacenter NPU still counts.
INTEL_NPU: list[Probe] = [
    ("NPU (Intel AI Engine)", None, False),
    ("Intel AI Boost NPU", None, False),
    ("NPU by Intel, 11 TOPS", None, False),
    ("Ascend NPU accelerator card", AU, True),
    ("Ascend NPU cards for Intel Xeon servers", AU, True),
    ("Intel Gaudi 3 AI accelerator", "intel-gaudi3", True),
]

# Gaming series written with x for the last digits: plain graphics, not an accelerator.
GAMING_SERIES: list[Probe] = [
    ("GTX 10xx graphics cards", "gpu-unknown", False),
    ("RTX 40xx video cards", "gpu-unknown", False),
    ("Radeon RX 7xxx cards", "gpu-unknown", False),
]

# (a) / (d) The names dev11 brought to the catalog, and their look-alikes.
CATALOGUED: list[Probe] = [
    ("GeForce GTX 1650 4GB", "nvidia-gtx-1650", False),
    ("GTX1660SUPER 6G gaming", "nvidia-gtx-1660-super", False),
    ("Cambricon MLU270-X card", "cambricon-mlu270-x", True),
    ("Matrix-2000 accelerator boards", "nudt-matrix-2000", True),
    ("Matrix 2000 treadmill", None, False, None, "950691"),
    ("Groq 3 LPU", "groq-lp30", True),
    ("LP30 chips for an inference rack", "groq-lp30", True),
    ("Lenovo LP30 earbuds", None, False),
]

CLASSES = {
    "systems": SYSTEMS,
    "han_glued": HAN_GLUED,
    "processors": PROCESSORS,
    "condition": CONDITION,
    "counts": COUNTS,
    "clusters": CLUSTERS,
    "korean_makers": KOREAN_MAKERS,
    "arabic": ARABIC,
    "intel_npu": INTEL_NPU,
    "gaming_series": GAMING_SERIES,
    "catalogued": CATALOGUED,
}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_class(refs: References, name: str) -> None:
    failed = probe_failures(refs, CLASSES[name])
    assert not failed, failed


def test_unwritten_system_names_the_carried_model_as_possible(refs: References) -> None:
    """The carried model is still said: as the possible model, with the system and its units."""
    row = resolve_pairs(refs, [("Huawei Atlas 800T A2 server", "847150")]).row(0, named=True)
    assert row["accelerator_id"] == AU
    assert row["system_id"] == "huawei-atlas-800t-a2"
    assert row["possible_models"] == "huawei-ascend-910b"
    assert row["units_per_item"] == 8


def test_written_models_only_for_names_that_write_them(refs: References) -> None:
    """Per spelling: "dgx h100" writes the H100, "nvidia dgx1 volta" and "atlas 800t a2" write
    none; a system that carries no fixed model has no entry at all."""
    r = refs.resolver
    written = written_models(r.catalog, r.system_alias, r.alias_to_id)
    assert written["dgx h100"] == "nvidia-h100-sxm"
    assert written["dgx1 v100"] == "nvidia-v100-sxm2"
    assert "nvidia dgx1 volta" not in written
    assert "atlas 800t a2" not in written
    assert "xe9680" not in written  # carries one of several: never a fixed model


HAN_DASH = ["计算机DGX-1V", "一批H-100显卡", "服务器SYS-821GE", "x-1", "a-1-b-2", "日本語のMI-300X"]


def test_han_glued_dash_reads_alike_in_python_and_polars() -> None:
    """The one-text path (``re``) and the batch path (Polars) join the same dashes."""
    batch = pl.Series(HAN_DASH).to_frame("t").select(normalise_model_expr(pl.col("t")))
    assert batch.to_series().to_list() == [normalise_model_text(t) for t in HAN_DASH]
