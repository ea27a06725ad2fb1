"""The audit trail as a hash chain: each entry's hash covers its content and its predecessor's hash.

Changing, inserting or deleting one stored entry breaks the chain at that entry, and
:func:`verify` names the first entry whose stored hash no longer matches what its content and
position imply. The hash covers the fields as stored (text), so verification needs no knowledge
of what an entry meant.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
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


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """sha256 over the previous hash and the entry's fields in a fixed order."""
    body = json.dumps([prev_hash, *(entry.get(k) for k in HASHED)], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    entries: int
    broken_at: int | None  # audit_id of the first entry that does not verify
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(entries: Iterable[Mapping[str, Any]]) -> Verdict:
    """Walk the entries in id order; stop at the first that does not verify."""
    prev, n = GENESIS, 0
    for e in entries:
        n += 1
        if e.get("prev_hash") != prev:
            return Verdict(n, int(e["audit_id"]), "its prev_hash does not match the entry before")
        if e.get("hash") != entry_hash(prev, e):
            return Verdict(n, int(e["audit_id"]), "its content does not match its hash")
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
