"""Text normalisation shared by the resolver and rules: one definition of "the same words".

NFKC folds full-width letters and digits ("ＲＴＸ４０９０" -> "RTX4090"); lower-casing and
collapsing punctuation to spaces keeps model numbers whole ("h100-sxm5-80gb" -> "h100 sxm5 80gb").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import polars as pl

# A lone letter after a number is a model suffix: "4090 d" -> "4090d", "l40 s" -> "l40s". Not
# the vowels and "y": they are the one-letter conjunctions of the languages of trade between two
# numbers ("H100 y H200", "A40 e A100", "H100 a H200", "A30 o A40", "L40S i H100"; ninth round),
# and no catalogued suffix is written apart from its number in any labelled line.
_SUFFIX_LETTERS = "[b-df-hj-np-tv-xz]"
_SUFFIX = rf"(\d) ({_SUFFIX_LETTERS})\b"
# Python's twin of that pattern: the letter must not be followed by a word character *as Polars'
# regex engine reads one* (Unicode \w: letters, marks, decimal digits, connector punctuation,
# letter numbers, join controls and a few alphabetic symbols). Python's own \b counts numerals
# such as "½" as word characters and combining marks as not, so "0 d\u1a55" joined here alone.
_SUFFIX_PY = re.compile(rf"(\d) ({_SUFFIX_LETTERS})(?=(.)|$)", re.DOTALL)
_ALPHABETIC_SYMBOLS = ((0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))
# A letter of any script but Latin next to Latin letters or digits gets a space, so "英伟达h20",
# "ชิปH100" and "чипН100" still have the word "h100": Han, kana and Hangul (Japanese and Korean glue
# particles to a model number, "H100などの", "H20급"), and Greek, Cyrillic, Armenian, Hebrew,
# Arabic (with its presentation forms), Syriac, Thaana, the Indic scripts, Thai, Lao, Tibetan,
# Myanmar, Georgian, Ethiopic, Khmer and Mongolian. Code point ranges, not Unicode script classes,
# so that Python's ``re`` and Polars read the one class alike. Cyrillic look-alikes before a digit
# ("Н100") are made Latin *before* this split (:data:`_HOMOGLYPHS`), so they stay in the number.
_CJK = (
    "\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u0590-\u05ff\u0600-\u06ff\u0700-\u07bf"
    "\u0800-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u10a0-\u10ff\u1200-\u139f"
    "\u1780-\u18af\u1c90-\u1cbf\u1f00-\u1fff\u2d00-\u2d2f\ufb1d-\ufdff\ufe70-\ufefe"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
)
_CJK_LATIN = f"([{_CJK}])([a-z0-9])"
_LATIN_CJK = f"([a-z0-9])([{_CJK}])"
# Chinese writes no spaces: a maker's Chinese name inside a run of Han ("含8块平头哥PPU",
# "阿里平頭哥PPU") gets a space before it, so its aliases ("平头哥 ppu") begin a word as they do
# after a Latin word. The names are the catalog makers' (vocabulary.yaml brand_words).
_HAN_MAKER = (
    "([\u3400-\u4dbf\u4e00-\u9fff])(英伟达|英偉達|輝達|辉达|华为|華為|平头哥|平頭哥|阿里|壁仞|"
    "寒武纪|寒武紀|燧原|海光|天数智芯|天數智芯|昆仑芯|昆侖芯|崑崙芯|沐曦|摩尔线程|摩爾線程|算能|瀚博|"
    "昇腾|昇騰)"
)
# Typographic quotes and apostrophes too ("Dell’s", "d’affichage", «…», „…“): a word break,
# as the ASCII apostrophe is; and the typographic hyphens and dashes ("GPU‑centric" with a
# non-breaking hyphen; ninth round), as the ASCII hyphen is. Those inside a model number
# ("H‑100") were joined before (:data:`_LETTER_DASH_DIGIT`). The CJK corner, book-title and
# angle brackets and quotes (「ATOM」, 《RNGD》, 〝H100〞) are quotes of East Asian text: a product
# name inside them is read as without them.
_PUNCT = (
    r"[\x00-\x1f\x7f\s_/\\,;:|()\[\]{}\"'+*#!?<>=~`·，。、；：（）【】‘’‚‛“”„‟‹›«»‐‑‒–—―−"
    r"「」『』《》〈〉〔〕〖〗〝〞〟]+"
)
# A possessive "'s" after a Latin word or number is no word of its own ("Groq's LPU", "NVIDIA’s
# H20"): left as a lone "s", it sat between a maker and its product's name, so the maker's
# aliases ("groq language processing unit") did not match. Read before the apostrophe becomes a
# space, the same way in the three normalisers.
_POSSESSIVE = r"([a-z0-9])['’]s\b"


def normalise_text(s: str) -> str:
    """Python twin of :func:`normalise_expr`, for aliases loaded once (not a hot path)."""
    s = unicodedata.normalize("NFKC", s).lower()
    s = re.sub(_PUNCT, " ", re.sub(_POSSESSIVE, r"\1", s))
    s = s.replace("-", " ")
    s = re.sub(_CJK_LATIN, r"\1 \2", s)
    s = re.sub(_LATIN_CJK, r"\1 \2", s)
    s = re.sub(_HAN_MAKER, r"\1 \2", s)
    s = re.sub(r"\s+", " ", s).strip()
    return _SUFFIX_PY.sub(_join_suffix, s)


def _join_suffix(m: re.Match[str]) -> str:
    after = m.group(3)
    return m.group(0) if after is not None and _regex_word_char(after) else m.group(1) + m.group(2)


def _regex_word_char(c: str) -> bool:
    """Whether the Rust regex engine behind Polars counts ``c`` as a word character."""
    category = unicodedata.category(c)
    if category[0] in "LM" or category in ("Nd", "Nl", "Pc") or c in "\u200c\u200d":
        return True
    return any(lo <= ord(c) <= hi for lo, hi in _ALPHABETIC_SYMBOLS)


def normalise_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised normalisation; callers apply it to *distinct* values only."""
    return (
        expr.str.normalize("NFKC")
        .str.to_lowercase()
        .str.replace_all(_POSSESSIVE, "${1}")
        .str.replace_all(_PUNCT, " ")
        .str.replace_all("-", " ", literal=True)
        .str.replace_all(_CJK_LATIN, "${1} ${2}")
        .str.replace_all(_LATIN_CJK, "${1} ${2}")
        .str.replace_all(_HAN_MAKER, "${1} ${2}")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .str.replace_all(_SUFFIX, "${1}${2}")
    )


