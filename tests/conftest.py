"""Shared fixtures: paths to the bundled cases and the shared MovieLens data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MFREC_SHARED", REPO.parent / "shared"))
DATA = SHARED / "data"
CASES = SHARED / "cases"


def need(path: Path) -> Path:
    """Return ``path``, or skip the test with a message saying where the data is expected."""
    if not path.exists():
        pytest.skip(
            f"{path} is not available: the MovieLens data sets and the bug-report cases "
            f"are read from a 'shared' folder next to the repository; set MFREC_SHARED to "
            f"point at another copy"
        )
    return path


@pytest.fixture
def ml100k() -> Path:
    """Folder of MovieLens 100K (u1.base ... u5.test)."""
    return need(DATA / "ml-100k")


@pytest.fixture
def ml_latest_small() -> Path:
    """Folder of MovieLens latest-small with its fixed split in splits/."""
    return need(DATA / "ml-latest-small")


@pytest.fixture
def cases() -> Path:
    """Folder of the small inputs drawn from other libraries' bug reports."""
    return need(CASES)
