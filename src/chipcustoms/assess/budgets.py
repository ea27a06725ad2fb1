"""The channel budgets a screen selects within: a small value type of its own, so the CLI can
show its defaults in `--help` without importing the selection's NumPy and Polars."""

from __future__ import annotations

from dataclasses import dataclass, field


def _min_ranked_score() -> float:
    from chipcustoms.assess.scoring import scoring_config  # YAML and pydantic: when built

    return scoring_config().selection.min_ranked_score


@dataclass(frozen=True)
class Budgets:
    red: float = 0.03
    yellow: float = 0.05
    blue: float = 0.02
    random_share: float = 0.1
    per: tuple[str, ...] = ()
    seed: int = 0
    # Ranked selection only takes lines scoring above this (refdata/scoring.yaml, selection).
    min_score: float = field(default_factory=_min_ranked_score)

    def __post_init__(self) -> None:
        for name in ("red", "yellow", "blue", "random_share"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ValueError(f"--{name.replace('_', '-')} must be between 0 and 1, got {v}")
        if self.red + self.yellow + self.blue > 1:
            raise ValueError("red + yellow + blue budgets exceed 1")
