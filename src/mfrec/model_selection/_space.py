"""Search-space distributions shared by random search and Optuna search."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Distribution", "IntUniform", "LogUniform", "Uniform", "default_space"]


class Distribution:
    """A distribution of one hyperparameter: ``sample`` draws with NumPy, ``suggest`` through an Optuna trial."""

    def sample(self, rng: np.random.Generator):
        raise NotImplementedError

    def suggest(self, trial, name: str):
        raise NotImplementedError


@dataclass(frozen=True)
class Uniform(Distribution):
    """Floats uniform on ``[low, high]``."""

    low: float
    high: float

    def __post_init__(self):
        _check_bounds(self.low, self.high)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def suggest(self, trial, name: str) -> float:
        return trial.suggest_float(name, self.low, self.high)


@dataclass(frozen=True)
class LogUniform(Distribution):
    """Floats whose logarithm is uniform on ``[log(low), log(high)]``; ``low`` > 0."""

    low: float
    high: float

    def __post_init__(self):
        _check_bounds(self.low, self.high)
        if self.low <= 0:
            raise ValueError(f"LogUniform needs low > 0, got {self.low!r}")

    def sample(self, rng: np.random.Generator) -> float:
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def suggest(self, trial, name: str) -> float:
        return trial.suggest_float(name, self.low, self.high, log=True)


@dataclass(frozen=True)
class IntUniform(Distribution):
    """Integers uniform on ``low, low + step, ..., high`` (``high`` included)."""

    low: int
    high: int
    step: int = 1

    def __post_init__(self):
        _check_bounds(self.low, self.high)
        if self.step < 1 or (self.high - self.low) % self.step:
            raise ValueError(f"IntUniform needs step >= 1 dividing high - low, got step {self.step!r}")

    def sample(self, rng: np.random.Generator) -> int:
        return int(self.low + self.step * rng.integers(0, (self.high - self.low) // self.step + 1))

    def suggest(self, trial, name: str) -> int:
        return trial.suggest_int(name, self.low, self.high, step=self.step)


def default_space(model) -> dict:
    """Return the default search space for ``model``'s class.

    For :class:`~mfrec.MatrixFactorization`, factors and epochs run from 20 to 200 in
    steps of 10, and ``epochs`` is the maximum when early stopping is on. The learning
    rate is log-uniform on [0.002, 0.05], the factor regularisation on [0.01, 0.3] and
    the bias regularisation on [0.001, 0.3]. For :class:`BiasBaseline`, both
    regularisation weights are log-uniform on [0.5, 50].
    """
    params = model.get_params()
    if {"factors", "learning_rate", "regularization"} <= set(params):
        return {
            "factors": IntUniform(20, 200, step=10),
            "epochs": IntUniform(20, 200, step=10),
            "learning_rate": LogUniform(0.002, 0.05),
            "regularization": LogUniform(0.01, 0.3),
            "bias_regularization": LogUniform(0.001, 0.3),
        }
    if {"user_regularization", "item_regularization"} <= set(params):
        return {"user_regularization": LogUniform(0.5, 50.0), "item_regularization": LogUniform(0.5, 50.0)}
    raise ValueError(f"no default search space for {type(model).__name__}; pass space= explicitly")


def _check_bounds(low, high) -> None:
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise ValueError(f"a distribution needs finite bounds with low <= high, got {low!r} and {high!r}")
