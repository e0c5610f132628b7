"""Pair-counting kernel of the fraction of concordant pairs (FCP)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def concordant_pairs(indptr, true, predicted):
    """Count concordant and discordant pairs within each user; return the two totals.

    indptr: int64 (n_users + 1,) delimits each user's rows of true and predicted
    (float64, (n,)). A pair (i, j) with true[i] > true[j] is concordant when
    predicted[i] > predicted[j] and discordant otherwise; pairs with equal true
    ratings are not counted.
    """
    concordant = np.int64(0)
    discordant = np.int64(0)
    for u in range(len(indptr) - 1):
        for a in range(indptr[u], indptr[u + 1]):
            for b in range(indptr[u], indptr[u + 1]):
                if true[a] > true[b]:
                    if predicted[a] > predicted[b]:
                        concordant += 1
                    else:
                        discordant += 1
    return concordant, discordant
