"""The audit trail as a keyed hash chain: each entry's hash is an HMAC-SHA256, with the store's
audit key (store/checkpoints.py), over its content and its predecessor's hash.

Changing, inserting or deleting one stored entry breaks the chain at that entry, and
:func:`verify` names the first entry whose stored hash no longer matches what its content and
position imply. Because the hash is keyed, someone who can write the database but does not hold
the key cannot recompute a rewritten chain or forge an appended entry. The hash covers the
fields as stored (text), so verification needs no knowledge of what an entry meant. Losing the
last entries is caught by the signed checkpoints (store/checkpoints.py), not here.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
HASHED = ("audit_id", "at", "actor", "action", "entity", "entity_id", "before", "after")

_ACTOR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "chipcustoms_actor", default=None
)


def current_actor() -> str | None:
    """The user a server request acts for, if any (the CLI falls back to the OS user)."""
    return _ACTOR.get()


@contextlib.contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Every store write inside this block is recorded as done by ``name``."""
    token = _ACTOR.set(name)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def _body(prev_hash: str, entry: Mapping[str, Any]) -> bytes:
    body = json.dumps([prev_hash, *(entry.get(k) for k in HASHED)], ensure_ascii=False)
    return body.encode("utf-8")


def entry_hash(prev_hash: str, entry: Mapping[str, Any], key: bytes) -> str:
    """HMAC-SHA256 with the audit key over the previous hash and the entry's fields in order."""
    return hmac.new(key, _body(prev_hash, entry), hashlib.sha256).hexdigest()


def unkeyed_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The chain's hash before it was keyed (migration 0004 only; 0007 rechains with the key)."""
    return hashlib.sha256(_body(prev_hash, entry)).hexdigest()


@dataclass(frozen=True)
class Verdict:
    entries: int
    broken_at: int | None  # audit_id of the first entry that does not verify
    problem: str | None  # set whenever the check failed (checkpoints and rows too)

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(entries: Iterable[Mapping[str, Any]], key: bytes) -> Verdict:
    """Walk the entries in id order; stop at the first that does not verify."""
    prev, n = GENESIS, 0
    for e in entries:
        n += 1
        if e.get("prev_hash") != prev:
            return Verdict(n, int(e["audit_id"]), "its prev_hash does not match the entry before")
        if not hmac.compare_digest(str(e.get("hash")), entry_hash(prev, e, key)):
            return Verdict(n, int(e["audit_id"]), "its content does not match its keyed hash")
        prev = str(e["hash"])
    return Verdict(n, None, None)


def to_jsonl(entries: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """One JSON object per entry, before/after decoded back to JSON values."""
    for e in entries:
        row = dict(e)
        for k in ("before", "after"):
            if row.get(k) is not None:
                row[k] = json.loads(row[k])
        yield json.dumps(row, ensure_ascii=False, default=str) + "\n"
