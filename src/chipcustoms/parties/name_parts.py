"""How the parts of two person names relate, beyond token similarity (``compare.py``'s
``patronymic_order`` and ``complementary`` features): which tokens name the father, and whether
each name keeps a part the other lacks in another place.
"""

from __future__ import annotations

import bisect
import itertools

from chipcustoms.parties.names import vocab


def complementary(la: int, lb: int, pairs: list[tuple[int, int]]) -> bool:
    """Each person name keeps a part the other lacks, in another place ("Joaquin Archivaldo
    Guzman" / "Joaquin Guzman Loera": a middle name on one side, a second family name on the
    other): at least two parts paired in the same order on both sides, and no unpaired part
    of one name between the same paired parts as one of the other's, none before the first
    paired part (another first given name: "Maria Olga Lindqvist" / "Olga Tomas Lindqvist"), and
    one name's unpaired parts all between paired ones (middle names; "Karosky Andrey Ivanovich"
    / "Andrey Ivanovich Fedorov" are two family names). Such parts are priced as
    extra words (``compare._extra_cost``), not as a conflict, and the score is the paired parts'
    agreement. Where they sit in the same place ("Peter Müller" / "Paul Müller", "Ko Tae Bin"
    / "Ko Tae Hun") they stay a conflict. ``bound.py`` allows it for names of 3+ tokens."""
    if len(pairs) < 2:
        return False
    ordered = sorted(pairs)
    if any(j1 >= j2 for (_, j1), (_, j2) in itertools.pairwise(ordered)):
        return False
    ia, jb = [i for i, _ in ordered], [j for _, j in ordered]
    slot_a = {bisect.bisect(ia, i) for i in range(la) if i not in ia}
    slot_b = {bisect.bisect(jb, j) for j in range(lb) if j not in jb}
    inner = set(range(1, len(ordered)))  # between two paired parts: a middle name
    lead = 0 in slot_a | slot_b  # a part before the first paired one: another given name
    return not lead and not slot_a & slot_b and (slot_a <= inner or slot_b <= inner)


def roles(tokens: tuple[str, ...]) -> list[int] | None:
    """0 for the given name, 1 for the tokens after a patronymic marker; None without one, or
    where the marker is the last token: a name written family name first, "LADEN, Osama bin",
    has no father's name after it to keep apart."""
    markers = vocab("patronymic_markers")
    at = next((i for i, t in enumerate(tokens) if t in markers), None)
    if at is None or at == 0 or at == len(tokens) - 1:
        return None
    return [0 if i < at else 1 for i in range(len(tokens))]


def neutral_only(a: tuple[str, ...], b: tuple[str, ...], pairs: list[tuple[int, int]]) -> bool:
    """Two person names of 4+ parts, three or more of them paired, where one name's unpaired
    parts are all titles ("Sheikh Ayman al-Zawahiri" / "Ayman Rabi al-Zawahiri"; OFAC and UN
    aliases add and drop "Haji", "Mullah", "Sheikh" freely): that name
    keeps nothing that could conflict, so the other's unpaired parts are extra words, not a
    conflict. ``bound.py`` allows it as it allows a complementary pair."""
    if min(len(a), len(b)) < 4 or len(pairs) < 3:  # two common given names say too little
        return False
    neutral = vocab("person_titles")  # not particles: an unpaired "al" marks a paired nisba
    paired_a, paired_b = {i for i, _ in pairs}, {j for _, j in pairs}
    for name, paired in ((a, paired_a), (b, paired_b)):
        left = [k for k in range(len(name)) if k not in paired]
        # a title closing the name is a name ("Ali Amir"), not a title
        if all(name[k] in neutral and k < len(name) - 1 for k in left):
            return True
    return False
