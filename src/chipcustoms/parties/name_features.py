"""The hand scorer's explained features as one fixed vector (issue 16, round 8).

``compare`` explains a pair by what it found (``Comparison.features``: the paired tokens and
their similarities, the conflicting and extra words with their prices, acronyms, initials,
skeletons, nicknames, transliterations...). This module reads that explanation back as
numbers, one per name in ``FEATURES``, so that a learned combination (``learned.py``) can weigh
them and still say, feature by feature, what moved the score: a logistic regression's
coefficient times its feature *is* that feature's share of the decision.

The vector is read from the explanation only (never from the names' text again), so it cannot
see more than the analyst is shown. ``distinct_tokens`` is not in it: two numbers or two pinyin
words that differ are two parties by the issue's rule (they stay unpaired, a ``conflict`` or an
``extra`` word); a weight of their own would let the synth labels, which call "Fund III" /
"Fund IV" one party, undo the rule.
"""

from __future__ import annotations

import math

# The order of the vector; ``refdata/names/learned.yaml`` stores a coefficient per name and is
# refused when its list differs (a model fitted on another vector).
FEATURES: tuple[str, ...] = (
    "paired_log",  # log of the shorter name's share that paired tokens cover (1 -> 0)
    "worst_pair",  # 1 - the lowest similarity of a paired token (the worst typo)
    "initials",  # paired tokens where one side is an initial
    "conflicts",  # tokens unpaired on both sides (a different surname, another place)
    "extra_minor",  # unpaired tokens priced as generic / particle / title / patronymic (0.06)
    "extra_name",  # a person's other name (0.10)
    "extra_word",  # an organisation's distinctive word (0.15)
    "extra_number",  # a number one name adds (0.35)
    "extra_country",  # a country one name adds (0.40)
    "mononym",  # a person named by one word against a fuller name
    "skeleton",  # paired on consonant skeletons (Arabic / Hebrew script)
    "nickname",  # paired as nickname and name
    "transliteration",  # paired through a transliteration key
    "joined",  # two words of one name are one of the other
    "complementary",  # each name keeps a part the other lacks (or a title only one keeps)
    "script_differs",  # Han / Hangul characters differ
    "variants",  # spellings rewritten alike before comparing
    "person",  # the listed entity is a person
    "person_conflicts",  # conflicts in a person's name (persons differ in one part more often)
    "short_tokens",  # tokens of the shorter name, beyond one (a conflict says less in long names)
)

# ``_extra_cost`` prices -> the vector's extra-word feature (``compare``'s constants)
_EXTRA_BY_COST = {
    0.06: "extra_minor",
    0.1: "extra_name",
    0.15: "extra_word",
    0.35: "extra_number",
    0.4: "extra_country",
}


def _count(value: object) -> float:
    return float(len(value)) if isinstance(value, list | tuple | dict) else float(bool(value))


def vector(explained: dict[str, object], kind: str, short_tokens: int) -> dict[str, float] | None:
    """The feature values of one explained pair (zeros left out), or None where a rule, not
    the weighing of evidence, decided it: the same compact name (1), an empty name (0), an
    acronym (``compare.ACRONYM_SCORE``; the synth groups hold none to learn its weight from).
    Those keep the hand scorer's score."""
    if {"compact_equal", "empty", "acronym"} & explained.keys():
        return None
    out: dict[str, float] = {}
    aligned = explained.get("token_alignment")
    if isinstance(aligned, list) and aligned:
        paired = float(explained.get("paired", 1.0))  # type: ignore[arg-type]
        out["paired_log"] = math.log(max(paired, 0.01))
        out["worst_pair"] = 1.0 - min(float(s) for *_, s in aligned)
        out["initials"] = float(sum(1 for x, y, _ in aligned if min(len(x), len(y)) == 1))
    else:
        out["paired_log"] = math.log(0.01)  # nothing paired
    conflict = explained.get("conflict")
    if isinstance(conflict, dict):
        n = float(min(len(conflict["left"]), len(conflict["right"])))
        out["conflicts"] = n
        if kind == "person":
            out["person_conflicts"] = n
    extra = explained.get("extra")
    if isinstance(extra, dict):
        for cost in extra.values():
            name = _EXTRA_BY_COST.get(round(float(cost), 2), "extra_word")
            out[name] = out.get(name, 0.0) + 1.0
    for name in ("mononym", "joined", "script_differs", "variants"):
        if name in explained:
            out[name] = 1.0
    if "complementary" in explained or "neutral" in explained:
        out["complementary"] = 1.0
    for name, key in (
        ("skeleton", "skeleton"),
        ("nickname", "nickname"),
        ("transliteration", "transliteration"),
    ):
        if key in explained:
            out[name] = _count(explained[key])
    if kind == "person":
        out["person"] = 1.0
    out["short_tokens"] = float(max(0, short_tokens - 1))
    return {k: v for k, v in out.items() if v}
