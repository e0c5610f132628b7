"""Evaluate a fitted model's top-k lists against held-out ratings."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..data.idmap import IdMap
from ..data.ratings import Ratings
from ..exceptions import DataWarning
from ..results import Recommendations
from . import ranking

__all__ = ["RankingReport", "evaluate_ranking", "RANKING_METRICS"]

#: Names of the metrics that :func:`evaluate_ranking` computes, without the ``@k``.
RANKING_METRICS = ("precision", "recall", "ndcg", "map", "mrr", "hit", "coverage")

# Score matrices are built for this many (user, item) cells at a time.
_BLOCK_CELLS = 1 << 22


@dataclass
class RankingReport:
    """Ranking metrics of one model on one test set at one cut-off ``k``.

    Attributes
    ----------
    k : int
    threshold : float
        Lowest test rating that makes an item relevant.
    graded : bool
        Whether NDCG used the test rating as gain (else binary gains).
    metrics : dict of str to float
        ``"precision@k"``, ``"recall@k"``, ``"ndcg@k"``, ``"map@k"``, ``"mrr@k"``,
        ``"hit@k"`` (means over the evaluated users) and ``"coverage@k"`` (over the
        union of their lists). NaN when no user was evaluated.
    users_evaluated : int
        Test users with at least one relevant test item.
    users_without_relevant : int
        Test users left out of the means because none of their test ratings reaches
        ``threshold``.
    users_unknown : int
        Evaluated users the model was not trained on; they are ranked by the model's
        fallback rule for unknown users.
    relevant_unknown_items : int
        Relevant test pairs whose item the model does not know; they count as relevant
        but can never be retrieved.
    user_ids : list
        External IDs of the evaluated users, in the order of ``per_user`` and ``top_k``.
    per_user : dict of str to ndarray
        Each per-user metric, keyed like ``metrics``.
    top_k : ndarray of int64, shape (users_evaluated, k)
        Model item indices of each evaluated user's list; -1 pads short lists.
    """

    k: int
    threshold: float
    graded: bool
    metrics: dict[str, float]
    users_evaluated: int
    users_without_relevant: int
    users_unknown: int
    relevant_unknown_items: int
    user_ids: list = field(repr=False)
    per_user: dict[str, np.ndarray] = field(repr=False)
    top_k: np.ndarray = field(repr=False)
    items: IdMap = field(repr=False)

    def to_dict(self) -> dict:
        """Return the metrics and the user counts as a JSON-ready dict (NaN as None)."""
        document: dict = {name: _finite_or_none(value) for name, value in self.metrics.items()}
        document.update(
            k=self.k,
            threshold=self.threshold,
            users_evaluated=self.users_evaluated,
            users_without_relevant=self.users_without_relevant,
            users_unknown=self.users_unknown,
            relevant_unknown_items=self.relevant_unknown_items,
        )
        return document

    def recommendations(self) -> Recommendations:
        """Return the evaluated top-k lists as a table of external IDs."""
        rows, ranks = np.nonzero(self.top_k >= 0)
        return Recommendations(
            [self.user_ids[r] for r in rows],
            ranks.astype(np.int64) + 1,
            self.items.ids_at(self.top_k[rows, ranks]),
            np.full(len(rows), np.nan),
            "evaluated_top_k",
        )


def evaluate_ranking(
    model,
    test: Ratings,
    *,
    k: int = 10,
    threshold: float = 4.0,
    graded: bool = False,
) -> RankingReport:
    """Rank the candidate items of every test user and score the top ``k`` against the test data.

    Parameters
    ----------
    model : fitted model
        A model with the fitted attributes of :class:`mfrec.models.FactorizationModel`.
    test : Ratings
        Held-out ratings; their IDs are matched to the model's by value.
    k : int
        Length of the evaluated lists, at least 1. A user with fewer than ``k``
        candidates gets a shorter list, and the missing ranks count as misses.
    threshold : float
        A test item is relevant to its user when its rating is at least this value.
    graded : bool
        Use the test rating of each relevant item as its NDCG gain instead of 1.

    Returns
    -------
    RankingReport

    Notes
    -----
    The candidates of a user are all items the model was trained on, except those the
    user rated in training, so items seen in training never count as misses. Items are
    ranked by the model's unclipped score, ties by the lower item index (the item seen
    first in training). Users with no relevant test item are left out of the means and
    counted in ``users_without_relevant``. A test user unknown to the model is ranked
    by the fallback rule (``mu + b_i`` for factorization models) and counted in
    ``users_unknown``.
    """
    model._check_fitted()
    k = ranking.check_k(k)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) or not math.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number, got {threshold!r}")
    if not isinstance(test, Ratings):
        raise TypeError(f"test must be a Ratings object from mfrec.read_ratings, got {type(test).__name__}")

    targets = _RelevantPairs(model, test, float(threshold))
    top_k = _rank_candidates(model, targets.model_users, k)
    gains = targets.rating if graded else None
    relevance = ranking.relevance_matrix(top_k, targets.indptr, targets.model_items, gains=gains)
    ideal = targets.ideal_gains(k) if graded else None
    per_user = _per_user_metrics(relevance, targets.n_relevant, k, ideal)
    metrics = _means(per_user, targets, top_k, model, k)
    return RankingReport(
        k=k,
        threshold=float(threshold),
        graded=graded,
        metrics=metrics,
        users_evaluated=len(targets.model_users),
        users_without_relevant=targets.users_without_relevant,
        users_unknown=int((targets.model_users < 0).sum()),
        relevant_unknown_items=targets.unknown_items,
        user_ids=targets.user_ids,
        per_user=per_user,
        top_k=top_k,
        items=model.items_,
    )


class _RelevantPairs:
    """Relevant test pairs grouped by evaluated user, in the model's indices."""

    def __init__(self, model, test: Ratings, threshold: float):
        model_user = model.users_.lookup(test.users.ids)
        model_item = model.items_.lookup(test.items.ids)

        # One entry per distinct (user, item) pair, relevant or not.
        _, first = np.unique(
            test.user_index.astype(np.int64) * max(test.n_items, 1) + test.item_index, return_index=True
        )
        users = test.user_index[first]
        relevant = test.rating[first] >= threshold
        tested_users = np.unique(users)
        evaluated = np.unique(users[relevant])
        self.users_without_relevant = len(tested_users) - len(evaluated)

        users, items = users[relevant], test.item_index[first][relevant]
        order = np.lexsort((items, users))
        users, items = users[order], items[order]
        self.rating = test.rating[first][relevant][order].astype(np.float64)
        position = np.searchsorted(evaluated, users)
        self.n_relevant = np.bincount(position, minlength=len(evaluated)).astype(np.int64)
        self.indptr = np.concatenate([[0], np.cumsum(self.n_relevant)])
        self.model_items = model_item[items].astype(np.int64)
        self.model_users = model_user[evaluated].astype(np.int64)
        self.user_ids = test.users.ids_at(evaluated)
        self.unknown_items = int((self.model_items < 0).sum())
        self._position = position

    def ideal_gains(self, k: int) -> np.ndarray:
        """Return the ``k`` largest relevant ratings of each user, padded with zeros."""
        order = np.lexsort((-self.rating, self._position))
        rank = np.arange(len(order)) - self.indptr[self._position[order]]
        keep = rank < k
        ideal = np.zeros((len(self.n_relevant), k))
        ideal[self._position[order][keep], rank[keep]] = self.rating[order][keep]
        return ideal


