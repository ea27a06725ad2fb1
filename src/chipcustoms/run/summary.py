"""The short human summary of a screening run: what an analyst reads before the file."""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

from chipcustoms.assess.frames import compact
from chipcustoms.assess.selection import SelectionReport
from chipcustoms.policy.messages import localise
from chipcustoms.policy.packs import Rule
from chipcustoms.policy.profiles import Profile
from chipcustoms.run.summary_text import gettext_for


@dataclass(frozen=True)
class RunCounts:
    read: int
    accepted: int
    quarantined: int

    def check(self) -> None:
        if self.read != self.accepted + self.quarantined:
            raise AssertionError(
                f"read {self.read} != accepted {self.accepted} + quarantined {self.quarantined}"
            )


def top_reasons(assessments: pl.DataFrame, n: int | None = 8) -> pl.DataFrame:
    """Reason codes by number of lines carrying them (selection and resolution notes left out)."""
    return (
        assessments.filter(pl.col("risk_score") > 0)
        .select(
            pl.col("reasons")
            .list.eval(
                pl.element()
                .filter(
                    pl.element()
                    .struct.field("source")
                    .is_in(["rule", "anomaly", "screening", "model"])
                )
                .struct.field("code")
            )
            .list.unique()
            .alias("code")
        )
        .explode("code")
        .drop_nulls()
        .group_by("code")
        .len("lines")
        .sort(["lines", "code"], descending=[True, False])
        .head(n if n is not None else assessments.height + 1)
    )


def riskiest(assessments: pl.DataFrame, n: int = 10) -> pl.DataFrame:
    # A partial sort (the batch may be millions); ties go to the lower declaration id.
    top = assessments.top_k(
        n, by=["risk_score", "declaration_id", "item_no"], reverse=[False, True, True]
    )
    return top.sort(["risk_score", "declaration_id", "item_no"], descending=[True, False, False])


@dataclass(frozen=True)
class Digest:
    """What the summary reads of the assessments, small enough to gather from every batch.

    A streamed run never holds all assessments; each batch returns its digest and
    :meth:`merge` adds them up (reason counts sum, the riskiest lines are the riskiest of
    each batch's riskiest), so the summary is the one an in-memory run would print.
    """

    accelerator_lines: int
    reasons: pl.DataFrame  # code, lines: every code, not only the top
    riskiest: pl.DataFrame  # the riskiest lines, all output columns

    @classmethod
    def of(cls, assessments: pl.DataFrame, n: int = 10) -> Digest:
        return cls(
            int(assessments["accelerator_id"].is_not_null().sum()),
            compact(top_reasons(assessments, None)),
            compact(riskiest(assessments, n)),
        )

    @classmethod
    def merge(cls, parts: list[Digest], n: int = 10) -> Digest:
        if not parts:
            raise ValueError("no digests to merge")
        reasons = (
            pl.concat([p.reasons for p in parts])
            .group_by("code")
            .agg(pl.col("lines").sum())
            .sort(["lines", "code"], descending=[True, False])
        )
        tops = pl.concat([p.riskiest for p in parts], how="vertical_relaxed")
        return cls(sum(p.accelerator_lines for p in parts), reasons, riskiest(tops, n))


def markdown(
    counts: RunCounts,
    report: SelectionReport,
    assessments: pl.DataFrame | Digest,
    *,
    title: str,
    output: str,
    quarantine: str | None,
    profile: Profile | None = None,
    lang: str = "en",
    rules: dict[str, Rule] | None = None,
) -> str:
    """The summary as Markdown (also printed to stderr by the CLI), in ``lang`` (``en`` or
    ``zh-CN``): the fixed text through the catalog, reasons through their zh templates (``rules``
    are the run's, for rule reasons; without them rule reasons stay English)."""
    _ = gettext_for(lang)
    digest = assessments if isinstance(assessments, Digest) else Digest.of(assessments)
    lines = [f"# {title}", ""]
    if profile is not None:
        lines.append(
            _(
                "- jurisdiction profile: **%(id)s** (%(title)s; screened by %(screener)s): "
                "a reason cites only a law that governs the line's flow"
            )
            % {"id": profile.id, "title": profile.title, "screener": profile.screener}
        )
    counted = _("- lines read: %(read)s; accepted: %(accepted)s; quarantined: %(quarantined)s") % {
        "read": f"{counts.read:,}",
        "accepted": f"{counts.accepted:,}",
        "quarantined": f"{counts.quarantined:,}",
    }
    if quarantine and counts.quarantined:
        counted += _(" (see %(file)s)") % {"file": quarantine}
    lines += [
        counted,
        _("- assessments written to %(output)s") % {"output": output},
        _("- accelerator lines: %(n)s") % {"n": f"{digest.accelerator_lines:,}"},
        "",
        _("## Lines per channel"),
        "",
        "| " + _("channel") + " | " + _("lines") + " |",
        "|---|---|",
    ]
    for ch, n in report.counts.items():
        lines.append(f"| {ch} | {n:,} |")
    lines.append("")
    lines.append(
        _(
            "Selection units: %(units)s; random exploration picks: %(random)s; rule floors "
            "over the red budget: %(overflow)s."
        )
        % {
            "units": f"{report.units:,}",
            "random": f"{report.random_selected:,}",
            "overflow": f"{report.floor_overflow:,}",
        }
    )
    th = ", ".join(
        f"{k} >= {v:.3f}" if v is not None else _("%(channel)s: none") % {"channel": k}
        for k, v in report.thresholds.items()
    )
    none = [k for k, v in report.thresholds.items() if v is None]
    why = (
        _(
            " A cut-off is none when no line of its budget was selected by rank (%(channels)s):"
            " only lines above the minimum ranked score (refdata/scoring.yaml, selection) fill a"
            " budget, and floors do not set a cut-off; threshold mode then selects those channels"
            " by floors only."
        )
        % {"channels": ", ".join(none)}
        if none
        else ""
    )
    said = (
        _("Threshold mode: the cut-offs of the latest budget-mode run were applied: %(cutoffs)s.")
        if report.applied
        else _("Threshold-mode cut-offs implied by this run: %(cutoffs)s.")
    )
    lines += [
        said % {"cutoffs": th} + why,
        "",
        _("## Top reasons"),
        "",
        "| " + _("reason") + " | " + _("lines") + " |",
        "|---|---|",
    ]
    for code, n in digest.reasons.head(8).iter_rows():
        lines.append(f"| {code} | {n:,} |")
    lines += ["", _("## The ten riskiest lines"), ""]
    for row in digest.riskiest.iter_rows(named=True):
        model = row["accelerator_model"] or _("no accelerator")
        lines.append(
            _("- **%(declaration)s item %(item)s**: risk %(risk)s, %(channel)s (%(model)s)")
            % {
                "declaration": row["declaration_id"],
                "item": row["item_no"],
                "risk": f"{row['risk_score']:.3f}",
                "channel": row["channel"],
                "model": model,
            }
        )
        for r in row["reasons"]:
            if r["source"] in ("rule", "anomaly", "screening", "model"):
                message = localise(r, rules or {}, lang)
                lines.append(f"  - `{r['code']}` ({r['score']:.3f}) {message}")
    return "\n".join(lines) + "\n"


def evidence(reason: dict[str, object]) -> dict[str, object]:
    raw = reason.get("evidence")
    return json.loads(raw) if isinstance(raw, str) else {}
