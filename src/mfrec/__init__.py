"""mfrec: rating prediction and recommendation by matrix factorization."""

from .data import IdMap, Ratings, ReadReport, read_ratings
from .exceptions import (
    DataWarning,
    DivergenceError,
    InputError,
    MfrecError,
    ModelFileError,
    NotFittedError,
    UnknownIdError,
)
from .model_selection import cross_validate
from .models import ImplicitALS, MatrixFactorization
from .persistence import load_model, save_model
from .results import Predictions, Recommendations

__version__ = "0.1.0"

__all__ = [
    "DataWarning",
    "DivergenceError",
    "IdMap",
    "ImplicitALS",
    "InputError",
    "MatrixFactorization",
    "MfrecError",
    "ModelFileError",
    "NotFittedError",
    "Predictions",
    "Ratings",
    "ReadReport",
    "Recommendations",
    "UnknownIdError",
    "cross_validate",
    "load_model",
    "read_ratings",
    "save_model",
]
