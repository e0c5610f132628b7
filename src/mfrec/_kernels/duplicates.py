"""Duplicate (user, item) pair detection in linear time."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def has_duplicate_pairs(user_index, item_index, n_users, n_items):
    """Return whether any (user, item) pair occurs twice.

    user_index, item_index: int32 (n,) dense indices below n_users and n_items. Groups
    the items by user with a counting sort (4 bytes per rating), then marks each item
    with the last user seen: no sort of the ratings and no 64-bit keys.
    """
    n = user_index.shape[0]
    indptr = np.zeros(n_users + 1, dtype=np.int64)
    for j in range(n):
        indptr[user_index[j] + 1] += 1
    for u in range(n_users):
        indptr[u + 1] += indptr[u]
    grouped = np.empty(n, dtype=np.int32)
    fill = indptr[:-1].copy()
    for j in range(n):
        grouped[fill[user_index[j]]] = item_index[j]
        fill[user_index[j]] += 1
    last_user = np.full(n_items, -1, dtype=np.int32)
    for u in range(n_users):
        for j in range(indptr[u], indptr[u + 1]):
            if last_user[grouped[j]] == u:
                return True
            last_user[grouped[j]] = u
    return False
