"""Fixtures policy: reference data is loaded once per session (it is immutable); every test that
writes gets its own tmp_path; randomness is seeded; data from ../shared is optional and tests
that need it skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipcustoms.assess.pipeline import References

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
