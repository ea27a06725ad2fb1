"""Issue 14, branch recog13: the words beside a bare model number that say "these are goods",
generic AI-compute wording of the European languages and Korean, and look-alikes let in (a CPU
with an NPU, parts made FOR a card). Texts written for this test, in several languages and shapes
each; both resolvers answer every probe (tests/both_resolvers.py). A probe is (text, id or None,
is_accelerator[, units[, HS code]]).
"""

from __future__ import annotations

from both_resolvers import Probe, left_out, probe_failures
from chipcustoms.assess.pipeline import References

# Class 1a: the counting classifiers of Chinese, Japanese and Korean, before or after the number.
CLASSIFIERS: list[Probe] = [
    ("海关查获3万块H100", "nvidia-h100-sxm", True),
    ("某公司囤积800块H800", "nvidia-h800-sxm", True),
    ("走货2000颗A100的订单", "nvidia-a100", True),
    ("采购600片H20", "nvidia-h20", True),
    ("H200 1500颗", "nvidia-h200", True),
    ("B200 2万块", "nvidia-b200", True),
    ("5千枚のH100", "nvidia-h100-sxm", True),
    ("700개의 H100을 들여왔다", "nvidia-h100-sxm", True),
    ("H200 3천개 반입", "nvidia-h200", True),
]

# The same classifiers counting something else, or a price (块 is also the yuan).
CLASSIFIERS_OUT: list[Probe] = [
    ("8块H20水泵", None, False),
    ("H20 40块 水管接头", None, False),
    ("H20 15块钱", None, False),
    ("30片H2O滤芯", None, False),
    ("H20 60块", None, False, None, "841370"),
]

# Class 1b: model / version / type / specimen / circuit words of the European languages beside a
# number of three or four digits; "specimens of" and the cut-down words before shorter ones too.
GOODS_WORDS: list[Probe] = [
    ("die gedrosselte China-Version H800", "nvidia-h800-sxm", True),
    ("ein H200-Modell für den Export", "nvidia-h200", True),
    ("zwölf Exemplare von H100", "nvidia-h100-sxm", True),
    ("40 Exemplare der H20", "nvidia-h20", True),
    ("abgespeckte Variante H20", "nvidia-h20", True),
    ("przemycane układy B200", "nvidia-b200", True),
    ("modelu H800", "nvidia-h800-sxm", True),
    ("le modèle H200", "nvidia-h200", True),
    ("la versión A800", "nvidia-a800", True),
    ("versione H100 per la Cina", "nvidia-h100-sxm", True),
    ("de versie H800", "nvidia-h800-sxm", True),
    ("A100 típusú", "nvidia-a100", True),
    ("H20 típusú chipek", "nvidia-h20", True),
    ("cut-down H20 for China", "nvidia-h20", True),
    ("урезанная версия H20", "nvidia-h20", True),
]

# A two-digit number beside a model word alone may be a pump or a fitting; a goods word before a
# longer word names another product; an HS code of another chapter keeps its goods.
GOODS_WORDS_OUT: list[Probe] = [
    ("Modell H20 Wasserpumpe", None, False),
    ("le modèle H20", None, False),
    ("modelo H20 de bomba", None, False),
    ("H20 típusú csatlakozó", None, False),
    ("Typ B200 Fahrradträger", None, False),
    ("model B200 pump", None, False),
    ("model B200 pomp", None, False),
    ("modèle A100 tondeuse", None, False),
    ("Exemplare von H2O Flaschen", None, False),
    ("Modell H100", None, False, None, "841370"),
    ("M.2 SSD Modell B200", None, False, None, "852351"),
]

# Class 2: accelerator cards, flagship accelerators, GPU / NPU farms, AI-only families with a
# European noun, regulated GPUs.
AI_WORDING: list[Probe] = [
    ("neue Beschleunigerkarten für Rechenzentren", "accelerator-unknown", True),
    ("tarjetas aceleradoras", "accelerator-unknown", True),
    ("Flaggschiff-Beschleuniger von AMD", "accelerator-unknown", True),
    ("l'acceleratore di punta", "accelerator-unknown", True),
    ("accélérateurs pour le HPC", "accelerator-unknown", True),
    ("대규모 GPU 팜 구축", "accelerator-unknown", True),
    ("NPU팜", "accelerator-unknown", True),
    ("eine GPU-Farm in Island", "accelerator-unknown", True),
    ("granja de GPU para IA", "accelerator-unknown", True),
    ("der neue Instinct-Beschleuniger", "accelerator-unknown", True),
    ("cartes Instinct", "accelerator-unknown", True),
    ("procesadores Gaudi", "accelerator-unknown", True),
    ("zwei Tesla-Karten", "accelerator-unknown", True),
    ("규제 대상 엔비디아 칩", "accelerator-unknown", True),
    ("подконтрольные ускорители", "accelerator-unknown", True),
    ("karty GPU objęte kontrolą eksportu", "accelerator-unknown", True),
    ("GPU soggette a controllo", "accelerator-unknown", True),
]

