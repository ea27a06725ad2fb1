"""Probes for the catalog-wide recognition sweep, generated from the catalog.

Rules fixed on the lines a collection showed do not carry to the next collection: each one
writes the same models in new shapes. The sweep writes every catalogued model that counts, and
every named system, into the shapes goods descriptions take in the languages of trade (maker
glued or spaced, memory and form factor, counts, part numbers, trade capitals, a noun of the
goods before or after, punctuation and full-width forms, the letter-for-digit misreadings the
resolver claims), so that a shape the rules miss shows as a family of failures across models,
not as one line. The look-alikes are the same contexts around goods that are not accelerators.

Every template is written for the test; none is a line of a dev, spent or held-out part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chipcustoms.recognise.catalog import COUNTING_CLASSES, Catalog

# How the makers write their names where the script is not Latin (the makers' local sites and
# the national Wikipedia articles, as languages.yaml cites them); Latin elsewhere.
LOCAL_NAMES: dict[str, dict[str, str]] = {
    "NVIDIA": {
        "zh": "英伟达",
        "zht": "輝達",
        "ru": "NVIDIA",
        "ko": "엔비디아",
        "ja": "エヌビディア",
    },
    "Huawei": {"zh": "华为", "zht": "華為", "ru": "Huawei", "ko": "화웨이", "ja": "ファーウェイ"},
    # The Chinese makers by their Chinese names (vocabulary.yaml's brand words and AI makers).
    "Cambricon": {"zh": "寒武纪", "zht": "寒武紀"},
    "Biren Technology": {"zh": "壁仞", "zht": "壁仞"},
    "Enflame": {"zh": "燧原", "zht": "燧原"},
    "Hygon": {"zh": "海光", "zht": "海光"},
    "Iluvatar CoreX": {"zh": "天数智芯", "zht": "天數智芯"},
    "Kunlunxin": {"zh": "昆仑芯", "zht": "崑崙芯"},
    "MetaX": {"zh": "沐曦", "zht": "沐曦"},
    "Moore Threads": {"zh": "摩尔线程", "zht": "摩爾線程"},
    "Alibaba T-Head": {"zh": "平头哥", "zht": "平頭哥"},
    "SOPHGO": {"zh": "算能", "zht": "算能"},
    "Vastai Technologies": {"zh": "瀚博", "zht": "瀚博"},
}
SHORT_VENDOR = {
    "AWS (Annapurna Labs)": "AWS",
    "Alibaba T-Head": "Alibaba",
    "Biren Technology": "Biren",
    "Cerebras Systems": "Cerebras",
    "Iluvatar CoreX": "Iluvatar",
    "SambaNova Systems": "SambaNova",
    "Untether AI": "Untether",
    "Vastai Technologies": "Vastai",
}

# {V}: the maker (local form where the language has one), {N}: the model's name, {M}: memory
# ("80GB"), {F}: form factor, {P}: a part number. Label: the family of shape the template
# stands for, so failures group by family.
MODEL_TEMPLATES: list[tuple[str, str, str]] = [
    ("maker spaced", "en", "{V} {N}"),
    ("maker glued", "en", "{V}{N}"),
    ("maker glued", "zh", "{V}{N}"),
    ("memory", "en", "{V} {N} {M}"),
    ("memory form factor", "en", "{N} {M} {F}"),
    ("memory glued", "en", "{V} {N} {Mg}"),
    ("count", "en", "8 x {V} {N} {M}"),
    ("count", "en", "{V} {N} x 8"),
    ("count", "en", "QTY 8 {V} {N}"),
    ("count", "zh", "{V}{N} 8块"),
    ("count", "ru", "{V} {N} 8шт"),
    ("trade capitals", "en", "GPU CARD {V} {N} {M} P/N {P}"),
    ("trade capitals", "en", "NEW ORIGINAL {V} {N} {M} MODEL {N}"),
    ("noun before", "en", "graphics card {V} {N}"),
    ("noun after", "en", "{V} {N} GPU module"),
    ("noun after", "en", "{V} {N} accelerator card, new"),
    ("server with", "en", "GPU server with 8x {V} {N}"),
    ("noun after", "zh", "{V}{N}显卡"),
    ("noun after", "zh", "{V} {N} 加速卡"),
    ("server with", "zh", "服务器(含8块{V}{N})"),
    ("noun after", "zht", "{V}{N}顯示卡"),
    ("noun after", "zht", "{V} {N} 運算卡 8片"),
    ("noun before", "ru", "Видеокарта {V} {N} {M}"),
    ("noun before", "ru", "Графический ускоритель {V} {N}"),
    ("server with", "ru", "Сервер с 8 {V} {N}"),
    ("noun after", "ko", "{V} {N} 그래픽카드"),
    ("count", "ko", "{V} {N} GPU 8개"),
    ("noun after", "ja", "{V} {N} グラフィックボード"),
    ("count", "ja", "{V} {N} 8枚"),
    ("noun before", "es", "Tarjeta gráfica {V} {N} {M}"),
    ("noun before", "es", "Acelerador {V} {N}, 8 unidades"),
    ("noun before", "vi", "Card đồ họa {V} {N}, mới 100%"),
    ("noun before", "vi", "Bộ xử lý đồ họa {V} {N}"),
    ("noun after", "tr", "{V} {N} ekran kartı"),
    ("noun after", "tr", "{V} {N} GPU hızlandırıcı 8 adet"),
    ("noun before", "ar", "بطاقة رسومات {V} {N}"),
    ("noun after", "ar", "{V} {N} معالج رسومات"),
    # The model without its maker, beside the goods noun of a language: the noun must make the
    # number a chip (a model named by a word is left out: it needs its maker).
    ("bare with noun", "en", "{N} GPU accelerator"),
    ("bare with noun", "zh", "{N}显卡 8块"),
    ("bare with noun", "zht", "{N} 顯示卡"),
    ("bare with noun", "ru", "Видеокарта {N}"),
    ("bare with noun", "uk", "Відеокарта {N}"),
    ("bare with noun", "ko", "{N} 그래픽카드"),
    ("bare with noun", "ja", "{N} グラフィックボード"),
    ("bare with noun", "es", "Tarjeta gráfica {N}"),
    ("bare with noun", "pt", "Placa de vídeo {N}"),
    ("bare with noun", "fr", "Carte graphique {N}"),
    ("bare with noun", "de", "Grafikkarte {N}"),
    ("bare with noun", "it", "Scheda video {N}"),
    ("bare with noun", "pl", "Karta graficzna {N}"),
    ("bare with noun", "vi", "Card đồ họa {N}"),
    ("bare with noun", "tr", "{N} ekran kartı"),
    ("bare with noun", "ar", "بطاقة رسومات {N}"),
    ("bare with noun", "fa", "کارت گرافیک {N}"),
    ("bare with noun", "hi", "ग्राफिक्स कार्ड {N}"),
    ("bare with noun", "th", "การ์ดจอ {N}"),
    ("bare with noun", "id", "Kartu grafis {N}"),
    ("punctuation", "en", "{V}-{N}"),
    ("punctuation", "en", "({V} {N}); {M}"),
    ("punctuation", "en", '"{V} {N}", {M}.'),
    ("full-width", "en", "FW:{V} {N} {M}"),
    ("full-width", "zh", "FW:{V}{N}加速卡"),
    ("misread digits", "en", "TYPO:{V} {N} GPU"),
]

# A server template would be wrong for a look-alike (a server "with" a gaming card is an odd
# line, not a look-alike); the misreading is the resolver's claim for counting models only.
LOOKALIKE_SKIP = {"server with", "misread digits"}

SYSTEM_TEMPLATES: list[tuple[str, str, str]] = [
    ("system alone", "en", "{S}"),
    ("system noun after", "en", "{S} server"),
    ("trade capitals", "en", "GPU SERVER {S} NEW"),
    ("count", "en", "2 x {S}"),
    ("system noun after", "zh", "{S} 服务器"),
    ("system noun before", "zht", "伺服器 {S}"),
    ("system noun before", "ru", "Сервер {S}"),
    ("system noun before", "ko", "서버 {S}"),
    ("system noun before", "ja", "サーバー {S}"),
    ("system noun before", "es", "Servidor {S}"),
    ("system noun before", "vi", "Máy chủ {S}"),
    ("system noun before", "tr", "Sunucu {S}"),
    ("system noun before", "ar", "خادم {S}"),
    ("full-width", "en", "FW:{S}"),
]

# Goods of the same makers or for the same chips that are not accelerators.
CPUS = [
    "Intel Xeon Platinum 8480+",
    "Intel Core i9-14900K",
    "AMD EPYC 9654",
    "AMD Ryzen 9 7950X3D",
    "AMD Ryzen Threadripper PRO 7995WX",
    "Huawei Kunpeng 920",
    "Hygon C86 7285",
]
CPU_TEMPLATES = [
    "{C} processor",
    "{C} CPU 8块",
    "Процессор {C}",
    "8 x {C}",
    "QTY 8 {C} CPU",
    "{C} 处理器",
    "Procesador {C}",
    "Rack server 2x {C}",
    "{C} 프로세서",
]
ACCESSORY_TEMPLATES = [
    "heatsink for {N}",
    "Cooling fan for {V} {N}",
    "Power cable for {V} {N} 8-pin",
    "Mounting bracket for {N} card",
    "{V} {N} 散热器",
    "Радиатор для {N}",
    "Soporte para {V} {N}",
    "{V} {N} için soğutucu fan",
    "{N} 用 ヒートシンク",
    "{V} {N} coolers and backplates",
    "Bare PCB for {V} {N} (no GPU)",
    "{V}{N}显卡散热风扇",
    "Вентиляторы для видеокарты {N}",
    "{N} water block, copper",
]
LAPTOPS = [
    "Laptop ASUS ROG with RTX 4090 Laptop GPU 16GB",
    "Gaming laptop MSI RTX 4080",
    "笔记本电脑 RTX 4090 16GB",
    "Ноутбук с видеокартой RTX 4090",
    "노트북 RTX 4090 게이밍",
    "ノートパソコン RTX 4090 搭載",
    "Portátil gaming RTX 4090",
    "Máy tính xách tay RTX 4090",
    "Dizüstü bilgisayar RTX 4090",
    "حاسوب محمول RTX 4090",
]
NPUS = [
    "Intel Core Ultra 7 155H processor with NPU",
    "AMD Ryzen AI 9 HX 370 NPU 50 TOPS",
    "Qualcomm Snapdragon X Elite 45 TOPS NPU",
    "处理器内置NPU 40 TOPS",
    "Процессор с NPU для ноутбука",
    "노트북 프로세서 내장 NPU",
]

_FW = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


@dataclass(frozen=True)
class Probe:
    """One line to resolve and what it must give."""

    text: str
    family: str  # the template's family of shape, for grouping failures
    lang: str
    subject: str  # model or system id, or a look-alike's kind
    want_id: str | None  # None: any id (look-alikes check is_accelerator only)
    want_accelerator: bool


def _vendor(vendor: str, lang: str) -> str:
    local = LOCAL_NAMES.get(vendor, {})
    return local.get(lang, SHORT_VENDOR.get(vendor, vendor))


def _name(aliases: list[str], model: str, vendor: str) -> str:
    """The model's main name without its maker: the first alias, the maker's word taken off
    so the templates can write the maker in each language's form."""
    name = aliases[0] if aliases else model
    short = SHORT_VENDOR.get(vendor, vendor)
    for word in (vendor, short):
        rest = name[len(word) + 1 :]
        # "Groq 3 LPU": a generation number after the maker is the name's, not a model number.
        if name.lower().startswith(word.lower() + " ") and not re.match(r"\d+ ", rest):
            name = rest
    return name


