"""Shared fitted state and the predict/recommend rules of biased factorization models."""

from __future__ import annotations

import inspect
import logging
from typing import Any

import numpy as np

from ..data.idmap import IdMap
from ..exceptions import NotFittedError, UnknownIdError
from ..results import COLD_START_REASONS, Predictions, Recommendations

logger = logging.getLogger(__name__)

#: Most scores held at once by batch recommendation (float64: 64 MB), which sets the
#: number of users per matrix product.
SCORE_BLOCK_CELLS = 8_000_000


class FactorizationModel:
    """Biased latent-factor model: ``r_hat(u, i) = mu + b_u + b_i + p_u . q_i``.

    Subclasses implement ``fit`` and set the fitted attributes below.

    Attributes
    ----------
    global_mean_ : float
    user_bias_ : ndarray of float32, shape (n_users,)
    item_bias_ : ndarray of float32, shape (n_items,)
    user_factors_ : ndarray of float32, shape (n_users, factors)
    item_factors_ : ndarray of float32, shape (n_items, factors)
    users_, items_ : IdMap
        External IDs of the rows of the factor matrices.
    rating_scale_ : (float, float) or None
        Predictions are clipped to it; None when training ratings were all equal.
    rated_indptr_ : ndarray of int64, shape (n_users + 1,)
    rated_items_ : ndarray of int32
        CSR structure of the training ratings, used to exclude rated items.
    history_ : list of dict
        One entry per epoch: ``epoch``, ``train_rmse`` and, with validation data,
        ``validation_rmse``.
    """

    #: Name of the score ``recommend`` ranks by, reported in ``Recommendations.rule``.
    recommend_rule = "predicted_rating"

    def get_params(self) -> dict:
        """Return the hyperparameters as a dict of the keyword-only constructor arguments."""
        signature = inspect.signature(type(self).__init__)
        names = [p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _check_fitted(self) -> None:
        if getattr(self, "user_factors_", None) is None:
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit(ratings) first")

    def save(self, path) -> None:
        """Write the fitted model to ``path`` atomically; see :func:`mfrec.load_model`."""
        from ..persistence import save_model

        save_model(self, path)

    @property
    def n_users(self) -> int:
        """Number of users known to the fitted model."""
        self._check_fitted()
        return len(self.users_)

    @property
    def n_items(self) -> int:
        """Number of items known to the fitted model."""
        self._check_fitted()
        return len(self.items_)

    def predict(self, users: Any, items: Any, *, clip: bool = True, unknown: str = "fallback") -> Predictions:
        """Predict the ratings of (user, item) pairs given by external ID.

        Parameters
        ----------
        users, items : ID or sequence of IDs
            Equal lengths; a single ID is broadcast against a sequence.
        clip : bool
            Clip predictions to ``rating_scale_`` (default). ``clip=False`` returns the
            raw model output ``mu + b_u + b_i + p_u . q_i``.
        unknown : {"fallback", "error"}
            For an ID the model did not see in training, ``"fallback"`` predicts
            ``mu + b_i`` (unknown user), ``mu + b_u`` (unknown item) or ``mu``
            (both unknown) and names the case in ``cold_start``; ``"error"`` raises
            :class:`UnknownIdError` naming the IDs.

        Returns
        -------
        Predictions
        """
        self._check_fitted()
        if unknown not in ("fallback", "error"):
            raise ValueError(f"unknown must be 'fallback' or 'error', got {unknown!r}")
        user_list, item_list = _pair_lists(users, items)
        u = self.users_.lookup(user_list)
        i = self.items_.lookup(item_list)
        if unknown == "error":
            _raise_unknown("user", user_list, u)
            _raise_unknown("item", item_list, i)
        raw = self._raw_scores(u, i)
        reason = (u < 0).astype(np.int8) + 2 * (i < 0).astype(np.int8)
        rating = self._clip(raw) if clip else raw
        return Predictions(user_list, item_list, rating, np.asarray(COLD_START_REASONS, dtype=object)[reason])

    def predict_indices(self, user_index: np.ndarray, item_index: np.ndarray, *, clip: bool = True) -> np.ndarray:
        """Predict for internal indices; -1 marks an unknown user or item (fallback rule)."""
        self._check_fitted()
        raw = self._raw_scores(np.asarray(user_index, dtype=np.int64), np.asarray(item_index, dtype=np.int64))
        return self._clip(raw) if clip else raw

    def _raw_scores(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        known_u = u >= 0
        known_i = i >= 0
        su = np.where(known_u, u, 0)
        si = np.where(known_i, i, 0)
        score = np.full(len(u), self.global_mean_, dtype=np.float64)
        score += np.where(known_u, self.user_bias_[su], 0.0)
        score += np.where(known_i, self.item_bias_[si], 0.0)
        both = known_u & known_i
        if both.any():
            dots = np.einsum(
                "ij,ij->i",
                self.user_factors_[su[both]].astype(np.float64),
                self.item_factors_[si[both]].astype(np.float64),
            )
            score[both] += dots
        return score

    def _clip(self, values: np.ndarray) -> np.ndarray:
        if self.rating_scale_ is None:
            return values
        low, high = self.rating_scale_
        return np.clip(values, low, high)

    def recommend(self, users: Any, n: int = 10, *, exclude_rated: bool = True) -> Recommendations:
        """Recommend the ``n`` items with the highest predicted rating to each user.

        Items are ranked by the unclipped predicted rating ``mu + b_u + b_i + p_u . q_i``,
        which is also the reported ``score``; ties are broken by the lower item index,
        that is, the item seen first in training.

        Parameters
        ----------
        users : ID or sequence of IDs
            One user, or many. A sequence is de-duplicated, keeping first occurrences.
        n : int
            Length of each list, at least 0. A user with fewer candidate items gets a
            shorter list, never padding.
        exclude_rated : bool
            Leave out the items the user rated in training (default).

        Returns
        -------
        Recommendations
            Rows in user order, then rank order. Unknown users of a sequence are listed
            in ``unknown_users`` and get no rows.

        Raises
        ------
        UnknownIdError
            For a single user the model does not know.
        ValueError
            If ``n`` is negative or not an integer.
        """
        self._check_fitted()
        n = _check_n(n)
        single = isinstance(users, (str, bytes, int, np.integer))
        requested = [users] if single else list(dict.fromkeys(_as_sequence(users)))
        index = self.users_.lookup(requested)
        if single and index[0] < 0:
            raise UnknownIdError("user", [users])
        requested, index = _first_per_user(requested, index)
        known = index >= 0
        items, scores, counts = self._top_n_many(index[known].astype(np.int64), n, exclude_rated)
        known_users = [user for user, u in zip(requested, index) if u >= 0]
        unknown = [user for user, u in zip(requested, index) if u < 0]
        return Recommendations(
            np.repeat(np.array(known_users, dtype=object), counts).tolist(),
            np.concatenate([np.arange(1, c + 1) for c in counts]) if len(counts) else np.zeros(0, dtype=np.int64),
            self.items_.ids_at(items),
            scores,
            self.recommend_rule,
            unknown,
        )

    def _score_block(self, users: np.ndarray) -> np.ndarray:
        """Return the scores of all items for model user indices, float64 (len(users), n_items).

        An unknown user (-1) gets the model's fallback prediction for every item.
        """
        users = np.asarray(users, dtype=np.int64)
        known = users >= 0
        if type(self)._item_scores is not FactorizationModel._item_scores:
            fallback = None if known.all() else self._unknown_user_scores()
            return np.stack([self._item_scores(int(u)) if u >= 0 else fallback for u in users])
        safe = np.where(known, users, 0)
        scores = (self.user_factors_[safe] @ self.item_factors_.T).astype(np.float64)
        scores[~known] = 0.0
        scores += np.where(known, self.user_bias_[safe], 0.0)[:, None]
        scores += self.item_bias_[None, :] + self.global_mean_
        return scores

    def _unknown_user_scores(self) -> np.ndarray:
        items = np.arange(len(self.items_))
        return self.predict_indices(np.full(len(items), -1), items, clip=False)

    def _item_scores(self, u: int) -> np.ndarray:
        return self._score_block(np.array([u, u]))[0]

    def _top_n(self, u: int, n: int, exclude_rated: bool) -> tuple[np.ndarray, np.ndarray]:
        items, scores, _ = self._top_n_many(np.array([u], dtype=np.int64), n, exclude_rated)
        return items, scores

    def _top_n_many(self, users: np.ndarray, n: int, exclude_rated: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the top-n items and scores of many users, flat in user order, and the count per user.

        Scores come from ``_score_block`` on blocks of users (one matrix product per
        block), and the numba kernel selects each row's best unrated items in parallel.
        """
        from .._kernels.topk import top_n_rows
        from ._solvers import numba_threads, resolve_threads

        n_items = len(self.items_)
        block = max(2, min(len(users), SCORE_BLOCK_CELLS // max(n_items, 1)))
        out_items = np.zeros((len(users), n), dtype=np.int64)
        out_scores = np.zeros((len(users), n), dtype=np.float64)
        counts = np.zeros(len(users), dtype=np.int64)
        threads = resolve_threads(getattr(self, "threads", None))
        if self.recommend_rule == "predicted_rating":
            self._top_n_explicit(users, n, exclude_rated, block, threads, out_items, out_scores, counts)
            keep = np.arange(n)[None, :] < counts[:, None]
            return out_items[keep], out_scores[keep], counts
        for start in range(0, len(users), block):
            rows = users[start : start + block]
            # NOTE: a one-row block is scored as two equal rows, because numpy computes a
            # one-row product by matrix-vector BLAS, whose rounding can differ from the
            # matrix-matrix product of larger blocks; this keeps one user's list equal
            # to the same user's list in a batch (measured with OpenBLAS, not promised
            # by BLAS in general).
            scored = np.repeat(rows, 2) if len(rows) == 1 else rows
            scores = np.ascontiguousarray(self._score_block(scored), dtype=np.float64)
            sliced = slice(start, start + len(rows))
            with numba_threads(threads):
                top_n_rows(
                    scores[: len(rows)], rows, self.rated_indptr_, self.rated_items_, exclude_rated, n,
                    out_items[sliced], out_scores[sliced], counts[sliced],
                )
        keep = np.arange(n)[None, :] < counts[:, None]
        return out_items[keep], out_scores[keep], counts

    def _top_n_explicit(self, users, n, exclude_rated, block, threads, out_items, out_scores, counts) -> None:
        """Fill the outputs with the top-n by predicted rating: float32 products, exact float64 ranking.

        One float32 buffer serves every block, because a fresh large array per block
        costs page faults that can take longer than the product itself.
        """
        from .._kernels.topk import top_n_explicit
        from ._solvers import numba_threads

        item_factors = np.ascontiguousarray(self.item_factors_, dtype=np.float32)
        max_item_norm = float(np.sqrt(np.einsum("ij,ij->i", item_factors, item_factors, dtype=np.float64)).max(initial=0.0))
        max_item_bias = float(np.abs(self.item_bias_).max(initial=0.0))
        buffer = np.empty((min(block, len(users)), len(self.items_)), dtype=np.float32)
        for start in range(0, len(users), block):
            rows = users[start : start + block]
            approx = buffer[: len(rows)]
            np.matmul(self.user_factors_[rows], item_factors.T, out=approx)
            sliced = slice(start, start + len(rows))
            with numba_threads(threads):
                top_n_explicit(
                    approx, rows, self.user_factors_, item_factors, self.user_bias_, self.item_bias_,
                    float(self.global_mean_), max_item_norm, max_item_bias, self.rated_indptr_,
                    self.rated_items_, exclude_rated, n, out_items[sliced], out_scores[sliced], counts[sliced],
                )


def top_n(scores: np.ndarray, candidates: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the indices and scores of the ``n`` best candidates, ties by lower index."""
    pool = np.flatnonzero(candidates)
    n = min(n, len(pool))
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    pool_scores = scores[pool]
    if n < len(pool):
        cut = np.partition(pool_scores, len(pool) - n)[len(pool) - n]
        keep = pool_scores >= cut
        pool, pool_scores = pool[keep], pool_scores[keep]
    order = np.lexsort((pool, -pool_scores))[:n]
    return pool[order], pool_scores[order]


def _first_per_user(requested: list, index: np.ndarray) -> tuple[list, np.ndarray]:
    """Keep the first request of each known user, so 1 and "1" for one user give one list."""
    _, first = np.unique(index, return_index=True)
    keep = np.zeros(len(index), dtype=bool)
    keep[first] = True
    keep |= index < 0
    return [user for user, kept in zip(requested, keep) if kept], index[keep]


def _check_n(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an integer, got {n!r}")
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    return int(n)


def _as_sequence(values: Any) -> list:
    if isinstance(values, np.ndarray):
        return values.tolist()
    if hasattr(values, "to_pylist"):
        return values.to_pylist()
    return list(values)


def _pair_lists(users: Any, items: Any) -> tuple[list, list]:
    scalar_user = isinstance(users, (str, bytes, int, np.integer))
    scalar_item = isinstance(items, (str, bytes, int, np.integer))
    user_list = [users] if scalar_user else _as_sequence(users)
    item_list = [items] if scalar_item else _as_sequence(items)
    if scalar_user and not scalar_item:
        user_list = user_list * len(item_list)
    elif scalar_item and not scalar_user:
        item_list = item_list * len(user_list)
    if len(user_list) != len(item_list):
        raise ValueError(f"users and items must have the same length, got {len(user_list)} and {len(item_list)}")
    return user_list, item_list


def _raise_unknown(kind: str, ids: list, index: np.ndarray) -> None:
    missing = [ids[k] for k in np.flatnonzero(index < 0)]
    if missing:
        raise UnknownIdError(kind, list(dict.fromkeys(missing)))


def rated_structure(user_index: np.ndarray, item_index: np.ndarray, n_users: int) -> tuple[np.ndarray, np.ndarray]:
    """Return CSR ``(indptr, items)`` of the rated items of each user, items sorted."""
    from .._kernels.topk import rated_csr

    return rated_csr(
        np.ascontiguousarray(user_index, dtype=np.int32), np.ascontiguousarray(item_index, dtype=np.int32), n_users
    )


__all__ = ["FactorizationModel", "IdMap", "top_n", "rated_structure"]
