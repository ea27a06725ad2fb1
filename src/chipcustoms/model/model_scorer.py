"""The active model version as a pipeline scorer: its probability joins the risk score, and the
features that raised it become reasons an analyst can read.

Contributions are LightGBM's own (TreeSHAP, ``pred_contrib``): exact for the trees, no extra
dependency. Messages are built per feature over the few lines whose top contributions name it,
so the cost grows with lines x top, not lines x features.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from chipcustoms.assess.scoring import ModelSetting, scoring_config
from chipcustoms.model.features import _SEP, Feature, model_config
from chipcustoms.policy.rules import IDX, REASON_DTYPE

if TYPE_CHECKING:
    from chipcustoms.model.risk_model import RiskModel
    from chipcustoms.store import Store

CODE = "MODEL_RISK"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class ModelScorer:
    """Scorer ``model``; with no model trained yet it adds null columns and nothing else."""

    name = "model"

    def __init__(
        self,
        model: RiskModel | None = None,
        *,
        version: int | None = None,
        fingerprint: str | None = None,
        setting: ModelSetting | None = None,
    ) -> None:
        self.model = model
        self.model_version = version
        self.fingerprint = fingerprint
        self.setting = setting or scoring_config().model or ModelSetting(weight=0.5)

    @classmethod
    def from_store(cls, db: str | Store) -> ModelScorer:
        """The active model of ``db`` (a path or URL, or an open store); a no-op without one."""
        from chipcustoms.store import open_store

        row = (open_store(db) if isinstance(db, str) else db).model()
        if row is None:
            return cls()
        # LightGBM (which imports scikit-learn and SciPy: about 1.5 s) only once a model is
        # trained: every `screen --db` builds this scorer, most stores have no model.
        from chipcustoms.model.risk_model import Artifact, RiskModel

        art = Artifact(row["booster"], row["encodings"], row["params"], "")
        return cls(
            RiskModel.from_artifact(art),
            version=int(row["version"]),
            fingerprint=str(row["fingerprint"]),
        )

    def version(self) -> object:
        if self.model is None:
            return None
        return {"version": self.model_version, "fingerprint": self.fingerprint}

    def output_columns(self) -> list[str]:
        return ["model_score", "model_version"]

    def score_row(
        self, row: dict[str, Any]
    ) -> tuple[dict[str, Any], float | None, list[dict[str, Any]]] | None:
        """:meth:`score` for one line on the online path, where it needs no frame: with no
        model the same null columns, no term and no reason, in microseconds instead of a
        one-row frame's few milliseconds. With a model, None: the features (trader and route
        history, HS6 medians) are the batch's vectorised code, so the caller runs :meth:`score`
        on a one-row frame and gets the batch's prediction and contributions by definition."""
        if self.model is not None:
            return None
        return {"model_score": None, "model_version": None}, None, []

    def score(self, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr | None, pl.DataFrame]:
        empty = pl.DataFrame(schema={IDX: df.schema[IDX], "reason": REASON_DTYPE})
        if self.model is None:
            return (
                df.with_columns(
                    pl.lit(None, dtype=pl.Float64).alias("model_score"),
                    pl.lit(None, dtype=pl.Int64).alias("model_version"),
                ),
                None,
                empty,
            )
        p, contrib, feats = self.model.explain(df)
        df = df.with_columns(
            pl.Series("model_score", p, dtype=pl.Float64),
            pl.lit(self.model_version, dtype=pl.Int64).alias("model_version"),
        )
        term = pl.col("model_score") * self.setting.weight
        return df, term, self._reasons(df, p, contrib, feats)

    def _reasons(
        self, df: pl.DataFrame, p: np.ndarray, contrib: np.ndarray, feats: pl.DataFrame
    ) -> pl.DataFrame:
        """Top positive contributions of each reported line, worded per feature."""
        s = self.setting
        assert self.model is not None
        features = self.model.encodings_.features
        k = min(s.top, contrib.shape[1])
        if k == 0 or df.height == 0:
            return pl.DataFrame(schema={IDX: df.schema[IDX], "reason": REASON_DTYPE})
        top = np.argsort(-contrib, axis=1, kind="stable")[:, :k]
        val = np.take_along_axis(contrib, top, axis=1)
        first = np.maximum(val[:, :1], 1e-12)
        rows = np.repeat(np.arange(df.height), k)
        long = pl.DataFrame(
            {
                "__row": rows,
                IDX: df[IDX].gather(rows),
                "__f": top.ravel(),
                "__c": val.ravel(),
                "__score": (s.weight * p[:, None] * val / first).ravel(),
            }
        ).filter((pl.col("__c") > 0) & (pl.Series(p).gather(rows) >= s.report_at))
        parts = []
        for f_idx in long["__f"].unique().sort().to_list():
            part = long.filter(pl.col("__f") == f_idx)
            parts.append(self._worded(part, features[f_idx], feats))
        if not parts:
            return pl.DataFrame(schema={IDX: df.schema[IDX], "reason": REASON_DTYPE})
        return pl.concat(parts)

    def _worded(self, part: pl.DataFrame, f: Feature, feats: pl.DataFrame) -> pl.DataFrame:
        assert self.model is not None
        msgs = model_config().messages
        r = part["__row"]
        values: dict[str, pl.Series] = {"label": pl.Series([f.label] * part.height)}
        raw = feats[f.name].gather(r)
        if f.kind in ("history", "history_count"):
            values["key"] = feats[f"__key_{f.source}"].gather(r).str.replace_all(_SEP, " / ")
            values["n"] = feats[f"hist_n_{f.source}"].gather(r).cast(pl.Int64)
            values["pos"] = feats[f"__pos_{f.source}"].gather(r)
            values["value"] = raw.round(3).fill_nan(None)
        elif f.kind == "categorical":
            levels = self.model.encodings_.levels[f.source]
            values["value"] = pl.Series(levels, dtype=pl.Utf8).gather(raw.cast(pl.Int64))
        else:
            values["value"] = raw.cast(pl.Float64).round_sig_figs(3).fill_nan(None)
        template = getattr(msgs, f.kind)
        # A contribution is a reason only when it raises the risk by a visible amount and every
        # value its sentence names is known (no "is n/a", no 0.000).
        frame = (
            pl.DataFrame(values)
            .with_columns(part["__c"], part["__score"], part[IDX])
            .filter(
                pl.all_horizontal(pl.col(name).is_not_null() for name in values)
                & (pl.col("__score").round(3) > 0)
            )
        )
        evidence: dict[str, Any] = {
            "feature": pl.lit(f.name),
            "value": pl.col("value"),
            "contribution": pl.col("__c").round(4),
            "model_version": pl.lit(self.model_version),
        }
        if "n" in values:
            evidence.update(n=pl.col("n"), irregular=pl.col("pos"))
        return frame.select(
            pl.col(IDX),
            pl.struct(
                pl.lit(CODE).alias("code"),
                pl.lit("model").alias("source"),
                pl.col("__score").round(4).alias("score"),
                _fill(template).alias("message"),
                pl.struct(**evidence).struct.json_encode().alias("evidence"),
            )
            .cast(REASON_DTYPE)
            .alias("reason"),
        )


def _fill(template: str) -> pl.Expr:
    """'{label} x {n}' -> concat of literals and the named columns (text)."""
    parts: list[pl.Expr] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        if m.start() > pos:
            parts.append(pl.lit(template[pos : m.start()]))
        parts.append(pl.col(m.group(1)).cast(pl.Utf8).fill_null("n/a"))
        pos = m.end()
    if pos < len(template):
        parts.append(pl.lit(template[pos:]))
    return pl.concat_str(parts)
