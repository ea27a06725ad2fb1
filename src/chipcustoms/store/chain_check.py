"""``chipcustoms audit verify``: the keyed chain, then every signed checkpoint, then the rows.

Stops at the first problem and names it: an entry whose keyed hash does not match (a rewrite,
an edit, a forged append), a checkpoint that is unsigned or out of sequence, a checkpoint naming
entries the chain no longer has (truncation), assessments or covered rows that differ from what
the last checkpoint signed (an edit without an audit entry), and, given an exported checkpoint,
a chain that no longer reaches it (the whole store rolled back).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from chipcustoms.store import checkpoints as cps
from chipcustoms.store.audit import Verdict, verify
from chipcustoms.store.base import Store


def check(store: Store, exported: dict[str, Any] | None = None) -> Verdict:
    key = store.audit_key
    hashes: dict[int, str] = {}

    def kept(entries: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for e in entries:
            hashes[int(e["audit_id"])] = str(e["hash"])
            yield e

    verdict = verify(kept(store.audit_entries()), key)
    if not verdict.intact:
        return verdict
    n = verdict.entries

    def bad(problem: str) -> Verdict:
        return Verdict(n, None, problem)

    with store.engine.connect() as conn:
        db = cps.SaDb(conn)
        prev: dict[str, Any] | None = None
        for cp in cps.all_checkpoints(conn):
            i = int(cp["checkpoint_id"])
            if not hmac.compare_digest(str(cp["mac"]), cps.mac(key, cp)):
                return bad(f"checkpoint {i} is not signed with this store's audit key")
            expected_id = 1 if prev is None else int(prev["checkpoint_id"]) + 1
            if i != expected_id or cp["prev_mac"] != (None if prev is None else prev["mac"]):
                return bad(f"checkpoint {i} does not follow checkpoint {expected_id - 1}: "
                           "checkpoints were removed")
            if problem := _reaches(cp, hashes, n, f"checkpoint {i}"):
                return bad(problem)
            after = 0 if prev is None else int(prev["assessments_upto"])
            upto = int(cp["assessments_upto"])
            if cps.assessments_digest(db, after, upto) != cp["assessments_digest"]:
                return bad(f"assessments {after + 1}..{upto} differ from what checkpoint {i} "
                           "signed: rows were edited, added or removed")
            prev = cp
        covered = sum(_count(conn, table) for table in cps.COVERED)
        if prev is None:
            if n or covered:
                return bad("no checkpoint, yet the store holds audit entries or rows: the "
                           "checkpoints were removed")
        else:
            last = int(prev["checkpoint_id"])
            if int(prev["entries"]) != n:
                return bad(f"entries after {prev['entries']} are not covered by the last "
                           f"checkpoint ({last}): checkpoints were removed")
            top = conn.execute(sa.select(sa.func.max(cps.t.assessments.c.assessment_id)))
            if int(top.scalar() or 0) != int(prev["assessments_upto"]):
                return bad(f"assessments after {prev['assessments_upto']} are not covered by "
                           f"the last checkpoint ({last}): added without a write of the store")
            if not cps.rows_match(db, key, str(prev["rows_digest"])):
                return bad(f"cases, outcomes, overrides or users differ from what the last "
                           f"checkpoint ({last}) signed: a row was edited without an audit "
                           "entry (or a run was cut short; any audited write re-signs)")
    if exported is not None:
        if not hmac.compare_digest(str(exported.get("mac")), cps.mac(key, exported)):
            return bad("the exported checkpoint is not signed with this store's audit key")
        if problem := _reaches(exported, hashes, n, "the exported checkpoint"):
            return bad(problem)
    return verdict


def _reaches(cp: dict[str, Any], hashes: dict[int, str], n: int, what: str) -> str | None:
    entries = int(cp["entries"])
    if entries > n:
        return f"{what} covers {entries} entries but the chain has {n}: entries were removed"
    if entries and hashes.get(entries) != cp["head_hash"]:
        return f"{what} names a different entry {entries}: the chain was rewritten"
    return None


def _count(conn: sa.Connection, table: str) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(cps.t.metadata.tables[table]))
               .scalar_one())