def _writes_maker(name: str, vendor: str) -> bool:
    """The name begins with its maker's word already ("Axelera Metis" of Axelera AI,
    "GroqChip", "Groq 3 LPU"): the templates do not write the maker a second time."""
    return name.lower().startswith(vendor.split()[0].lower())


def _misread(name: str, bare: frozenset[str]) -> str | None:
    """The name with the zeros of its letter-and-digit token written as the letter O, the
    misreading the resolver reads back on a line with a brand (of a bare model number only,
    docs/recognition.md rule 13); None where nothing to misread."""
    for tok in name.split():
        if tok.lower() not in bare:
            continue
        # The resolver's claim: a catalogued number of three or more digits, one left a digit.
        digits = sum(c.isdigit() for c in tok)
        if re.search(r"[A-Za-z]", tok) and "0" in tok and digits >= 3 and tok.count("0") < digits:
            return name.replace(tok, tok.replace("0", "O"), 1)
    return None


def _fill(template: str, bare: frozenset[str] = frozenset(), **values: str) -> str | None:
    fw = template.startswith("FW:")
    typo = template.startswith("TYPO:")
    text = template.removeprefix("FW:").removeprefix("TYPO:")
    if typo:
        bad = _misread(values["N"], bare)
        if bad is None:
            return None
        values = {**values, "N": bad}
    text = text.format(**values)
    return text.translate(str.maketrans(_FW)) if fw else text


