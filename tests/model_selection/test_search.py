"""Grid, random and Optuna search, and early stopping on a validation split."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mfrec import MatrixFactorization, read_ratings
from mfrec.model_selection import IntUniform, LogUniform, Uniform, default_space, grid_search, optuna_search, random_search
from mfrec.models import BiasBaseline
from mfrec.split import random_split


# Ranking objectives fit a second model that rating metrics never use; skip it to save time.
RATING_ONLY = {"objective": "rating"} if "objective" in MatrixFactorization().get_params() else {}

@pytest.fixture
def ratings():
    rng = np.random.default_rng(11)
    user_bias = rng.normal(0, 0.8, 40)
    item_bias = rng.normal(0, 0.8, 50)
    cells = rng.choice(40 * 50, size=1500, replace=False)
    users, items = cells // 50, cells % 50
    values = np.clip(np.round(3.5 + user_bias[users] + item_bias[items] + rng.normal(0, 0.5, 1500)), 1, 5)
    return read_ratings(pa.table({"user": users, "item": items, "rating": values}))


def test_grid_search_tries_every_combination(ratings):
    grid = {"user_regularization": [0.0, 5.0, 500.0], "item_regularization": [1.0, 500.0]}
    result = grid_search(BiasBaseline(), ratings, grid, seed=2)
    assert len(result.trials) == 6
    assert result.best_score == min(trial["score"] for trial in result.trials)
    # Huge regularisation flattens the biases that generated the data.
    assert result.best_params["item_regularization"] == 1.0
    assert isinstance(result.best_model, BiasBaseline)
    assert result.best_model.n_ratings_ == len(ratings)


def test_grid_search_scores_on_given_validation(ratings):
    train, held_out = random_split(ratings, test_fraction=0.2, seed=0)
    result = grid_search(BiasBaseline(), train, {"sweeps": [1, 2]}, validation=held_out, refit=False)
    assert result.best_model is None
    assert [trial["params"] for trial in result.trials] == [{"sweeps": 1}, {"sweeps": 2}]


def test_grid_search_maximises_ranking_metric(ratings):
    result = grid_search(BiasBaseline(), ratings, {"sweeps": [1, 3]}, metric="ndcg@5", refit=False)
    assert result.metric == "ndcg@5"
    assert result.best_score == max(trial["score"] for trial in result.trials)


def test_random_search_is_seeded(ratings):
    space = {"user_regularization": LogUniform(0.1, 100.0), "item_regularization": Uniform(0.0, 20.0)}
    first = random_search(BiasBaseline(), ratings, space, trials=4, seed=3, refit=False)
    again = random_search(BiasBaseline(), ratings, space, trials=4, seed=3, refit=False)
    assert [t["params"] for t in first.trials] == [t["params"] for t in again.trials]
    for trial in first.trials:
        assert 0.1 <= trial["params"]["user_regularization"] <= 100.0


def test_int_uniform_samples_steps():
    rng = np.random.default_rng(0)
    values = {IntUniform(20, 60, step=20).sample(rng) for _ in range(50)}
    assert values == {20, 40, 60}


def test_distribution_rejects_bad_bounds():
    with pytest.raises(ValueError, match="LogUniform needs low > 0, got 0"):
        LogUniform(0, 1)


def test_default_space_of_matrix_factorization():
    space = default_space(MatrixFactorization())
    assert set(space) == {"factors", "epochs", "learning_rate", "regularization", "bias_regularization"}


def test_optuna_search_runs_trials(ratings):
    pytest.importorskip("optuna")
    space = {"user_regularization": LogUniform(0.1, 100.0), "sweeps": [1, 2]}
    result = optuna_search(BiasBaseline(), ratings, space, trials=5, seed=0)
    assert len(result.trials) == 5
    assert result.best_score == min(trial["score"] for trial in result.trials)


def test_search_rejects_zero_trials(ratings):
    with pytest.raises(ValueError, match="trials must be an integer >= 1, got 0"):
        random_search(BiasBaseline(), ratings, trials=0)


def test_early_stopping_keeps_best_epoch(ratings):
    train, held_out = random_split(ratings, test_fraction=0.2, seed=1)
    # A large learning rate with no regularisation overfits after a few epochs.
    model = MatrixFactorization(
        factors=20, epochs=100, learning_rate=0.05, regularization=0.0, bias_regularization=0.0,
        early_stopping_rounds=3, **RATING_ONLY, seed=0,
    ).fit(train, validation=held_out)
    best = min(model.history_, key=lambda entry: entry["validation_rmse"])
    assert model.best_epoch_ == best["epoch"]
    assert len(model.history_) == model.best_epoch_ + 3
    from mfrec.evaluation import evaluate

    assert evaluate(model, held_out)["rmse"] == pytest.approx(best["validation_rmse"], rel=1e-6)


def test_early_stopping_without_validation_warns(ratings):
    model = MatrixFactorization(factors=4, epochs=3, early_stopping_rounds=1, **RATING_ONLY)
    with pytest.warns(UserWarning, match="early_stopping_rounds=1 is ignored because fit got no validation"):
        model.fit(ratings)
    assert len(model.history_) == 3
    assert model.best_epoch_ is None


def test_search_with_early_stopping_reports_epochs(ratings):
    model = MatrixFactorization(factors=8, early_stopping_rounds=2, **RATING_ONLY)
    result = grid_search(model, ratings, {"epochs": [30], "learning_rate": [0.05]}, seed=0)
    trial = result.trials[0]
    assert result.best_params["epochs"] == trial["best_epoch"]
    assert result.best_params["early_stopping_rounds"] is None
    assert len(result.best_model.history_) == trial["best_epoch"]
