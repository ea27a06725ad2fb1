"""The name comparison: two normalised names -> a score in [0, 1] and the features behind it.

Like nomenklatura's matchers it is a few small features, each explained to the analyst:

- ``nickname``: in person names, a nickname pairs with the name it stands for ("Bibi" /
  "Benjamin", ``refdata/names/variants.yaml``) at NICKNAME_SIMILARITY.
- ``script_differs``: two person names written in Chinese, Japanese or Korean characters that
  differ in a character (and in their romanisation) are two people: the score is capped at
  SCRIPT_CAP ("习近朋" / "习近平"; "習近平" / "习近平" romanise alike and are not capped).
- ``skeleton``: a person or firm named in Arabic script against a Latin spelling: a token with
  at most one vowel pairs at SKELETON_SIMILARITY with a token of the same consonants
  ("معمر القذافي" -> "mamr al qdhafy" / "Muammar Gaddafi"; ``scripts.skeleton``).
- ``variants``: spellings of one name rewritten alike before comparing (``names.py``,
  ``refdata/names/variants.yaml``): Arabic romanisations
  ("Husayn" / "Hussein"), Wade-Giles syllables ("Hsi Chin-ping" / "Xi Jinping"), country names
  ("U.S." / "United States").
- ``compact_equal``: the names agree once spaces are ignored ("XIN YUAN" / "Xinyuan").
- ``joined``: two words of one name are one word of the other ("Teng Hsiao-ping" / "Deng
  Xiaoping", "Abdul Rahman" / "Abdulrahman"), with other words around them: they are
  compared joined, when that scores higher.
- ``acronym``: outside person names, one name is a single word spelling the other's initials
  ("CCB" / "China Construction Bank"), the last letter possibly its legal form's ("SMIC" /
  "Semiconductor Manufacturing International Corporation"), with the initials of the small
  words the other is written with ("BOC" / "Bank of China"), or against a name that gives its
  acronym in brackets ("... Corporation (KMD)" / "KMD"; ``acronyms.py``): ACRONYM_SCORE.
- ``token_alignment``: tokens are paired best-first (reordering is free); a pair counts when the
  two tokens are within a typo budget that grows with their length (a swap of two letters is one
  edit), or one is the other's initial. The score is the length-weighted similarity of the paired
  tokens over the shorter name, a generic word ("Technology", "Trading") counting for less.
- ``distinct_tokens``: tokens that look alike but name something else never pair: two numbers
  (Roman numerals too, outside person names: "Fund III" / "Fund IV", IMO numbers), and two
  Chinese trade-name words that differ in a pinyin syllable ("Minghua" / "Minghui"; not in
  person names, where a given name's romanisation varies more than a firm's).
- ``patronymic_order``: both person names carry "bin"/"ibn": the given name pairs only with the
  given name ("Salman bin Muhammad" is not "Muhammad bin Salman").
- ``conflict``: both names keep unpaired tokens (a different surname, a different place): each
  costs a large share, since that is how near misses differ from their target.
- ``complementary``: in person names, each name keeps a part the other lacks, in different
  places (a middle name on one side, a second family name on the other): priced as ``extra``
  words of both names, not as a conflict (``complementary``).
- ``neutral``: in person names of 4+ parts, a title ("Sheikh", "Haji", "Mullah") that
  only one side keeps unpaired never conflicts with the other's extra name: both are ``extra``.
- ``extra``: only the longer name keeps unpaired tokens, each priced by what it is (per schema):
  a generic word or a dropped patronymic costs EXTRA_COST, a person's other name
  PERSON_EXTRA_COST, an organisation's distinctive word ORG_EXTRA_COST, a country
  QUALIFIER_COST (a subsidiary abroad), a number NUMBER_COST (another fund, another vessel);
  ``mononym``: a person named by one word only against a fuller name costs MONONYM_COST more.

Every cost is at least the one ``bound.py`` assumes, so its proven upper bound still holds.
The constants and the default threshold were chosen on the bench's ``synth_*`` case groups only
(docs/benchmarks.md, "Party screening"); the other groups are held out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from chipcustoms.parties.acronyms import initials, name_acronym, spells_initials
from chipcustoms.parties.learned import decide
from chipcustoms.parties.name_parts import complementary, neutral_only, roles
from chipcustoms.parties.names import (
    NormName,
    english_spelling,
    is_imo,
    join_words,
    joins,
    load_names_data,
    name_key,
    nickname_group,
    vocab,
)
from chipcustoms.parties.scripts import has_abjad, has_hangul, skeleton, vowel_poor

CONFLICT_COST = 0.25  # the bound's cost of a conflict; every conflict costs exactly this
EXTRA_COST = 0.06  # the bound's (and the least) cost of an extra token
PERSON_EXTRA_COST = 0.1
ORG_EXTRA_COST = 0.15  # synth sweep: 0.1-0.2 tie at GENERIC_WEIGHT 0.5
QUALIFIER_COST = 0.4
SCRIPT_CAP = 0.5  # person names in Han / Hangul that differ in a character (below any threshold)
MONONYM_COST = 0.2  # synth sweep: 0.15-0.3 tie (F1 0.896 -> 0.900 at 0.69)
NUMBER_COST = 0.35
INITIAL_SIMILARITY = 0.7
ACRONYM_SCORE = 0.85  # "CCB" / "China Construction Bank": likely, not certain
NICKNAME_SIMILARITY = 0.9  # "Bibi" / "Benjamin": one name, told apart from an exact spelling
TRANSLIT_SIMILARITY = 0.9  # "Yevgeny" / "Jewgeni"; never above NICKNAME_SIMILARITY (bound.py)
SKELETON_SIMILARITY = 0.8  # "qdhafy" / "gaddafi": the consonants agree, the vowels are unknown
GENERIC_WEIGHT = 0.5  # synth: 1.0 is one pair better; kept for distinctive words (issue 16)
DEFAULT_THRESHOLD = 0.69
VERSION = "names-v4"  # round 3 (names-v3 in docs/benchmarks.md) kept the v2 string
TYPO_POWER = 0.5
FAR_POWER = 3.0
MIN_SIMILARITY = 0.6
EXACT_SIMILARITY = 0.95  # above one edit in a word of up to 10 letters ((1 - 1/10) ** 0.5)
PINYIN_MIN_LENGTH = 6


@functools.cache
def _schema_kinds() -> dict[str, str]:
    return {str(k): str(v) for k, v in load_names_data()["schema_kinds"].items()}


@dataclass
class Comparison:
    score: float
    features: dict[str, object] = field(default_factory=dict)


def kind_of(schema: str | None) -> str:
    """``person``, ``vessel``, ``org``, or ``any`` when the schema is not known or may be a
    person or an organisation (FtM's LegalEntity): ``names.yaml``'s ``schema_kinds``, every
    other schema an organisation."""
    if not schema:
        return "any"
    return str(_schema_kinds().get(schema, "org"))


@functools.lru_cache(maxsize=200_000)
def token_weight(token: str) -> float:
    """A token's share of a name: its length, a generic word's (``generic_words``) cut to
    GENERIC_WEIGHT of it, so "Electronics" cannot make "Nordon Electronics" the same firm as
    "Orion Electronics"."""
    return len(token) * (GENERIC_WEIGHT if token in vocab("generic_words") else 1.0)


def _pair_weight(x: str, y: str) -> float:
    """An aligned pair's weight: 1 for an initial (it stands for one letter, not for the name
    it abbreviates: "A. I. Zhukov" is not "Alexey Ivanovich Belov"); the longer length, cut to
    GENERIC_WEIGHT when either side is a generic word (a misspelt "Semicondutcor" is still
    one). Never above ``max(token_weight(x), token_weight(y))``, which ``bound.py`` assumes."""
    if min(len(x), len(y)) == 1:
        return 1.0
    generic = vocab("generic_words")
    return max(len(x), len(y)) * (GENERIC_WEIGHT if x in generic or y in generic else 1.0)


def _budget(n: int) -> int:
    """Edits a token of length ``n`` may carry and still be the same word."""
    return 0 if n <= 3 else 1 if n <= 6 else 2 if n <= 10 else 3


def is_number(token: str, kind: str) -> bool:
    return token.isdigit() or (kind != "person" and token in vocab("roman_numerals"))


@functools.lru_cache(maxsize=200_000)
def syllables(token: str) -> tuple[str, ...] | None:
    """The pinyin syllables ``token`` spells (longest first, backtracking), or None."""
    known = vocab("pinyin_syllables")
    text = token.replace("zh", "z").replace("ch", "c").replace("sh", "s")
    plain = {s.replace("zh", "z").replace("ch", "c").replace("sh", "s") for s in known}

    @functools.cache
    def split(i: int) -> tuple[str, ...] | None:
        if i == len(text):
            return ()
        for j in range(min(len(text), i + 5), i, -1):
            if text[i:j] in plain and (rest := split(j)) is not None:
                return (text[i:j], *rest)
        return None

    return split(0)


def pinyin_differs(a: str, b: str) -> bool:
    """Both tokens, of 6 letters or more, spell two or more pinyin syllables, as many each, and
    not the same ones. Shorter words spell pinyin by chance too often ("chase" = cha-se)."""
    if min(len(a), len(b)) < PINYIN_MIN_LENGTH:
        return False
    sa, sb = syllables(a), syllables(b)
    if sa is None or sb is None or len(sa) != len(sb) or len(sa) < 2 or sa == sb:
        return False
    return not english_spelling(a, b)  # "defence" / "defense": one English word


@functools.lru_cache(maxsize=1_000_000)
def _token_similarity(a: str, b: str, kind: str = "any") -> float:
    """1 for the same token; within the typo budget, close to 1; further off, a partial credit
    that falls fast (the cube of the normalised similarity), so a swapped word still scores low.
    Numbers and differing pinyin words score 0: they are other names, not typos.
    """
    if a == b:
        return 1.0
    if is_number(a, kind) or is_number(b, kind) or a.isdigit() != b.isdigit():
        return 0.0
    if is_imo(a) or is_imo(b):  # an identifier: the same number or another vessel
        return 0.0
    if kind in ("person", "any") and (g := nickname_group(a)) and g == nickname_group(b):
        return max(NICKNAME_SIMILARITY, _token_similarity(a, b, "org"))
    if kind in ("person", "any") and (k := name_key(a)) and k == name_key(b):
        return max(TRANSLIT_SIMILARITY, _token_similarity(a, b, "org"))
    if len(a) == 1 or len(b) == 1:  # a firm's word is not initialled ("A Devices" is not
        # "Atlas Devices"); a person's given names are
        return INITIAL_SIMILARITY if a[0] == b[0] and kind in ("person", "any") else 0.0
    if kind != "person" and pinyin_differs(a, b):
        return 0.0
    d = OSA.distance(a, b)
    sim = 1.0 - d / max(len(a), len(b))
    if d <= _budget(min(len(a), len(b))):
        return float(sim**TYPO_POWER)
    return float(sim**FAR_POWER) if sim >= MIN_SIMILARITY else 0.0


def _distinct(x: str, y: str, kind: str) -> bool:
    """Tokens kept apart by a rule, not by spelling: two numbers, two pinyin words."""
    if (is_number(x, kind) and is_number(y, kind)) or (is_imo(x) and is_imo(y)):
        return True
    return kind != "person" and pinyin_differs(x, y)


def _extra_cost(token: str, kind: str, first: bool = False) -> float:
    """What one unpaired token of the longer name costs (never less than EXTRA_COST); ``first``:
    it opens its name, where a country is part of a registered name ("Korea Kumbyol Trading" /
    "Kumbyol Trading"), not the subsidiary abroad it is at the end ("Banco Santander Chile")."""
    if is_imo(token):  # one name gives the vessel's IMO number, the other does not
        return EXTRA_COST
    if is_number(token, kind):
        return NUMBER_COST
    if token in vocab("name_particles"):
        return EXTRA_COST
    if kind == "person":
        if token in vocab("person_titles"):
            return EXTRA_COST
        if len(token) == 1 or token.endswith(tuple(vocab("patronymic_endings"))):
            return EXTRA_COST  # an initial says no more than a patronymic ("Tarik Nasser S.")
        return PERSON_EXTRA_COST
    if token in vocab("generic_words"):
        return EXTRA_COST
    if kind in ("org", "vessel") and token in vocab("countries"):
        return EXTRA_COST if first and token not in vocab("regions") else QUALIFIER_COST
    return ORG_EXTRA_COST if kind == "org" else EXTRA_COST


def acronym_of(tokens: tuple[str, ...]) -> str | None:
    """The initials of a name of 2 to 6 tokens ("china construction bank" -> "ccb")."""
    return "".join(t[0] for t in tokens) if 2 <= len(tokens) <= 6 else None


def _acronym(a: tuple[str, ...], b: tuple[str, ...]) -> str | None:
    """``a`` is one token of 2+ letters that spells ``b``'s initials (or the other way)."""
    for x, y in ((a, b), (b, a)):
        if len(x) == 1 and len(x[0]) >= 2 and spells_initials(x[0], initials(y)):
            return x[0]
    return None


