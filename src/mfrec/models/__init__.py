"""Estimators: biased matrix factorization and what they share."""

from ._base import FactorizationModel
from .implicit import ImplicitALS
from .mf import MatrixFactorization

__all__ = ["FactorizationModel", "ImplicitALS", "MatrixFactorization"]