def _part(part_numbers: list[str]) -> str | None:
    literal = [p for p in part_numbers if re.fullmatch(r"[A-Z0-9][A-Z0-9-]+", p)]
    return literal[0] if literal else None


def model_probes(catalog: Catalog, families: dict[str, str], bare: frozenset[str]) -> list[Probe]:
    """Every catalogued model in every template: counting models must give their model (its
    family) and true, the others false. ``bare``: the resolver's bare model numbers, the ones
    whose misreadings it claims to read."""
    probes: list[Probe] = []
    for m in catalog.models:
        counts = m.ai_class in COUNTING_CLASSES
        name = _name(list(m.aliases), m.model, m.vendor)
        mem = f"{m.specs.memory_gb:g}GB" if m.specs.memory_gb else ""
        part = _part(list(m.part_numbers)) or name.replace(" ", "-").upper()
        for family, lang, template in MODEL_TEMPLATES:
            if not counts and family in LOOKALIKE_SKIP:
                continue
            if ("{M}" in template or "{Mg}" in template) and not mem:
                continue
            # A model named by a word ("Inferentia", "PPU") is read with its maker only.
            if "{V}" not in template and not re.search(r"\d", name):
                continue
            text = _fill(
                template,
                bare,
                V="" if _writes_maker(name, m.vendor) else _vendor(m.vendor, lang),
                N=name,
                M=mem,
                Mg=mem.replace("GB", "G"),
                F=(m.specs.form_factor or "").split(" ")[0],
                P=part,
            )
            if text is None:
                continue
            want = families.get(m.id, m.id) if counts else None
            probes.append(Probe(text.strip(), family, lang, m.id, want, counts))
    return probes


