"""Hyperparameter search on a validation split: grid, random and Optuna (TPE) search."""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..data.ratings import Ratings
from ..evaluation import evaluate, parse_metrics
from ..split import random_split
from ._cv import clone
from ._space import Distribution, default_space

logger = logging.getLogger(__name__)

__all__ = ["SearchResult", "grid_search", "optuna_search", "random_search"]

#: Metrics where a larger value is better; every other metric is minimised.
_MAXIMISED = ("fcp", "precision", "recall", "ndcg", "map", "mrr", "hit", "coverage")


@dataclass
class SearchResult:
    """Outcome of a hyperparameter search.

    Attributes
    ----------
    best_params : dict
        Parameters of the best trial; with early stopping, ``epochs`` is the best epoch.
    best_score : float
        The best trial's validation score.
    metric : str
    trials : list of dict
        Every trial in order: ``params``, ``score``, ``fit_seconds`` and, with early
        stopping, ``best_epoch``.
    best_model : model or None
        A model with ``best_params`` refitted on all the ratings given to the search,
        when ``refit=True``.
    """

    best_params: dict
    best_score: float
    metric: str
    trials: list[dict] = field(repr=False)
    best_model: object = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """Return the best parameters, score and every trial as a JSON-ready dict."""
        return {
            "metric": self.metric,
            "best_score": self.best_score,
            "best_params": self.best_params,
            "trials": self.trials,
        }


def grid_search(
    model,
    ratings: Ratings,
    param_grid: Mapping[str, Sequence],
    *,
    metric: str = "rmse",
    validation: Ratings | None = None,
    validation_fraction: float = 0.1,
    seed: int = 0,
    refit: bool = True,
    callback: Callable[[int, dict], None] | None = None,
) -> SearchResult:
    """Try every combination of ``param_grid`` and keep the best on the validation ratings.

    Parameters
    ----------
    model : estimator
        Template whose other parameters every trial keeps.
    ratings : Ratings
        Training ratings; a seeded ``validation_fraction`` of them is held out for
        scoring unless ``validation`` is given.
    param_grid : mapping of str to sequence
        Values to try for each constructor parameter, such as
        ``{"factors": [50, 100], "regularization": [0.05, 0.1]}``.
    metric : str
        One metric name of :func:`mfrec.evaluation.evaluate`; RMSE, MAE are minimised,
        the others maximised.
    validation : Ratings, optional
        Held-out ratings to score on; then every trial trains on all of ``ratings``.
    validation_fraction : float
        Share of ``ratings`` held out when ``validation`` is not given.
    seed : int
        Seed of the validation split.
    refit : bool
        Refit the best parameters on all of ``ratings`` (plus ``validation`` is not
        added) and return the model in ``best_model``.
    callback : callable, optional
        Called as ``callback(trial_number, trial)`` after each trial (1-based).

    Returns
    -------
    SearchResult
    """
    names = list(param_grid)
    candidates = [dict(zip(names, values)) for values in itertools.product(*(param_grid[n] for n in names))]
    if not candidates:
        raise ValueError("param_grid has no combination; give at least one value for each parameter")
    search = _Search(model, ratings, metric, validation, validation_fraction, seed, callback)
    for params in candidates:
        search.run(params)
    return search.result(refit)


def random_search(
    model,
    ratings: Ratings,
    space: Mapping[str, Distribution | Sequence] | None = None,
    *,
    trials: int = 20,
    metric: str = "rmse",
    validation: Ratings | None = None,
    validation_fraction: float = 0.1,
    seed: int = 0,
    refit: bool = True,
    callback: Callable[[int, dict], None] | None = None,
) -> SearchResult:
    """Sample ``trials`` parameter sets from ``space`` and keep the best on the validation ratings.

    ``space`` maps each parameter to a :class:`~mfrec.model_selection.Uniform`,
    :class:`~mfrec.model_selection.LogUniform` or
    :class:`~mfrec.model_selection.IntUniform` distribution, or to a list of choices;
    it defaults to :func:`~mfrec.model_selection.default_space` of the model. The
    other parameters are as for :func:`grid_search`.
    """
    _check_trials(trials)
    space = _resolve_space(model, space)
    rng = np.random.default_rng(seed)
    search = _Search(model, ratings, metric, validation, validation_fraction, seed, callback)
    for _ in range(trials):
        search.run({name: _sample(spec, rng) for name, spec in space.items()})
    return search.result(refit)


