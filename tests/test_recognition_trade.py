"""Issue 14, sixth round: classes of real declaration text that generalise, by probe.

Classes: (1) trade-record layouts (capitals, field labels and separators, HS codes and
quantities glued to words, model numbers beside memory sizes, vendor part numbers); (2) typos and
OCR confusions of brand and model words; (3) brand-less model numbers beside a strong context
word, and brand or generation words alone; (4) generic AI-compute wording in more phrasings and
languages, with consumer "AI" devices that stay out; (5) servers and nodes, with barebones and
"without GPU" negations; (6) parts and accessories naming a GPU model that stay false. Every
probe is written for this test (none is taken from a labelled set); each is checked in the batch
resolver and in the one-text resolver, which must agree.

A probe's expectation is a catalog id (that model, counting), ``ACC`` (accelerator-unknown,
counting) or ``NO`` (not an accelerator, whatever id it keeps).
"""

from __future__ import annotations

import pytest

from both_resolvers import normalisation_differs, resolve_both
from chipcustoms.assess.pipeline import References

ACC = "accelerator-unknown"
NO = "NO"

Probe = tuple[str, str] | tuple[str, str, str]


def outcomes(refs: References, probes: list[Probe]) -> list[tuple[str | None, bool]]:
    """(accelerator_id, is_accelerator) per probe, asserting the one-text resolver agrees on
    every resolved field."""
    texts = [p[0] for p in probes]
    hs = [p[2] if len(p) > 2 else None for p in probes]  # type: ignore[misc]
    rows = resolve_both(refs, texts, hs)
    return [(r["accelerator_id"], bool(r["is_accelerator"])) for r in rows]


def passes(probe: Probe, got: tuple[str | None, bool]) -> bool:
    want = probe[1]
    if want == NO:
        return not got[1]
    return got == (want, True)


# Class 1: trade-record layouts.
LAYOUT: list[Probe] = [
    ("DESC: GPU CARD | MODEL: H100 PCIE | BRAND: NVIDIA | QTY: 8", "nvidia-h100-pcie"),
    ("DESC:GRAPHIC CARD;BRAND:ASUS;MODEL:RTX4090;QTY:2PCS", "nvidia-rtx-4090"),
    ("VIDEO CARD//NVIDIA//RTX 4090 24GB//NEW", "nvidia-rtx-4090"),
    ("GPU MODULE — H800 SXM5 80GB", "nvidia-h800-sxm"),
    ("8473301890GPU TESLA A100 (80 GB)", "nvidia-a100"),
    ("8473301890 GPU A100 80GB PCIE", "nvidia-a100"),
    ("NVIDIA H100 8PCS", "nvidia-h100-sxm"),
    ("NVIDIA TESLA A100 (8 PCS)", "nvidia-a100"),
    ("8*H100 GPU 80GB", "nvidia-h100-sxm"),
    ("H100*8 GPU", "nvidia-h100-sxm"),
    ("8 x A100 80GB SXM4 GPU", "nvidia-a100"),
    ("NVIDIA A100 X8", "nvidia-a100"),
    ("H100-80G PCIE GPU", "nvidia-h100-pcie"),
    ("A100 80GB PCIE", "nvidia-a100"),
    ("A800-SXM4-80GB", "nvidia-a800"),
    ("L40S 48G", "nvidia-l40s"),
    ("4090 24G GPU", "nvidia-rtx-4090"),
    ("H20 96G", "nvidia-h20"),
    ("H200 141G QTY 8", "nvidia-h200"),
    ("GPU:NVIDIA H200 141G;QTY:8PCS", "nvidia-h200"),
    ("MODEL NO.: A100-PCIE-40GB", "nvidia-a100"),
    ("NVIDIA RTX A6000 48GB GDDR6", "nvidia-rtx-a6000"),
    ("L4 24GB TENSOR CORE GPU", "nvidia-l4"),
    ("T4 16GB GPU PASSIVE", "nvidia-t4"),
    ("DESC: COMPUTE CARD, MODEL: H100, 80GB", "nvidia-h100-sxm"),
    ("DESC:ACCELERATOR CARD MODEL:MI250X BRAND:AMD", "amd-mi250x"),
    ("AMD INSTINCT MI300X OAM 192GB", "amd-mi300x"),
    ("P/N: 900-21001-0020-000 GPU", "nvidia-a100"),
    ("PN:900-21001-0020-000", "nvidia-a100"),
    ("S/N 1324521012345 NVIDIA A30 24GB", "nvidia-a30"),
    ("HUAWEI ATLAS 300I DUO 96G INFERENCE CARD", "huawei-atlas-300i-duo"),
    ("NVIDIA H100GPU 80GB", "nvidia-h100-sxm"),
    ("GPU H100 NVL 94GB", "nvidia-h100-nvl"),
    ("ITEM 3: NVIDIA L20 48GB QTY 16 UNIT PCE", "nvidia-l20"),
    ("TESLA V100-SXM2-32GB", "nvidia-v100-sxm2"),
    ("GRAPHICS CARD RTX 6000 ADA 48GB", "nvidia-rtx-6000-ada"),
    ("NVIDIA A40 48GB PCIE", "nvidia-a40"),
    ("A10 24GB GPU CARD", "nvidia-a10"),
    ("RTX 5090 32G", "nvidia-rtx-5090"),
    ("BRAND: NVIDIA / MODEL: A800 / 80GB / PCIE", "nvidia-a800"),
]
LAYOUT_NEG: list[Probe] = [
    ("DESC: WATER PUMP | MODEL: H20 | QTY: 8", NO, "8413709000"),
    ("BOLT M8 GRADE A100 8PCS", NO, "7318150000"),
    ("HEX SOCKET SCREW A2-70 M8X20", NO, "7318159000"),
    ("TOYOTA L4 ENGINE GASKET", NO, "8409910000"),
    ("T4 FLUORESCENT TUBE 18W", NO, "8539319000"),
    ("QTY: 8 PCS | DESC: LED DRIVER | MODEL: P40", NO, "8504401900"),
    ("MODEL: A40 | DESC: SPEAKER", NO, "8518220000"),
    ("AUDI A4 BRAKE PADS 4PCS", NO, "8708301000"),
    ("CARTON BOX 40X48X80CM", NO, "4819100000"),
    ("STEEL PIPE 80G L40 8*H100MM", NO, "7306300000"),
    ("DESC: RUBBER SEAL; SIZE: 100*80G; QTY: 800", NO, "4016930000"),
    ("4090 SCREWS M3 24G", NO, "7318150000"),
]