def hand_compare(a: NormName, b: NormName, schema: str | None = None) -> Comparison:
    """Score two names (``schema``: the listed entity's FtM schema, if known); every feature
    that moved the score is in ``features``.

    Cached per pair of normalised token tuples and schema kind (the score depends on nothing
    else); each call gets its own ``features`` dict.
    """
    kind = kind_of(schema)
    abjad = has_abjad(a.original) != has_abjad(b.original)  # one name in Arabic / Hebrew script
    score, features = _compare_tokens(a.tokens, b.tokens, kind, abjad)
    out = dict(features)
    hangul = has_hangul(a.original) and has_hangul(b.original)
    if kind == "person" and score > SCRIPT_CAP and (a.compact != b.compact or hangul):
        ha, hb = a.han, b.han
        if ha and hb and ha != hb:  # "习近朋" / "习近平": another character, another person
            score, out["script_differs"] = SCRIPT_CAP, [ha, hb]
    if kind != "person" and score < ACRONYM_SCORE and (acr := name_acronym(a, b)):
        score, out = ACRONYM_SCORE, {"acronym": acr}
    if a.variants or b.variants:  # spellings read as one name before comparing (names.py)
        out["variants"] = [list(v) for v in dict.fromkeys(a.variants + b.variants)]
    return Comparison(score, out)


