"""SGD epoch kernel for biased matrix factorization."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, fastmath=True)
def sgd_epoch(
    user_index, item_index, rating, order,
    user_factors, item_factors, user_bias, item_bias,
    global_mean, learning_rate, reg_bias, reg_factor,
):
    """Run one SGD sweep over ``order``; return the sum of squared errors seen before each update.

    user_index, item_index: int32 (n,); rating: float32 (n,); order: int32 (m,) positions
    into them; user_factors (n_users, k), item_factors (n_items, k), biases: float32,
    updated in place. Scalars are float32.
    """
    factors = user_factors.shape[1]
    sse = 0.0
    for t in range(order.shape[0]):
        j = order[t]
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
    one = np.zeros(1, dtype=np.int32)
    factors = np.zeros((1, 1), dtype=np.float32)
    bias = np.zeros(1, dtype=np.float32)
    value = np.ones(1, dtype=np.float32)
    lr = np.float32(0.01)
    sgd_epoch(one, one, value, one, factors, factors.copy(), bias, bias.copy(), np.float32(0), lr, lr, lr)