# Class 2: typos and OCR confusions of brand and model words.
TYPOS: list[Probe] = [
    ("NVIDA H100 80GB", "nvidia-h100-sxm"),
    ("NVIDEA A100 80GB", "nvidia-a100"),
    ("NVDIA H800 PCIE", "nvidia-h800-pcie"),
    ("Nvidea RTX 4090 24GB", "nvidia-rtx-4090"),
    ("NIVIDIA A800", "nvidia-a800"),
    ("NVIIDIA H20", "nvidia-h20"),
    ("NVIDIAH100 80GB", "nvidia-h100-sxm"),
    ("NVlDIA H100 80GB", "nvidia-h100-sxm"),
    ("INVIDIA TESLA V100", "nvidia-v100-sxm2"),
    ("GE FORCE RTX 4090", "nvidia-rtx-4090"),
    ("GEFORCE RTX4090", "nvidia-rtx-4090"),
    ("NVIDIA A1OO 80GB", "nvidia-a100"),
    ("NVIDIA Hl00 PCIE", "nvidia-h100-pcie"),
    ("NVIDIA H1OO 80GB", "nvidia-h100-sxm"),
    ("NVIDIA H 100 80GB", "nvidia-h100-sxm"),
    ("NVIDIA A 100 40GB", "nvidia-a100"),
    ("RTX-4090 24GB GRAPHICS CARD", "nvidia-rtx-4090"),
    ("RTX_4090 GPU", "nvidia-rtx-4090"),
    ("RTX.4090 GPU", "nvidia-rtx-4090"),
    ("NVIDIA A.100 80GB", "nvidia-a100"),
    ("ＮＶＩＤＩＡ　Ｈ１００　８０ＧＢ", "nvidia-h100-sxm"),
    ("NVIDIA H-100 80GB", "nvidia-h100-sxm"),
    ("NVIDIA TESLA VlOO 32GB", "nvidia-v100-sxm2"),
    ("ТЕСЛА V100 32ГБ", "nvidia-v100-sxm2"),
    ("NVIDIA GEFORCE RTX 4O90", "nvidia-rtx-4090"),
    ("HUAWEI ASCEND 91OB", "huawei-ascend-910b"),
]
TYPOS_NEG: list[Probe] = [
    ("gpu h1OO pcie", NO),  # a typo in the number is never guessed without the brand
    ("H2O WATER FILTER", NO, "8421210000"),
    ("NVIDIA SHIELD TV PRO", NO),
    ("A1OO BOLTS", NO, "7318150000"),
    ("HlOO HOSE CLAMP", NO, "7326909000"),
    ("VIDEO CARD HOLDER FOR RTX 4090", NO),
    ("NVIDIA JETSON ORIN NANO", NO),
    ("NVIDIA GEFORCE RTX 4060 8GB", NO),
    ("GE FORCE RTX 4060", NO),
    ("NVIDEA LAPTOP RTX 4090", NO),
]

