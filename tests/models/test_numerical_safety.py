"""Extreme hyperparameters give a valid model or a clear error, never NaN predictions."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pyarrow as pa
import pytest

from mfrec import DataWarning, DivergenceError, MatrixFactorization, NotFittedError, read_ratings


def _solvers() -> list[str]:
    try:
        MatrixFactorization(solver="als")
    except TypeError:
        return ["sgd"]
    return ["sgd", "als"]


SOLVERS = _solvers()


def model(solver: str, **params) -> MatrixFactorization:
    if solver == "sgd":
        return MatrixFactorization(**params)
    params.pop("learning_rate", None)
    return MatrixFactorization(solver=solver, **params)


def fit(solver: str, ratings, **params) -> MatrixFactorization:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model(solver, **params).fit(ratings)


@pytest.fixture
def random_ratings():
    rng = np.random.default_rng(0)
    n = 300
    table = pa.table(
        {"user": rng.integers(0, 30, n), "item": rng.integers(0, 20, n), "rating": rng.integers(1, 6, n).astype(float)}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return read_ratings(table, rating_scale=(1, 5))


def single_rating():
    with pytest.warns(DataWarning, match="no rating scale can be inferred"):
        return read_ratings(pa.table({"user": ["a"], "item": ["x"], "rating": [4.0]}))


def equal_ratings():
    with pytest.warns(DataWarning, match="every rating in Table input equals 3"):
        return read_ratings(pa.table({"user": ["a", "b", "c"], "item": ["x", "y", "x"], "rating": [3.0, 3.0, 3.0]}))


def all_predictions(fitted) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(itertools.product(fitted.users_.to_list(), fitted.items_.to_list()))
    users, items = [u for u, _ in pairs], [i for _, i in pairs]
    return fitted.predict(users, items).rating, fitted.predict(users, items, clip=False).rating


def assert_valid(fitted) -> None:
    clipped, raw = all_predictions(fitted)
    assert np.isfinite(clipped).all()
    assert np.isfinite(raw).all()
    recs = fitted.recommend(fitted.users_.to_list(), n=5, exclude_rated=False)
    assert np.isfinite(recs.score).all()
    assert np.isfinite(fitted.predict("nobody", "nothing").rating).all()


def test_learning_rate_10_diverges_in_first_epoch(random_ratings):
    seen = []
    estimator = MatrixFactorization(learning_rate=10.0, epochs=50, factors=4)
    with pytest.raises(DivergenceError, match=r"training diverged at epoch 1 .*lower learning_rate \(now 10\)"):
        estimator.fit(random_ratings, callback=lambda epoch, rmse: seen.append(epoch))
    assert seen == []


def test_diverged_model_cannot_predict(random_ratings):
    estimator = MatrixFactorization(learning_rate=10.0, epochs=5, factors=4)
    with pytest.raises(DivergenceError):
        estimator.fit(random_ratings)
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        estimator.predict("0", "0")


def test_learning_rate_10_single_rating_one_epoch():
    fitted = MatrixFactorization(learning_rate=10.0, epochs=1, factors=2).fit(single_rating())
    assert_valid(fitted)


@pytest.mark.parametrize("solver", SOLVERS)
def test_zero_regularization_valid_or_clear(random_ratings, solver):
    try:
        fitted = fit(solver, random_ratings, regularization=0.0, bias_regularization=0.0, factors=4, epochs=20)
    except DivergenceError as error:
        assert "training diverged at epoch" in str(error)
        assert "raise regularization" in str(error)
    else:
        assert_valid(fitted)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("factors", [0, 1, 1000])
def test_factor_counts(random_ratings, solver, factors):
    fitted = fit(solver, random_ratings, factors=factors, epochs=1)
    assert fitted.user_factors_.shape == (random_ratings.compact().n_users, factors)
    assert_valid(fitted)


@pytest.mark.parametrize("solver", SOLVERS)
def test_zero_factors_is_bias_baseline(random_ratings, solver):
    fitted = fit(solver, random_ratings, factors=0, epochs=5)
    u, i = fitted.users_.index_of(0), fitted.items_.index_of(0)
    expected = fitted.global_mean_ + float(fitted.user_bias_[u]) + float(fitted.item_bias_[i])
    assert fitted.predict(0, 0, clip=False).rating[0] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("solver", SOLVERS)
def test_zero_epochs(random_ratings, solver):
    fitted = fit(solver, random_ratings, epochs=0, factors=4)
    assert fitted.history_ == []
    assert fitted.global_mean_ == pytest.approx(random_ratings.global_mean, abs=1e-6)
    assert_valid(fitted)


@pytest.mark.parametrize("solver", SOLVERS)
def test_single_rating(solver):
    fitted = fit(solver, single_rating(), factors=2, epochs=20)
    assert fitted.rating_scale_ is None
    assert fitted.global_mean_ == 4.0
    assert fitted.predict("nobody", "nothing").rating[0] == 4.0
    assert_valid(fitted)


@pytest.mark.parametrize("solver", SOLVERS)
def test_all_ratings_equal(solver):
    fitted = fit(solver, equal_ratings(), factors=2, epochs=20)
    assert fitted.global_mean_ == 3.0
    assert fitted.predict("nobody", "nothing").rating[0] == 3.0
    assert_valid(fitted)


def test_huge_init_std_is_clear_error(random_ratings):
    estimator = MatrixFactorization(init_std=1e39, epochs=0)
    with pytest.raises(ValueError, match=r"init_std=1e\+39 makes the initial factors overflow float32"):
        estimator.fit(random_ratings)
    with pytest.raises(NotFittedError):
        estimator.predict("0", "0")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"factors": -1}, "factors must be an integer >= 0, got -1"),
        ({"epochs": 1.5}, "epochs must be an integer >= 0, got 1.5"),
        ({"learning_rate": 0.0}, "learning_rate must be > 0, got 0.0"),
        ({"learning_rate": float("inf")}, "learning_rate must be a finite number, got inf"),
        ({"regularization": float("nan")}, "regularization must be a finite number, got nan"),
        ({"regularization": -0.1}, "regularization must be >= 0, got -0.1"),
    ],
)
def test_invalid_hyperparameters(random_ratings, params, fragment):
    with pytest.raises(ValueError, match=fragment):
        MatrixFactorization(**params).fit(random_ratings)
