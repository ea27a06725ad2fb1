"""Rule evaluation: every rule of every pack in one DuckDB query over the whole batch.

Each rule becomes a ``CASE WHEN condition THEN reason END`` element of a list, so one scan
returns, per line, the reasons of the rules it hit; group rules (split lots) are window
aggregates in CTEs joined back by line index. Conditions were checked by
:mod:`chipcustoms.policy.sqlexpr` first and the SQL is rendered from the checked trees, so the
text that reaches DuckDB is only an expression; every name a pack chooses is checked and quoted.
The connection has no file, network or extension access and a locked configuration, so even a
condition that slipped through could not read or write a file.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from chipcustoms import settings
from chipcustoms.errors import RuleError
from chipcustoms.policy.packs import PLACEHOLDER, LoadedPack, Pack, Rule, parse_rule
from chipcustoms.policy.profiles import Profile, check_condition, load_profile
from chipcustoms.policy.sqlexpr import columns_of, quote

if TYPE_CHECKING:
    from chipcustoms.policy.rule_rows import RowRules

IDX = "__i"
# The batch goes to DuckDB in polars' own Arrow layout (text as string views, which DuckDB
# reads as they are): the older layout copies every text column into large strings first,
# about 0.4 s for the columns the rules read of a million lines.
ARROW = pl.CompatLevel.newest()


# Conditions come from packs people share: the connection that evaluates them can reach no
# file (read_text, COPY, ATTACH, glob), no network and no extension, and nothing can turn that
# back on (the configuration is locked once the connection is open).
SANDBOX: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def connect(**config: str | bool | int | float | list[str]) -> duckdb.DuckDBPyConnection:
    """A sandboxed in-memory DuckDB connection (:data:`SANDBOX`); ``CHIPCUSTOMS_THREADS`` caps
    its threads (one per Dask worker). Spilling to ``temp_directory`` still works."""
    threads = settings.get("threads")
    if threads:
        config = {"threads": int(threads), **config}
    loosened = sorted(set(config) & set(SANDBOX))
    if loosened:
        raise ValueError(f"the rule connection's sandbox settings {loosened} are fixed")
    # The sandbox first: DuckDB applies the options in order, and refuses a temp_directory
    # given before external access is switched off (it accepts one given after).
    return duckdb.connect(config={**SANDBOX, **config})


_LOCAL = threading.local()


def _thread_connection() -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per thread, reused: opening one costs ~15 ms, which is most of
    what a single line screened through the API pays for its rules."""
    con: duckdb.DuckDBPyConnection | None = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = connect()
    return con


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _message_sql(rule: Rule) -> str:
    """Template '... {col:.0f} ...' -> 'lit' || coalesce(format('{:.0f}', col), 'n/a') || ..."""
    parts: list[str] = []
    pos = 0
    for m in PLACEHOLDER.finditer(rule.message):
        if m.start() > pos:
            parts.append(_lit(rule.message[pos : m.start()]))
        col, spec = m.group(1), m.group(2)
        if spec:
            parts.append(f"coalesce(format({_lit('{:' + spec + '}')}, {quote(col)}), 'n/a')")
        else:
            parts.append(f"coalesce(CAST({quote(col)} AS VARCHAR), 'n/a')")
        pos = m.end()
    if pos < len(rule.message):
        parts.append(_lit(rule.message[pos:]))
    return " || ".join(parts) if parts else "''"


@dataclass(frozen=True)
class CompiledRule:
    pack: str
    rule: Rule
    condition: str

    @property
    def ref(self) -> str:
        return f"{self.pack}/{self.rule.id}@{self.rule.version}"


@dataclass(frozen=True)
class GroupSpec:
    """One group rule's window-aggregate query (see :meth:`RuleSet.group_specs`)."""

    name: str
    sql: str
    partition_by: tuple[str, ...]
    columns: tuple[str, ...]