# Class 3: brand-less model numbers beside a strong context word; brand or generation alone.
CONTEXT: list[Probe] = [
    ("TESLA V100 32G", "nvidia-v100-sxm2"),
    ("GPU A800 80G", "nvidia-a800"),
    ("加速卡 H20", "nvidia-h20"),
    ("graphics card 4090D", "nvidia-rtx-4090d"),
    ("accelerator H100", "nvidia-h100-sxm"),
    ("tensor core A100", "nvidia-a100"),
    ("SXM5 H800 module", "nvidia-h800-sxm"),
    ("Hopper H100 module", "nvidia-h100-sxm"),
    ("Blackwell B200 module", "nvidia-b200"),
    ("Ampere A100 board", "nvidia-a100"),
    ("Hopper GPU module", ACC),
    ("Blackwell accelerator", ACC),
    ("Ampere tensor core card", ACC),
    ("Hopper architecture GPUs", ACC),
    ("NVIDIA Blackwell GPUs", ACC),
    ("NVIDIA Hopper", ACC),
    ("HGX H100 baseboard", "nvidia-h100-sxm"),
    ("OAM module MI300X", "amd-mi300x"),
    ("算力卡 A800", "nvidia-a800"),
    ("显卡 4090D 24G", "nvidia-rtx-4090d"),
    ("GPU卡 A100", "nvidia-a100"),
    ("ускоритель A100 80 ГБ", "nvidia-a100"),
]
CONTEXT_NEG: list[Probe] = [
    ("Ampere meter 100A", NO, "9030330000"),
    ("Tesla Model 3 charging cable", NO),
    ("Tesla Model Y wheel", NO, "8708709900"),
    ("Hopper for grain, steel, 100 kg", NO, "8437100000"),
    ("hopper feeder H100 for injection moulding", NO, "8477900000"),
    ("Blackwell publishing books", NO, "4901990000"),
    ("ampere rated fuse 10A", NO, "8536100000"),
    ("card holder A100 leather", NO, "4202310000"),
    ("Volta A100 module", NO),
    ("SD card A100 class 10 64GB", NO),  # "card" alone is no GPU word (SD, SIM, memory cards)
]

# Class 4: generic AI-compute wording in more phrasings and languages.
WORDING: list[Probe] = [
    ("compute module for data center", ACC),
    ("inference card 24GB", ACC),
    ("training card with HBM", ACC),
    ("deep-learning accelerator", ACC),
    ("neural processing unit card", ACC),
    ("GPGPU card", ACC),
    ("data center GPU", ACC),
    ("AI board", ACC),
    ("AI accelerator baseboard", ACC),
    ("8-GPU tray", ACC),
    ("GPU baseboard with 8 accelerators", ACC),
    ("算力服务器", ACC),
    ("训练卡", ACC),
    ("推理卡 24G", ACC),
    ("智算一体机", ACC),
    ("加速模组", ACC),
    ("AI加速模组", ACC),
    ("вычислительный ускоритель", ACC),
    ("графический ускоритель", ACC),
    ("нейроускоритель", ACC),
    ("AI 가속기 카드", ACC),
    ("인공지능 반도체", ACC),
    ("AIアクセラレータカード", ACC),
    ("推論用GPU", ACC),
    ("chip AI trung tâm dữ liệu", ACC),
    ("bộ tăng tốc AI", ACC),
    ("yapay zeka hızlandırıcı kartı", ACC),
    ("acelerador de IA para centro de datos", ACC),
    ("tarjeta aceleradora de inteligencia artificial", ACC),
    ("acelerador de inteligência artificial", ACC),
    ("placa aceleradora de IA", ACC),
    ("مسرع ذكاء اصطناعي", ACC),
    ("شتاب دهنده هوش مصنوعی", ACC),
    ("एआई एक्सेलेरेटर कार्ड", ACC),
    ("machine learning accelerator card", ACC),
    ("AI inference accelerator", ACC),
    ("AI training module", ACC),
    ("GPU compute module", ACC),
    ("high-performance computing GPU card", ACC),
]
WORDING_NEG: list[Probe] = [
    ("AI PC with NPU 16GB", NO),
    ("AI laptop 14 inch", NO),
    ("AI phone 256GB", NO),
    ("AI camera 4MP", NO),
    ("AI speaker with voice assistant", NO),
    ("AI TV 55 inch", NO),
    ("AI glasses with camera", NO),
    ("smartphone SoC with NPU", NO),
    ("AI-powered washing machine", NO, "8450111000"),
    ("AI-powered robot vacuum", NO),
    ("AI translator earbuds", NO),
    ("AI smart glasses", NO),
    ("AI-powered air conditioner", NO, "8415101000"),
    ("AI voice recorder", NO),
    ("AI learning robot toy for kids", NO, "9503009000"),
    ("book: deep learning with python", NO, "4901990000"),
    ("graphics card 8GB", NO),
    ("display card GT 730", NO),
    ("AI noise-cancelling headset", NO),
    ("AI 노트북", NO),
    ("AIスマートフォン", NO),
    ("AI手机", NO),
    ("AI学习机", NO),
    ("AI摄像头", NO),
    ("AI chip inside smart doorbell", NO),
]

