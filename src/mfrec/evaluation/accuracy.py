"""Rating-accuracy metrics over arrays of true and predicted ratings."""

from __future__ import annotations

import numpy as np

__all__ = ["fcp", "mae", "rmse"]


def rmse(true: np.ndarray, predicted: np.ndarray) -> float:
    r"""Return the root mean squared error :math:`\sqrt{\frac{1}{n}\sum (r - \hat r)^2}`.

    NaN when there are no ratings.
    """
    true, predicted = _pair(true, predicted)
    return float(np.sqrt(np.mean((true - predicted) ** 2))) if len(true) else float("nan")


def mae(true: np.ndarray, predicted: np.ndarray) -> float:
    r"""Return the mean absolute error :math:`\frac{1}{n}\sum |r - \hat r|`; NaN when empty."""
    true, predicted = _pair(true, predicted)
    return float(np.mean(np.abs(true - predicted))) if len(true) else float("nan")


def _pair(true, predicted) -> tuple[np.ndarray, np.ndarray]:
    true = np.asarray(true, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    if true.shape != predicted.shape:
        raise ValueError(f"true and predicted ratings must have the same shape, got {true.shape} and {predicted.shape}")
    return true, predicted


def fcp(true: np.ndarray, predicted: np.ndarray, users: np.ndarray) -> float:
    r"""Return the fraction of concordant pairs (FCP): how often a user's ratings are ordered right.

    For each user :math:`u`, a pair of test items :math:`(i, j)` with
    :math:`r_{ui} > r_{uj}` is concordant when :math:`\hat r_{ui} > \hat r_{uj}` and
    discordant otherwise, so a tie in the predictions counts as discordant. With
    :math:`n_c(u)` and :math:`n_d(u)` the counts of user :math:`u`:

    .. math:: \mathrm{FCP} = \frac{\sum_u n_c(u)}{\sum_u n_c(u) + \sum_u n_d(u)}

    Pairs are formed only within a user; pairs with equal true ratings are not counted.

    Parameters
    ----------
    true, predicted : array_like, shape (n,)
        True and predicted ratings.
    users : array_like of int, shape (n,)
        User of each rating; any integer labels.

    Returns
    -------
    float
        In [0, 1]; NaN when no user has two different true ratings.

    """
    from .._kernels.fcp import concordant_pairs

    true, predicted = _pair(true, predicted)
    users = np.asarray(users)
    if users.shape != true.shape:
        raise ValueError(f"users must have one entry per rating, shape {true.shape}, got {users.shape}")
    order = np.argsort(users, kind="stable")
    _, counts = np.unique(users[order], return_counts=True)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    concordant, discordant = concordant_pairs(indptr, true[order], predicted[order])
    total = concordant + discordant
    return float(concordant / total) if total else float("nan")
