"""Which named systems write the model they carry: "DGX H100" does, "Atlas 800T A2" does not.

Issue 14: a line naming a system is an accelerator line with the system's units; its model is
the GPU's only when the line writes the GPU. A system's name that contains its model's number
("DGX H100", "HGX B200", "GB300 NVL72", "DGX-1 V100") writes it; one that does not ("Atlas 800T
A2", "Cerebras CS-3", "DGX-2", "NVIDIA DGX-1 Volta", "DGX Spark") leaves it to the buyer's
knowledge, and the line is ``accelerator-unknown`` with the carried model as the possible one,
as for a server that carries one of several. The catalog keeps the fact (``accelerator``, what
the system carries); this decides, per spelling of the name, whether the text says it. Both
resolvers read the one mapping this builds.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

from chipcustoms.recognise.catalog import Catalog
from chipcustoms.recognise.textnorm import normalise_model_text

_SPLIT = re.compile(r"[\s\-_/]+")


def _phrases(name: str) -> set[str]:
    """The name's words and word pairs, as aliases are written ("h100", "gaudi 2")."""
    words = [w for w in _SPLIT.split(name) if w]
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(words)}
    return {*words, *pairs, *(p.replace(" ", "") for p in pairs)}


def written_models(
    catalog: Catalog, system_alias: Mapping[str, str], alias_to_id: Mapping[str, str]
) -> dict[str, str]:
    """Each spelling of a system name (``system_alias``'s keys) that writes its carried model,
    mapped to that model; a spelling absent here writes none. A word of the name writes the
    model when it is a catalog alias of it, or a catalog alias that is a word of one of the
    model's own names ("DGX-1 P100": "p100" is the PCIe card's alias and a word of "Tesla P100
    SXM2", the model the DGX-1 carries)."""
    carried = {s.id: s.accelerator for s in catalog.systems if s.accelerator}
    words: dict[str, set[str]] = {}
    for m in catalog.models:
        for name in [m.model, *m.aliases]:
            words.setdefault(m.id, set()).update(_phrases(normalise_model_text(name)))
    out: dict[str, str] = {}
    for spelling, system_id in system_alias.items():
        model = carried.get(system_id)
        if model is None:
            continue
        found = [p for p in _phrases(spelling) if p in alias_to_id]
        if any(alias_to_id[p] == model or p in words.get(model, set()) for p in found):
            out[spelling] = model
    return out
