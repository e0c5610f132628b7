"""Rating-accuracy metrics over arrays of true and predicted ratings."""

from __future__ import annotations

import numpy as np

__all__ = ["mae", "rmse"]


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
