"""Estimators: biased matrix factorization and what they share."""

from ._base import FactorizationModel
from .baselines import BiasBaseline, GlobalMean, MostPopular
from .implicit import ImplicitALS
from .mf import MatrixFactorization

__all__ = ["BiasBaseline", "FactorizationModel", "GlobalMean", "ImplicitALS", "MatrixFactorization", "MostPopular"]
