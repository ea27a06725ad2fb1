"""A reason's message in the reader's language, from its pack's template and its evidence.

The stored message is English (the run writes one text per reason); a rule that gives
``message_zh`` has every value its template names in the reason's evidence (``rules.py``
adds them), so a Chinese page renders the Chinese template with the same values and the same
number formats. Reasons of rules without one, and of other sources, keep the stored text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from chipcustoms.policy.packs import PLACEHOLDER, Pack, Rule


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
    if lang != "zh-CN" or reason.get("source") != "rule":
        return message
    evidence = reason.get("evidence")
    if isinstance(evidence, str):
        try:
            evidence = json.loads(evidence)
        except ValueError:
            return message
    if not isinstance(evidence, dict):
        return message
    rule = rules.get(str(evidence.get("rule")))
    if rule is None or not rule.message_zh:
        return message
    return _fill(rule.message_zh, evidence) or message
