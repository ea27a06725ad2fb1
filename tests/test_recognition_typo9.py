"""Issue 14, misspellings (branch typo9): the slips real declarations carry, a one-off each by its
text but one class together. A GPU or accelerator word with a letter dropped, doubled, changed or
two letters swapped, in the languages of trade; glued words; a model number with a letter for a
digit (O/0, I/l/1, S/5, B/8) or a doubled / dropped character. And the look-alikes that must stay
out: real words one edit away from a GPU word, product numbers one edit away from a model.

Every text is written for this test (none is a line of a real-world set). Each probe is checked on
the batch resolver and on the one-text resolver (recognise/row_resolver.py), field by field.
"""

from __future__ import annotations

import re

import pytest

from both_resolvers import resolve_both
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.misspelling import CONFIDENCE_CAP, CONFIDENCE_FACTOR, load_misspellings
from chipcustoms.recognise.vocabulary import load_vocabulary

# (text, expected accelerator_id or None for "any", expected is_accelerator)
Probe = tuple[str, str | None, bool]
AU = "accelerator-unknown"

# A misspelt word is the only GPU word beside a bare number ("H20" alone may be a pump), or the
# only AI wording on the line.
WORDS: list[Probe] = [
    ("GUPs for AI training", AU, True),
    ("AI acelerator cards, 4 pcs", AU, True),
    ("GUPs H100", "nvidia-h100-sxm", True),
    ("H20 graphicscard", "nvidia-h20", True),
    ("H20 videocrad", "nvidia-h20", True),
    ("tarjeta grafca H20", "nvidia-h20", True),
    ("aceleradorr de IA H200", "nvidia-h200", True),
    ("placa de vídoe H20", "nvidia-h20", True),
    ("Grafikkarrte L20", "nvidia-l20", True),
    ("Beschleunger H20", "nvidia-h20", True),
    ("carte graphiqe H20", "nvidia-h20", True),
    ("accélérateurr H20", "nvidia-h20", True),
    ("видеокатра H20", "nvidia-h20", True),
    ("ускоритеь вычислений H100", "nvidia-h100-sxm", True),
]

# A model number is corrected only on a line that names a brand, as the catalogued misread
# spellings are read (tests/test_recognition_trade.py: "gpu h1OO pcie" is never guessed).
NUMBERS: list[Probe] = [
    ("NVIDIA GPU H1OO 80GB PCIe", "nvidia-h100-pcie", True),
    ("Nvidia H1OO", "nvidia-h100-sxm", True),
    ("NVIDIA graphics card A1OO 40GB", "nvidia-a100", True),
    ("NVIDIA L4OS 48GB accelerator", "nvidia-l40s", True),
    ("Nvidia GPU module H2OO 141GB", "nvidia-h200", True),
    ("NVIDIA AI accelerator H8OO", "nvidia-h800-sxm", True),
    ("NVIDIA A8OO GPU", "nvidia-a800", True),
    ("NVIDIA HI00 80GB", "nvidia-h100-sxm", True),
    ("Tesla A1O0 GPU", "nvidia-a100", True),
    ("NVIDIA L2O 48GB GPU", "nvidia-l20", True),
    ("NVIDIA H8O0 GPU", "nvidia-h800-sxm", True),
    ("AMD Instinct MI3000X accelerator", "amd-mi300x", True),
]

LOOKALIKES: list[Probe] = [
    ("GPS navigator for cars", None, False),
    ("coffee cup ceramic", None, False),
    ("gun cleaning kit", None, False),
    ("red grapes, fresh", None, False),
    ("graphite electrodes", None, False),
    ("graphic design software licence", None, False),
    ("accelerated shipping service", None, False),
    ("H2O water filter cartridge", None, False),
    ("water pump H2O 200W", None, False),
    ("Hl000 hydraulic cylinder", None, False),
    ("A1000 steel bolts grade", None, False),
    ("H1000 printer toner", None, False),
    ("SIOO stainless sheet", None, False),
    ("B1OO bicycle tyre", None, False),
    # a real card one character from a catalogued one: no doubled / dropped digit outside the
    # distinctive numbers, so the Quadro K2200 is no Kunlunxin K200 and H1000 no H100
    ("NVIDIA Quadro K2200 graphics card", "gpu-unknown", False),
    ("GPU accelerator H1000 80GB", AU, True),
    ("H2O GPU water block", None, False),
    ("GPU H1OO 80GB PCIe", AU, True),  # no brand: the number is not guessed
    ("GPU H2OO module", "gpu-unknown", False),
]


def _failed(refs: References, probes: list[Probe]) -> list[tuple[object, ...]]:
    rows = resolve_both(refs, [p[0] for p in probes])
    failed = []
    for (text, want_id, want_acc), row in zip(probes, rows, strict=True):
        ok = bool(row["is_accelerator"]) is want_acc
        if want_id is not None:
            ok = ok and row["accelerator_id"] == want_id
        if not ok:
            failed.append((text, row["accelerator_id"], row["is_accelerator"]))
    return failed


@pytest.mark.parametrize(
    "probes", [WORDS, NUMBERS, LOOKALIKES], ids=["words", "numbers", "look-alikes"]
)
def test_misspellings(refs: References, probes: list[Probe]) -> None:
    assert _failed(refs, probes) == []


def test_a_correction_is_written_and_lowers_the_confidence(refs: References) -> None:
    typo, plain = resolve_both(
        refs, ["NVIDIA H100 accelertor card", "NVIDIA H100 accelerator card"]
    )
    assert typo["accelerator_id"] == plain["accelerator_id"]
    assert "'accelertor' read as 'accelerator'" in str(typo["resolution_reason"])
    want = min(float(plain["resolution_confidence"]) * CONFIDENCE_FACTOR, CONFIDENCE_CAP)  # type: ignore[arg-type]
    assert typo["resolution_confidence"] == pytest.approx(want)


def test_a_misread_number_is_written_as_read(refs: References) -> None:
    (row,) = resolve_both(refs, ["NVIDIA GPU H1OO 80GB PCIe"])
    assert "'h1oo' read as 'h100'" in str(row["resolution_reason"])


def test_every_word_of_the_file_is_a_gpu_word() -> None:
    """A misspelling is read as a word of the file; the word must itself be one the vocabulary
    reads as a GPU word, or the correction would read nothing."""
    hint = re.compile(load_vocabulary().hint)
    words = [w for ws in load_misspellings().words.values() for w in ws]
    assert [w for w in words if not hint.search(w)] == []