def compare(a: NormName, b: NormName, schema: str | None = None) -> Comparison:
    """``hand_compare``'s explanation with its score decided by the learned combination of its
    features (``learned.py``; each feature's share under ``learned``), where no rule decided."""
    cmp = hand_compare(a, b, schema)
    short = min(len(a.tokens), len(b.tokens))
    if (decided := decide(cmp.features, kind_of(schema), short, cmp.score)) is None:
        return cmp
    return Comparison(decided[0], {**cmp.features, "learned": decided[1]})


def _skeleton_pair(x: str, y: str) -> bool:
    """One token has at most one vowel (as read from the Arabic script) and both have the same
    consonants (``scripts.skeleton``)."""
    return (vowel_poor(x) or vowel_poor(y)) and (k := skeleton(x)) is not None and k == skeleton(y)


@functools.lru_cache(maxsize=500_000)
def _compare_tokens(
    a_tokens: tuple[str, ...], b_tokens: tuple[str, ...], kind: str = "any", abjad: bool = False
) -> tuple[float, dict[str, object]]:
    """``_align``, and again with the words that one name writes as one joined (``joins``):
    the better of the two."""
    if not a_tokens or not b_tokens:
        return 0.0, {"empty": True}
    if "".join(a_tokens) == "".join(b_tokens):
        return 1.0, {"compact_equal": "".join(a_tokens)}
    if kind != "person" and (acr := _acronym(a_tokens, b_tokens)):
        return ACRONYM_SCORE, {"acronym": acr}
    score, features = _align(a_tokens, b_tokens, kind, abjad)
    ja, jb = joins(a_tokens, b_tokens), joins(b_tokens, a_tokens)  # names.py
    if ja or jb:
        joined = _align(join_words(a_tokens, ja), join_words(b_tokens, jb), kind, abjad)
        if joined[0] > score:
            score, features = joined[0], {**joined[1], "joined": [" ".join(p) for p in ja + jb]}
    return score, features


