"""A served store for the API tests: fixture lines screened in budget mode, one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from chipcustoms.app.server import create_app
from chipcustoms.assess.pipeline import References
from chipcustoms.assess.selection import Budgets
from chipcustoms.run.orchestrator import screen_file
from chipcustoms.store import open_store
from chipcustoms.store.access import add_user

USERS = {
    "vera": ("viewer", None),
    "ana": ("analyst", None),
    "ines": ("inspector", "SZ01"),
    "otto": ("inspector", "SZ02"),
    "adam": ("admin", None),
}


@dataclass
class Served:
    client: TestClient
    db: str
    keys: dict[str, str]

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[user]}"}


def served(db: str, folder: Path, fixtures: Path, refs: References) -> Served:
    # Half the lines red or yellow, so that every office has open cases.
    screen_file(
        str(fixtures / "lines.csv"),
        str(folder / "o.csv"),
        db=db,
        budgets=Budgets(red=0.3, yellow=0.3),
        refs=refs,
    )
    store = open_store(db)
    keys = {name: add_user(store, name, role, office) for name, (role, office) in USERS.items()}
    app = create_app(db, refs=refs, jobs_dir=str(folder / "jobs"))
    return Served(TestClient(app, raise_server_exceptions=False), db, keys)