# Class 5: servers and nodes; barebones and negations.
SERVERS: list[Probe] = [
    ("server with 8 GPUs", ACC),
    ("GPU node 8x accelerators", ACC),
    ("HGX baseboard 8 GPU", ACC),
    ("DGX system", ACC),
    ("OAM baseboard", ACC),
    ("SXM baseboard with NVLink", ACC),
    ("NVLink GPU baseboard", ACC),
    ("GPU chassis 4U 8 GPU", ACC),
    ("rack with accelerators", ACC),
    ("4U GPU server", ACC),
    ("AI server 8 cards", ACC),
    ("8 GPU server, refurbished", ACC),
    ("used GPU server 8x A100", "nvidia-a100"),
    ("server 8x H100 SXM5", "nvidia-h100-sxm"),
    ("8卡GPU服务器", ACC),
    ("GPU-сервер", ACC),
    ("servidor con 8 GPU", ACC),
    ("GPU 서버 8장", ACC),
]
SERVERS_NEG: list[Probe] = [
    ("rack server 1U", NO),
    ("server barebone without GPU", NO),
    ("GPU server chassis, GPU not included", NO),
    ("server, no GPU installed", NO),
    ("server rack cabinet 42U", NO),
    ("server rails kit", NO),
    ("server CPUs for AI", NO),
    ("server power supply 2000W for GPU server", NO),
    ("file server NAS 4 bay", NO),
    ("web server software licence", NO),
    ("barebone server without graphics cards", NO),
    ("GPU server empty chassis", NO),
]

# Class 6: parts and accessories naming a GPU model.
PARTS_NEG: list[Probe] = [
    ("cooler for H100", NO),
    ("H100 heatsink", NO),
    ("riser for A100", NO),
    ("power cable for RTX 4090", NO),
    ("bracket RTX 4090", NO),
    ("fan for A100 GPU", NO),
    ("backplate RTX 4090", NO),
    ("waterblock H100", NO),
    ("NVLink bridge A100", NO),
    ("GPU box for RTX 4090", NO),
    ("empty HGX baseboard", NO),
    ("dummy H100 module", NO),
    ("mock-up A100 card", NO),
    ("packaging for H100", NO),
    ("compatible with NVIDIA H100", NO),
    ("for use with A100 GPUs: cooling shroud", NO),
    ("H100 thermal pad", NO),
    ("RTX 4090 waterblock", NO),
    ("heat sink for NVIDIA A100", NO),
    ("fan shroud for Tesla V100", NO),
    ("H100 SXM5 heatsink", NO),
    ("A100 cold plate", NO),
    ("RTX 4090 GPU case", NO),
    ("GPU support stand for RTX 4090", NO),
    ("replacement fan RTX 4090", NO),
    ("H100 PCIe power adapter cable", NO),
    ("RTX 4090 display screen protector", NO),
    ("H100 model poster", NO),
    ("4090显卡散热器", NO),
    ("H100散热片", NO),
    ("A100 水冷头", NO),
    ("радиатор для H100", NO),
    ("H100 GPU tray (empty)", NO),
    ("heatsink suitable for A100 40GB", NO),
    ("liquid cooling kit for 8x H100", NO),
]
PARTS_POS: list[Probe] = [
    ("NVIDIA H100 with heatsink", "nvidia-h100-sxm"),
    ("RTX 4090 graphics card with fan", "nvidia-rtx-4090"),
    ("NVIDIA A100 80GB PCIe, passive cooling", "nvidia-a100"),
    ("L40S GPU fanless, passive", "nvidia-l40s"),
]