def _align(
    a_tokens: tuple[str, ...], b_tokens: tuple[str, ...], kind: str, abjad: bool
) -> tuple[float, dict[str, object]]:
    """Tokens paired best-first, and the costs of what is left (the module's features)."""
    features: dict[str, object] = {}
    ra = rb = None
    if kind == "person":
        ra, rb = roles(a_tokens), roles(b_tokens)
        if ra is not None and rb is not None:
            features["patronymic_order"] = True
    pairs = []
    distinct = []
    skeletal: list[tuple[str, str]] = []
    for i, x in enumerate(a_tokens):
        for j, y in enumerate(b_tokens):
            if ra is not None and rb is not None and ra[i] != rb[j]:
                continue
            sim = _token_similarity(x, y, kind)
            if abjad and sim < SKELETON_SIMILARITY and _skeleton_pair(x, y):
                sim = SKELETON_SIMILARITY
                skeletal.append((x, y))
            if sim == 0.0 and _distinct(x, y, kind):
                distinct.append((x, y))
            pairs.append((sim, -abs(i - j), i, j))
    pairs.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    aligned: list[tuple[str, str, float]] = []
    pairs_ij: list[tuple[int, int]] = []
    for sim, _, i, j in pairs:
        if sim <= 0.0:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        aligned.append((a_tokens[i], b_tokens[j], round(sim, 3)))
        pairs_ij.append((i, j))
    left_a = [t for i, t in enumerate(a_tokens) if i not in used_a]
    left_b = [t for j, t in enumerate(b_tokens) if j not in used_b]
    short = a_tokens if len("".join(a_tokens)) <= len("".join(b_tokens)) else b_tokens
    weight = sum(token_weight(t) for t in short)
    matched = sum(sim * _pair_weight(x, y) for x, y, sim in aligned)
    base = min(1.0, matched / max(weight, 1)) if aligned else 0.0
    conflicts = min(len(left_a), len(left_b))
    longer = left_a if len(left_a) > len(left_b) else left_b
    full = a_tokens if longer is left_a else b_tokens
    # a country opening the name is its registered prefix only where the rest agrees as
    # written: "Korea Yujong Shipping" is not "Yusong Shipping" (a typo budget's worth apart)
    lead = full[0] if all(sim >= EXACT_SIMILARITY for *_, sim in aligned) else None
    costs = sorted(_extra_cost(t, kind, t == lead) for t in longer)[
        : abs(len(left_a) - len(left_b))
    ]
    neutral = conflicts and kind == "person" and neutral_only(a_tokens, b_tokens, pairs_ij)
    if neutral or (
        conflicts
        and kind == "person"
        and min(map(len, a_tokens + b_tokens)) > 1  # initials say too little of where they sit
        and complementary(len(a_tokens), len(b_tokens), pairs_ij)
    ):
        mine = used_a if short is a_tokens else used_b  # the shorter name's aligned tokens
        kept = sum(token_weight(t) for k, t in enumerate(short) if k in mine)
        base = min(1.0, matched / max(kept, 1))
        costs, conflicts = [_extra_cost(t, kind) for t in left_a + left_b], 0
        features["neutral" if neutral else "complementary"] = {"left": left_a, "right": left_b}
    features["paired"] = round(base, 4)  # the shorter name's share the paired tokens cover
    score = base * (1 - CONFLICT_COST) ** conflicts
    for cost in costs:
        score *= 1 - cost
    mononym = kind == "person" and min(len(a_tokens), len(b_tokens)) == 1 and bool(costs)
    if mononym and not conflicts:  # "Shamsuddin" says little about "Shamsuddin M. Haqqani"
        score *= 1 - MONONYM_COST
    features["token_alignment"] = aligned
    nick = [(x, y) for x, y, _ in aligned if x != y and kind in ("person", "any")]
    if fold := [(x, y) for x, y in nick if (g := name_key(x)) and g == name_key(y)]:
        named = [(x, y) for x, y in fold if (g := nickname_group(x)) and g == nickname_group(y)]
        if named:
            features["nickname"] = named
        if other := [p for p in fold if p not in named]:
            features["transliteration"] = other
    if skel := [(x, y) for x, y, _ in aligned if (x, y) in skeletal]:
        features["skeleton"] = skel
    if distinct:
        features["distinct_tokens"] = sorted(set(distinct))[:5]
    if conflicts:
        features["conflict"] = {"left": left_a, "right": left_b}
    elif costs:
        features["extra"] = {t: _extra_cost(t, kind, t == lead) for t in longer}
        if mononym:
            features["mononym"] = MONONYM_COST
    return round(max(0.0, min(1.0, score)), 4), features
