"""Plain NumPy twins of the numba kernels, slow and obvious, for kernel tests."""

from __future__ import annotations

import numpy as np


def layout_blocks(user_index, item_index, rating, user_label, item_label, n_users, n_items, n_blocks):
    """Twin of ``_kernels.blocks.layout_blocks``: a lexsort by (block, user label, item)."""
    user_block = _blocks_of(user_label, n_users, n_blocks)[user_index]
    item_block = _blocks_of(item_label, n_items, n_blocks)[item_index]
    block = user_block * n_blocks + item_block
    order = np.lexsort((item_index, user_label[user_index], block))
    starts = np.searchsorted(block[order], np.arange(n_blocks * n_blocks + 1), side="left")
    return user_index[order], item_index[order], rating[order], starts.astype(np.int64)


def _blocks_of(labels, n, n_blocks):
    bounds = (np.arange(n_blocks + 1, dtype=np.int64) * n) // n_blocks
    return np.searchsorted(bounds, labels, side="right") - 1


def sgd_epoch(user_index, item_index, rating, block_starts, schedule, user_factors, item_factors,
              user_bias, item_bias, global_mean, learning_rate, reg_bias, reg_factor):
    """Twin of ``_kernels.sgd.sgd_epoch``: the blocks one at a time, in schedule order, in float64."""
    n_blocks = schedule.shape[1]
    sse = 0.0
    for stratum in schedule:
        for user_block, item_block in stratum:
            block = user_block * n_blocks + item_block
            for j in range(block_starts[block], block_starts[block + 1]):
                u, i = user_index[j], item_index[j]
                err = rating[j] - (global_mean + user_bias[u] + item_bias[i] + user_factors[u] @ item_factors[i])
                sse += err * err
                user_bias[u] += learning_rate * (err - reg_bias * user_bias[u])
                item_bias[i] += learning_rate * (err - reg_bias * item_bias[i])
                pu = user_factors[u].copy()
                user_factors[u] += learning_rate * (err * item_factors[i] - reg_factor * pu)
                item_factors[i] += learning_rate * (err * pu - reg_factor * item_factors[i])
    return sse


def als_update_rows(indptr, columns, values, fixed_factors, fixed_bias, offset, reg_factor, reg_bias,
                    row_factors, row_bias):
    """Twin of ``_kernels.als.als_update_rows``: each row's ridge problem by least squares."""
    k = fixed_factors.shape[1]
    for r in range(len(indptr) - 1):
        rows = slice(indptr[r], indptr[r + 1])
        n = indptr[r + 1] - indptr[r]
        if n == 0:
            row_factors[r], row_bias[r] = 0.0, 0.0
            continue
        # min ||X w - y||^2 + n (reg_factor ||p||^2 + reg_bias b^2), as one stacked
        # least-squares problem [X; sqrt(n * reg)] w = [y; 0].
        design = np.hstack([fixed_factors[columns[rows]].astype(np.float64), np.ones((n, 1))])
        target = values[rows] - offset - fixed_bias[columns[rows]].astype(np.float64)
        penalty = np.sqrt(n * np.array([reg_factor] * k + [reg_bias]))
        stacked = np.vstack([design, np.diag(penalty)])
        solution = np.linalg.lstsq(stacked, np.concatenate([target, np.zeros(k + 1)]), rcond=None)[0]
        row_factors[r], row_bias[r] = solution[:k], solution[k]


def csr_by_row(rows, columns, values, n_rows):
    """Twin of ``_kernels.als.csr_by_row``: a stable argsort by row."""
    order = np.argsort(rows, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))]).astype(np.int64)
    return indptr, columns[order], values[order]


def top_n_rows(scores, users, indptr, rated, exclude_rated, n):
    """Twin of ``_kernels.topk.top_n_rows``: a full sort per row; returns lists of (items, scores)."""
    result = []
    for row, u in enumerate(users):
        skip = set(rated[indptr[u] : indptr[u + 1]].tolist()) if exclude_rated else set()
        pool = [i for i in range(scores.shape[1]) if i not in skip]
        best = sorted(pool, key=lambda i: (-scores[row, i], i))[:n]
        result.append((best, [scores[row, i] for i in best]))
    return result


def top_n_explicit(users, user_factors, item_factors, user_bias, item_bias, global_mean, indptr, rated,
                   exclude_rated, n):
    """Twin of ``_kernels.topk.top_n_explicit``: float64 scores of every item, full sort."""
    scores = (user_factors[users].astype(np.float64) @ item_factors.T.astype(np.float64)
              + user_bias[users, None] + item_bias[None, :].astype(np.float64) + global_mean)
    return top_n_rows(scores, users, indptr, rated, exclude_rated, n)
