"""Issue 14, thirteenth round (branch models13): model names as other scripts and other writers
spell them. One table per class, each with the look-alikes that must stay out:

- Latin letters written by their names in Arabic, Persian / Urdu, Hindi / Marathi, Bengali, Thai
  and Cyrillic
  ("إتش 100", "एच 20", "এইচ-২০", "эйч 100"; refdata/resolver/letter_names.yaml), read only where
  the spelling completes a catalogued number, and then judged as the Latin number is;
- the letter O for a zero ("H2O", "B20o") right after a maker's name, never water; a doubled or
  dropped character in a series number right after its series word ("MTT S400");
- names as makers and writers spell them: "Grace Hopper Superchip", the maker with the number
  and no series letters ("Moore Threads S3000", "壁仞104P"), Hangul product names (레니게이드,
  "NPU 아톰"), a later board SKU of the H100 NVL;
- a fuzzy match that would add a variant word the text does not write ("Ascend 950",
  "GeForce RTX 6000"): no model, the candidates as evidence.

Every text is written for this test (none is a line of a real-world set); each probe runs on the
batch resolver and the one-text resolver alike (tests/both_resolvers.py).
"""

from __future__ import annotations

import pytest

from both_resolvers import Probe, probe_failures, resolve_both
from chipcustoms.assess.pipeline import References
from chipcustoms.recognise.letter_names import LetterNames, load_letter_names

AU, GU = "accelerator-unknown", "gpu-unknown"

LETTER_NAMES: list[Probe] = [
    ("شحنة مهربة من بطاقات إنفيديا إتش 100 للخوادم", "nvidia-h100-sxm", True),
    ("رقائق اتش 20 من شركة إنفيديا", "nvidia-h20", True),
    ("وحدات جي بي 200 من إنفيديا للذكاء الاصطناعي", "nvidia-gb200", True),
    ("एनवीडिया के एच 200 ग्राफिक्स कार्ड", "nvidia-h200", True),
    ("एनवीडिया बी 200 चिप्स की खेप", "nvidia-b200", True),
    ("এনভিডিয়ার এইচ-২০ এআই চিপ রপ্তানি", "nvidia-h20", True),
    ("এইচ২০০ জিপিইউ সার্ভার", "nvidia-h200", True),
    ("видеокарты Nvidia эйч 100 в Китай", "nvidia-h100-sxm", True),
    ("партия ускорителей NVIDIA аш 20", "nvidia-h20", True),
    ("محموله کارت گرافیک انویدیا ایچ 200", "nvidia-h200", True),
    ("การ์ดจอเซิร์ฟเวอร์ NVIDIA เอช 200", "nvidia-h200", True),
]
# Letter names are ordinary words too, and a letter name before a number that completes no
# catalogued name (or two: Arabic writes B and P alike) changes nothing; a bare number still needs
# what the Latin one needs.
LETTER_NAMES_OUT: list[Probe] = [
    ("شحنات إنفيديا إلى 100 دولة", None, False),
    ("एच 2 ओ पानी की बोतल", None, False),
    ("аш 2 о вода дистиллированная", None, False),
    ("إتش 20 مضخة مياه", None, False, None, "841370"),
    ("এইচ 5 বাস রুট", None, False),
]


def test_letter_names_read_as_the_catalogued_number(refs: References) -> None:
    assert probe_failures(refs, LETTER_NAMES) == []


def test_letter_names_that_complete_no_number_stay_words(refs: References) -> None:
    assert probe_failures(refs, LETTER_NAMES_OUT) == []


def test_every_script_cites_a_source() -> None:
    data = load_letter_names()
    assert {"arabic", "persian_urdu", "hindi_marathi", "bengali", "thai", "cyrillic"} <= set(
        data.scripts
    )
    for script in data.scripts.values():
        assert script.source.startswith("http")
        assert set(script.letters) <= set("abghlmprtvwx")


def test_a_name_two_letters_share_is_read_only_where_one_completes() -> None:
    """Arabic "بي" is B or P: with both B100 and P100 catalogued it reads neither."""
    names = LetterNames({"b100": "x-b100", "p100": "x-p100", "b200": "x-b200"})
    assert names.correct("بي 100 بطاقة")[0] == "بي 100 بطاقة"
    text, note = names.correct("بي 200 بطاقة")
    assert (text, note) == ("b200 بطاقة", "'بي 200' read as 'b200'")


def test_a_letter_name_reading_says_so(refs: References) -> None:
    row = resolve_both(refs, ["بطاقات إنفيديا إتش 200 للذكاء الاصطناعي"])[0]
    assert row["accelerator_id"] == "nvidia-h200"
    assert "read as 'h200'" in str(row["resolution_reason"])


# The letter O for a zero, right after a maker's name, in any script the maker is written in.
O_FOR_ZERO: list[Probe] = [
    ("NVIDIA H2O accelerators, 8 pcs", "nvidia-h20", True),
    ("كمية من رقائق إنفيديا H2O", "nvidia-h20", True),
    ("NVIDIA B20o GPU module", "nvidia-b200", True),
]
O_FOR_ZERO_OUT = [
    "H2O cooling loop for GPU server",
    "distilled H2O 5 l",
    "NVIDIA GPU cooled with H2O",
]


