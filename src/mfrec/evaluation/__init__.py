"""Evaluation: rating-accuracy metrics and model evaluation on held-out ratings."""

from ._evaluate import evaluate
from .accuracy import mae, rmse

__all__ = ["evaluate", "mae", "rmse"]
