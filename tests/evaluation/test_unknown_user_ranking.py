"""Ranking evaluation scores a test user the model never saw by the model's fallback rule."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

import mfrec
from mfrec.evaluation import evaluate_ranking

TRAIN = {"user": [1, 1, 2, 2, 3], "item": [10, 11, 11, 12, 13], "rating": [5.0, 4.0, 5.0, 4.0, 5.0]}


def test_implicit_unknown_user_gets_fallback_list():
    train = mfrec.read_ratings(pa.table(TRAIN))
    test = mfrec.read_ratings(pa.table({"user": [99], "item": [10], "rating": [5.0]}))
    model = mfrec.ImplicitALS(factors=2, iterations=5).fit(train)
    # predict() gives every item the same fallback score for user 99, so the ranking
    # is by item index: 10, 11, 12, 13, not the last training user's list.
    assert set(model.predict(99, [10, 11, 12, 13]).rating) == {0.0}
    assert evaluate_ranking(model, test, k=4).recommendations().items == [10, 11, 12, 13]


def test_bias_baseline_unknown_user_ranks_by_item_bias():
    train = mfrec.read_ratings(pa.table(TRAIN))
    test = mfrec.read_ratings(pa.table({"user": [99], "item": [10], "rating": [5.0]}))
    model = mfrec.models.BiasBaseline().fit(train)
    expected = [model.items_.id_of(i) for i in np.lexsort((np.arange(4), -model.item_bias_))]
    assert evaluate_ranking(model, test, k=4).recommendations().items == expected