# One character doubled or dropped in a number that is not distinctive ("S4000": one letter),
# read only right after the series word its catalogued alias writes before it ("MTT") and on a
# line that names the maker; "Quadro K2200" is a real card one character from Kunlunxin's K200.
SLIPS: list[Probe] = [
    ("Moore Threads MTT S400 accelerator cards x4", "moorethreads-mtt-s4000", True),
    ("摩尔线程 MTT S30000 显卡", "moorethreads-mtt-s3000", True),
]
SLIPS_OUT: list[Probe] = [
    ("NVIDIA Quadro K2200 4GB workstation card", "nvidia-quadro-k2200", False),
    ("S400 air defence system parts", None, False),
    ("MTT S400 graphics card", GU, False),
]


def test_a_slip_in_a_series_number_after_its_series_word(refs: References) -> None:
    assert probe_failures(refs, SLIPS) == []


def test_slips_without_the_series_word_or_maker_stay_out(refs: References) -> None:
    rows = resolve_both(refs, [str(p[0]) for p in SLIPS_OUT])
    assert [r["accelerator_id"] for r in rows][1:] == [None, GU]
    assert rows[0]["accelerator_id"] != "kunlunxin-k200"


def test_o_for_zero_after_a_maker(refs: References) -> None:
    assert probe_failures(refs, O_FOR_ZERO) == []


def test_water_stays_water(refs: References) -> None:
    rows = resolve_both(refs, O_FOR_ZERO_OUT)
    assert [r["accelerator_id"] for r in rows if r["accelerator_id"] == "nvidia-h20"] == []


# Names as the makers and writers spell them.
NAMES: list[Probe] = [
    ("Grace Hopper Superchip nodes, 4 units", "nvidia-gh200", True),
    ("NVIDIA Grace Blackwell Superchip tray", "nvidia-gb200", True),
    ("board 900-21010-0120-030 (refurbished)", "nvidia-h100-nvl", True),
    ("壁仞104P 加速卡 2张", "biren-br104", True),
    ("Biren BR104P card", "biren-br104", True),
    ("Moore Threads S3000 graphics cards", "moorethreads-mtt-s3000", True),
    ("摩尔线程 S4000 智算卡", "moorethreads-mtt-s4000", True),
    ("AI accelerator card S4000, 8 pcs", "moorethreads-mtt-s4000", True),
    ("퓨리오사 AI 칩 ‘레니게이드’ 공급", "furiosa-rngd", True),
    ("추론용 NPU ‘아톰’ 탑재 서버", "rebellions-atom", True),
]
NAMES_OUT: list[Probe] = [
    ("Grace Hopper biography, hardcover", None, False),
    ("S3000 submersible pump", None, False, None, "841370"),
    ("지프 레니게이드 중고차", None, False),
    ("인텔 아톰 프로세서 넷북", None, False),
    ("C600 GPU", None, False),
]


def test_names_as_makers_and_writers_spell_them(refs: References) -> None:
    assert probe_failures(refs, NAMES) == []


def test_their_look_alikes_stay_out(refs: References) -> None:
    rows = resolve_both(refs, [str(p[0]) for p in NAMES_OUT], [None, "841370", None, None, None])
    assert not any(r["accelerator_id"] and "-unknown" not in str(r["accelerator_id"]) for r in rows)


# A generation the catalog has only as variants, or as models told apart by a word the text does
# not write: no model, the candidates in the reason and in resolution_others.
UNNAMED = [
    ("Huawei Ascend 950 clusters for AI", AU, {"huawei-ascend-950pr", "huawei-ascend-950dt"}),
    ("NVIDIA GeForce RTX 6000 rumours, graphics card", GU, {"nvidia-rtx-6000-ada"}),
]
# One model reached, or a misspelt word that the text does carry: the fuzzy match stands.
FUZZY_KEPT: list[Probe] = [
    ("GeForce 3090 graphics card used", "nvidia-rtx-3090", True),
    ("NVIDIA Quaddro RTX 6000 graphics card", "nvidia-quadro-rtx-6000", True),
    ("NVIDIA Tesla T10 16GB", "nvidia-tesla-t10", True),
    ("NVIDIA L40G 24GB board", "nvidia-l40g", True),
]


@pytest.mark.parametrize(("text", "generic", "some"), UNNAMED, ids=[u[0] for u in UNNAMED])
def test_a_fuzzy_match_adds_no_variant_word(
    refs: References, text: str, generic: str, some: set[str]
) -> None:
    row = resolve_both(refs, [text])[0]
    assert row["accelerator_id"] == generic
    others = set(str(row["resolution_others"]).split(", "))
    assert some <= others
    assert "does not write in full" in str(row["resolution_reason"])


def test_a_fuzzy_match_that_reaches_one_model_stands(refs: References) -> None:
    assert probe_failures(refs, FUZZY_KEPT) == []
