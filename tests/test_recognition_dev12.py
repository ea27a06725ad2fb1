"""Issue 14, the misses of the thirteenth collection's dev part (dev12), as classes.

Every text here is written for this test (none is a line of a real-world set). The classes: a
model number written with Arabic-Indic, Persian or Bengali digits; the processor words of Arabic,
Persian, Urdu and Hebrew beside a catalogued number; Gaudi written in Hangul; the RTX PRO
Blackwell cards written without PRO; Intel's Ponte Vecchio / Data Center GPU Max Series named
without a number. Each probe is checked on the
batch resolver and on the one-text resolver, which must agree field by field.
"""

from __future__ import annotations

import polars as pl
import pytest

from both_resolvers import Probe, probe_failures
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.row_text import normalised
from chipcustoms.recognise.textnorm import normalise_model_expr, normalise_model_text

AU = "accelerator-unknown"

# Digits of the Arabic, Persian and Bengali scripts inside a model number or a count: read as
# ASCII digits, so the number is the catalogued one. A number in native digits that is no
# catalogued number stays out.
NATIVE_DIGITS: list[Probe] = [
    ("شحنة بطاقات GPU من طراز H١٠٠", "nvidia-h100-sxm", True),
    ("کارت گرافیک A۱۰۰ انویدیا", "nvidia-a100", True),
    ("GPU H২০০ কার্ড", "nvidia-h200", True),
    ("٨ × H200 accelerators", "nvidia-h200", True),
    ("مضخة مياه H٢٠", None, False),
    ("قطعة غيار رقم ٤٥٦٧", None, False),
]

# A processor word of Arabic, Persian, Urdu or Hebrew beside a catalogued number of three or four
# digits (before it, up to four words of a non-Latin script apart, or after it); the chip words
# (languages.yaml) beside a number in native digits. Short numbers
# beside a processor word are CPUs' names; a Hebrew laboratory (מעבדה) is no processor.
PROCESSORS: list[Probe] = [
    ("استيراد معالجات H800 للخوادم", "nvidia-h800-sxm", True),
    ("المعالجات الممنوع تصديرها من فئة A800", "nvidia-a800", True),
    ("پردازنده B200 برای مرکز داده", "nvidia-b200", True),
    ("H200 پردازنده‌های", "nvidia-h200", True),
    ("پروسیسر A100 کی کھیپ", "nvidia-a100", True),
    ("מעבדים H800 למרכז הנתונים", "nvidia-h800-sxm", True),
    ("تراشه B200 وارداتی", "nvidia-b200", True),
    ("رقائق H20 المخصصة للصين", "nvidia-h20", True),
    ("معالج A16 لهاتف آيفون", None, False),
    ("מעבדה B200 לבדיקות מים", None, False),
    ("معالج مياه H20 صناعي", None, False),
    ("معالج Intel Core i7 4770", None, False),
]

# Gaudi in Hangul, and the RTX PRO Blackwell workstation cards written "RTX 6000 Blackwell"
# (the number and the architecture, without PRO). The Ada and the GeForce Blackwell cards keep
# their own ids.
SPELLINGS: list[Probe] = [
    ("인텔 가우디3 가속기 입고", "intel-gaudi3", True),
    ("가우디 2 서버용 모듈", "intel-gaudi2", True),
    ("워크스테이션용 RTX 6000 Blackwell 카드", "nvidia-rtx-pro-6000", True),
    ("RTX 6000 Blackwell Max-Q", "nvidia-rtx-pro-6000", True),
    ("NVIDIA RTX 5000 Blackwell 48GB", "nvidia-rtx-pro-5000", True),
    ("RTX 4500 Blackwell graphics card", "nvidia-rtx-pro-4500", True),
    ("RTX 4000 Blackwell SFF", "nvidia-rtx-pro-4000", True),
    ("NVIDIA RTX 6000 Ada Generation", "nvidia-rtx-6000-ada", True),
    ("GeForce RTX 5090 Blackwell", "nvidia-rtx-5090", True),
]

# Intel's datacenter GPU line named without its number: an AI / HPC accelerator of no identified
# model; with the number, the model; Xeon Max is a CPU and Arc a consumer card.
INTEL_MAX: list[Probe] = [
    ("Intel Ponte Vecchio GPUs for a supercomputer", AU, True),
    ("two Max Series GPUs per node", AU, True),
    ("Data Center GPU Max accelerators", AU, True),
    ("Intel Data Center GPU Max 1550 OAM", "intel-max-1550", True),
    ("Xeon Max 9480 CPU", None, False),
    ("Intel Arc A770 graphics card", "intel-arc-a770", False),
]

# Blackwell in Hangul and katakana beside a GPU, chip or accelerator word, as "Blackwell GPUs":
# an AI accelerator of no identified model; a written number gives the model; the name alone
# (the mathematician) stays out.
BLACKWELL_CJK: list[Probe] = [
    ("엔비디아 블랙웰 GPU 반입", AU, True),
    ("ブラックウェル世代のチップ", AU, True),
    ("블랙웰 B200 GPU", "nvidia-b200", True),
    ("블랙웰 (수학자)", None, False),
]

CLASSES = {
    "blackwell_cjk": BLACKWELL_CJK,
    "native_digits": NATIVE_DIGITS,
    "processors": PROCESSORS,
    "spellings": SPELLINGS,
    "intel_max": INTEL_MAX,
}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_class(refs: References, name: str) -> None:
    failed = probe_failures(refs, CLASSES[name])
    assert not failed, failed


DIGITS = ["H۲۰", "B٢٠٠", "এইচ২০০", "A١٠٠-SXM4", "۱۲ x H100", "H20"]


def test_native_digits_read_alike_on_both_paths() -> None:
    """The one-text path (``re``, row_text) and the batch path (Polars) make the same ASCII
    digits of every script's digits."""
    batch = pl.Series(DIGITS).to_frame("t").select(normalise_model_expr(pl.col("t")))
    assert batch.to_series().to_list() == [normalise_model_text(t) for t in DIGITS]
    assert [normalised(t) for t in DIGITS] == batch.to_series().to_list()
    assert normalise_model_text("H۲۰") == "h20"