def squeeze(s: str) -> str:
    """Alias variant without the space between letters and digits ("rtx 4090" -> "rtx4090")."""
    return re.sub(r"([a-z]) (\d)", r"\1\2", s)


def normalise_part_number(expr: pl.Expr) -> pl.Expr:
    """Part numbers compare without spaces, case-insensitively."""
    return expr.str.normalize("NFKC").str.to_uppercase().str.replace_all(r"\s+", "")


# "H-100" / "RTX-4090" -> "h100" / "rtx4090": a dash between a letter and a digit is a spelling of
# the model number, not a word break (digit-dash-digit, as in "10DE-2329", stays a break).
# Word processors' hyphens too (U+2010 hyphen, U+2011 non-breaking hyphen, U+2012 figure dash,
# en dash, minus sign): "H‑100" in a ruling's text.
# The letters start at the text's start or after anything but a Latin letter or digit, not at a
# word boundary: Han glued before them is a word character ("超级计算机DGX-1V" reads "dgx1v").
_LETTER_DASH_DIGIT = r"(?i)(^|[^a-z0-9])([a-z]{1,3})[-\u2010\u2011\u2012\u2013\u2212](\d)"


# "H20 x 4" is a count, not the model suffix "x" of :data:`_SUFFIX` ("MI300 X" -> "mi300x"); so
# is "KR9288 x3", written apart. A letter-digit suffix glued by a dash ("KR9288-X3", "MLU370-X8")
# is part of the name: it loses its dash later, as a word break, and is not read as a count.
_TIMES = r"(?i)(\d)\s+x\s*(\d)"

# The product lines a maker's name is glued to (see :data:`_GLUED`): the catalog's family and
# line names that follow the maker in its aliases.
_PRODUCT_LINES = (
    "radeon|instinct|tesla|quadro|geforce|rtx|titan|dgx|hgx|ascend|atlas|gaudi|arc|ppu|"
    "hanguang|inferentia|trainium|mlu|kunlun|xisi|xiyun|cloudblazer|colossus|mtt|data center|"
    "rubin|blackwell|hopper|sophon|speedai|runai|tpu|sohu|metis|matrix"
)

