"""The standing recall check at CI size (issue 16): the candidate matcher returns the hits that
brute force over every pair finds, for typo, reordered, initialled, transliterated and
abbreviated queries; and the scorer keeps distinctive tokens apart."""

from __future__ import annotations

import pytest

from chipcustoms.parties.compare import DEFAULT_THRESHOLD, compare
from chipcustoms.parties.names import normalize
from chipcustoms.parties.recall import check
from chipcustoms.parties.synth_names import VARIANTS, sample


def test_recall_against_brute_force_500() -> None:
    r = check(500, seed=16)
    assert r.brute > 400  # the check has hits of every kind to find
    assert set(VARIANTS) <= set(r.by_variant)
    assert r.recall >= 0.995, r.missed[:5]


def test_variants_are_what_they_say() -> None:
    listed, queries = sample(200, seed=3)
    seen = {how for _, _, how in queries}
    assert set(VARIANTS) <= seen and "fresh" in seen
    translit = [q for q, i, how in queries if how == "transliterated" and listed[i].original]
    assert any(not q.isascii() for q in translit)


@pytest.mark.parametrize(
    ("a", "b", "schema", "match"),
    [
        ("Shanghai Minghua Trading Co Ltd", "Shanghai Minghui Trading Co Ltd", "Company", False),
        ("Bowne Global Solutions, Inc.", "Bowne Global Solutions II, Inc.", "Company", False),
        ("Banco Santander S.A.", "Banco Santander Chile S.A.", "Company", False),
        ("SALMAN BIN MUHAMMAD AL-RAWI", "MUHAMMAD BIN SALMAN AL-RAWI", "Person", False),
        ("Ocean Star IMO 9123456", "Ocean Star IMO 9123457", "Vessel", False),
        ("A. I. Zhukov", "Alexey Ivanovich Belov", "Person", False),
        ("Donlad Trump", "Donald Trump", "Person", True),
        ("J. Smith", "John Smith", "Person", True),
        ("AT&T Inc.", "AT and T Inc.", "Company", True),
        ("Volkswagen Gesellschaft mit beschränkter Haftung", "Volkswagen GmbH", "Company", True),
        ("Иванов Сергей Петрович", "Sergey Petrovich Ivanov", "Person", True),
    ],
)
def test_distinctive_tokens(a: str, b: str, schema: str, match: bool) -> None:
    cmp = compare(normalize(a), normalize(b), schema)
    assert (cmp.score >= DEFAULT_THRESHOLD) is match, cmp


@pytest.mark.parametrize(
    ("a", "b", "feature"),
    [
        ("Hsi Chin-ping", "Xi Jinping", "variants"),  # Wade-Giles syllables
        ("Mao Tse-tung", "Mao Zedong", "variants"),
        ("Saddam Husayn", "Saddam Hussein", "variants"),  # Arabic romanisation
        ("U.S. Department of State", "United States Department of State", "variants"),
        ("Bibi Netanyahu", "Benjamin Netanyahu", "nickname"),
    ],
)
def test_spelling_variants_match_and_are_explained(a: str, b: str, feature: str) -> None:
    """The variants of variants.yaml score as one name, and the hit says which rule did it;
    the bound the candidate index prunes with stays above the score."""
    from chipcustoms.parties.bound import upper_bound

    na, nb = normalize(a), normalize(b)
    cmp = compare(na, nb, "Person")
    assert cmp.score >= DEFAULT_THRESHOLD and feature in cmp.features, cmp
    assert upper_bound(na.tokens, nb.tokens) >= cmp.score


def test_nicknames_are_paired_not_rewritten() -> None:
    """A typo between two nicknames stays a typo ("Tom" / "Tim" are not Thomas / Timothy),
    and a nickname is found by the candidate index through its group key."""
    from chipcustoms.parties.matcher import Matcher, Query
    from chipcustoms.parties.recall import entities_frame
    from chipcustoms.parties.synth_names import SynthEntity

    assert normalize("Tom Cook").tokens == ("tom", "cook")
    assert (
        "nickname" not in compare(normalize("Tom Cook"), normalize("Tim Cook"), "Person").features
    )
    listed = [SynthEntity("Person", "Benjamin Netanyahu", "", "person")] + [
        SynthEntity("Person", f"Benjamin Oth{chr(97 + i % 26)}{i}son", "", "person")
        for i in range(60)
    ]
    hits = Matcher(entities_frame(listed)).match([Query("Bibi Netanyahu")])
    assert hits["matched_name"].to_list() == ["Benjamin Netanyahu"]


def test_acronym_of_an_organisation() -> None:
    """One word spelling a firm's initials is that firm (not a person's), explained, bounded,
    and found by the candidate index through the ``a:`` key."""
    from chipcustoms.parties.bound import upper_bound
    from chipcustoms.parties.matcher import Matcher, Query
    from chipcustoms.parties.recall import entities_frame
    from chipcustoms.parties.synth_names import SynthEntity

    a, b = normalize("CCB"), normalize("China Construction Bank Corporation")
    cmp = compare(a, b, "Company")
    assert cmp.score >= DEFAULT_THRESHOLD and cmp.features == {"acronym": "ccb"}
    assert upper_bound(a.tokens, b.tokens) >= cmp.score
    assert (
        compare(normalize("J S"), normalize("John Smith"), "Person").features.get("acronym") is None
    )
    listed = [SynthEntity("Company", "China Construction Bank Corporation", "", "firm")] + [
        SynthEntity("Company", f"China Bank Trading {i}", "", "firm") for i in range(60)
    ]
    hits = Matcher(entities_frame(listed)).match([Query("CCB")])
    assert hits["matched_name"].to_list() == ["China Construction Bank Corporation"]


def test_person_rules_from_the_tuning_groups() -> None:
    """A one-word person name is weak evidence (``mononym``); two people written in Han or
    Hangul characters that differ in one are two people (``script_differs``), while the
    traditional and simplified forms of one name are not told apart."""
    mono = compare(normalize("SHAMSUDDIN"), normalize("SHAMSUDDIN MOHAMMED HAQQANI"), "Person")
    assert mono.score < DEFAULT_THRESHOLD and "mononym" in mono.features
    other = compare(normalize("习近朋"), normalize("习近平"), "Person")
    assert other.score < DEFAULT_THRESHOLD and "script_differs" in other.features
    assert compare(normalize("習近平"), normalize("习近平"), "Person").score == 1.0
