"""A reason's message in the reader's language, from its pack's template and its evidence.

The stored message is English (the run writes one text per reason); a rule that gives
``message_zh`` has every value its template names in the reason's evidence (``rules.py``
adds them), so a Chinese page renders the Chinese template with the same values and the same
number formats. Anomaly, resolution and selection reasons take their Chinese templates from
``refdata/reasons_zh.yaml`` (one per code, or a list tried in order), filled from the same
evidence. A reason whose evidence lacks a value its template names keeps the stored text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from chipcustoms.policy.packs import FORMAT_SPEC, PLACEHOLDER, Pack, Rule
from chipcustoms.refdata import REFDATA, load_validated

ZH_CODES_PATH = REFDATA / "reasons_zh.yaml"


class CodeTemplates(BaseModel):
    """``refdata/reasons_zh.yaml``: zh templates of the codes that no policy pack owns."""

    model_config = ConfigDict(extra="forbid")
    version: str
    values: dict[str, dict[str, str]] = {}
    codes: dict[str, list[str]]

    @field_validator("codes", mode="before")
    @classmethod
    def _listed(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {k: [t] if isinstance(t, str) else t for k, t in v.items()}

    @field_validator("codes")
    @classmethod
    def _specs(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for code, templates in v.items():
            for t in templates:
                for m in PLACEHOLDER.finditer(t):
                    if m.group(2) and not FORMAT_SPEC.match(m.group(2)):
                        spec = m.group(2)
                        raise ValueError(f"{code}: format spec {spec!r} is not a number format")
        return v


@cache
def code_templates() -> CodeTemplates:
    return load_validated(ZH_CODES_PATH, CodeTemplates)


def placeholders(template: str) -> list[str]:
    """The evidence keys a template names."""
    return [m.group(1) for m in PLACEHOLDER.finditer(template)]


def rules_by_ref(packs: Iterable[Pack]) -> dict[str, Rule]:
    """``pack/rule@version`` (the ``rule`` key of a reason's evidence) -> the rule."""
    return {f"{p.id}/{r.id}@{r.version}": r for p in packs for r in p.rules}


def _fill(template: str, values: dict[str, Any]) -> str | None:
    out, pos = [], 0
    for m in PLACEHOLDER.finditer(template):
        col, spec = m.group(1), m.group(2)
        if col not in values:
            return None  # a reason stored before the template named this value
        v = values[col]
        try:
            text = "n/a" if v is None else format(v, spec) if spec else str(v)
        except (TypeError, ValueError):
            text = str(v)
        out += [template[pos : m.start()], text]
        pos = m.end()
    return "".join(out) + template[pos:]


def localise(reason: dict[str, Any], rules: dict[str, Rule], lang: str) -> str:
    """The message of ``reason`` for a reader of ``lang`` (``en`` or ``zh-CN``)."""
    message = str(reason.get("message") or "")
    if lang != "zh-CN":
        return message
    evidence = reason.get("evidence")
    if isinstance(evidence, str):
        try:
            evidence = json.loads(evidence)
        except ValueError:
            return message
    if not isinstance(evidence, dict):
        return message
    if reason.get("source") != "rule":
        return _by_code(str(reason.get("code")), evidence) or message
    rule = rules.get(str(evidence.get("rule")))
    if rule is None or not rule.message_zh:
        return message
    return _fill(rule.message_zh, evidence) or message


def _by_code(code: str, evidence: dict[str, Any]) -> str | None:
    """The first of ``code``'s zh templates whose every value is in ``evidence`` and not null."""
    table = code_templates()
    shown = {
        k: table.values.get(k, {}).get(v, v) if isinstance(v, str) else v
        for k, v in evidence.items()
    }
    for template in table.codes.get(code, []):
        if all(shown.get(col) is not None for col in placeholders(template)):
            return _fill(template, shown)
    return None