# Trade records glue words to a model number and OCR drops spaces: a brand run into the number
# ("NVIDIAH100", "TESLAV100"), the number run into the word after it ("H100GPU", "A100PCIE",
# "H100NVL", "8473301890GPU"), and a dot typed for the dash ("A.100"). Each is (pattern, the
# Polars replacement, the ``re`` replacement), applied in order after the dash rule. Bounded by
# ASCII classes, not ``\b`` (the engines' ``\w`` differ on combining marks), so both read them
# alike; case is folded only in the words, where the two differ on the dotless i alone (the
# one-text path refuses the non-ASCII letters that fold to ASCII).
_GLUED = (
    # Any catalogued maker's name run into a model number ("AMDMI300X", "AlibabaPPU",
    # "CambriconMLU370") or into its product line ("AMDRadeon", "NVIDIATesla", "AWSTrainium"):
    # the maker apart, as "NVIDIA H100" is read. Only before a number or a product-line word,
    # so "intelligence" or "amdahl" stay whole.
    (
        r"(^|[^A-Za-z0-9])((?i:nvidia|amd|intel|huawei|alibaba|aws|biren|cambricon|enflame|"
        r"hygon|iluvatar|kunlunxin|metax|sophgo|vastai|graphcore|sambanova|tenstorrent|"
        r"rebellions|furiosa(?:ai)?|qualcomm|groq|cerebras|untether|google|etched|axelera|nudt))([A-Za-z]{0,3}\d|(?i:"
        + _PRODUCT_LINES
        + "))",
        "${1}${2} ${3}",
        r"\g<1>\g<2> \g<3>",
    ),
    # A maker's name in title case run into a capitalised model name ("CerebrasWSE-3",
    # "GraphcoreBow", "d-MatrixCorsair", "Moore ThreadsMTT"): apart at the change of case only,
    # so an all-capitals line ("INTELLIGENCE") is not cut.
    (
        r"(^|[^A-Za-z0-9])(Nvidia|Intel|Huawei|Alibaba|Biren|Cambricon|Enflame|Hygon|Iluvatar|"
        r"Kunlunxin|Sophgo|Vastai|Graphcore|SambaNova|Tenstorrent|Rebellions|FuriosaAI|Furiosa|"
        r"Qualcomm|Groq|Cerebras|Untether|Matrix|Threads|Google|Etched|Axelera)([A-Z])",
        "${1}${2} ${3}",
        r"\g<1>\g<2> \g<3>",
    ),
    # Also Supermicro's GPU option SKUs, NV glued to the model number ("GPU-NVA100-80"), the
    # RTX A-series number run into RTX ("RTXA6000"; "RTX4090" is read as written), and a GPU
    # count the dash rule joined to GPU ("GPU-8卡" -> "gpu8" -> "GPU 8").
    (
        r"(^|[^A-Za-z0-9])(?:((?i:nvidia|geforce|tesla|quadro|radeon|instinct|gpu[-_ ]?nv))"
        r"([A-Za-z]{0,2}\d)|((?i:rtx))((?i:a)\d{4})|((?i:gpus?))(\d{1,2})($|[^A-Za-z0-9]))",
        "${1}${2}${4}${6} ${3}${5}${7}${8}",
        r"\g<1>\g<2>\g<4>\g<6> \g<3>\g<5>\g<7>\g<8>",
    ),
    # A count glued to a model number, before or after it ("8xH100", "H100x8", "H20X8"): the
    # count apart, as "8x H100" and "H100 x 8" are read (recognise/counts.py). After the number
    # only for one or two series letters: "MLU370X8" is a model (the MLU370-X8).
    (
        r"(^|[^A-Za-z0-9])(?:([1-9]\d?)[xX×]([A-Za-z]{1,3}\d)|([A-Za-z]{1,2}\d{2,4})[xX×]"
        r"([1-9]\d?)($|[^A-Za-z0-9]))",
        "${1}${2}${4} x ${3}${5}${6}",
        r"\g<1>\g<2>\g<4> x \g<3>\g<5>\g<6>",
    ),
    # A datacenter memory size glued after a model number's letters ("L40S48G", "H800PCIe80G",
    # "SXM480GB"): the size apart, so the model and form words before it are whole. Only after
    # letters that follow a digit (never "A40G" or "VR288GB" alone).
    (
        r"(\d[A-Za-z]+|(?i:sxm)[2-6])((?:40|48|80|94|96|141|144|180|192|288)(?i:gb?))"
        r"($|[^A-Za-z0-9])",
        "${1} ${2}${3}",
        r"\g<1> \g<2>\g<3>",
    ),
    (
        r"(\d)((?i:gpus?|graphics|cards?|modules?|chips?|pcie|sxm\d?|nvl|ada|ai))"
        r"($|[^A-Za-z0-9])",
        "${1} ${2}${3}",
        r"\g<1> \g<2>\g<3>",
    ),
    # NVIDIA's board numbers carry the board's project number (699-2G133-..., 900-21001-...
    # are the boards printed PG133 and P1001, numbers.board_names): written partly or with
    # spaces, the project number is read as that board name, its SKU and revision kept apart.
    (
        r"(^|[^A-Za-z0-9])(?:699|900|692|695)[- ]?2([Gg]\d{3}|\d{4})"
        r"(?:[- ]([0-9A-Za-z]{4})(?:[- ]([0-9A-Za-z]{3}))?)?($|[^A-Za-z0-9])",
        "${1}P${2} ${3} ${4}${5}",
        r"\g<1>P\g<2> \g<3> \g<4>\g<5>",
    ),
    (
        r"(^|[^A-Za-z0-9])([A-Za-z]{1,2})\.(\d{2,4})($|[^A-Za-z0-9])",
        "${1}${2}${3}${4}",
        r"\g<1>\g<2>\g<3>\g<4>",
    ),
)


