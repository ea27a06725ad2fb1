"""Users, roles and what each role may do; API keys and passwords, stored only as hashes.

An API key is 32 random bytes, so a plain sha256 of it cannot be brute-forced and lets the server
find the user with one indexed lookup. Passwords are chosen by people and get scrypt with a salt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from chipcustoms.refdata import REFDATA, load_validated


class RouteAccess(BaseModel):
    """One row of the permission table: a route, what it needs, how its office is checked."""

    model_config = ConfigDict(extra="forbid")
    route: str  # "METHOD /path"
    permission: str
    office: Literal["target", "none"]
    scope: Literal["any", "unscoped"] = "any"
    owner: bool = False


class PermissionTable(BaseModel):
    """``refdata/permissions.yaml``: roles, permissions per role, and every route's rule."""

    model_config = ConfigDict(extra="forbid")
    roles: list[str]
    permissions: dict[str, list[str]]
    routes: list[RouteAccess]

    @model_validator(mode="after")
    def _known(self) -> PermissionTable:
        for name, roles in self.permissions.items():
            if unknown := sorted(set(roles) - set(self.roles)):
                raise ValueError(f"permission {name}: unknown role(s) {unknown}")
        allowed = {*self.permissions, "public", "session"}
        for r in self.routes:
            if r.permission not in allowed:
                raise ValueError(f"route {r.route}: unknown permission {r.permission!r}")
        return self


TABLE = load_validated(REFDATA / "permissions.yaml", PermissionTable, section="routes")
ROLES = tuple(TABLE.roles)
PERMISSIONS: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in TABLE.permissions.items()}
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
