"""Shared fixtures. Real third-party records are read only through `shared_data`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"


def find_shared_data() -> Path | None:
    """../shared/data beside the project root (or KG_SHARED_DATA), or None where it is absent."""
    env = os.environ.get("KG_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "data", ROOT / ".." / ".." / "shared" / "data"]
    for c in candidates:
        if (c / "SOURCES.md").exists():
            return c.resolve()
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = find_shared_data()
    if d is None:
        pytest.skip("../shared/data (real third-party records) is not beside the project; "
                    "set KG_SHARED_DATA to run these tests")
    return d


@pytest.fixture
def store():
    from kg.stores.oxigraph import OxigraphStore
    return OxigraphStore()