class RuleSet:
    """All active rules of the loaded packs, compiled once per column set.

    Under ``profile`` (default: the ``all`` profile) only the packs it applies take part, and
    each rule's condition is ANDed with the condition under which its pack's law governs the
    line (:mod:`chipcustoms.policy.profiles`).
    """

    def __init__(self, packs: list[LoadedPack], profile: Profile | None = None) -> None:
        self.profile = profile or load_profile("all")
        self.packs = [lp for lp in packs if self.profile.applies(lp.pack)]
        self.rules = [(lp.pack, r) for lp in self.packs for r in lp.pack.rules]
        self.codes = {r.code: r.category for _, r in self.rules}
        # Every expression parsed and checked once, here: a bad pack fails before any data is
        # read, and the SQL that runs is rendered from these trees.
        self._parsed = [parse_rule(lp, r) for lp in self.packs for r in lp.pack.rules]
        # Compiled SQL per column set and the columns the rules read: checking every condition
        # with sqlglot costs ~20 ms, paid once per process instead of once per batch or line.
        self._compiled: dict[frozenset[str], tuple[list[CompiledRule], list[tuple[str, str]]]] = {}
        self._read: set[str] | None = None

    def check(self, batch: pl.DataFrame) -> None:
        """Compile and run every rule over ``batch`` (an empty assessed batch will do), or raise
        a :class:`RuleError` naming the pack file and the rule: an unknown column, or SQL that
        DuckDB cannot bind, fails before a caller reads any input."""
        try:
            self.evaluate(batch)
        except RuleError:
            for lp in self.packs:  # which rule? each alone, so the message can name it
                for rule in lp.pack.rules:
                    one = lp.model_copy(
                        update={"pack": lp.pack.model_copy(update={"rules": [rule]})}
                    )
                    try:
                        RuleSet([one], self.profile).evaluate(batch)
                    except RuleError as exc:
                        where = f"policy pack {lp.path}, rule {rule.id}"
                        raise RuleError(
                            str(exc) if where in str(exc) else f"{where}: {exc}"
                        ) from exc
            raise

    def _compile(self, columns: set[str]) -> tuple[list[CompiledRule], list[tuple[str, str]]]:
        key = frozenset(columns)
        if key not in self._compiled:
            self._compiled[key] = self._compile_uncached(columns)
        return self._compiled[key]

    def _compile_uncached(
        self, columns: set[str]
    ) -> tuple[list[CompiledRule], list[tuple[str, str]]]:
        compiled: list[CompiledRule] = []
        ctes: list[tuple[str, str]] = []
        for (pack, rule), parsed in zip(self.rules, self._parsed, strict=True):
            where = parsed.where
            cond_cols = set(columns)
            if rule.group:
                aggs = rule.group.aggregates
                clash = sorted(set(aggs) & columns)
                if clash:
                    raise RuleError(f"{where}: aggregate name(s) {clash} shadow line columns")
                cond_cols |= set(aggs)
            for col, _ in rule.placeholders():
                if col not in cond_cols:
                    raise RuleError(f"{where}: message uses unknown column {col!r}")
            for col in rule.evidence:
                if col not in cond_cols:
                    raise RuleError(f"{where}: evidence names unknown column {col!r}")
            cond = parsed.condition.render(cond_cols)
            governs = self._governs(pack, columns)
            if governs != "TRUE":
                cond = f"({cond}) AND ({governs})"
            start = rule.effective_from or pack.effective_from
            end = rule.effective_to or pack.effective_to
            if start:
                cond = f"({cond}) AND \"date\" >= DATE '{start.isoformat()}'"
            if end:
                cond = f"({cond}) AND \"date\" <= DATE '{end.isoformat()}'"
            if rule.group:
                g = rule.group
                for col in g.partition_by:
                    if col not in columns:
                        raise RuleError(f"{where}: partition_by names unknown column {col!r}")
                assert parsed.group_where is not None
                gwhere = parsed.group_where.render(columns)
                agg_sql = ", ".join(
                    f"{expr.render(columns)} OVER w AS {quote(name)}"
                    for name, expr in parsed.aggregates.items()
                )
                part = ", ".join(quote(c) for c in g.partition_by)
                cte = f"g{len(ctes)}"
                names = ", ".join(quote(a) for a in parsed.aggregates)
                ctes.append(
                    (
                        cte,
                        f"SELECT {IDX}, {names}"
                        f" FROM (SELECT *, {agg_sql} FROM lines WHERE {gwhere} WINDOW w AS "
                        f'(PARTITION BY {part} ORDER BY "date" RANGE BETWEEN INTERVAL '
                        f"{g.window_days} DAYS PRECEDING AND INTERVAL {g.window_days} DAYS "
                        "FOLLOWING))",
                    )
                )
                cond = f"({cte}.{IDX} IS NOT NULL AND ({cond}))"
            compiled.append(CompiledRule(pack.id, rule, cond))
        return compiled, ctes

    def _governs(self, pack: Pack, columns: set[str]) -> str:
        return check_condition(self.profile, pack, columns)

    def _columns_read(self) -> set[str]:
        if self._read is None:
            self._read = self._columns_read_uncached()
        return self._read

    def _columns_read_uncached(self) -> set[str]:
        used = {"date"}
        for lp in self.packs:
            used |= columns_of(self.profile.condition(lp.pack))
        for (_, rule), parsed in zip(self.rules, self._parsed, strict=True):
            used |= parsed.condition.columns | set(rule.evidence)
            used |= {col for col, _ in rule.placeholders()}
            if rule.group and parsed.group_where is not None:
                used |= set(rule.group.partition_by) | parsed.group_where.columns
                for expr in parsed.aggregates.values():
                    used |= expr.columns
        return used

    def group_queries(self, columns: set[str]) -> list[tuple[str, str]]:
        """(name, SQL) of each group rule's window aggregates over a table ``lines``.

        Each query returns ``__i`` and the aggregates for the lines in the rule's ``where``. A
        streamed run runs them once over the whole input and hands each batch its rows
        (``groups`` of :meth:`evaluate`), so a split lot is found across batches.
        """
        return self._compile(columns - {IDX})[1]

    def group_specs(self, columns: set[str]) -> list[GroupSpec]:
        """:meth:`group_queries` with what a streamed run needs to bucket each of them: the
        ``partition_by`` columns (a window never crosses their values, so lines bucketed by a
        hash of them can be aggregated bucket by bucket) and every column the query reads."""
        grouped = [
            (rule, parsed)
            for (_, rule), parsed in zip(self.rules, self._parsed, strict=True)
            if rule.group
        ]
        specs = []
        for (name, sql), (rule, parsed) in zip(self.group_queries(columns), grouped, strict=True):
            g = rule.group
            assert g is not None and parsed.group_where is not None
            read = {"date", *g.partition_by} | parsed.group_where.columns
            for expr in parsed.aggregates.values():
                read |= expr.columns
            specs.append(GroupSpec(name, sql, tuple(g.partition_by), tuple(sorted(read))))
        return specs

    def row_evaluator(self, schema: Mapping[str, pl.DataType]) -> RowRules:
        """The rules compiled for one line at a time over lines of ``schema`` (the enriched
        batch's): :meth:`RowRules.evaluate` gives per line what :meth:`evaluate` gives."""
        from chipcustoms.policy.rowexpr import duck_types
        from chipcustoms.policy.rule_rows import RowRules

        return RowRules(self, duck_types({k: v for k, v in schema.items() if k != IDX}))

    def evaluate(
        self, lines: pl.DataFrame, *, groups: dict[str, pl.DataFrame] | None = None
    ) -> pl.DataFrame:
        """The lines that hit at least one rule (by ``__i``, in no particular order): their
        `rule_reasons` (list of reason structs), `floor_red`, `floor_yellow` and `rule_hits`.

        Sparse on purpose: most lines hit nothing, and the callers only need the ones that do.
        ``groups`` (name -> ``__i`` and aggregates, from :meth:`group_queries` run over a larger
        whole) replaces the window aggregates over this batch.
        """
        columns = set(lines.columns) - {IDX}
        compiled, ctes = self._compile(columns)
        empty = pl.DataFrame(
            schema={
                IDX: lines.schema[IDX],
                "rule_reasons": pl.List(REASON_DTYPE),
                "floor_red": pl.Boolean,
                "floor_yellow": pl.Boolean,
                "rule_hits": pl.List(pl.Utf8),
            }
        )
        if not compiled:
            return empty
        # Inner query: each condition once, as a boolean column; outer query: reasons, floors
        # and hit lists from those booleans (only lines with a hit build a list).
        flags, elements, hits, reds, yellows = [], [], [], [], []
        for k, c in enumerate(compiled):
            flag = f"__h{k}"
            flags.append(f"coalesce({c.condition}, FALSE) AS {flag}")
            ev_cols = c.rule.evidence or [col for col, _ in c.rule.placeholders()]
            if c.rule.message_zh:  # the values a Chinese page fills the template with
                ev_cols = [*ev_cols, *(col for col, _ in c.rule.placeholders())]
            ev = ", ".join(f"{_lit(col)}, {quote(col)}" for col in dict.fromkeys(ev_cols))
            evidence = f"json_object('rule', {_lit(c.ref)}{', ' + ev if ev else ''})::VARCHAR"
            reason = (
                f"{{'code': {_lit(c.rule.code)}, 'source': 'rule', "
                f"'score': {c.rule.weight}::DOUBLE, 'message': {_message_sql(c.rule)}, "
                f"'evidence': {evidence}}}"
            )
            elements.append(f"CASE WHEN {flag} THEN {reason} END")
            hits.append(f"CASE WHEN {flag} THEN {_lit(c.ref)} END")
            if c.rule.floor == "red":
                reds.append(flag)
            elif c.rule.floor == "yellow":
                yellows.append(flag)
        given = groups or {}
        missing = [name for name, _ in ctes if groups is not None and name not in given]
        if missing:
            raise RuleError(f"group aggregates {missing} were not computed for this batch")
        ctes = [(name, body) for name, body in ctes if name not in given]
        names = [*given, *(name for name, _ in ctes)]
        joins = " ".join(f"LEFT JOIN {g} ON {g}.{IDX} = lines.{IDX}" for g in names)
        group_cols = "".join(f", {g}.* EXCLUDE ({IDX})" for g in names)
        any_hit = " OR ".join(f"__h{k}" for k in range(len(compiled)))
        inner = f"SELECT lines.*{group_cols}, {', '.join(flags)} FROM lines {joins}"
        sql = (
            "WITH "
            + "".join(f"{name} AS ({body}), " for name, body in ctes)
            + f"flagged AS ({inner}) "
            + f"SELECT {IDX}, "
            + f"list_filter([{', '.join(elements)}], lambda x: x IS NOT NULL) AS rule_reasons, "
            + f"({' OR '.join(reds) or 'FALSE'}) AS floor_red, "
            + f"({' OR '.join(yellows) or 'FALSE'}) AS floor_yellow, "
            + f"list_filter([{', '.join(hits)}], lambda x: x IS NOT NULL) AS rule_hits "
            + f"FROM flagged WHERE {any_hit}"
        )
        con = _thread_connection()
        registered = ["lines", *given]
        try:
            for name, frame in given.items():
                con.register(name, frame.cast({IDX: lines.schema[IDX]}).to_arrow())
            # Only the columns the rules read travel to DuckDB: a third of the batch, not all.
            needed = sorted(self._columns_read() & columns)
            con.register("lines", lines.select(IDX, *needed).to_arrow(compat_level=ARROW))
            try:
                hit = con.sql(sql).pl()
            except duckdb.Error as exc:
                first = (str(exc).strip().splitlines() or [""])[0]  # DuckDB adds candidates
                raise RuleError(f"a policy condition failed to evaluate: {first}") from exc
        finally:
            for name in registered:  # the batch is not kept alive by the reused connection
                with contextlib.suppress(duckdb.Error):
                    con.unregister(name)
        return hit.cast({"rule_reasons": pl.List(REASON_DTYPE), IDX: lines.schema[IDX]})


REASON_DTYPE = pl.Struct(
    {
        "code": pl.Utf8,
        "source": pl.Utf8,
        "score": pl.Float64,
        "message": pl.Utf8,
        "evidence": pl.Utf8,
    }
)
