"""Baselines: hand-computed biases, the shared model interface, and the model file."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mfrec import load_model, read_ratings
from mfrec.models import BiasBaseline, GlobalMean, MostPopular


@pytest.fixture
def ratings():
    # Ratings: a-x 5, a-y 3, b-x 4, c-z 1. Global mean 13/4 = 3.25.
    table = pa.table({"user": ["a", "a", "b", "c"], "item": ["x", "y", "x", "z"], "rating": [5.0, 3.0, 4.0, 1.0]})
    return read_ratings(table, rating_scale=(1, 5))


def test_global_mean_predicts_mean(ratings):
    model = GlobalMean().fit(ratings)
    assert model.predict(["a", "zoe"], ["y", "x"]).rating.tolist() == [3.25, 3.25]


def test_bias_baseline_one_sweep_by_hand(ratings):
    # Item step with b_u = 0 and lambda_i = 1: residuals r - 3.25 are
    # x: 1.75, 0.75 -> b_x = 2.5 / (1 + 2) = 5/6; y: -0.25 / 2 = -1/8; z: -2.25 / 2 = -9/8.
    # User step with lambda_u = 2: a: (1.75 - 5/6) + (-0.25 + 1/8) = 0.7917 -> / 4;
    # b: 0.75 - 5/6 = -1/12 -> / 3; c: -2.25 + 9/8 = -9/8 -> / 3.
    model = BiasBaseline(user_regularization=2, item_regularization=1, sweeps=1).fit(ratings)
    items = model.items_.lookup(["x", "y", "z"])
    users = model.users_.lookup(["a", "b", "c"])
    assert model.item_bias_[items] == pytest.approx([5 / 6, -1 / 8, -9 / 8], abs=1e-6)
    expected_a = ((1.75 - 5 / 6) + (-0.25 + 1 / 8)) / 4
    assert model.user_bias_[users] == pytest.approx([expected_a, (0.75 - 5 / 6) / 3, (-2.25 + 9 / 8) / 3], abs=1e-6)
    assert model.predict("a", "x")[0] == pytest.approx(3.25 + expected_a + 5 / 6, abs=1e-6)


def test_bias_baseline_records_history(ratings):
    model = BiasBaseline(sweeps=3).fit(ratings)
    assert [entry["epoch"] for entry in model.history_] == [1, 2, 3]
    predicted = model.predict(["a", "a", "b", "c"], ["x", "y", "x", "z"], clip=False).rating
    expected = np.sqrt(np.mean((np.array([5.0, 3.0, 4.0, 1.0]) - predicted) ** 2))
    assert model.history_[-1]["train_rmse"] == pytest.approx(expected, rel=1e-5)


def test_bias_baseline_rejects_negative_regularization(ratings):
    with pytest.raises(ValueError, match="user_regularization must be a finite number >= 0, got -1"):
        BiasBaseline(user_regularization=-1).fit(ratings)


def test_most_popular_ranks_by_count(ratings):
    model = MostPopular().fit(ratings)
    # Counts: x 2, y 1, z 1; y and z tie and y was seen first.
    recs = model.recommend("c", n=3)
    assert recs.item == ["x", "y"]
    assert recs.score.tolist() == [2.0, 1.0]
    assert recs.rule == "popularity"


def test_most_popular_predicts_shrunk_item_mean(ratings):
    model = MostPopular(item_regularization=0).fit(ratings)
    # lambda = 0: x's mean 4.5 exactly.
    assert model.predict("c", "x")[0] == pytest.approx(4.5)


def test_baseline_recommend_excludes_rated(ratings):
    model = BiasBaseline().fit(ratings)
    assert "x" not in model.recommend("a", n=3).item
    assert "y" not in model.recommend("a", n=3).item


@pytest.mark.parametrize("make", [GlobalMean, BiasBaseline, MostPopular])
def test_baseline_save_load_round_trip(ratings, tmp_path, make):
    model = make().fit(ratings)
    path = tmp_path / "baseline.mfrec"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is make
    assert loaded.get_params() == model.get_params()
    pairs = (["a", "b", "c", "new"], ["z", "y", "x", "x"])
    assert np.array_equal(loaded.predict(*pairs).rating, model.predict(*pairs).rating)
    assert loaded.recommend("c", n=2).item == model.recommend("c", n=2).item


def test_baseline_predict_before_fit_raises():
    from mfrec import NotFittedError

    with pytest.raises(NotFittedError, match="this GlobalMean is not fitted yet"):
        GlobalMean().predict("a", "x")


@pytest.mark.slow
def test_bias_baseline_movielens_rmse(ml100k):
    from mfrec.evaluation import evaluate

    train = read_ratings(ml100k / "u1.base")
    test = read_ratings(ml100k / "u1.test")
    result = evaluate(BiasBaseline().fit(train), test)
    # Recorded 0.9599 on u1 with the defaults; the global mean gives 1.1537.
    assert result["rmse"] <= 0.965