def system_probes(catalog: Catalog, families: dict[str, str]) -> list[Probe]:
    """Every named system by its name and first alias: the carried model, or
    accelerator-unknown where the name does not write the GPU, and true."""
    probes: list[Probe] = []
    for s in catalog.systems:
        want = families.get(s.accelerator, s.accelerator) if s.accelerator else None
        for written in dict.fromkeys([s.name, *s.aliases[:1]]):
            for family, lang, template in SYSTEM_TEMPLATES:
                text = _fill(template, S=written)
                assert text is not None
                probes.append(Probe(text, family, lang, s.id, want or "accelerator-unknown", True))
    return probes


def lookalike_probes(catalog: Catalog) -> list[Probe]:
    """Goods that are not accelerators: CPUs of the same makers, parts for the counting models,
    laptops with flagship GPUs, PC and phone NPUs (the non-counting catalog models are in
    :func:`model_probes`)."""
    probes = [Probe(t.format(C=c), "cpu", "*", c, None, False) for c in CPUS for t in CPU_TEMPLATES]
    counting = [m for m in catalog.models if m.ai_class in COUNTING_CLASSES]
    for i, m in enumerate(counting):
        # Each counting model once, in a template chosen by its place (deterministic).
        t = ACCESSORY_TEMPLATES[i % len(ACCESSORY_TEMPLATES)]
        text = t.format(V=_vendor(m.vendor, "en"), N=_name(list(m.aliases), m.model, m.vendor))
        probes.append(Probe(text, "accessory", "*", m.id, None, False))
    probes += [Probe(t, "laptop", "*", t, None, False) for t in LAPTOPS]
    probes += [Probe(t, "npu", "*", t, None, False) for t in NPUS]
    return probes