def _rank_candidates(model, model_users: np.ndarray, k: int) -> np.ndarray:
    """Return the top-``k`` model item indices of each user, -1 padded, ties by lower index."""
    n_items = len(model.items_)
    top_k = np.full((len(model_users), k), -1, dtype=np.int64)
    step = max(1, _BLOCK_CELLS // max(n_items, 1))
    for start in range(0, len(model_users), step):
        users = model_users[start : start + step]
        scores = score_block(model, users)
        _exclude_rated(model, users, scores)
        top_k[start : start + step] = top_k_indices(scores, k)
    return top_k


def score_block(model, users: np.ndarray) -> np.ndarray:
    """Return the ranking scores of all items for model user indices; -1 is an unknown user.

    Models define ``_score_block(users)`` to rank by something other than the biased
    factorization rule ``mu + b_u + b_i + p_u . q_i``.
    """
    custom = getattr(model, "_score_block", None)
    if custom is not None:
        return np.asarray(custom(users), dtype=np.float64)
    if _overrides_item_scores(model):
        return _score_rows(model, users)
    known = users >= 0
    safe = np.where(known, users, 0)
    scores = (model.user_factors_[safe] @ model.item_factors_.T).astype(np.float64)
    scores[~known] = 0.0
    scores += np.where(known, model.user_bias_[safe], 0.0)[:, None]
    scores += model.item_bias_[None, :] + model.global_mean_
    return scores


def _overrides_item_scores(model) -> bool:
    """Return whether the model ranks by its own per-user ``_item_scores`` rule."""
    for cls in type(model).__mro__:
        if "_item_scores" in cls.__dict__:
            return cls.__name__ != "FactorizationModel"
    return False


def _score_rows(model, users: np.ndarray) -> np.ndarray:
    # One model call per user; an unknown user gets the bias-only scores mu + b_i.
    fallback = model.item_bias_.astype(np.float64) + model.global_mean_
    rows = [model._item_scores(int(u)) if u >= 0 else fallback for u in users]
    return np.stack(rows) if rows else np.zeros((0, len(fallback)))


def _exclude_rated(model, users: np.ndarray, scores: np.ndarray) -> None:
    known = np.flatnonzero(users >= 0)
    starts = model.rated_indptr_[users[known]]
    counts = model.rated_indptr_[users[known] + 1] - starts
    rows = np.repeat(known, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    scores[rows, model.rated_items_[np.repeat(starts, counts) + offsets]] = -np.inf


def top_k_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Return the column indices of the ``k`` largest finite scores of each row.

    Ties are broken by the lower column index; rows with fewer than ``k`` finite scores
    are padded with -1.
    """
    n_rows, n_cols = scores.shape
    out = np.full((n_rows, k), -1, dtype=np.int64)
    keep = np.isfinite(scores)
    if k < n_cols:
        cut = np.partition(scores, n_cols - k, axis=1)[:, n_cols - k]
        keep &= scores >= cut[:, None]
    rows, cols = np.nonzero(keep)
    values = scores[rows, cols]
    order = np.lexsort((cols, -values, rows))
    rows, cols = rows[order], cols[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    within = rank < k
    out[rows[within], rank[within]] = cols[within]
    return out


def _per_user_metrics(relevance: np.ndarray, n_relevant: np.ndarray, k: int, ideal) -> dict:
    return {
        f"precision@{k}": ranking.precision_at_k(relevance, k=k),
        f"recall@{k}": ranking.recall_at_k(relevance, n_relevant, k=k),
        f"ndcg@{k}": ranking.ndcg_at_k(relevance, n_relevant, k=k, ideal_gains=ideal),
        f"map@{k}": ranking.average_precision_at_k(relevance, n_relevant, k=k),
        f"mrr@{k}": ranking.reciprocal_rank_at_k(relevance, k=k),
        f"hit@{k}": ranking.hit_rate_at_k(relevance, k=k),
    }


def _means(per_user: dict, targets: _RelevantPairs, top_k: np.ndarray, model, k: int) -> dict:
    if len(targets.model_users) == 0:
        warnings.warn(
            f"no test user has a rating of at least the relevance threshold, so the ranking "
            f"metrics are undefined (NaN); {targets.users_without_relevant} users were left "
            f"out; lower the threshold or check the rating scale",
            DataWarning,
            stacklevel=3,
        )
        metrics = {name: float("nan") for name in per_user}
        metrics[f"coverage@{k}"] = float("nan")
        return metrics
    metrics = {name: float(values.mean()) for name, values in per_user.items()}
    metrics[f"coverage@{k}"] = ranking.catalog_coverage(top_k, len(model.items_), k=k)
    return metrics


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
