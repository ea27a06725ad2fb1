"""The resolver for one text at a time: the batch resolver's steps in plain Python, for the
online path's cache misses (a one-row Polars frame costs ~30 ms, most of it recompiling some
80 regexes: Polars keeps 32 per thread).

This is a row form of :meth:`Resolver.resolve` (recognise/resolver.py) and
:func:`evidence.decide`: it reads the same tables the :class:`Resolver` built from the catalog
and the same pattern strings from the vocabulary (no word or alias is written here, so an edit
to the YAML applies to both paths), compiled by Python's ``re``; the fuzzy step is the
resolver's own :meth:`Resolver.fuzzy_reading`. ``tests/test_row_resolver.py`` holds every output
field to the batch resolver over the development sets, the golden texts and generated lines.
A text whose characters Python and Polars might read differently (:mod:`row_text`) is not
resolved here: :meth:`RowResolver.resolve` returns None and the caller uses the batch resolver.
So does every text when one pattern is read apart by the engines or refused by Polars
(:attr:`RowResolver.disabled` says why): the batch then answers, or fails, as it always did.
A change to the batch steps must be made here too; the differential test fails until it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import polars as pl

from chipcustoms.recognise.counts import load_counts
from chipcustoms.recognise.evidence import CONF, FORMS, FUZZY_SCALE
from chipcustoms.recognise.fuzzy import unnamed_reason_row
from chipcustoms.recognise.learned import second_opinion_row
from chipcustoms.recognise.misspelling import noted_row
from chipcustoms.recognise.named_machines import ai_system_names, cpu_machines
from chipcustoms.recognise.resolver import PCI_PATTERN, Resolver
from chipcustoms.recognise.row_text import CharOracle, compile_same, normalised, part_number_text
from chipcustoms.recognise.server_skus import load_server_skus
from chipcustoms.recognise.system_order import system_first_text

Row = dict[str, Any]


def _int(s: str | None) -> int | None:
    """Polars' non-strict cast of an extracted count: ASCII digits only (Rust's parser)."""
    return int(s) if s is not None and s.isascii() and s.isdigit() else None


def _fmt(template: str, *args: object) -> str | None:
    """``pl.format``: null when any argument is null."""
    if any(a is None for a in args):
        return None
    return template.format(*args)


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


class RowResolver:
    """The resolver's steps on one (description, brand, model, part number, HS code)."""

    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver
        self.oracle = CharOracle()
        # Why every text goes to the batch resolver (a pattern the two engines would read
        # apart, or one Polars refuses, so the batch fails as before), or None.
        self.disabled: str | None = None
        patterns: list[str] = []

        def c(pattern: str) -> re.Pattern[str]:
            patterns.append(pattern)
            return compile_same(pattern)

        try:
            self._compile(c)
            frame = pl.DataFrame({"t": [""]})
            frame.select_seq(
                pl.col("t").str.contains(p).alias(str(k)) for k, p in enumerate(patterns)
            )
        except (ValueError, pl.exceptions.PolarsError) as exc:
            self.disabled = str(exc)

    def _compile(self, c: Callable[[str], re.Pattern[str]]) -> None:
        r = self.r
        v = r.vocabulary
        self._part = c(r._part_regex)
        self._pci = c(PCI_PATTERN)
        self._alias, self._series = c(r._alias_regex), c(r._lookalike)
        self._system = c(r._system_regex)
        self._fuzzy = c(r._fuzzy_regex)
        self._form = c(r"\b(" + "|".join(FORMS) + r")\b")
        counts = load_counts()
        self._strong_count = [c(p) for p in counts.any_line]
        self._count = [c(p) for p in counts.system]
        self._count_words = [c(p) for p in counts.words]
        self._word_counts = counts.word_counts
        self._quantity = c(counts.quantity_regex)
        self._strong, self._weak = c(f"({v.accessory_strong})"), c(f"({v.accessory_weak})")
        self._strong_apart = c(f"({v.accessory_strong_apart})")
        strong = f"{v.accessory_strong}|{v.accessory_strong_apart}"
        self._with_strong = c(f"(?:{v.with_words})(?:{strong})")
        self._with_weak = c(f"(?:{v.with_words})(?:{v.accessory_weak})")
        self._for, self._exclusion = c(v.for_words), c(f"({v.exclusion})")
        self._head = c(v.accessory_head)
        self._exclusion_scripts = c(f"({v.exclusion_scripts})")
        self._exclusion_apart = c(f"({v.exclusion_apart})")
        self._hint, self._bare_hint = c(v.hint), c(v.bare_hint)
        self._bare_hint_apart = c(v.bare_hint_apart)
        self._not_ai, self._system_word = c(v.not_ai), c(v.system_word)
        self._not_graphics = c(v.not_graphics)
        self._generic = [(gid, [c(p) for p in ps]) for gid, _, ps in v.generic]
        self._ai_system = (c(v.ai_system[0]), c(v.ai_system[1]))
        skus = load_server_skus()
        self._named, self._cpu = c(ai_system_names()), c(cpu_machines())  # named_machines.py
        self._box_carry, self._box_capacity = c(skus.boxes.carry), c(skus.boxes.capacity)
        parts = v.ai_system_parts
        self._parts = None if parts is None else (c(parts[0]), c(parts[1]))
        self._bare, self._distinctive = set(r._bare), set(r._distinctive)
        self._digits = set(r._digits)
        self._vouch = r._vouch
        self._systems_alias = list(r.system_alias)
        self._names: dict[str, tuple[str | None, str | None]] = {
            row["accelerator_id"]: (row["accelerator_vendor"], row["accelerator_model"])
            for row in r.catalog.frame()
            .select("accelerator_id", "accelerator_vendor", "accelerator_model")
            .to_dicts()
        }
        for gid, name in r._generic_names.items():
            self._names.setdefault(gid, (None, name))

    def resolve(self, texts: tuple[Any, ...]) -> Row | None:
        """The resolved columns of ``texts`` (:data:`resolver.TEXT_FIELDS` in order), as
        ``Resolver.resolve(...).select(RESOLVED)`` gives them; None where the batch resolver
        must decide (a value that is not text, a character the engines may read apart)."""
        if self.disabled or any(t is not None and not isinstance(t, str) for t in texts):
            return None
        description, brand, model, pn, hs = (t or "" for t in texts)
        text = f"{description} {brand} {model}"
        if not self.oracle.check(text + pn):
            return None
        x = self._candidates(text, pn, re.sub(r"[^0-9]", "", hs))
        out = self._decide(x)
        noted_row(out, x["typo"])  # a misspelling read: its note and a lower confidence
        unnamed_reason_row(out, x["f_unnamed"])  # variants the text does not name
        second_opinion_row(out, x["norm"], self.r.learned, self.r.vocabulary.ai_id)
        out["accelerator_vendor"], out["accelerator_model"] = self._names.get(
            out["accelerator_id"], (None, None)
        )
        return out

    def _aliases(self, norm: str) -> list[str]:
        found = []
        for m in self._alias.finditer(self._series.sub(" ", norm)):
            hit = m.group(0).strip()
            found.append(hit if hit in self.r.alias_to_id else hit.removesuffix("s"))
        return found

    def _candidates(self, text: str, pn: str, hs: str) -> Row:
        """The columns resolve_distinct computes before :func:`evidence.decide`."""
        r = self.r
        norm, typo = r.typos.correct(normalised(text))
        x: Row = {"norm": norm, "hs": hs, "typo": typo}
        x["strong_word"] = _first(_group(self._strong, norm), _group(self._strong_apart, norm))
        x["weak_word"] = _group(self._weak, norm)
        x["strong_count"] = strong_count = _first(*(_group(p, norm) for p in self._strong_count))
        upper = f"{part_number_text(pn)} {part_number_text(text)}"
        x["pn_hit"] = pn_hit = _group(self._part, upper)
        x["pci_hit"] = pci_hit = _group(self._pci, norm)
        aliases = self._aliases(norm)
        x["hint"] = self._hint.search(norm) is not None
        x["bare_hint"] = bool(self._bare_hint.search(norm) or self._bare_hint_apart.search(norm))
        x["hs_fits"] = hs[:4] in r.vocabulary.hs_prefixes
        x["hs_chapter_ok"] = hs == "" or hs[:2] in r.vocabulary.hs_chapters
        strong, weak = x["strong_word"], x["weak_word"]
        x["accessory"] = (strong is not None and not self._with_strong.search(norm)) or (
            weak is not None
            and self._for.search(norm) is not None
            and not self._with_weak.search(norm)
        ) or bool(self._head.search(norm))
        box = self._box_carry.search(norm) and not self._box_capacity.search(norm)
        x["accessory"] = x["accessory"] and not box  # a GPU box carrying written GPUs
        x["accessory_word"] = _first(strong, weak)
        x["exclusion"] = _first(
            _group(self._exclusion, norm),
            _group(self._exclusion_scripts, norm),
            _group(self._exclusion_apart, norm),
        )
        words = [_group(p, norm) for p in self._count_words]
        count = strong_count
        if count is None and not self._quantity.search(norm):
            count = _first(
                *[_group(p, norm) for p in self._count],
                *[None if w is None else self._word_counts.get(w) for w in words],
            )
        x["count"], x["strong_count"] = _int(count), _int(strong_count)
        sys_hit, x["sys_first"] = None, False
        if any(a in norm for a in self._systems_alias):
            sys_hit = _group(self._system, norm)
            if sys_hit is not None:
                outside = self._system.sub(" ", norm, count=1)
                aliases = self._aliases(outside)
                x["sys_first"] = system_first_text(norm, outside, self._system, self._alias)
        aliases = self._vouch.words(aliases, norm)
        x["sys_hit"], x["aliases"] = sys_hit, aliases
        x["pn_id"] = None if pn_hit is None else r._part_id(pn_hit)
        x["pci_id"] = None if pci_hit is None else r.pci_to_id.get(pci_hit.replace(" ", ":"))
        ids = [r.alias_to_id.get(a) for a in aliases]
        x["alias_ids"] = list(dict.fromkeys(i for i in ids if i is not None))
        x["bare"] = all(a in self._bare for a in aliases)
        x["distinctive"] = all(a in self._distinctive for a in aliases)
        x["digits"] = bool(aliases) and aliases[0] in self._digits
        x["sys_id"] = sys_id = None if sys_hit is None else r.system_alias.get(sys_hit)
        system = None if sys_id is None else r._systems.get(sys_id)
        x["sys_model"] = None if sys_hit is None else r.system_model.get(sys_hit)
        x["sys_units"] = None if system is None else system.units
        x["sys_possible"] = None if system is None else ", ".join(system.models)
        strong_evidence = x["pn_id"] is not None or x["pci_id"] is not None
        beside = bool(x["alias_ids"]) or sys_id is not None
        need = not (strong_evidence or (beside and (x["hint"] or sys_id is not None)))
        x["generic"] = self._wording(norm) if need else None
        x["system_word"] = x["count"] is not None and (
            self._system_word.search(norm) is not None or self._is_ai_system(norm)
        )
        x["f_match"] = x["f_score"] = x["f_unnamed"] = None
        fuzzy_ok = not x["alias_ids"] or x["digits"]
        if not strong_evidence and fuzzy_ok and x["hint"] and self._fuzzy.search(norm):
            best = r.fuzzy_reading(norm)
            if best is not None:
                x["f_match"], x["f_score"] = best.alias, best.score
                x["f_unnamed"] = ", ".join(best.unnamed) or None
        x["f_id"] = None if x["f_match"] is None else r.alias_to_id.get(x["f_match"])
        return x

    def _is_ai_system(self, norm: str) -> bool:
        found = bool(self._ai_system[0].search(norm) and self._ai_system[1].search(norm))
        if self._parts is not None:
            parts, unless = self._parts
            found = found and not (parts.search(norm) and not unless.search(norm))
        return found or self._named.search(norm) is not None

    def _wording(self, norm: str) -> str | None:
        """:func:`evidence.wording`: the first class whose patterns match."""
        v = self.r.vocabulary
        not_ai = self._not_ai.search(norm) is not None or self._cpu.search(norm) is not None
        if self._is_ai_system(norm) and not not_ai:
            return v.ai_id
        not_graphics = self._not_graphics.search(norm) is not None
        for gid, patterns in self._generic:
            if not_ai if gid in v.counting_generic else not_graphics:
                continue
            if any(p.search(norm) for p in patterns):
                return gid
        return None

    def _decide(self, x: Row) -> Row:
        """:func:`evidence.decide` for one line (a null method compares false, as the
        batch's nulls do in every place they reach)."""
        t = self.r._tables
        alias_ids, sys_id = x["alias_ids"], x["sys_id"]
        n_alias = len(alias_ids)
        hint = (
            x["hint"]
            or sys_id is not None
            or x["generic"] in t.counting_generic
            or len(set(alias_ids)) >= 2
        )
        first = alias_ids[0] if alias_ids else None
        method = (
            "part_number" if x["pn_id"] is not None
            else "pci_id" if x["pci_id"] is not None
            else "system" if x["sys_first"] and x["sys_model"] not in (None, first)
            else "alias" if n_alias > 0 and not (x["digits"] and x["f_id"] is not None)
            else "system" if x["sys_model"] is not None
            else "fuzzy" if x["f_id"] is not None
            else None
        )  # fmt: skip
        form = _group(self._form, x["norm"])
        variant = None if first is None or form is None else t.variants.get(f"{first}|{form}")
        system_model = x["sys_model"] if method == "system" else None
        model = _first(x["pn_id"], x["pci_id"], system_model, variant, first, x["sys_model"])
        model = _first(model, x["f_id"])
        match = {
            "part_number": x["pn_hit"],
            "pci_id": None if x["pci_hit"] is None else x["pci_hit"].replace(" ", ":", 1),
            "alias": x["aliases"][0] if x["aliases"] else None,
            "system": x["sys_hit"],
            "fuzzy": x["f_match"],
        }.get(method or "")
        bare = method == "alias" and x["bare"]
        lone_ok = bare and x["distinctive"] and x["hs"] == ""
        bare_ok = lone_ok or (x["bare_hint"] and x["hs"] == "")
        rejected = (method in ("alias", "fuzzy", "system") and not hint) and (
            (bare and not x["hs_fits"] and not bare_ok)
            or not x["hs_chapter_ok"]
            or (method == "alias" and x["digits"])
        )
        accessory, excluded = x["accessory"], x["exclusion"] is not None
        kept = model is not None and not rejected and not accessory and not excluded
        system = (
            sys_id is not None and not accessory and not excluded and (hint or x["hs_chapter_ok"])
        )
        system_only = system and not kept
        is_system = sys_id is not None or x["system_word"]
        generic = (
            t.ai_generic if system_only
            else None if accessory or excluded or rejected
            else None if x["generic"] in t.counting_generic and not x["hs_chapter_ok"]
            else x["generic"]
        )  # fmt: skip
        generic_counts = generic in t.counting_generic
        conf = (
            CONF["part_number"] if method == "part_number"
            else CONF["pci_id"] if method == "pci_id"
            else x["f_score"] * FUZZY_SCALE if method == "fuzzy"  # one multiplication, as Polars
            else CONF["system"] if method == "system"
            else CONF["alias_bare_hs"] if bare and (not hint or x["digits"])
            else CONF["alias"]
        )  # fmt: skip
        fam = t.families
        pn = fam.get(x["pn_id"], x["pn_id"])
        one = bool(alias_ids) and fam.get(alias_ids[0], alias_ids[0]) == pn
        one = one and fam.get(alias_ids[-1], alias_ids[-1]) == pn
        several = n_alias > 1 and not (method == "part_number" and one)
        if several:
            conf = min(conf, CONF["several"])
        final_conf = (
            conf if kept
            else CONF["system_unknown"] if system_only
            else CONF["accessory"] if accessory and (model is not None or hint)
            else CONF["exclusion"] if excluded
            else CONF["rejected"] if rejected
            else CONF["generic_ai"] if generic_counts
            else CONF["generic"] if generic is not None
            else CONF["none_hint"] if hint
            else CONF["none"]
        )  # fmt: skip
        if accessory or excluded:
            units = 1
        elif is_system:
            units = _first(x["count"], x["sys_units"], 1)
        else:
            units = _first(x["strong_count"], 1)
        named = _first(match, "-")
        sys_hit, sys_units = x["sys_hit"], x["sys_units"]
        sys_note = "" if sys_id is None else _fmt("; system '{}' carries {}", sys_hit, sys_units)
        reason = (
            _fmt("{} '{}'{}", method, match, sys_note) if kept
            else _fmt(
                "system '{}' carries {} accelerators; the model is not written (possible: {})",
                sys_hit, sys_units, x["sys_possible"],
            ) if system_only
            else _fmt("accessory ('{}'), not a card; model named: {}", x["accessory_word"], named)
            if accessory
            else _fmt("'{}' is not an accelerator shipment; model named: {}", x["exclusion"], named)
            if excluded
            else _fmt("'{}' alone is not read as a chip: no GPU word, HS '{}'", match, x["hs"])
            if rejected
            else _fmt("{}: AI-compute wording, no identifiable model", generic) if generic_counts
            else _fmt("{}: names no identifiable model", generic) if generic is not None
            else "GPU words but no model, system or generic class" if hint
            else "no accelerator vocabulary"
        )  # fmt: skip
        how = (
            method if kept
            else "system" if system_only
            else "accessory" if accessory
            else "exclusion" if excluded
            else "rejected" if rejected
            else "generic" if generic is not None
            else None
        )  # fmt: skip
        counts = model in t.counting_ids or (
            method == "alias" and any(a in t.counting_ids for a in alias_ids)
        )
        return {
            "accelerator_id": model if kept else generic,
            "is_accelerator": bool((kept and counts) or system or (not kept and generic_counts)),
            "units_per_item": units,
            "resolution_confidence": float(final_conf),
            "resolution_method": how,
            "resolution_match": match if kept else sys_hit if system_only else None,
            "resolution_others": ",".join(alias_ids[1:]) if kept and several else None,
            "resolution_reason": reason,
            "system_id": sys_id if system else None,
            "possible_models": x["sys_possible"] if system else None,
        }


def _group(pattern: re.Pattern[str], text: str) -> str | None:
    """``str.extract(pattern, 1)``: the first match's first group, or None."""
    m = pattern.search(text)
    return None if m is None else m.group(1)
