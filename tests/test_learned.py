"""The learned name decision (issue 16, round 8): the feature vector read from the hand
scorer's explanation, the stored model, the explanation of a learned score feature by feature,
and the clip that keeps the prefilter's bound proven when the model is switched on."""

from __future__ import annotations

import dataclasses
import math

import pytest

from chipcustoms.parties import learned
from chipcustoms.parties.compare import DEFAULT_THRESHOLD, compare, hand_compare, kind_of
from chipcustoms.parties.name_features import FEATURES, vector
from chipcustoms.parties.names import normalize
from chipcustoms.parties.recall import check
from name_cases import bound_violations
from test_name_classes import ALL as CLASS_CASES
from test_name_classes_round7 import ALL as ROUND7_CASES


def _explained(a: str, b: str, schema: str) -> tuple[dict[str, object], str, int, float]:
    na, nb = normalize(a), normalize(b)
    cmp = hand_compare(na, nb, schema)
    return cmp.features, kind_of(schema), min(len(na.tokens), len(nb.tokens)), cmp.score


def _switched_on() -> learned.Learned:
    """The stored weights, switched on (whatever the stored decision is)."""
    return dataclasses.replace(learned.model(), enabled=True)


def test_the_stored_model_names_every_feature_in_order() -> None:
    m = learned.model()
    assert tuple(m.weights["person"]) == FEATURES == tuple(m.weights["org"])
    assert m.anchor == DEFAULT_THRESHOLD and 0 < m.floor <= m.anchor
    assert learned.lift() == (m.anchor / m.floor if m.enabled else 1.0)


def test_the_vector_reads_what_the_explanation_shows() -> None:
    conflict = vector(*_explained("Olga Tomas Lindqvist", "Maria Olga Lindqvist", "Person")[:3])
    assert conflict is not None and conflict["conflicts"] == conflict["person_conflicts"] == 1
    firm = vector(
        *_explained("Shanghai Minghua Trading", "Shanghai Minghui Trading", "Company")[:3]
    )
    assert firm is not None and firm["conflicts"] == 1 and "person" not in firm
    branch = vector(*_explained("Bank Vostrel, Moscow Branch", "Bank Vostrel", "Company")[:3])
    assert branch is not None and branch.get("extra_minor", 0) + branch.get("extra_word", 0) >= 1
    initial = vector(*_explained("J. Smith", "John Smith", "Person")[:3])
    assert initial is not None and initial["initials"] == 1 and initial["person"] == 1
    assert initial["paired_log"] <= 0
    # a rule decided these: the same compact name, an acronym
    assert vector(*_explained("XIN YUAN", "Xinyuan", "Company")[:3]) is None
    assert vector(*_explained("CCB", "China Construction Bank", "Company")[:3]) is None


def test_a_learned_score_is_explained_feature_by_feature() -> None:
    m = _switched_on()
    explained, kind, short, hand = _explained("Donlad Trump", "Donald Trump", "Person")
    got = learned.decide(explained, kind, short, hand, m)
    assert got is not None
    score, why = got
    assert why["hand"] == hand and why["bias"] == round(m.bias, 3)
    logit = m.bias + sum(v for k, v in why.items() if k in FEATURES)
    expected = min(1 / (1 + math.exp(-logit)), m.lift * hand)
    assert score == pytest.approx(expected, abs=0.01)
    assert set(why) - {"hand", "bias", "capped"} <= set(FEATURES)


def test_the_score_never_exceeds_lift_times_the_hand_score() -> None:
    m = dataclasses.replace(_switched_on(), intercept=50.0)  # says "match" to everything
    for schema, a, b in (
        ("Company", "Nordon Electronics", "Orion Electronics"),
        ("Person", "Olga Tomas Lindqvist", "Maria Olga Lindqvist"),
    ):
        explained, kind, short, hand = _explained(a, b, schema)
        got = learned.decide(explained, kind, short, hand, m)
        assert got is not None and got[0] <= m.lift * hand and "capped" in got[1]
        if hand < m.floor:
            assert got[0] < DEFAULT_THRESHOLD


def test_switched_off_it_is_the_hand_scorer(monkeypatch: pytest.MonkeyPatch) -> None:
    off = dataclasses.replace(learned.model(), enabled=False)
    monkeypatch.setattr(learned, "model", lambda: off)
    a, b = normalize("Donlad Trump"), normalize("Donald Trump")
    assert compare(a, b, "Person") == hand_compare(a, b, "Person")
    assert learned.lift() == 1.0


def test_switched_on_the_bound_and_the_candidates_still_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the model on, the bound (lift x the hand bound) is still above every score, and
    the matcher still finds what brute force finds."""
    on = _switched_on()
    monkeypatch.setattr(learned, "model", lambda: on)
    assert learned.lift() > 1.0
    cmp = compare(normalize("Donlad Trump"), normalize("Donald Trump"), "Person")
    assert "learned" in cmp.features
    assert bound_violations([*CLASS_CASES, *ROUND7_CASES]) == []
    r = check(300, seed=16)
    assert r.recall >= 0.995, r.missed[:5]
