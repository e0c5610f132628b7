r"""Baselines to compare a factorization model against: global mean, biases, popularity.

All three share the interface of :class:`MatrixFactorization` (``fit``, ``predict``,
``recommend``, ``save``) because they are factorization models with zero factors:
their fitted state is a global mean and bias vectors, and the model file stores them
like any other model.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np

from ..data.ratings import Ratings
from ._base import FactorizationModel, rated_structure

logger = logging.getLogger(__name__)

__all__ = ["BiasBaseline", "GlobalMean", "MostPopular"]


class _Baseline(FactorizationModel):
    """Fitted state shared by the baselines: zero factors, biases, training structure."""

    def fit(self, ratings: Ratings, *, validation: Ratings | None = None, progress: bool = False, callback=None):
        """Fit the baseline to explicit ratings and return it.

        ``validation``, ``progress`` and ``callback`` are accepted for the common model
        interface; only :class:`BiasBaseline` reports per-sweep errors to ``callback``.
        """
        self._validate()
        if not isinstance(ratings, Ratings):
            raise TypeError(f"fit needs a Ratings object from mfrec.read_ratings, got {type(ratings).__name__}")
        if len(ratings) == 0:
            raise ValueError("cannot fit on 0 ratings")
        started = time.perf_counter()
        ratings = ratings.compact()
        self._initialise(ratings)
        self._fit_biases(ratings, callback)
        self.fit_seconds_ = time.perf_counter() - started
        logger.info("fitted %s on %d ratings in %.3f s", self, len(ratings), self.fit_seconds_)
        return self

    def _validate(self) -> None:
        pass

    def _initialise(self, ratings: Ratings) -> None:
        self.global_mean_ = float(ratings.global_mean)
        self.user_bias_ = np.zeros(ratings.n_users, dtype=np.float32)
        self.item_bias_ = np.zeros(ratings.n_items, dtype=np.float32)
        self.user_factors_ = np.zeros((ratings.n_users, 0), dtype=np.float32)
        self.item_factors_ = np.zeros((ratings.n_items, 0), dtype=np.float32)
        self.users_ = ratings.users
        self.items_ = ratings.items
        self.rating_scale_ = ratings.rating_scale
        self.rated_indptr_, self.rated_items_ = rated_structure(ratings.user_index, ratings.item_index, ratings.n_users)
        self.n_ratings_ = len(ratings)
        self.history_: list[dict] = []

    def _fit_biases(self, ratings: Ratings, callback) -> None:
        pass


class GlobalMean(_Baseline):
    r"""Predict the mean training rating :math:`\hat r_{ui} = \mu` for every pair.

    ``recommend`` has no information to rank by: every item scores :math:`\mu`, so the
    list is the candidate items in training order. Use it as the floor that any model
    must beat on RMSE.
    """


class BiasBaseline(_Baseline):
    r"""Predict from regularised user and item biases: :math:`\hat r_{ui} = \mu + b_u + b_i`.

    The biases minimise

    .. math:: \sum_{(u,i) \in K} (r_{ui} - \mu - b_u - b_i)^2
              + \lambda_u \sum_u b_u^2 + \lambda_i \sum_i b_i^2

    by alternating closed-form updates (each sweep solves for all item biases, then
    all user biases, holding the other set fixed):

    .. math::
        b_i \leftarrow \frac{\sum_{u \in R(i)} (r_{ui} - \mu - b_u)}{\lambda_i + |R(i)|},
        \qquad
        b_u \leftarrow \frac{\sum_{i \in R(u)} (r_{ui} - \mu - b_i)}{\lambda_u + |R(u)|}

    Parameters
    ----------
    user_regularization : float
        :math:`\lambda_u`, 0 or more; it shrinks the bias of a user with few ratings
        toward 0.
    item_regularization : float
        :math:`\lambda_i`, 0 or more.
    sweeps : int
        Alternating sweeps, at least 1; the loss is convex, and a few sweeps settle it
        to within float32 precision on MovieLens.

    Notes
    -----
    ``recommend`` ranks by :math:`b_i` for every user, because :math:`\mu + b_u` is the
    same for all of a user's items.
    """

    def __init__(self, *, user_regularization: float = 15.0, item_regularization: float = 10.0, sweeps: int = 10):
        self.user_regularization = user_regularization
        self.item_regularization = item_regularization
        self.sweeps = sweeps

    def _validate(self) -> None:
        _check_nonnegative("user_regularization", self.user_regularization)
        _check_nonnegative("item_regularization", self.item_regularization)
        if isinstance(self.sweeps, bool) or not isinstance(self.sweeps, (int, np.integer)) or self.sweeps < 1:
            raise ValueError(f"sweeps must be an integer >= 1, got {self.sweeps!r}")

    def _fit_biases(self, ratings: Ratings, callback) -> None:
        users, items = ratings.user_index, ratings.item_index
        residual = ratings.rating.astype(np.float64) - self.global_mean_
        user_count = np.bincount(users, minlength=ratings.n_users)
        item_count = np.bincount(items, minlength=ratings.n_items)
        user_bias = np.zeros(ratings.n_users)
        item_bias = np.zeros(ratings.n_items)
        for sweep in range(1, self.sweeps + 1):
            item_sum = np.bincount(items, residual - user_bias[users], minlength=ratings.n_items)
            item_bias = item_sum / (self.item_regularization + item_count)
            user_sum = np.bincount(users, residual - item_bias[items], minlength=ratings.n_users)
            user_bias = user_sum / (self.user_regularization + user_count)
            train_rmse = math.sqrt(np.mean((residual - user_bias[users] - item_bias[items]) ** 2))
            self.history_.append({"epoch": sweep, "train_rmse": train_rmse})
            if callback is not None:
                callback(sweep, train_rmse)
        self.user_bias_ = user_bias.astype(np.float32)
        self.item_bias_ = item_bias.astype(np.float32)


class MostPopular(_Baseline):
    r"""Recommend the items with the most training ratings; predict item-mean ratings.

    ``recommend`` ranks every candidate item by its number of training ratings (ties by
    the item seen first in training), the same list for every user apart from the
    items each user already rated. ``predict`` gives the shrunk item mean

    .. math:: \hat r_{ui} = \mu + b_i, \qquad
              b_i = \frac{\sum_{u \in R(i)} (r_{ui} - \mu)}{\lambda_i + |R(i)|}

    Parameters
    ----------
    item_regularization : float
        :math:`\lambda_i`, 0 or more; only ``predict`` uses it.

    Attributes
    ----------
    popularity_ : ndarray of int64, shape (n_items,)
        Number of training ratings of each item; the ``recommend`` score.
    """

    recommend_rule = "popularity"

    def __init__(self, *, item_regularization: float = 10.0):
        self.item_regularization = item_regularization

    def _validate(self) -> None:
        _check_nonnegative("item_regularization", self.item_regularization)

    def _fit_biases(self, ratings: Ratings, callback) -> None:
        self.popularity_ = np.bincount(ratings.item_index, minlength=ratings.n_items).astype(np.int64)
        residual = ratings.rating.astype(np.float64) - self.global_mean_
        item_sum = np.bincount(ratings.item_index, residual, minlength=ratings.n_items)
        self.item_bias_ = (item_sum / (self.item_regularization + self.popularity_)).astype(np.float32)

    def _item_scores(self, u: int) -> np.ndarray:
        return self.popularity_.astype(np.float64)

    def _score_block(self, users: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.popularity_.astype(np.float64), (len(users), len(self.popularity_))).copy()

    def _extra_arrays(self) -> dict:
        return {"popularity": self.popularity_}

    def _restore_extra(self, metadata: dict, arrays: dict) -> None:
        self.popularity_ = arrays["popularity"]


def _check_nonnegative(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