AI_WORDING_OUT: list[Probe] = [
    ("GPU-Mining-Farm", None, False),
    ("채굴용 GPU 팜", None, False),
    ("ferme de minage GPU", None, False),
    ("майнинг-ферма на видеокартах", None, False),
    ("server farm cabling", None, False),
    ("Tesla Schlüsselkarte", None, False),
    ("Basic Instinct DVD", None, False),
    ("Flaggschiff-Smartphone", None, False),
    ("규제 대상 품목", None, False),
    ("контролируемые поставки", None, False),
    ("graphics accelerator card", "gpu-unknown", False),
]

# Class 3: a CPU with its NPU written first; parts made FOR a card in the European languages,
# Russian and Arabic. A server or card WITH them keeps its GPUs.
LOOKALIKES_OUT: list[Probe] = [
    ("NPU搭載のCPU", None, False),
    ("NPU를 탑재한 프로세서", None, False),
    ("内置NPU的处理器", None, False),
    ("集成NPU的CPU", None, False),
    ("Platinen, gefertigt für H100-Karten", None, False),
    ("Wasserkühler für RTX 5090", None, False),
    ("Adapter für B200-Module", None, False),
    ("câbles d'alimentation pour RTX 4090", None, False),
    ("placas de circuito impreso para H200", None, False),
    ("cavi per RTX 5090", None, False),
    ("printplaten voor H100", None, False),
    ("kable zasilające do RTX 4090", None, False),
    ("печатные платы для H200", None, False),
    ("قطع غيار مخصصة لبطاقات H100", None, False),
    ("كابلات خاصة ببطاقة RTX 4090", None, False),
]

KEPT: list[Probe] = [
    ("Server mit 8x H100 und Kabeln", "nvidia-h100-sxm", True, 8),
    ("GPU-Server für KI-Training, 8x H200, Netzteil, Kabel", "nvidia-h200", True, 8),
    ("RTX 4090 mit Backplate", "nvidia-rtx-4090", True),
    ("server met 8 H100 en kabels", "nvidia-h100-sxm", True),
    ("شريحة H200 الخاصة بمراكز البيانات", "nvidia-h200", True),
    ("Ascend NPU cards for servers", "accelerator-unknown", True),
    ("NPU accelerator card 256 TOPS", "accelerator-unknown", True),
]


def _out(refs: References, probe: Probe) -> bool:
    """No model, no system, not an accelerator: a look-alike stays wholly out."""
    return left_out(refs, str(probe[0]), str(probe[4]) if len(probe) > 4 else None)


def test_counting_classifiers_before_or_after_a_number(refs: References) -> None:
    assert probe_failures(refs, CLASSIFIERS) == []


def test_classifiers_counting_other_goods_or_a_price_stay_out(refs: References) -> None:
    assert probe_failures(refs, CLASSIFIERS_OUT) == []
    assert all(_out(refs, p) for p in CLASSIFIERS_OUT)


def test_model_version_specimen_words_of_european_languages(refs: References) -> None:
    assert probe_failures(refs, GOODS_WORDS) == []


def test_model_words_beside_a_pump_or_another_product_stay_out(refs: References) -> None:
    assert probe_failures(refs, GOODS_WORDS_OUT) == []
    assert all(_out(refs, p) for p in GOODS_WORDS_OUT)


def test_generic_ai_compute_wording_of_many_languages(refs: References) -> None:
    assert probe_failures(refs, AI_WORDING) == []


def test_mining_farms_key_cards_and_regulated_items_are_not_ai_compute(refs: References) -> None:
    assert probe_failures(refs, AI_WORDING_OUT) == []


def test_npu_cpus_and_parts_made_for_a_card_are_not_accelerators(refs: References) -> None:
    assert probe_failures(refs, LOOKALIKES_OUT) == []


def test_servers_and_cards_with_parts_keep_their_accelerators(refs: References) -> None:
    assert probe_failures(refs, KEPT) == []
