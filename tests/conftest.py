"""Shared fixtures: paths to the bundled cases and the shared MovieLens data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MFREC_SHARED", REPO.parent / "shared"))
DATA = SHARED / "data"
CASES = SHARED / "cases"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available: the shared data sets live beside the repository, in ../shared")
    return path


@pytest.fixture
def ml100k() -> Path:
    """Folder of MovieLens 100K (u1.base ... u5.test)."""
    return _need(DATA / "ml-100k")


@pytest.fixture
def ml_latest_small() -> Path:
    """Folder of MovieLens latest-small with its fixed split in splits/."""
    return _need(DATA / "ml-latest-small")


@pytest.fixture
def cases() -> Path:
    """Folder of the small inputs drawn from other libraries' bug reports."""
    return _need(CASES)
