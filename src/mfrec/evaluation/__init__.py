"""Evaluation: rating-accuracy and ranking metrics, and model evaluation on held-out ratings."""

from ._evaluate import evaluate, parse_metrics
from ._ranking_eval import RankingReport, evaluate_ranking
from .accuracy import fcp, mae, rmse
from .ranking import (
    average_precision_at_k,
    catalog_coverage,
    hit_rate_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    reciprocal_rank_at_k,
    relevance_matrix,
)

__all__ = [
    "RankingReport",
    "average_precision_at_k",
    "catalog_coverage",
    "evaluate",
    "evaluate_ranking",
    "fcp",
    "hit_rate_at_k",
    "mae",
    "ndcg_at_k",
    "parse_metrics",
    "precision_at_k",
    "recall_at_k",
    "reciprocal_rank_at_k",
    "relevance_matrix",
    "rmse",
]
