"""The ``objective`` of MatrixFactorization: which score ``recommend`` ranks by.

``"rating"`` ranks by the predicted rating. ``"ranking"`` and ``"both"`` also fit an
:class:`ImplicitALS` on the same ratings (``ranker_``) and rank by its preference score,
``"both"`` re-weighted by the predicted rating. ``predict`` always uses the explicit model.
"""

from __future__ import annotations

import logging

import numpy as np

from ..data.ratings import Ratings
from .implicit import ImplicitALS

logger = logging.getLogger(__name__)

OBJECTIVES = ("rating", "ranking", "both")

#: ``recommend``'s rule name for each objective once the ranker is fitted.
RULES = {"rating": "predicted_rating", "ranking": "implicit", "both": "implicit_times_rating"}

#: Candidate exponents for the ``"both"`` rule, tried on the validation split in order.
WEIGHT_GRID = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)

#: Weight of ``"both"`` when the validation split has no relevant rating to choose one.
FALLBACK_WEIGHT = 1.0

#: Share of the training ratings held out to choose the weight of ``"both"``.
VALIDATION_FRACTION = 0.1

#: A held-out rating is relevant from this point of the rating scale up (4 on 1 to 5).
RELEVANT_FROM = 0.75


class RankingObjective:
    """Mixin for :class:`MatrixFactorization` that adds the ranking objectives.

    The class using it stores ``objective``, ``ranking_weight`` and ``ranker_params``.
    """

    @property
    def recommend_rule(self) -> str:
        """Name of the score ``recommend`` ranks by; ``"predicted_rating"`` without a ranker."""
        if getattr(self, "ranker_", None) is None:
            return "predicted_rating"
        return RULES[self.objective]

    def _check_objective(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {self.objective!r}")
        weight = self.ranking_weight
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, (int, float, np.number)) or not weight >= 0):
            raise ValueError(f"ranking_weight must be a number >= 0 or None (choose on a validation split), got {weight!r}")
        if self.ranker_params is not None and not isinstance(self.ranker_params, dict):
            raise TypeError(f"ranker_params must be a dict of ImplicitALS arguments or None, got {type(self.ranker_params).__name__}")
        self._make_ranker()._validate()

    def _make_ranker(self) -> ImplicitALS:
        params = dict(self.ranker_params or {})
        params.setdefault("seed", self.seed)
        params.setdefault("threads", getattr(self, "threads", None))
        return ImplicitALS(**params)

    def _fit_ranker(self, ratings: Ratings, progress: bool = False) -> None:
        """Fit ``ranker_`` and choose ``ranking_weight_``; no-op for the rating objective."""
        self.ranker_ = None
        self.ranking_weight_ = None
        if self.objective == "rating":
            return
        weight = 0.0
        if self.objective == "both":
            weight = self.ranking_weight if self.ranking_weight is not None else self._choose_weight(ratings)
        self.ranking_weight_ = float(weight)
        self.ranker_ = self._make_ranker().fit(ratings, progress=progress)

    def _choose_weight(self, ratings: Ratings) -> float:
        from ..evaluation import evaluate_ranking
        from ..split import random_split

        threshold = _relevance_threshold(ratings)
        train, held_out = random_split(ratings, test_fraction=VALIDATION_FRACTION, seed=self.seed)
        if not (held_out.rating >= threshold).any():
            logger.warning(
                "no held-out rating reaches %g among %d ratings, so ranking_weight cannot be "
                "chosen on a validation split; using %g (pass ranking_weight to set it, CLI: --ranking-weight)",
                threshold, len(ratings), FALLBACK_WEIGHT,
            )
            return FALLBACK_WEIGHT
        params = self.get_params()
        params["ranking_weight"] = 0.0
        # With early stopping, the probe stops on the same held-out ratings it is scored on,
        # as the final model stops on the caller's validation ratings.
        stop_on = held_out if params.get("early_stopping_rounds") is not None else None
        probe = type(self)(**params).fit(train, validation=stop_on)
        results = []
        for weight in WEIGHT_GRID:
            probe.ranking_weight_ = weight
            ndcg = evaluate_ranking(probe, held_out, k=10, threshold=threshold).metrics["ndcg@10"]
            results.append((ndcg, -weight))
            logger.info("ranking_weight %g: validation NDCG@10 %.4f", weight, ndcg)
        best_ndcg, negative_weight = max(results)
        self.ranking_validation_ = {"threshold": threshold, "ndcg@10": {w: n for (n, _), w in zip(results, WEIGHT_GRID)}}
        logger.info("chose ranking_weight %g (validation NDCG@10 %.4f)", -negative_weight, best_ndcg)
        return -negative_weight

    def _item_scores(self, u: int) -> np.ndarray:
        return self._score_block(np.array([u]))[0]

    def _score_block(self, users: np.ndarray) -> np.ndarray:
        """Return the ranking scores of all items for model user indices, float64 (len(users), n_items).

        An unknown user (-1) gets the explicit fallback ``mu + b_i`` under every rule.
        """
        users = np.asarray(users, dtype=np.int64)
        known = users >= 0
        safe = np.where(known, users, 0)
        explicit = (self.user_factors_[safe] @ self.item_factors_.T).astype(np.float64)
        explicit[~known] = 0.0
        explicit += np.where(known, self.user_bias_[safe], 0.0)[:, None]
        explicit += self.item_bias_[None, :] + self.global_mean_
        if getattr(self, "ranker_", None) is None:
            return explicit

        preference = (self.ranker_.user_factors_[safe] @ self.ranker_.item_factors_.T).astype(np.float64)
        if self.objective == "both":
            preference = combine_scores(preference, explicit, self.rating_scale_, self.ranking_weight_)
        preference[~known] = explicit[~known]
        return preference

    def _extra_arrays(self) -> dict:
        if getattr(self, "ranker_", None) is None:
            return {}
        return {"ranker_user_factors": self.ranker_.user_factors_, "ranker_item_factors": self.ranker_.item_factors_}

    def _extra_metadata(self) -> dict:
        if getattr(self, "ranker_", None) is None:
            return {}
        return {
            "ranker_params": self.ranker_.get_params(),
            "ranker_history": self.ranker_.history_,
            "ranking_weight": self.ranking_weight_,
        }

    def _restore_extra(self, meta: dict, arrays: dict) -> None:
        self.ranker_ = None
        self.ranking_weight_ = meta.get("ranking_weight")
        if "ranker_user_factors" not in arrays:
            # Files written before objectives existed have no ranker: they rank by rating.
            self.objective = "rating"
            return
        ranker = ImplicitALS(**meta["ranker_params"])
        ranker.user_factors_ = arrays["ranker_user_factors"]
        ranker.item_factors_ = arrays["ranker_item_factors"]
        ranker.user_bias_ = np.zeros(len(self.users_), dtype=np.float32)
        ranker.item_bias_ = np.zeros(len(self.items_), dtype=np.float32)
        ranker.global_mean_ = 0.0
        ranker.users_, ranker.items_ = self.users_, self.items_
        ranker.rating_scale_ = None
        ranker.rated_indptr_, ranker.rated_items_ = self.rated_indptr_, self.rated_items_
        ranker.history_ = meta.get("ranker_history", [])
        self.ranker_ = ranker


def combine_scores(
    preference: np.ndarray, explicit: np.ndarray, rating_scale: tuple[float, float] | None, weight: float
) -> np.ndarray:
    r"""Re-weight implicit preference scores by predicted ratings: the ``"both"`` rule.

    .. math:: s_{ui} = \max(x_u^\top y_i, 0) \cdot q_{ui}^{\beta}, \qquad
              q_{ui} = \frac{\mathrm{clip}(\hat r_{ui}) - r_{min}}{r_{max} - r_{min}}

    ``weight`` is :math:`\beta`: 0 ranks by the preference alone, larger values move
    items the user is predicted to rate highly up the list. An item with a
    non-positive preference, or predicted at the bottom of the scale, scores 0.
    Without a rating scale (all training ratings equal) :math:`q = 1`.
    """
    positive = np.maximum(preference, 0.0)
    if rating_scale is None or weight == 0:
        return positive
    low, high = rating_scale
    quality = (np.clip(explicit, low, high) - low) / (high - low)
    return positive * quality**weight


def _relevance_threshold(ratings: Ratings) -> float:
    if ratings.rating_scale is None:
        return float(ratings.rating.min())
    low, high = ratings.rating_scale
    return float(low + RELEVANT_FROM * (high - low))
