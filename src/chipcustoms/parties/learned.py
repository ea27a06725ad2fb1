"""The name decision as a learned combination of the hand scorer's features (issue 16, round 8).

``compare.hand_compare`` explains a pair feature by feature (``name_features.vector`` reads that
explanation as numbers); a logistic regression with one weight set per schema kind (persons,
and the rest: the variant of the best cross-validated F1), fitted on the bench's synth groups only
(``benchmarks/fit_names.py``, stored in ``refdata/names/learned.yaml`` with its command, its
threshold and its cross-validated F1) weighs them. The score is the regression's probability
moved so that its decision threshold lands on ``anchor`` (the screening default, 0.69): a list
threshold keeps its meaning, and each feature's coefficient x value, its share of the logit,
is shown under ``learned`` in the explanation.

The clip that keeps the candidate prefilter proven: the score is at most ``lift`` x the hand
score (``lift = anchor / floor``), so ``bound.py`` multiplies its proven bound on the hand score
by ``lift`` and stays a bound on this one. A pair whose hand score is below ``floor`` is never
a hit at ``anchor``, whatever the regression says.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from chipcustoms.parties.name_features import FEATURES, vector
from chipcustoms.refdata import REFDATA, load_yaml

PATH = REFDATA / "names" / "learned.yaml"


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Learned:
    enabled: bool
    intercept: float
    weights: dict[str, dict[str, float]]  # one set per schema kind: person, org (the rest)
    threshold: float  # the regression's probability at which a pair is a hit
    anchor: float  # the score that threshold is moved to
    floor: float  # the least hand score that may be a hit

    @property
    def bias(self) -> float:
        """The intercept with the move of the threshold onto ``anchor``."""
        return self.intercept + _logit(self.anchor) - _logit(self.threshold)

    @property
    def lift(self) -> float:
        return self.anchor / self.floor if self.enabled else 1.0


@functools.cache
def model() -> Learned:
    """``learned.yaml`` as loaded once; refused (naming the file) when its features are not
    ``FEATURES`` in order, or its numbers are out of range."""
    data: dict[str, Any] = load_yaml(PATH)
    sets = {
        str(kind): {str(k): float(v) for k, v in w.items()} for kind, w in data["weights"].items()
    }
    for kind in ("person", "org"):
        if tuple(sets.get(kind, ())) != FEATURES:
            raise ValueError(f"{PATH}: weights.{kind} are not name_features.FEATURES {FEATURES}")
    out = Learned(
        enabled=bool(data["enabled"]),
        intercept=float(data["intercept"]),
        weights=sets,
        threshold=float(data["threshold"]),
        anchor=float(data["anchor"]),
        floor=float(data["floor"]),
    )
    if not (0 < out.threshold < 1 and 0 < out.anchor < 1 and 0 < out.floor <= out.anchor):
        raise ValueError(f"{PATH}: need 0 < threshold, anchor < 1 and 0 < floor <= anchor")
    return out


def lift() -> float:
    """How far above the hand score the learned score may go (``bound.py`` scales by it)."""
    return model().lift


def decide(
    explained: dict[str, object],
    kind: str,
    short_tokens: int,
    hand: float,
    fitted: Learned | None = None,
) -> tuple[float, dict[str, float]] | None:
    """(score, each feature's share of the logit) for a pair the hand scorer explained as
    ``explained`` with score ``hand``; None where a rule decided it (``name_features.vector``) or
    the learned decision is switched off (``enabled: false``). ``fitted``: another model than
    ``learned.yaml``'s (the fit command checks a model before it is stored)."""
    m = fitted or model()
    values = vector(explained, kind, short_tokens) if m.enabled else None
    if values is None:
        return None
    w = m.weights["person" if kind == "person" else "org"]
    terms = {k: w[k] * v for k, v in values.items() if w[k]}
    z = m.bias + sum(terms.values())
    score = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    why = {"hand": hand, "bias": round(m.bias, 3), **{k: round(v, 3) for k, v in terms.items()}}
    score = round(max(0.0, min(1.0, score)), 4)
    cap = math.floor(m.lift * hand * 1e4) / 1e4  # rounded down: never above lift x hand
    if score > cap:  # the clip: at most lift x the hand score (bound.py)
        score = why["capped"] = cap
    return score, why
