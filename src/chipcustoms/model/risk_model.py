"""The learned risk model: LightGBM over the model's features, with scikit-learn's contract.

``RiskModel`` takes enriched canonical lines (``pipeline.enrich``) rather than a matrix, because
the trader-history encodings are part of what is learned: they are fitted with the trees, stored
with them (:meth:`RiskModel.to_artifact`) and applied again to the lines being screened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from chipcustoms.errors import ChipCustomsError
from chipcustoms.model import features as ft
from chipcustoms.model.features import Encodings, ModelConfig


@dataclass(frozen=True)
class Artifact:
    """What a model version stores: enough to score and to explain without the training data."""

    booster: str
    encodings: str
    params: dict[str, Any]
    config_version: str


class RiskModel:
    """Probability that an inspection of the line finds an irregularity.

    One thread by default: OpenMP threads spin while waiting, and on a shared machine two of them
    made a 4,000-line fit take a minute instead of under a second. Keyword-only settings are
    stored untouched; ``fit`` validates and learns ``encodings_``
    (history, levels, price references), ``booster_`` and ``feature_names_``.
    """

    def __init__(
        self,
        *,
        config: ModelConfig | None = None,
        params: dict[str, Any] | None = None,
        seed: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.config = config
        self.params = params
        self.seed = seed
        self.n_jobs = n_jobs

    # ---------------------------------------------------------------------- fitting
    def _cfg(self) -> ModelConfig:
        return self.config or ft.model_config()

    def _params(self) -> dict[str, Any]:
        p = {**self._cfg().params, **(self.params or {})}
        p.setdefault("seed", self.seed)
        return p

    def fit(self, lines: pl.DataFrame, y: np.ndarray | pl.Series) -> RiskModel:
        labels = _labels(y, lines.height)
        if labels.min() == labels.max():
            raise ChipCustomsError(
                f"cannot train on {lines.height:,} lines whose labels are all "
                f"{bool(labels[0]) if len(labels) else 'absent'}: need both outcomes"
            )
        cfg = self._cfg()
        params = self._params()
        enc = ft.fit_encodings(lines, labels, cfg)
        folds = ft.fold_of(lines.height, cfg.history.folds, int(params["seed"]))
        feats = ft.transform(lines, enc, cfg, folds=folds, y=labels)
        names = [f.name for f in enc.features]
        cats = [i for i, f in enumerate(enc.features) if f.kind == "categorical"]
        rounds = int(params.pop("n_estimators", 300))
        data = lgb.Dataset(
            ft.matrix(feats, enc),
            label=labels.astype(np.float64),
            feature_name=names,
            categorical_feature=cats,
            free_raw_data=True,
        )
        lgb_params = {
            "objective": "binary",
            "verbosity": -1,
            "num_threads": self.n_jobs,
            "deterministic": True,
            "force_row_wise": True,
            **params,
        }
        self.encodings_ = enc
        self.booster_ = lgb.train(lgb_params, data, num_boost_round=rounds)
        self.feature_names_ = names
        self.params_ = {**lgb_params, "n_estimators": rounds}
        return self

    # ---------------------------------------------------------------------- scoring
    def _check(self) -> None:
        if not hasattr(self, "booster_"):
            raise ChipCustomsError("RiskModel is not fitted: call fit() or load a stored version")

    def features(self, lines: pl.DataFrame) -> pl.DataFrame:
        self._check()
        return ft.transform(lines, self.encodings_, self._cfg())

    def predict_proba(self, lines: pl.DataFrame) -> np.ndarray:
        """(n, 2): probability of no irregularity, of an irregularity."""
        p = self._raw(self.features(lines))
        return np.column_stack([1 - p, p])

    def _raw(self, feats: pl.DataFrame) -> np.ndarray:
        if feats.height == 0:
            return np.zeros(0)
        out = self.booster_.predict(ft.matrix(feats, self.encodings_))
        return np.asarray(out, dtype=np.float64)

    def explain(self, lines: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, pl.DataFrame]:
        """Probabilities, per-feature contributions (log-odds, LightGBM's own) and features."""
        feats = self.features(lines)
        if feats.height == 0:
            return np.zeros(0), np.zeros((0, len(self.feature_names_))), feats
        x = ft.matrix(feats, self.encodings_)
        contrib = np.asarray(self.booster_.predict(x, pred_contrib=True), dtype=np.float64)
        logit = contrib.sum(axis=1)
        return 1 / (1 + np.exp(-logit)), contrib[:, :-1], feats

    # ---------------------------------------------------------------------- persistence
    def to_artifact(self) -> Artifact:
        self._check()
        return Artifact(
            booster=self.booster_.model_to_string(),
            encodings=self.encodings_.to_json(),
            params=self.params_,
            config_version=self._cfg().version,
        )

    @classmethod
    def from_artifact(cls, art: Artifact, *, config: ModelConfig | None = None) -> RiskModel:
        m = cls(config=config)
        m.booster_ = lgb.Booster(model_str=art.booster)
        m.encodings_ = Encodings.from_json(art.encodings)
        m.feature_names_ = [f.name for f in m.encodings_.features]
        m.params_ = art.params
        return m

    def describe(self) -> str:
        return json.dumps({"features": len(self.feature_names_), "params": self.params_})


def _labels(y: np.ndarray | pl.Series, n: int) -> np.ndarray:
    arr = y.to_numpy() if isinstance(y, pl.Series) else np.asarray(y)
    if arr.shape != (n,):
        raise ChipCustomsError(f"labels: expected {n:,} values, got shape {arr.shape}")
    if arr.dtype == object or np.isnan(arr.astype(np.float64)).any():
        raise ChipCustomsError("labels: some lines have no outcome; keep only inspected lines")
    return arr.astype(np.int8)
