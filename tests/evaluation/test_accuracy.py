"""FCP and the metric-name interface of evaluate, against hand-computed values."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from mfrec import read_ratings
from mfrec.evaluation import evaluate, fcp, parse_metrics
from mfrec.models import GlobalMean


def test_fcp_counts_pairs_within_users():
    # User 0: true (5, 3, 1), predicted (4.5, 3, 3.5): pairs 5>3 and 5>1 concordant,
    # 3>1 discordant (3 < 3.5). User 1: true (4, 2), predicted (2, 1): concordant.
    # Pairs across users are not formed: FCP = 3 / (3 + 1).
    value = fcp([5, 3, 1, 4, 2], [4.5, 3, 3.5, 2, 1], [0, 0, 0, 1, 1])
    assert value == pytest.approx(0.75)


def test_fcp_prediction_tie_is_discordant():
    # true 4 > 2 with equal predictions: 0 concordant, 1 discordant.
    assert fcp([4, 2], [3, 3], [7, 7]) == 0.0


def test_fcp_equal_true_ratings_form_no_pair():
    assert math.isnan(fcp([3, 3], [1, 2], [0, 0]))


def test_fcp_rejects_mismatched_users():
    with pytest.raises(ValueError, match="users must have one entry per rating"):
        fcp([1, 2], [1, 2], [0])


def test_parse_metrics_lowercases_and_reads_k():
    assert parse_metrics("RMSE, ndcg@10,Hit@3") == [("rmse", "rmse", None), ("ndcg@10", "ndcg", 10), ("hit@3", "hit", 3)]


@pytest.mark.parametrize("name", ["foo", "ndcg", "ndcg@0", "rmse@5"])
def test_parse_metrics_rejects_unknown(name):
    with pytest.raises(ValueError, match=f"unknown metric '{name}'"):
        parse_metrics([name])


def test_evaluate_returns_named_metrics():
    train = read_ratings(pa.table({"user": ["a", "a", "b"], "item": ["x", "y", "x"], "rating": [5.0, 1.0, 4.0]}))
    test = read_ratings(pa.table({"user": ["b", "b"], "item": ["y", "z"], "rating": [2.0, 5.0]}), rating_scale=(1, 5))
    # Every prediction is the global mean 10/3.
    model = GlobalMean().fit(train)
    result = evaluate(model, test, metrics=["mae", "FCP", "recall@1"])
    assert list(result)[:3] == ["mae", "fcp", "recall@1"]
    # |2 - 10/3| + |5 - 10/3| = 4/3 + 5/3 = 3, over 2 rows.
    assert result["mae"] == pytest.approx(1.5)
    # One pair (z: 5 > y: 2) with tied predictions: discordant.
    assert result["fcp"] == 0.0
    # b rated x in training, so y is its only candidate; the relevant z is unknown to the model.
    assert result["recall@1"] == 0.0
    assert result["rows_unknown_item"] == 1
    assert result["users_evaluated"] == 1
