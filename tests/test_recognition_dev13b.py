"""Issue 14, branch dev13b: dev13's misses of wording, by class (docs/recognition.md rule 31).
Words beside a bare catalogued number that say goods (version words of Chinese, Japanese and
Korean; the card nouns of the European languages; AI systems of the number; the Hungarian csip
and MI), generic AI wording of more languages (NVIDIA's GPU written out, the Slavic forms of
NVIDIA, controlled GPUs, GPUs for data centres, Blackwell beside a chip word) and the Japanese
display card as plain graphics. Texts written for this test, several languages and shapes per
class, with look-alikes; both resolvers answer every probe (tests/both_resolvers.py). A probe is
(text, id or None, is_accelerator[, units[, HS code]]).
"""

from __future__ import annotations

from both_resolvers import Probe, left_out, probe_failures
from chipcustoms.assess.pipeline import References

# Class 1a: the version words of Chinese, Japanese and Korean before or after the number.
VERSION_WORDS: list[Probe] = [
    ("海关查获的特供版H800", "nvidia-h800-sxm", True),
    ("阉割版A100", "nvidia-a100", True),
    ("中国特供版H20", "nvidia-h20", True),
    ("增强版B200的订单", "nvidia-b200", True),
    ("H20の廉価版", "nvidia-h20", True),
    ("업그레이드 버전 H20을 수입", "nvidia-h20", True),
    ("중국용 H800", "nvidia-h800-sxm", True),
]

# The same words before or after a number that names a pump or a filter.
VERSION_WORDS_OUT: list[Probe] = [
    ("升级版H20水泵", None, False),
    ("H20升级版水泵", None, False),
    ("特供版H20滤芯", None, False),
    ("중국용 H20 펌프", None, False),
]

# Class 1b: the card nouns of the European languages beside a number of three or four digits.
CARD_WORDS: list[Probe] = [
    ("la scheda H100", "nvidia-h100-sxm", True),
    ("le schede H200 e i server", "nvidia-h200", True),
    ("tarjetas A100 para China", "nvidia-a100", True),
    ("les cartes H200 de Nvidia", "nvidia-h200", True),
    ("karty H800 dla odbiorcy", "nvidia-h800-sxm", True),
    ("H100-Karten für den Export", "nvidia-h100-sxm", True),
    ("A800 cards", "nvidia-a800", True),
]

# A word between the card and the number (a motherboard), or another word after the number.
CARD_WORDS_OUT: list[Probe] = [
    ("scheda madre H610", None, False),
    ("carte H100 bianche", None, False),
]

# Class 1c / 1d: AI systems of the number, the Hungarian csip and MI.
SYSTEMS_AND_HUNGARIAN: list[Probe] = [
    ("B200 AI systems", "nvidia-b200", True),
    ("H100 KI-Systeme", "nvidia-h100-sxm", True),
    ("A800 MI-rendszerek", "nvidia-a800", True),
    ("B200 csipek", "nvidia-b200", True),
    ("H20 MI-csipekkel", "nvidia-h20", True),
    ("MI-csipek exportja", "accelerator-unknown", True),
]

HUNGARIAN_OUT: list[Probe] = [
    ("csipesz H20", None, False),
    ("Mercedes C500 AI systems", None, False),
]