# Cyrillic letters that look Latin, typed in a model number ("Н100" with a Cyrillic En): only
# directly before a digit, so Russian words stay Russian.
_HOMOGLYPHS = {"А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "Т": "T"}


# Trademark signs, a word break: NFKC would make "H100™" "H100TM" (product pages and
# listings write "NVIDIA® H100™", "Intel® Gaudi® 3").
MARKS = "[™®©℠]"

# Arabic-Indic, Persian (Extended Arabic-Indic) and Bengali digits as ASCII: Arabic, Persian,
# Urdu and Bengali texts write a model number's digits in their own script ("H۲۰", "B٢٠٠"), and
# NFKC leaves them as they are. One table for both engines.
_NATIVE_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹০১২৩৪৫৬৭৮৯"
_ASCII_DIGITS = "0123456789" * 3
DIGIT_TABLE = str.maketrans(_NATIVE_DIGITS, _ASCII_DIGITS)


# Cached: the resolver's build normalises the catalog's names (its aliases, makers, system names)
# in several tables, 12,666 calls on 2,134 distinct names at 338 models, a third of the build's
# CPU, which every screen pays before its first line. Bounded, should a caller pass line texts.
@lru_cache(maxsize=1 << 14)
def normalise_model_text(s: str) -> str:
    """:func:`normalise_text` for the resolver: model numbers written with a dash join up."""
    s = unicodedata.normalize("NFKC", re.sub(MARKS, " ", s)).translate(DIGIT_TABLE)
    s = re.sub(_LETTER_DASH_DIGIT, r"\1\2\3", s)
    for pattern, _, repl in _GLUED:
        s = re.sub(pattern, repl, s)
    if re.search(HOMOGLYPH_BEFORE_DIGIT, s):  # one search instead of eight passes, mostly
        for cyr, lat in _HOMOGLYPHS.items():
            s = re.sub(rf"(?i){cyr}(\d)", rf"{lat}\1", s)
    return normalise_text(re.sub(_TIMES, r"\1 × \2", s))


# Any homoglyph before a digit, with the same case rules as the replacements: a text it does not
# match is left unchanged by every one of them.
HOMOGLYPH_BEFORE_DIGIT = "(?i)[" + "".join(_HOMOGLYPHS) + "]\\d"


def model_spelling_expr(expr: pl.Expr) -> pl.Expr:
    """The first steps of :func:`normalise_model_expr`: dashes in model numbers, glued words
    (:data:`_GLUED`), "x" counts."""
    expr = expr.str.replace_all(MARKS, " ").str.normalize("NFKC")
    expr = expr.str.replace_many(list(_NATIVE_DIGITS), list(_ASCII_DIGITS))
    expr = expr.str.replace_all(_LETTER_DASH_DIGIT, "${1}${2}${3}")
    for pattern, repl, _ in _GLUED:
        expr = expr.str.replace_all(pattern, repl)
    return expr.str.replace_all(_TIMES, "${1} × ${2}")


def homoglyph_expr(expr: pl.Expr) -> pl.Expr:
    """Cyrillic look-alikes before a digit made Latin: one pass per letter, so callers with many
    texts run it only where :data:`HOMOGLYPH_BEFORE_DIGIT` matches."""
    for cyr, lat in _HOMOGLYPHS.items():
        expr = expr.str.replace_all(f"(?i){cyr}(\\d)", f"{lat}${{1}}")
    return expr


def normalise_model_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised twin of :func:`normalise_model_text`."""
    return normalise_expr(homoglyph_expr(model_spelling_expr(expr)))


def normalise_model_frame(t: pl.DataFrame, raw: pl.Expr) -> pl.DataFrame:
    """``t`` with ``__norm``, :func:`normalise_model_expr` of ``raw``: the homoglyph passes
    run only on the texts where :data:`HOMOGLYPH_BEFORE_DIGIT` matches (row order not kept)."""
    t = t.with_columns(model_spelling_expr(raw).alias("__norm"))
    cyr = pl.col("__norm").str.contains(HOMOGLYPH_BEFORE_DIGIT)
    return pl.concat(
        [t.filter(~cyr), t.filter(cyr).with_columns(homoglyph_expr(pl.col("__norm")))]
    ).with_columns(normalise_expr(pl.col("__norm")))
