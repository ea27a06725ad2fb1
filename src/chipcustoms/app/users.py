"""Users, roles and what each role may do; API keys and passwords, stored only as hashes.

An API key is 32 random bytes, so a plain sha256 of it cannot be brute-forced and lets the server
find the user with one indexed lookup. Passwords are chosen by people and get scrypt with a salt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ROLES = ("viewer", "analyst", "inspector", "admin")
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "screen": frozenset({"analyst", "admin"}),
    "override": frozenset({"analyst", "admin"}),
    "assign": frozenset({"analyst", "inspector", "admin"}),
    "outcome": frozenset({"inspector", "admin"}),
    "manage": frozenset({"admin"}),
}
KEY_PREFIX = "cc_"
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class User:
    name: str
    role: str
    office: str | None  # None: every office

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    def sees_office(self, office: str | None) -> bool:
        return self.office is None or self.office == office


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def password_hash(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    _, salt, digest = stored.split("$")
    given = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), **SCRYPT)
    return hmac.compare_digest(given.hex(), digest)