# Second wave: written after the first wave passed, in other phrasings of the same classes, to
# measure whether the fixes generalise (measured before any change aimed at them).
LAYOUT_2: list[Probe] = [
    ("GPU CARD NVIDIA H100 PCIE 80GB, P/N 900-21010-0000-000", "nvidia-h100-pcie"),
    ("1 X NVIDIA A100 40GB PCIE (USED)", "nvidia-a100"),
    ("NVIDIA-H100-80GB-PCIE", "nvidia-h100-pcie"),
    ("GPU;H800;80G;PCIE;NEW", "nvidia-h800-pcie"),
    (
        "DESCRIPTION OF GOODS: GRAPHIC PROCESSING UNIT, MODEL H20, BRAND NVIDIA, 96GB HBM3",
        "nvidia-h20",
    ),
    ("H20-96G-SXM", "nvidia-h20"),
    ("MODEL:A100-SXM4-80GB QTY:4 UNIT:PCS", "nvidia-a100"),
    ("BRAND:NVIDIA MODEL:TESLA T4 16G", "nvidia-t4"),
    ("A100*4PCS GPU", "nvidia-a100"),
    ("4PCS*A800 80G", "nvidia-a800"),
    ("L40S-48GB-PCIE", "nvidia-l40s"),
    ("RTX4090D 24GB GDDR6X", "nvidia-rtx-4090d"),
    ("RTX 4090 D 24G GAMING OC", "nvidia-rtx-4090d"),
    ("NVIDIA GPU H100 SXM5 80G (HBM3) X 8", "nvidia-h100-sxm"),
    ("AMD MI210 64GB PCIE ACCELERATOR", "amd-mi210"),
    ("HUAWEI ATLAS 300T PRO TRAINING CARD", "huawei-atlas-300t"),
    ("GPU 8X H200 NVL", "nvidia-h200-nvl"),
    ("MI300X-192G OAM", "amd-mi300x"),
    ("NVIDIA/L20/48G/PCIE", "nvidia-l20"),
    ("ITEM: GPU | MFR: NVIDIA | PN: 900-21010-0040-000 | QTY: 2", "nvidia-h200-nvl"),
]
LAYOUT_2_NEG: list[Probe] = [
    ("MODEL: H100 | DESC: HYDRAULIC HOSE", NO, "4009410000"),
    ("AIR FILTER A100-80 FOR COMPRESSOR", NO, "8421399000"),
    ("LED LAMP T4 20W", NO, "9405420000"),
    ("SPRING STEEL WIRE L40 0.8MM", NO, "7217100000"),
    ("V100 SERVO MOTOR DRIVER", NO, "8504409000"),
    ("B200 BRAKE DISC", NO, "8708309900"),
    ("PUMP MODEL H20-80G", NO, "8413709000"),
    ("VALVE A800 DN80", NO, "8481809000"),
    ("MOTOR 48G L40 GEARBOX", NO, "8483409000"),
]
TYPOS_2: list[Probe] = [
    ("NVIDAI H800 80GB", "nvidia-h800-sxm"),
    ("NVIDA TESLA P40 24GB", "nvidia-p40"),
    ("Nvidia H100SXM5", "nvidia-h100-sxm"),
    ("NVIDIA H2OO 141GB", "nvidia-h200"),
    ("AMD MI3OOX", "amd-mi300x"),
    ("HUAWEI ASCEND 91OC", "huawei-ascend-910c"),
    ("NVIDIA A8OO 80G", "nvidia-a800"),
    ("GEFORCE RTX 5O90", "nvidia-rtx-5090"),
    ("Nvidia Tesla v-100", "nvidia-v100-sxm2"),
    ("NVIDIA H 200 141G", "nvidia-h200"),
    ("NVIDIA B 200", "nvidia-b200"),
    ("AMD MI 300X", "amd-mi300x"),
    ("ＡＭＤ　ＭＩ３００Ｘ", "amd-mi300x"),
    ("NVlDIA A800", "nvidia-a800"),
    ("NVIDIA GPU A1OO", "nvidia-a100"),
]
TYPOS_2_NEG: list[Probe] = [
    ("H2O2 hydrogen peroxide 35%", NO, "2847000000"),
    ("A1OO mounting bolt", NO, "7318159000"),
    ("GPU H2OO module", NO),
    ("model B 200 bicycle", NO, "8712003000"),
    ("class A 100 fire extinguisher", NO, "8424100000"),
    ("AMD RYZEN 9 7950X", NO),
    ("tesla coil kit 100W", NO),
    ("NVIDIA H100 cooling fan", NO),
]
CONTEXT_2: list[Probe] = [
    ("GPU模组 H800", "nvidia-h800-sxm"),
    ("计算卡 A100 80G", "nvidia-a100"),
    ("H100 加速卡", "nvidia-h100-sxm"),
    ("Tesla P100 16GB", "nvidia-p100-pcie"),
    ("Hopper H200 SXM", "nvidia-h200"),
    ("Ampere A30", "nvidia-a30"),
    ("B200 Blackwell GPU", "nvidia-b200"),
    ("Instinct MI250", "amd-mi250"),
    ("accelerator card MI100", "amd-mi100"),
    ("NPU 910B", "huawei-ascend-910b"),
    ("昇腾 910B 模组", "huawei-ascend-910b"),
]
CONTEXT_2_NEG: list[Probe] = [
    ("Ampere 30A breaker", NO, "8536200000"),
    ("Instinct eau de parfum 100ml", NO),
    ("Tesla Model S P100D battery", NO, "8507600000"),
    ("Hopper dredger spare parts", NO, "8430490000"),
]
WORDING_2: list[Probe] = [
    ("AI compute card", ACC),
    ("AI computing power card", ACC),
    ("GPU computing accelerator card", ACC),
    ("inference accelerator module", ACC),
    ("high-performance AI processor module", ACC),
    ("intelligent computing card", ACC),
    ("AI training server 8 GPU", ACC),
    ("深度学习加速卡", ACC),
    ("大模型训练服务器", ACC),
    ("AI推理加速卡", ACC),
    ("ИИ-ускоритель для дата-центра", ACC),
    ("ускоритель для нейросетей", ACC),
    ("серверный GPU-ускоритель", ACC),
    ("AI 반도체 칩", ACC),
    ("データセンター向けGPU", ACC),
    ("bộ xử lý AI cho máy chủ", ACC),
    ("yapay zeka işlemcisi", ACC),
    ("procesador de IA para servidores", ACC),
    ("chip de inteligência artificial", ACC),
    ("معالج ذكاء اصطناعي", ACC),
    ("AI accelerator PCIe card", ACC),
    ("tensor processing unit", ACC),
    ("neural network processor card", ACC),
    ("machine-learning inference card", ACC),
]
WORDING_2_NEG: list[Probe] = [
    ("AI smart lock", NO),
    ("AI baby monitor", NO),
    ("AI-enabled dashcam", NO),
    ("AI translation pen", NO),
    ("AI robot lawn mower", NO, "8433110000"),
    ("AI pet feeder", NO),
    ("AI fitness mirror", NO),
    ("AI hearing aid", NO, "9021400000"),
    ("AI-powered printer", NO),
    ("smart TV with AI processor", NO),
    ("phone with AI chip", NO),
    ("AI PC laptop NPU 45 TOPS", NO),
    ("AI story machine toy", NO, "9503009000"),
    ("GPU-Z software license", NO),
    ("3D graphics workstation monitor", NO, "8528520000"),
]
SERVERS_2: list[Probe] = [
    ("AI server with 8x NVIDIA GPUs", ACC),
    ("GPU computing server 4U", ACC),
    ("deep learning workstation 4 GPU", ACC),
    ("HGX 8-GPU server", ACC),
    ("inference server with 2 accelerators", ACC),
    ("服务器 8卡 GPU", ACC),
    ("GPU算力服务器", ACC),
    ("сервер с 8 GPU", ACC),
    ("liquid-cooled GPU rack", ACC),
]
SERVERS_2_NEG: list[Probe] = [
    ("storage server 24 bay", NO),
    ("1U rack server Xeon", NO),
    ("server barebone, GPUs not included", NO),
    ("GPU server chassis without GPUs", NO),
    ("server motherboard", NO),
    ("empty GPU chassis 4U", NO),
]
PARTS_2_NEG: list[Probe] = [
    ("PCIe riser cable for GPU server", NO),
    ("RTX 4090 water cooling block", NO),
    ("A100 heat sink assembly", NO),
    ("GPU power cable 8-pin for A100", NO),
    ("RTX 4090 anti-sag bracket", NO),
    ("H100 SXM5 cold plate kit", NO),
    ("thermal paste for GPU", NO),
    ("GPU backplate for RTX 4090 FE", NO),
    ("NVLink bridge 3-slot for A6000", NO),
    ("fan assembly for DGX H100", NO),
    ("spare fan module for HGX H100", NO),
    ("dummy GPU for server airflow", NO),
    ("GPU blank filler for XE9680", NO),
    ("gift box for RTX 4090", NO),
    ("RTX 4090 keychain", NO),
    ("H100 PCB only", NO),
    ("SXM4 to PCIe adapter board for A100", NO),
]
PARTS_2_POS: list[Probe] = [
    ("NVIDIA H100 80GB PCIe with cooling fan", "nvidia-h100-pcie"),
    ("RTX 4090 24GB with bracket", "nvidia-rtx-4090"),
    ("A100 SXM4 module with heatsink", "nvidia-a100"),
    ("RTX 4090 graphics card, 3 fans", "nvidia-rtx-4090"),
]

