"""Estimators: biased matrix factorization and what they share."""

from ._base import FactorizationModel
from .mf import MatrixFactorization

__all__ = ["FactorizationModel", "MatrixFactorization"]
