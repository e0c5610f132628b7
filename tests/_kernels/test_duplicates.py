"""Duplicate (user, item) pair detection against a set of pairs."""

from __future__ import annotations

import numpy as np
import pytest

from mfrec._kernels.duplicates import has_duplicate_pairs


@pytest.mark.parametrize("seed", range(6))
def test_has_duplicate_pairs_matches_set(seed):
    rng = np.random.default_rng(seed)
    user = rng.integers(0, 20, 60).astype(np.int32)
    item = rng.integers(0, 15, 60).astype(np.int32)
    pairs = list(zip(user.tolist(), item.tolist()))
    assert has_duplicate_pairs(user, item, 20, 15) == (len(set(pairs)) < len(pairs))


def test_has_duplicate_pairs_cases():
    one = np.array([0], np.int32)
    assert not has_duplicate_pairs(one, one, 1, 1)
    # (0, 1) twice, in different positions.
    assert has_duplicate_pairs(np.array([0, 1, 0], np.int32), np.array([1, 1, 1], np.int32), 2, 2)
    # Same item for different users, same user for different items: no duplicate.
    assert not has_duplicate_pairs(np.array([0, 1, 0], np.int32), np.array([1, 1, 0], np.int32), 2, 2)
    assert not has_duplicate_pairs(np.zeros(0, np.int32), np.zeros(0, np.int32), 0, 0)