# Third wave: scripts and forms mixed on one line, lists of models, and the same classes in
# the other languages of trade (accessories, consumer "AI" devices, servers).
MIXED_3: list[Probe] = [
    ("Ｈ１００　ＧＰＵ　８０ＧＢ", "nvidia-h100-sxm"),
    ("英伟达Ａ１００显卡", "nvidia-a100"),
    ("ускоритель А100 80 ГБ", "nvidia-a100"),  # Cyrillic A
    ("видеокарта Н20 96 ГБ", "nvidia-h20"),  # Cyrillic En
    ("УСКОРИТЕЛЬ NVIDIA H100 80ГБ", "nvidia-h100-sxm"),
    ("GPU (H100)", "nvidia-h100-sxm"),
    ("GPU [A100 80GB]", "nvidia-a100"),
    ("H100/A100/H800 GPUs", "nvidia-h100-sxm"),
    ("H100、A100芯片", "nvidia-h100-sxm"),
    ("H100及A100芯片", "nvidia-h100-sxm"),
    ("чипы H100 и A100", "nvidia-h100-sxm"),
    ("HS CODE 8473.30 GPU H100", "nvidia-h100-sxm"),
    ("8542310000 IC H20", "nvidia-h20"),
    ("Nvidia graphic processing unit H100 for datacenter", "nvidia-h100-sxm"),
    ("엔비디아 H100 GPU 8개", "nvidia-h100-sxm"),
    ("エヌビディアH100 8枚", "nvidia-h100-sxm"),
    ("Card đồ họa NVIDIA A100 80GB", "nvidia-a100"),
    ("Ekran kartı NVIDIA RTX 4090", "nvidia-rtx-4090"),
    ("Tarjeta gráfica NVIDIA H100 80GB", "nvidia-h100-sxm"),
    ("بطاقة رسومات NVIDIA H100", "nvidia-h100-sxm"),
    ("NVIDIA H100 ग्राफिक्स कार्ड", "nvidia-h100-sxm"),
]
MIXED_3_NEG: list[Probe] = [
    ("NVIDIA H100 散热器", NO),
    ("ヒートシンク NVIDIA H100用", NO),
    ("NVIDIA H100 방열판", NO),
    ("NVIDIA RTX 4090 ファン", NO),
    ("кулер для RTX 4090", NO),
    ("soporte para RTX 4090", NO),
    ("ventilador para tarjeta gráfica RTX 4090", NO),
    ("refroidisseur pour RTX 4090", NO),
    ("Kühler für RTX 4090", NO),
    ("AI 스피커", NO),
    ("AIカメラ", NO),
    ("loa thông minh AI", NO),
    ("cámara con IA", NO),
    ("telefone com IA", NO),
    ("кондиционер с ИИ", NO, "8415101000"),
    ("AI智能音箱", NO),
    ("AI翻译机", NO),
    ("服务器机柜 42U", NO),
    ("сервер без видеокарт", NO),
    ("服务器 不含GPU", NO),
    ("GPU服务器准系统 不含显卡", NO),
]