# Class 2: generic AI wording of more languages.
AI_WORDING: list[Probe] = [
    # NVIDIA's GPU with the noun written out (the census rule), vi, id, tr, fa.
    ("bộ xử lý đồ họa của Nvidia", "accelerator-unknown", True),
    ("đơn vị xử lý đồ họa NVIDIA", "accelerator-unknown", True),
    ("unit pemrosesan grafis buatan Nvidia", "accelerator-unknown", True),
    ("Nvidia'nın grafik işlem birimleri", "accelerator-unknown", True),
    ("واحد پردازش گرافیکی انویدیا", "accelerator-unknown", True),
    # The Slavic forms of NVIDIA beside a chip noun.
    ("Nvidijini čipovi", "accelerator-unknown", True),
    ("čipovi Nvidije", "accelerator-unknown", True),
    ("Нвидијини чипови", "accelerator-unknown", True),
    ("čipy Nvidie", "accelerator-unknown", True),
    ("chipy Nvidii", "accelerator-unknown", True),
    # Controlled GPUs and chips.
    ("پردازنده های گرافیکی کنترل شده", "accelerator-unknown", True),
    ("الرقائق الخاضعة للرقابة", "accelerator-unknown", True),
    ("kontrollü çipler", "accelerator-unknown", True),
    ("chip bị kiểm soát", "accelerator-unknown", True),
    ("chip terlarang", "accelerator-unknown", True),
    ("नियंत्रित चिप्स", "accelerator-unknown", True),
    ("ελεγχόμενα τσιπ", "accelerator-unknown", True),
    ("контрольовані чипи", "accelerator-unknown", True),
    ("שבבים מפוקחים", "accelerator-unknown", True),
    ("ชิปที่ถูกควบคุม", "accelerator-unknown", True),
    # GPUs for data centres, Arabic written out.
    ("معالجات الرسوميات لمراكز البيانات", "accelerator-unknown", True),
    # Blackwell (Hopper after a series word) beside a chip noun of another language.
    ("puces Blackwell", "accelerator-unknown", True),
    ("chips de la serie Blackwell", "accelerator-unknown", True),
    ("układy Blackwell", "accelerator-unknown", True),
    ("Blackwell çipleri", "accelerator-unknown", True),
    ("чипы Blackwell", "accelerator-unknown", True),
    ("Blackwell芯片", "accelerator-unknown", True),
    ("chip seri Hopper", "accelerator-unknown", True),
]

# Plain graphics stays plain graphics (the abbreviation and the graphics card beside NVIDIA, as
# the census decided); the qualifiers beside another noun, a chip hopper and drivers stay out.
AI_WORDING_OUT: list[Probe] = [
    ("GPU của NVIDIA", "gpu-unknown", False),
    ("card đồ họa của NVIDIA", "gpu-unknown", False),
    ("kartu grafis Nvidia", "gpu-unknown", False),
    ("Nvidijine grafičke kartice", "gpu-unknown", False),
    ("بطاقات الرسوميات للألعاب", "gpu-unknown", False),
    ("Nvidijini upravljački programi", None, False),
    ("wood chip hopper", None, False),
    ("chip hopper feeder", None, False),
    ("پمپ کنترل شده", None, False),
    ("hàng bị cấm", None, False),
    ("ชิปควบคุมมอเตอร์", None, False),
]

# Class 3: the display card in katakana and the Chinese mining and headless cards are plain
# graphics; a display alone, or a headless knight, is nothing.
DISPLAY_CARDS: list[Probe] = [
    ("ディスプレイカード 10枚", "gpu-unknown", False),
    ("中古のディスプレーカード", "gpu-unknown", False),
    # The Chinese mining and headless cards: plain graphics, vetoed from AI compute.
    ("二手矿卡", "gpu-unknown", False),
    ("無頭卡 批发", "gpu-unknown", False),
    ("矿卡 AI服务器", "gpu-unknown", False),
]


def _stays_out(refs: References, probes: list[Probe]) -> list[object]:
    return [p[0] for p in probes if not left_out(refs, str(p[0]), None)]


def test_cjk_version_words_beside_a_number(refs: References) -> None:
    assert probe_failures(refs, VERSION_WORDS) == []


def test_version_words_beside_a_pump_stay_out(refs: References) -> None:
    assert _stays_out(refs, VERSION_WORDS_OUT) == []


def test_european_card_nouns_beside_a_number(refs: References) -> None:
    assert probe_failures(refs, CARD_WORDS) == []


def test_card_nouns_apart_from_the_number_stay_out(refs: References) -> None:
    assert _stays_out(refs, CARD_WORDS_OUT) == []


def test_ai_systems_of_a_number_and_the_hungarian_chip(refs: References) -> None:
    assert probe_failures(refs, SYSTEMS_AND_HUNGARIAN) == []


def test_tweezers_and_a_car_stay_out(refs: References) -> None:
    assert _stays_out(refs, HUNGARIAN_OUT) == []


def test_generic_ai_wording_of_more_languages(refs: References) -> None:
    assert probe_failures(refs, AI_WORDING) == []


def test_plain_graphics_and_other_nouns_stay_as_they_were(refs: References) -> None:
    assert probe_failures(refs, AI_WORDING_OUT) == []
    assert _stays_out(refs, [p for p in AI_WORDING_OUT if p[1] is None]) == []


def test_display_mining_and_headless_cards_are_plain_graphics(refs: References) -> None:
    assert probe_failures(refs, DISPLAY_CARDS) == []
    assert _stays_out(refs, [("ディスプレイ", None, False), ("无头骑士", None, False)]) == []
