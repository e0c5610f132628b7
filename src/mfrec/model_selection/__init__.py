"""Model selection: cross-validation and hyperparameter search on validation splits."""

from ._cv import CrossValidationResult, clone, cross_validate
from ._search import SearchResult, grid_search, optuna_search, random_search
from ._space import Distribution, IntUniform, LogUniform, Uniform, default_space

__all__ = [
    "CrossValidationResult",
    "Distribution",
    "IntUniform",
    "LogUniform",
    "SearchResult",
    "Uniform",
    "clone",
    "cross_validate",
    "default_space",
    "grid_search",
    "optuna_search",
    "random_search",
]