# Fourth wave: classes the fifth real-world dev part showed (probes written here, none of its
# text): qualifiers after the noun and export-control wording in Spanish, Portuguese and
# French; what a card is for after a preposition; supercomputers in other languages;
# superlatives; typographic apostrophes; Japanese qualifiers with a maker between; plural and
# spaced system names.
ROMANCE_4: list[Probe] = [
    ("GPU de gama alta", ACC),
    ("aceleradores de última generación", ACC),
    ("chips NVIDIA avanzados", ACC),
    ("procesadores Huawei de alto rendimiento", ACC),
    ("puces Nvidia haut de gamme", ACC),
    ("cartes graphiques avancées", ACC),
    ("GPUs sujetas a control de exportación", ACC),
    ("chips de Nvidia sujetos a controles", ACC),
    ("puces NVIDIA soumises au contrôle des exportations", ACC),
    ("processadores NVIDIA sujeitos a controle de exportação", ACC),
    ("placas de vídeo para treinamento de inteligência artificial", ACC),
    ("GPUs destinadas al desarrollo de inteligencia artificial", ACC),
    ("cartes graphiques destinées à l’intelligence artificielle", ACC),
    ("supercomputadoras con GPU", ACC),
    ("superordinateurs", ACC),
    ("supercomputador para IA", ACC),
    ("the most powerful AI chips", ACC),
    ("Nvidia’s most advanced chips", ACC),
    ("最先端のNVIDIA製GPU", ACC),
    ("高性能な米国製GPU", ACC),
    ("PowerEdge XE9680s, used", ACC),
    ("Dell XE 9680 server", ACC),
    ("NF 5688M7 服务器", ACC),
    ("Nvidia’s H100 GPUs", "nvidia-h100-sxm"),
]
ROMANCE_4_NEG: list[Probe] = [
    ("chips de alta gama para teléfonos", NO),
    ("procesadores AMD de alto rendimiento", NO),
    ("procesadores Intel avanzados", NO),
    ("cartes d’affichage d’ordinateur", NO),
    ("carte vidéo 2 Go", NO),
    ("tarjetas de memoria de alta gama", NO),
    ("ordenador portátil con GPU de gama alta", NO),
    ("the most advanced washing machine", NO, "8450111000"),
    ("most powerful vacuum cleaner", NO),
    ("chips de patata", NO, "2005200000"),
    ("superordenador de juguete", NO, "9503009000"),
]

# Fifth wave: the qualifier class in the other languages of trade (languages.yaml
# `qualifier`): advanced, high-end, cutting-edge or restricted chips, GPUs and accelerators.
QUALIFIED_5: list[Probe] = [
    ("zaawansowane chipy Nvidia", ACC),
    ("fortschrittliche Chips von Nvidia", ACC),
    ("geavanceerde chips", ACC),
    ("chip avanzati per data center", ACC),
    ("GPU di fascia alta", ACC),
    ("gelişmiş çipler", ACC),
    ("yüksek performanslı GPU", ACC),
    ("chip tiên tiến của Nvidia", ACC),
    ("chip canggih Nvidia", ACC),
    ("رقائق متقدمة", ACC),
    ("تراشه های پیشرفته", ACC),
    ("שבבים מתקדמים", ACC),
    ("उन्नत चिप", ACC),
    ("ชิปขั้นสูง", ACC),
    ("προηγμένα τσιπ", ACC),
    ("передові чипи", ACC),
    ("sanktionierte Chips", ACC),
    ("puces interdites", ACC),
]
QUALIFIED_5_NEG: list[Probe] = [
    ("zaawansowane procesory Intel", NO),
    ("fortschrittliche Waschmaschine", NO, "8450111000"),
    ("gelişmiş telefon", NO),
    ("canggih laptop", NO),
    ("chip di patate", NO, "2005200000"),
    ("avanzate schede madri", NO),
    ("tarjetas SIM avanzadas", NO, "8523520000"),
]

