"""Fixtures policy: reference data is loaded once per session (it is immutable); every test that
writes gets its own tmp_path; randomness is seeded; data from ../shared is optional and tests
that need it skip when it is absent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from chipcustoms.assess.pipeline import References
from stores import BACKENDS

if TYPE_CHECKING:
    from server_fixtures import Served

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def refs() -> References:
    return References.load()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    return path


@pytest.fixture(params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path: Path, fixtures: Path, refs: References
) -> Iterator[Served]:
    """The API over a store with a budget-mode run, once per backend."""
    from server_fixtures import served
    from stores import target

    s = served(target(request.param, tmp_path), tmp_path, fixtures, refs)
    with s.client:
        yield s


@pytest.fixture(params=BACKENDS)
def web(
    request: pytest.FixtureRequest, tmp_path: Path, fixtures: Path, refs: References
) -> Iterator[Served]:
    """The pages over a screened store, once per backend (a module may narrow it to one)."""
    from web_fixtures import serving

    with serving(request.param, tmp_path, fixtures, refs) as s:
        yield s
