"""Top-n selection kernels: the best items of many users, rated items excluded, and the rated-items CSR."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Users per parallel work item of :func:`top_n_explicit`; each allocates its scratch once.
ROWS_PER_CHUNK = 16


@njit(cache=True, nogil=True, parallel=True)
def top_n_rows(scores, users, indptr, rated, exclude_rated, n, out_items, out_scores, out_counts):
    """Select the ``n`` best items of each score row, ties broken by the lower item index.

    scores: float64 (rows, n_items); users: int64 (rows,), the user of each row;
    indptr: int64 (n_users + 1,) and rated: int32, the CSR of the training items of
    each user, skipped when ``exclude_rated``. Writes out_items int64 (rows, n) and
    out_scores float64 (rows, n), best first, and out_counts int64 (rows,), the number
    of items found (fewer than ``n`` when a user has fewer candidates).
    """
    n_items = scores.shape[1]
    for row in prange(scores.shape[0]):
        excluded = np.zeros(n_items, dtype=np.bool_)
        if exclude_rated:
            u = users[row]
            for j in range(indptr[u], indptr[u + 1]):
                excluded[rated[j]] = True
        out_counts[row] = _select(scores[row], excluded, n, out_items[row], out_scores[row])


@njit(cache=True, nogil=True)
def _select(scores, excluded, n, items, values):
    # Keep a heap of the n best so far with the worst at the root, then sort it.
    count = 0
    for i in range(scores.shape[0]):
        if excluded[i]:
            continue
        if count < n:
            items[count] = i
            values[count] = scores[i]
            count += 1
            _sift_up(items, values, count - 1)
        elif _better(scores[i], i, values[0], items[0]):
            items[0] = i
            values[0] = scores[i]
            _sift_down(items, values, count)
    # Insertion sort, best first: n is small.
    for a in range(1, count):
        item, value = items[a], values[a]
        b = a - 1
        while b >= 0 and _better(value, item, values[b], items[b]):
            items[b + 1] = items[b]
            values[b + 1] = values[b]
            b -= 1
        items[b + 1] = item
        values[b + 1] = value
    return count


@njit(cache=True, nogil=True, inline="always")
def _better(score, item, other_score, other_item):
    return score > other_score or (score == other_score and item < other_item)


@njit(cache=True, nogil=True)
def _sift_up(items, values, at):
    while at > 0:
        parent = (at - 1) // 2
        if not _better(values[parent], items[parent], values[at], items[at]):
            break
        _swap(items, values, at, parent)
        at = parent


@njit(cache=True, nogil=True)
def _sift_down(items, values, count):
    at = 0
    while True:
        worst = at
        for child in (2 * at + 1, 2 * at + 2):
            if child < count and _better(values[worst], items[worst], values[child], items[child]):
                worst = child
        if worst == at:
            return
        _swap(items, values, at, worst)
        at = worst


@njit(cache=True, nogil=True, inline="always")
def _swap(items, values, a, b):
    items[a], items[b] = items[b], items[a]
    values[a], values[b] = values[b], values[a]


@njit(cache=True, nogil=True)
def rated_csr(user_index, item_index, n_users):
    """Group the rated items by user, each user's items sorted.

    user_index, item_index: int32 (n,). Returns indptr int64 (n_users + 1,) and the
    items int32 (n,) in user order.
    """
    indptr = np.zeros(n_users + 1, dtype=np.int64)
    for j in range(user_index.shape[0]):
        indptr[user_index[j] + 1] += 1
    for u in range(n_users):
        indptr[u + 1] += indptr[u]
    fill = indptr[:-1].copy()
    items = np.empty(user_index.shape[0], dtype=np.int32)
    for j in range(user_index.shape[0]):
        items[fill[user_index[j]]] = item_index[j]
        fill[user_index[j]] += 1
    for u in range(n_users):
        items[indptr[u] : indptr[u + 1]].sort()
    return indptr, items


@njit(cache=True, nogil=True, fastmath=False, parallel=True)
def top_n_explicit(
    approx, users, user_factors, item_factors, user_bias, item_bias, global_mean,
    max_item_norm, max_item_bias, indptr, rated, exclude_rated, n, out_items, out_scores, out_counts,
):
    """Select each user's ``n`` best items by predicted rating, exactly, from float32 products.

    approx: float32 (rows, n_items), ``user_factors[users] @ item_factors.T`` from any
    BLAS; users: int64 (rows,). Items within a rounding bound of the ``n``-th best
    approximate score are rescored in float64 in a fixed order, so the lists and scores
    do not depend on the BLAS or on the other rows of the block. Scores are
    ``mu + b_u + b_i + p_u . q_i``; ties go to the lower item index. Outputs as in
    :func:`top_n_rows`.
    """
    n_items = approx.shape[1]
    n_rows = approx.shape[0]
    n_chunks = (n_rows + ROWS_PER_CHUNK - 1) // ROWS_PER_CHUNK
    for chunk in prange(n_chunks):
        # Scratch rows per chunk, not per user: a fresh 8-byte-per-item array for every
        # user costs a page-faulting allocation each time.
        row_scores = np.empty(n_items)
        excluded = np.empty(n_items, dtype=np.bool_)
        for row in range(chunk * ROWS_PER_CHUNK, min(n_rows, (chunk + 1) * ROWS_PER_CHUNK)):
            out_counts[row] = _explicit_row(
                approx[row], users[row], user_factors, item_factors, user_bias, item_bias, global_mean,
                max_item_norm, max_item_bias, indptr, rated, exclude_rated, n, out_items[row],
                out_scores[row], row_scores, excluded,
            )


@njit(cache=True, nogil=True)
def _explicit_row(
    approx, u, user_factors, item_factors, user_bias, item_bias, global_mean, max_item_norm,
    max_item_bias, indptr, rated, exclude_rated, n, items, values, row_scores, excluded,
):
    n_items = approx.shape[0]
    k = user_factors.shape[1]
    excluded[:] = False
    if exclude_rated:
        for j in range(indptr[u], indptr[u + 1]):
            excluded[rated[j]] = True
    for i in range(n_items):
        row_scores[i] = np.float64(approx[i]) + item_bias[i]
    threshold = _nth_best(row_scores, excluded, n)
    # |float32 dot - exact dot| <= k * 2^-24 * |p_u| |q_i| for any summation order;
    # doubled, with slack for the float32 result, it bounds both items' errors.
    norm = 0.0
    for f in range(k):
        norm += np.float64(user_factors[u, f]) ** 2
    margin = 2.0 * (k + 4) * 2.0**-24 * (np.sqrt(norm) * max_item_norm + max_item_bias + 1.0)
    for i in range(n_items):
        if excluded[i] or row_scores[i] < threshold - margin:
            excluded[i] = True
            continue
        exact = 0.0
        for f in range(k):
            exact += np.float64(user_factors[u, f]) * np.float64(item_factors[i, f])
        row_scores[i] = global_mean + np.float64(user_bias[u]) + np.float64(item_bias[i]) + exact
    return _select(row_scores, excluded, n, items, values)


@njit(cache=True, nogil=True)
def _nth_best(scores, excluded, n):
    # The n-th largest score among the candidates (-inf when there are n or fewer).
    if n == 0:
        return np.inf
    heap = np.empty(n)
    count = 0
    for i in range(scores.shape[0]):
        if excluded[i]:
            continue
        value = scores[i]
        if count < n:
            heap[count] = value
            count += 1
            at = count - 1
            while at > 0 and heap[(at - 1) // 2] > heap[at]:
                heap[(at - 1) // 2], heap[at] = heap[at], heap[(at - 1) // 2]
                at = (at - 1) // 2
        elif value > heap[0]:
            heap[0] = value
            at = 0
            while True:
                smallest = at
                for child in (2 * at + 1, 2 * at + 2):
                    if child < count and heap[child] < heap[smallest]:
                        smallest = child
                if smallest == at:
                    break
                heap[at], heap[smallest] = heap[smallest], heap[at]
                at = smallest
    return heap[0] if count == n else -np.inf
