"""MatrixFactorization: the prediction rule, recommend, determinism and validation."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mfrec import (
    DivergenceError,
    IdMap,
    MatrixFactorization,
    NotFittedError,
    UnknownIdError,
    read_ratings,
)
from mfrec.models._base import rated_structure


def hand_built_model() -> MatrixFactorization:
    """Two users, three items, two factors, every number chosen by hand."""
    model = MatrixFactorization(factors=2)
    model.global_mean_ = 3.0
    model.user_bias_ = np.array([0.5, -0.25], dtype=np.float32)
    model.item_bias_ = np.array([0.25, 0.0, -0.5], dtype=np.float32)
    model.user_factors_ = np.array([[1.0, 0.5], [0.0, 2.0]], dtype=np.float32)
    model.item_factors_ = np.array([[0.5, 0.5], [1.0, -1.0], [0.25, 0.25]], dtype=np.float32)
    model.users_ = IdMap(pa.array(["ana", "ben"]))
    model.items_ = IdMap(pa.array(["x", "y", "z"]))
    model.rating_scale_ = (1.0, 5.0)
    # ana rated x; ben rated nothing.
    model.rated_indptr_, model.rated_items_ = rated_structure(
        np.array([0], dtype=np.int32), np.array([0], dtype=np.int32), 2
    )
    model.history_ = []
    return model


def table(users, items, ratings):
    return pa.table({"user": users, "item": items, "rating": [float(r) for r in ratings]})


def test_predict_is_mean_plus_biases_plus_dot():
    model = hand_built_model()
    result = model.predict(["ana", "ana", "ben"], ["x", "y", "z"])
    # ana,x: 3 + 0.5 + 0.25 + (1*0.5 + 0.5*0.5) = 4.5
    # ana,y: 3 + 0.5 + 0.0 + (1*1 + 0.5*-1) = 4.0
    # ben,z: 3 - 0.25 - 0.5 + (0*0.25 + 2*0.25) = 2.75
    np.testing.assert_allclose(result.rating, [4.5, 4.0, 2.75])
    assert list(result.cold_start) == ["", "", ""]


def test_predict_clips_to_scale_and_raw_on_request():
    model = hand_built_model()
    model.user_factors_[0] = [10.0, 0.0]
    # raw ana,x: 3 + 0.5 + 0.25 + 10*0.5 = 8.75, clipped to 5
    assert model.predict("ana", "x").rating[0] == 5.0
    assert model.predict("ana", "x", clip=False).rating[0] == 8.75


def test_predict_fallbacks_for_unknown_ids():
    model = hand_built_model()
    result = model.predict(["zoe", "ana", "zoe"], ["x", "film9", "film9"])
    # unknown user: 3 + b_x = 3.25; unknown item: 3 + b_ana = 3.5; both: 3.0
    np.testing.assert_allclose(result.rating, [3.25, 3.5, 3.0])
    assert list(result.cold_start) == ["unknown_user", "unknown_item", "unknown_user_and_item"]
    assert list(result.fallback) == [True, True, True]


def test_predict_unknown_error_names_the_id():
    model = hand_built_model()
    with pytest.raises(UnknownIdError, match="unknown user ID 'zoe'"):
        model.predict("zoe", "x", unknown="error")


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError, match="call fit"):
        MatrixFactorization().predict("a", "b")


def test_recommend_excludes_rated_and_orders_by_score():
    model = hand_built_model()
    recs = model.recommend("ana", n=10)
    # ana: y = 4.0, z = 3 + 0.5 - 0.5 + 0.375 = 3.375; x is rated
    assert recs.items == ["y", "z"]
    np.testing.assert_allclose(recs.score, [4.0, 3.375])
    assert list(recs.rank) == [1, 2]


def test_recommend_include_rated():
    model = hand_built_model()
    assert model.recommend("ana", n=10, exclude_rated=False).items == ["x", "y", "z"]


def test_recommend_breaks_ties_by_item_order():
    model = hand_built_model()
    model.item_factors_[:] = 0.0
    model.item_bias_[:] = 0.0
    assert model.recommend("ben", n=2).items == ["x", "y"]
    assert model.recommend("ben", n=3).items == ["x", "y", "z"]


def test_recommend_many_users_deduplicates_and_reports_unknown():
    model = hand_built_model()
    recs = model.recommend(["ana", "zoe", "ana", "ben"], n=1)
    assert recs.user == ["ana", "ben"]
    assert recs.unknown_users == ["zoe"]


def test_recommend_unknown_single_user_raises():
    with pytest.raises(UnknownIdError, match="'zoe'"):
        hand_built_model().recommend("zoe")


@pytest.mark.parametrize(("n", "error"), [(-1, ValueError), (1.5, TypeError)])
def test_recommend_rejects_bad_n(n, error):
    with pytest.raises(error, match="n must be"):
        hand_built_model().recommend("ana", n=n)


def test_recommend_n_zero_is_empty():
    assert len(hand_built_model().recommend("ana", n=0)) == 0


def test_fit_same_seed_same_model():
    data = read_ratings(table(["a", "a", "b", "b", "c"], ["x", "y", "x", "z", "y"], [5, 3, 4, 1, 2]))
    first = MatrixFactorization(factors=3, epochs=20, seed=3).fit(data)
    second = MatrixFactorization(factors=3, epochs=20, seed=3).fit(data)
    other = MatrixFactorization(factors=3, epochs=20, seed=4).fit(data)
    np.testing.assert_array_equal(first.user_factors_, second.user_factors_)
    np.testing.assert_array_equal(first.item_bias_, second.item_bias_)
    assert not np.array_equal(first.user_factors_, other.user_factors_)


def test_fit_records_history_and_lowers_training_error():
    data = read_ratings(table(["a", "a", "b", "b", "c"], ["x", "y", "x", "z", "y"], [5, 3, 4, 1, 2]))
    model = MatrixFactorization(factors=2, epochs=50, learning_rate=0.05).fit(data)
    assert [h["epoch"] for h in model.history_] == list(range(1, 51))
    assert model.history_[-1]["train_rmse"] < model.history_[0]["train_rmse"]


def test_fit_global_mean_is_mean_rating():
    data = read_ratings(table(["a", "a", "b"], ["x", "y", "x"], [5, 3, 4]))
    assert MatrixFactorization(epochs=1).fit(data).global_mean_ == pytest.approx(4.0)


def test_fit_divergence_suggests_lower_learning_rate():
    data = read_ratings(table(["a", "a", "b", "b"], ["x", "y", "x", "y"], [5, 1, 1, 5]))
    model = MatrixFactorization(factors=5, epochs=50, learning_rate=50.0, regularization=0.0, bias_regularization=0.0, init_std=1.0)
    with pytest.raises(DivergenceError, match="lower learning_rate"):
        model.fit(data)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"factors": -1}, "factors must be an integer >= 0, got -1"),
        ({"epochs": 2.5}, "epochs must be an integer >= 0"),
        ({"learning_rate": 0}, "learning_rate must be > 0, got 0"),
        ({"regularization": -0.1}, "regularization must be >= 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number"),
    ],
)
def test_fit_rejects_bad_hyperparameters(params, message):
    data = read_ratings(table(["a", "b"], ["x", "y"], [5, 3]))
    with pytest.raises(ValueError, match=message):
        MatrixFactorization(**params).fit(data)


def test_fit_callback_sees_every_epoch():
    data = read_ratings(table(["a", "b"], ["x", "y"], [5, 3]))
    seen = []
    MatrixFactorization(epochs=3).fit(data, callback=lambda epoch, rmse: seen.append(epoch))
    assert seen == [1, 2, 3]


def test_fit_validation_rmse_recorded():
    train = read_ratings(table(["a", "a", "b"], ["x", "y", "x"], [5, 3, 4]))
    valid = read_ratings(table(["b"], ["y"], [2]))
    model = MatrixFactorization(epochs=2).fit(train, validation=valid)
    assert "validation_rmse" in model.history_[-1]
    expected = abs(model.predict("b", "y").rating[0] - 2.0)
    assert model.history_[-1]["validation_rmse"] == pytest.approx(expected)


def test_recommend_same_user_as_int_and_text_once():
    data = read_ratings(table([1, 2, 2], [10, 11, 12], [5, 3, 4]))
    model = MatrixFactorization(factors=2, epochs=2, objective="rating").fit(data)
    recs = model.recommend([1, "1", 2], n=1)
    assert recs.user == [1, 2]
