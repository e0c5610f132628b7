"""Rating scale: out-of-scale input, clipping of predictions, negative scales.

Chosen behaviour: a declared scale makes out-of-scale ratings bad lines (an error
naming each line, or skipped and counted with ``on_bad_lines="skip"``). Without a
declared scale the scale is inferred from the data, flagged in ``scale_inferred`` and
stated in ``summary()`` and on the CLI. Predictions are clipped to the scale unless
``clip=False``; ``recommend`` ranks by the unclipped score.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from case_support import SOLVERS, fit, read_quietly, run_cli, train_cli

from mfrec import InputError, MatrixFactorization, load_model, read_ratings


@pytest.fixture
def folder(cases):
    return cases / "12-rating-scale-and-clipping"


def all_pairs(ratings):
    users, items = ratings.users.to_list(), ratings.items.to_list()
    pairs = list(itertools.product(users, items))
    return [u for u, _ in pairs], [i for _, i in pairs]


def test_strict_scale_names_both_lines(folder):
    with pytest.raises(InputError) as caught:
        read_ratings(folder / "bad_scale.csv", rating_scale=(1, 5))
    message = str(caught.value)
    assert message.startswith("2 bad line(s)")
    assert "line 3: rating 6 is outside the declared rating scale 1 to 5" in message
    assert "line 4: rating 0 is outside the declared rating scale 1 to 5" in message
    assert "line 5" not in message
    assert caught.value.line == 3


def test_lenient_scale_drops_two_rows(folder):
    with pytest.warns(UserWarning, match=r"skipped 2 bad line\(s\)"):
        ratings = read_ratings(folder / "bad_scale.csv", rating_scale=(1, 5), on_bad_lines="skip")
    assert ratings.report.skipped == 2
    assert ratings.report.skipped_lines == [3, 4]
    assert ratings.report.kept == 3
    assert ratings.rating.tolist() == [4.0, 4.5, 3.0]
    # (4 + 4.5 + 3) / 3 = 3.8333...
    assert ratings.global_mean == pytest.approx(3.8333333333333335)
    assert "2 skipped (lines 3, 4)" in ratings.summary()


def test_cli_strict_and_lenient_scale(tmp_path, folder):
    strict = run_cli("train", folder / "bad_scale.csv", "-o", tmp_path / "m", "--rating-scale", "1,5")
    assert strict.exit_code == 1
    assert strict.stderr.startswith("error: 2 bad line(s)")
    assert "line 3: rating 6" in strict.stderr
    assert "line 4: rating 0" in strict.stderr
    assert not (tmp_path / "m").exists()

    lenient = run_cli(
        "train", folder / "bad_scale.csv", "-o", tmp_path / "m", "--rating-scale", "1,5",
        "--on-bad-lines", "skip", "--epochs", "5", "--factors", "2",
    )
    assert lenient.exit_code == 0, lenient.output
    assert "5 rows read" in lenient.stderr
    assert "3 kept, 2 skipped (lines 3, 4)" in lenient.stderr
    assert "rating scale 1 to 5 (declared)" in lenient.stderr
    assert load_model(tmp_path / "m").global_mean_ == pytest.approx(3.8333333, abs=1e-6)


@pytest.mark.parametrize("solver", SOLVERS)
def test_extreme_predictions_clipped(folder, solver):
    ratings = read_ratings(folder / "extreme.csv", rating_scale=(1, 5))
    model = fit(solver, ratings, factors=2, epochs=100, regularization=0.001, bias_regularization=0.001, seed=0)
    users, items = all_pairs(ratings)
    clipped = model.predict(users, items).rating
    raw = model.predict(users, items, clip=False).rating
    assert ((clipped >= 1.0) & (clipped <= 5.0)).all()
    assert np.array_equal(np.clip(raw, 1.0, 5.0), clipped)
    assert model.predict("fan", "hit").rating[0] <= 5.0
    assert model.predict("hater", "flop").rating[0] >= 1.0
    if solver == "sgd":
        # SGD with weak regularisation overshoots the scale, so clipping is exercised.
        assert model.predict("fan", "hit", clip=False).rating[0] > 5.0
        assert model.predict("hater", "flop", clip=False).rating[0] < 1.0


def rating_objective() -> dict:
    """Return the option that makes recommend rank by predicted rating, where it exists."""
    return {"objective": "rating"} if "objective" in MatrixFactorization().get_params() else {}


@pytest.mark.parametrize("solver", SOLVERS)
def test_recommend_ranking_stable_and_unclipped(folder, solver):
    ratings = read_ratings(folder / "extreme.csv", rating_scale=(1, 5))
    model = fit(
        solver, ratings, factors=2, epochs=100, regularization=0.001, bias_regularization=0.001, seed=0,
        **rating_objective(),
    )
    recs = model.recommend("u4", n=10)
    assert recs.rule == "predicted_rating"
    assert sorted(recs.item) == ["hit", "mid1"]
    assert np.all(np.diff(recs.score) <= 0)
    again = model.recommend("u4", n=10)
    assert again.item == recs.item
    assert np.array_equal(again.score, recs.score)
    # Scores are the unclipped predictions.
    raw = model.predict(["u4"] * len(recs), recs.item, clip=False).rating
    np.testing.assert_array_equal(recs.score, raw)
    fan = model.recommend("fan", n=10, exclude_rated=False)
    fan_raw = model.predict(["fan"] * len(fan), fan.item, clip=False).rating
    np.testing.assert_array_equal(fan.score, fan_raw)
    if solver == "sgd":
        assert fan.score.max() > 5.0  # not clipped to the scale


@pytest.mark.parametrize("solver", SOLVERS)
def test_negative_scale(folder, solver):
    ratings = read_ratings(folder / "negative_scale.csv", rating_scale=(-1, 1))
    # (1 - 1 + 0.5 - 0.5 - 1 + 1) / 6 = 0
    assert ratings.global_mean == 0.0
    model = fit(solver, ratings, factors=2, epochs=50, seed=0)
    assert model.global_mean_ == 0.0
    users, items = all_pairs(ratings)
    predictions = model.predict(users, items).rating
    assert np.isfinite(predictions).all()
    assert ((predictions >= -1.0) & (predictions <= 1.0)).all()
    assert model.predict("nobody", "nothing").rating[0] == 0.0


def test_cli_negative_scale(tmp_path, folder):
    model_path = train_cli(tmp_path, folder / "negative_scale.csv", "sgd", "--rating-scale", "-1,1", "--epochs", "20", "--factors", "2")
    assert load_model(model_path).rating_scale_ == (-1.0, 1.0)
    result = run_cli("predict", model_path, "--user", "nobody", "--item", "nothing")
    assert result.stdout.strip() == "0.0000 (fallback: unknown user and item)"


def test_undeclared_scale_inferred_with_notice(folder):
    ratings = read_quietly(folder / "bad_scale.csv")
    assert ratings.rating_scale == (0.0, 6.0)
    assert ratings.scale_inferred is True
    assert "rating scale 0 to 6 (inferred from the data; declare it with rating_scale=(low, high) or --rating-scale)" in ratings.summary()
    assert len(ratings) == 5


def test_cli_undeclared_scale_notice(tmp_path, folder):
    result = run_cli("train", folder / "bad_scale.csv", "-o", tmp_path / "m", "--epochs", "2", "--factors", "2")
    assert result.exit_code == 0, result.output
    assert "rating scale 0 to 6 (inferred from the data" in result.stderr
    assert load_model(tmp_path / "m").rating_scale_ == (0.0, 6.0)