def optuna_search(
    model,
    ratings: Ratings,
    space: Mapping[str, Distribution | Sequence] | None = None,
    *,
    trials: int = 50,
    metric: str = "rmse",
    validation: Ratings | None = None,
    validation_fraction: float = 0.1,
    seed: int = 0,
    refit: bool = True,
    timeout: float | None = None,
    callback: Callable[[int, dict], None] | None = None,
) -> SearchResult:
    """Search ``space`` with Optuna's TPE sampler, seeded, on the validation ratings.

    Needs the ``tune`` extra (``pip install 'mfrec[tune]'``). Parameters are as for
    :func:`random_search`; ``timeout`` stops the search after that many seconds.
    """
    try:
        import optuna
    except ImportError:
        raise ImportError("optuna_search needs Optuna; install it with: pip install 'mfrec[tune]'") from None
    _check_trials(trials)
    space = _resolve_space(model, space)
    search = _Search(model, ratings, metric, validation, validation_fraction, seed, callback)

    def objective(trial) -> float:
        params = {name: _suggest(trial, name, spec) for name, spec in space.items()}
        return search.run(params)["score"]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    direction = "maximize" if search.maximise else "minimize"
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials, timeout=timeout)
    return search.result(refit)


class _Search:
    """One validation split, the trials run on it, and the best trial so far."""

    def __init__(self, model, ratings, metric, validation, validation_fraction, seed, callback):
        parsed = parse_metrics([metric])
        if len(parsed) != 1:
            raise ValueError(f"metric must name one metric, got {metric!r}")
        self.metric, name, _ = parsed[0]
        self.maximise = name in _MAXIMISED
        self.model = model
        self.ratings = ratings
        if validation is None:
            self.train, self.validation = random_split(ratings, test_fraction=validation_fraction, seed=seed)
        else:
            self.train, self.validation = ratings, validation
        self.callback = callback
        self.trials: list[dict] = []

    def run(self, params: dict) -> dict:
        trial_model = clone(self.model, **_search_overrides(self.model, self.metric), **params)
        started = time.perf_counter()
        trial_model.fit(self.train, validation=self.validation)
        trial = {
            "params": _plain(params),
            "score": float(evaluate(trial_model, self.validation, metrics=[self.metric])[self.metric]),
            "fit_seconds": round(time.perf_counter() - started, 4),
        }
        if getattr(trial_model, "best_epoch_", None) is not None:
            trial["best_epoch"] = int(trial_model.best_epoch_)
        if not math.isfinite(trial["score"]):
            trial["score"] = -math.inf if self.maximise else math.inf
        self.trials.append(trial)
        logger.info("trial %d: %s -> %s %.4f", len(self.trials), trial["params"], self.metric, trial["score"])
        if self.callback is not None:
            self.callback(len(self.trials), trial)
        return trial

    def result(self, refit: bool) -> SearchResult:
        pick = max if self.maximise else min
        best = pick(self.trials, key=lambda trial: trial["score"])
        best_params = dict(best["params"])
        if "best_epoch" in best:
            best_params["epochs"] = best["best_epoch"]
            best_params["early_stopping_rounds"] = None
        best_model = clone(self.model, **best_params).fit(self.ratings) if refit else None
        return SearchResult(best_params, best["score"], self.metric, self.trials, best_model)


def _search_overrides(model, metric: str) -> dict:
    # Rating metrics do not depend on a separate ranking model, so trials skip fitting it.
    params = model.get_params()
    if "objective" in params and "@" not in metric:
        return {"objective": "rating"}
    return {}


def _resolve_space(model, space) -> dict:
    space = default_space(model) if space is None else dict(space)
    if not space:
        raise ValueError("the search space is empty; give at least one parameter to search")
    return space


def _sample(spec, rng: np.random.Generator):
    if isinstance(spec, Distribution):
        return spec.sample(rng)
    choices = list(spec)
    return choices[int(rng.integers(len(choices)))]


def _suggest(trial, name: str, spec):
    if isinstance(spec, Distribution):
        return spec.suggest(trial, name)
    return trial.suggest_categorical(name, list(spec))


def _check_trials(trials) -> None:
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 1:
        raise ValueError(f"trials must be an integer >= 1, got {trials!r}")


def _plain(params: dict) -> dict:
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in params.items()}
