"""Cross-validation: fit a fresh copy of a model on each fold and score it on the held-out part."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..data.ratings import Ratings
from ..evaluation import evaluate, parse_metrics
from ..split import Split, k_fold, random_split

logger = logging.getLogger(__name__)

__all__ = ["CrossValidationResult", "clone", "cross_validate"]

#: Share of each training fold held out for early stopping when the model uses it.
EARLY_STOPPING_FRACTION = 0.1


@dataclass
class CrossValidationResult:
    """Scores of one model over the folds of a cross-validation.

    Attributes
    ----------
    metrics : list of str
        Metric names, lower case, in the order requested.
    folds : list of dict
        Per fold: each metric, ``fit_seconds``, the split's row counts and, for models
        that stop early, ``best_epoch``.
    mean, std : dict of str to float
        Mean and population standard deviation of each metric over the folds; folds
        where a metric is NaN (no relevant user) are left out of both.
    histories : list of list of dict
        The fitted model's ``history_`` of each fold, for learning curves.
    """

    metrics: list[str]
    folds: list[dict]
    mean: dict[str, float]
    std: dict[str, float]
    histories: list[list[dict]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        """Return the scores as a JSON-ready dict (NaN as None)."""
        return {
            "metrics": self.metrics,
            "mean": {k: _finite_or_none(v) for k, v in self.mean.items()},
            "std": {k: _finite_or_none(v) for k, v in self.std.items()},
            "folds": [{k: _finite_or_none(v) if isinstance(v, float) else v for k, v in fold.items()} for fold in self.folds],
        }


def cross_validate(
    model,
    ratings: Ratings | None = None,
    *,
    folds: int = 5,
    metrics: Sequence[str] | str = ("rmse", "mae"),
    seed: int = 0,
    splits: Sequence[tuple[Ratings, Ratings]] | None = None,
    threshold: float = 4.0,
    curves: bool = False,
    callback: Callable[[int, dict], None] | None = None,
) -> CrossValidationResult:
    """Estimate a model's accuracy by k-fold cross-validation.

    Each fold fits a fresh copy of ``model`` (same class and parameters) on the training
    part and evaluates it on the held-out part, which the fit never uses.

    Parameters
    ----------
    model : estimator
        Any mfrec model; it is not fitted itself.
    ratings : Ratings, optional
        Ratings to split into ``folds`` seeded random folds (see
        :func:`mfrec.split.k_fold`). Omit it when passing ``splits``.
    folds : int
        Number of folds, at least 2.
    metrics : sequence of str or str
        Metric names understood by :func:`mfrec.evaluation.evaluate`, such as
        ``("rmse", "ndcg@10")``.
    seed : int
        Seed of the fold assignment and of the early-stopping split.
    splits : sequence of (train, test), optional
        Predefined folds, such as MovieLens 100K's ``u1`` to ``u5``; replaces
        ``ratings`` and ``folds``.
    threshold : float
        Relevance threshold of the ranking metrics.
    curves : bool
        Record the held-out RMSE of each epoch in the fold's history, for learning
        curves. The held-out part is only observed, never used to stop or select.
    callback : callable, optional
        Called as ``callback(fold_number, fold_scores)`` after each fold (1-based).

    Returns
    -------
    CrossValidationResult

    Notes
    -----
    A model with ``early_stopping_rounds`` set stops on a validation part drawn from
    each training fold (:data:`EARLY_STOPPING_FRACTION` of it, seeded), never on the
    test part. With ``curves=True`` its history then shows that validation RMSE.
    """
    names = [label for label, _, _ in parse_metrics(metrics)]
    folds_list = _folds(ratings, splits, folds, seed)
    per_fold, histories = [], []
    for number, (train, test) in enumerate(folds_list, start=1):
        scores, history = _run_fold(model, train, test, names, threshold, seed, curves)
        scores.update(Split(train, test).summary())
        per_fold.append(scores)
        histories.append(history)
        logger.info("fold %d/%d: %s", number, len(folds_list), {k: scores[k] for k in names})
        if callback is not None:
            callback(number, scores)
    mean, std = _summarise(per_fold, names)
    return CrossValidationResult(names, per_fold, mean, std, histories)


def clone(model, **overrides):
    """Return an unfitted copy of ``model`` with the same parameters, some replaced."""
    params = dict(model.get_params())
    params.update(overrides)
    return type(model)(**params)


def _folds(ratings, splits, folds, seed) -> list:
    if splits is not None:
        if ratings is not None:
            raise ValueError("give either ratings (split into folds here) or splits, not both")
        folds_list = [tuple(pair) for pair in splits]
        if len(folds_list) < 1:
            raise ValueError("splits is empty; give at least one (train, test) pair")
        return folds_list
    if ratings is None:
        raise ValueError("give the ratings to cross-validate, or predefined splits")
    return [tuple(split) for split in k_fold(ratings, folds=folds, seed=seed)]


def _run_fold(model, train: Ratings, test: Ratings, names: list[str], threshold: float, seed: int, curves: bool):
    fold_model = clone(model)
    validation = None
    if getattr(fold_model, "early_stopping_rounds", None):
        train, validation = random_split(train, test_fraction=EARLY_STOPPING_FRACTION, seed=seed)
    elif curves:
        validation = test
    started = time.perf_counter()
    if validation is None:
        fold_model.fit(train)
    else:
        fold_model.fit(train, validation=validation)
    fit_seconds = time.perf_counter() - started
    result = evaluate(fold_model, test, metrics=names, threshold=threshold)
    scores = {name: float(result[name]) for name in names}
    scores["fit_seconds"] = round(fit_seconds, 4)
    if getattr(fold_model, "best_epoch_", None) is not None:
        scores["best_epoch"] = int(fold_model.best_epoch_)
    return scores, list(getattr(fold_model, "history_", []))


def _summarise(per_fold: list[dict], names: list[str]) -> tuple[dict, dict]:
    mean, std = {}, {}
    for name in names:
        values = np.array([fold[name] for fold in per_fold], dtype=np.float64)
        values = values[np.isfinite(values)]
        mean[name] = float(values.mean()) if len(values) else float("nan")
        std[name] = float(values.std()) if len(values) else float("nan")
    return mean, std


def _finite_or_none(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None