# Sixth wave: enforcement and news phrasing in the languages of trade, written after the fifth
# wave passed and measured before any change aimed at it.
NEWS_6: list[Probe] = [
    ("servidores equipados con GPU de Nvidia", ACC),
    ("servidores de inteligencia artificial", ACC),
    ("chips de IA de Nvidia", ACC),
    ("processeurs graphiques Nvidia de pointe", ACC),
    ("serveurs d’IA équipés de puces Nvidia", ACC),
    ("unità di elaborazione grafica avanzate", ACC),
    ("KI-Server mit Nvidia-GPUs", ACC),
    ("Hochleistungs-KI-Chips", ACC),
    ("先進的なAI半導体", ACC),
    ("AI用の高性能GPU", ACC),
    ("米エヌビディア製の先端半導体", ACC),
    ("고성능 AI 칩", ACC),
    ("엔비디아 AI 가속기", ACC),
    ("輝達高階晶片", ACC),
    ("先進AI晶片", ACC),
    ("受出口管制的輝達晶片", ACC),
    ("英伟达高端显卡", ACC),
    ("передовые графические процессоры Nvidia", ACC),
    ("серверы с ускорителями Nvidia", ACC),
    ("AI servers containing restricted Nvidia chips", ACC),
    ("export-controlled graphics processing units", ACC),
    ("servers loaded with Nvidia accelerators", ACC),
    ("Supermicro servers with Nvidia H100 GPUs", "nvidia-h100-sxm"),
    ("8枚のH100を搭載したサーバー", "nvidia-h100-sxm"),
    ("配备H20芯片的服务器", "nvidia-h20"),
    ("tarjetas Nvidia H20", "nvidia-h20"),
    ("puces H800 de Nvidia", "nvidia-h800-sxm"),
    ("Nvidia-Chips vom Typ H20", "nvidia-h20"),
]
NEWS_6_NEG: list[Probe] = [
    ("servidores de correo electrónico", NO),
    ("puces électroniques pour cartes bancaires", NO),
    ("tarjetas gráficas para videojuegos", NO),
    ("AI搭載スマートフォン", NO),
    ("AI 기능 노트북", NO),
    ("AI功能手机", NO),
    ("Server-Racks ohne GPUs", NO),
    ("gaming graphics card GTX 1660", NO),
    ("used graphics cards from mining farm", NO),
    ("ordinateurs portables avec puce IA", NO),
    ("先端半導体製造装置", NO, "8486200000"),
    ("高端芯片手机", NO),
    ("첨단 반도체 장비", NO, "8486200000"),
    ("processeurs graphiques intégrés", NO),
]

CLASSES: dict[str, list[Probe]] = {
    "layout": LAYOUT,
    "layout_neg": LAYOUT_NEG,
    "typos": TYPOS,
    "typos_neg": TYPOS_NEG,
    "context": CONTEXT,
    "context_neg": CONTEXT_NEG,
    "wording": WORDING,
    "wording_neg": WORDING_NEG,
    "servers": SERVERS,
    "servers_neg": SERVERS_NEG,
    "parts_neg": PARTS_NEG,
    "parts_pos": PARTS_POS,
    "layout_2": LAYOUT_2,
    "layout_2_neg": LAYOUT_2_NEG,
    "typos_2": TYPOS_2,
    "typos_2_neg": TYPOS_2_NEG,
    "context_2": CONTEXT_2,
    "context_2_neg": CONTEXT_2_NEG,
    "wording_2": WORDING_2,
    "wording_2_neg": WORDING_2_NEG,
    "servers_2": SERVERS_2,
    "servers_2_neg": SERVERS_2_NEG,
    "parts_2_neg": PARTS_2_NEG,
    "parts_2_pos": PARTS_2_POS,
    "mixed_3": MIXED_3,
    "mixed_3_neg": MIXED_3_NEG,
    "romance_4": ROMANCE_4,
    "romance_4_neg": ROMANCE_4_NEG,
    "qualified_5": QUALIFIED_5,
    "qualified_5_neg": QUALIFIED_5_NEG,
    "news_6": NEWS_6,
    "news_6_neg": NEWS_6_NEG,
}


@pytest.mark.parametrize("name", list(CLASSES))
def test_class(refs: References, name: str) -> None:
    probes = CLASSES[name]
    got = outcomes(refs, probes)
    failed = [(p[0], g) for p, g in zip(probes, got, strict=True) if not passes(p, g)]
    assert not failed, failed


# The glue and quote rules of textnorm change what both resolvers read; Python's ``re`` (the
# aliases, the one-text path) and Polars must read them alike. The whole assigned range was
# compared once (docs/benchmarks.md, sixth round); here the blocks where the engines' word and
# case rules part (both_resolvers.TWIN_BLOCKS).
TWIN_TEMPLATES = ["nvidia{}h100", "{}nvidiah100", "h100{}gpu", "h100gpu{}", "a{}.100", "a.100{}"]
TWIN_TEMPLATES += ["{}a.100", "tesla{}v100", "dell{}s", "0 a{}", "{}h-100 x 8"]


def test_glue_and_quote_rules_read_alike_in_python_and_polars() -> None:
    differ = normalisation_differs(TWIN_TEMPLATES)
    # The dash rule (before this round) reads a combining mark before "h-100" apart, with
    # ``\b``; the one-text path declines such texts (row_text.CharOracle).
    assert all(t.endswith("h-100 x 8") for t, _, _ in differ), differ[:5]
