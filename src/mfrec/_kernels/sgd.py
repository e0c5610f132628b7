"""SGD kernels for biased matrix factorization: one blocked, parallel epoch."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .prefetch import prefetch

#: Ratings ahead of the current one whose user and item rows are prefetched.
PREFETCH_DISTANCE = 8
#: float32 values per 64-byte cache line.
LINE = 16


@njit(cache=True, nogil=True, fastmath=True, parallel=True)
def sgd_epoch(
    user_index, item_index, rating, block_starts, schedule,
    user_factors, item_factors, user_bias, item_bias,
    global_mean, learning_rate, reg_bias, reg_factor,
):
    """Run one SGD sweep over all blocks; return the sum of squared errors before each update.

    user_index, item_index: int32 (n,) and rating: float32 (n,), in block order;
    block_starts: int64 (B*B + 1,); schedule: int32 (strata, B, 2) of (user block, item
    block). The blocks of one stratum run in parallel: they share no user and no item,
    so the result does not depend on the thread count. Factors (n_users, k),
    (n_items, k) and biases are float32, updated in place; scalars are float32.
    """
    n_blocks = schedule.shape[1]
    block_sse = np.zeros(n_blocks * n_blocks)
    for stratum in range(schedule.shape[0]):
        for k in prange(n_blocks):
            block = schedule[stratum, k, 0] * n_blocks + schedule[stratum, k, 1]
            block_sse[block] = sgd_block(
                user_index, item_index, rating, block_starts[block], block_starts[block + 1],
                user_factors, item_factors, user_bias, item_bias,
                global_mean, learning_rate, reg_bias, reg_factor,
            )
    total = 0.0
    for block in range(n_blocks * n_blocks):
        total += block_sse[block]
    return total


@njit(cache=True, nogil=True, fastmath=True)
def sgd_block(
    user_index, item_index, rating, start, stop,
    user_factors, item_factors, user_bias, item_bias,
    global_mean, learning_rate, reg_bias, reg_factor,
):
    """Update the model with ratings ``start:stop`` in order; return their squared error sum."""
    factors = user_factors.shape[1]
    sse = 0.0
    for j in range(start, stop):
        ahead = j + PREFETCH_DISTANCE
        if ahead < stop:
            for f in range(0, factors, LINE):
                prefetch(user_factors, user_index[ahead], f)
                prefetch(item_factors, item_index[ahead], f)
        u = user_index[j]
        i = item_index[j]
        prediction = global_mean + user_bias[u] + item_bias[i]
        for f in range(factors):
            prediction += user_factors[u, f] * item_factors[i, f]
        err = rating[j] - prediction
        sse += err * err
        user_bias[u] += learning_rate * (err - reg_bias * user_bias[u])
        item_bias[i] += learning_rate * (err - reg_bias * item_bias[i])
        for f in range(factors):
            pu = user_factors[u, f]
            qi = item_factors[i, f]
            user_factors[u, f] = pu + learning_rate * (err * qi - reg_factor * pu)
            item_factors[i, f] = qi + learning_rate * (err * pu - reg_factor * qi)
    return sse


@njit(cache=True, nogil=True, fastmath=True)
def squared_error_sum(
    user_index, item_index, rating, user_factors, item_factors, user_bias, item_bias, global_mean
):
    """Return the sum of squared errors of the model on (user_index, item_index, rating); int32/float32 (n,)."""
    factors = user_factors.shape[1]
    sse = 0.0
    for j in range(rating.shape[0]):
        u = user_index[j]
        i = item_index[j]
        prediction = global_mean + user_bias[u] + item_bias[i]
        for f in range(factors):
            prediction += user_factors[u, f] * item_factors[i, f]
        err = rating[j] - prediction
        sse += err * err
    return sse


def warm_up() -> None:
    """Compile the kernels on a tiny problem, so the first real epoch is not slowed."""
    from .blocks import layout_blocks

    one = np.zeros(1, dtype=np.int32)
    factors = np.zeros((1, 1), dtype=np.float32)
    bias = np.zeros(1, dtype=np.float32)
    value = np.ones(1, dtype=np.float32)
    lr = np.float32(0.01)
    user, item, rating, starts = layout_blocks(one, one, value, one, one, 1, 1, 1)
    schedule = np.zeros((1, 1, 2), dtype=np.int32)
    sgd_epoch(
        user, item, rating, starts, schedule, factors, factors.copy(), bias, bias.copy(),
        np.float32(0), lr, lr, lr,
    )


@njit(cache=True, nogil=True)
def count_nonfinite(bits):
    """Count the inf and NaN entries of a float32 array given as its uint32 bit view, 1-D."""
    # All exponent bits set means inf or NaN; an integer sum vectorises, unlike isfinite.
    count = 0
    for j in range(bits.shape[0]):
        count += (bits[j] & 0x7F800000) == 0x7F800000
    return count


def all_finite(values: np.ndarray) -> bool:
    """Return whether every entry of a C-contiguous float32 array is finite, without temporaries."""
    return count_nonfinite(values.reshape(-1).view(np.uint32)) == 0
