"""Unknown users and items at predict and recommend time: flagged fallbacks, clear errors.

Chosen behaviour: ``predict`` falls back by default and flags every fallback in
``cold_start``; ``predict(..., unknown="error")`` raises UnknownIdError naming the ID.
``recommend`` for one unknown user raises UnknownIdError; a batch lists unknown users
in ``unknown_users`` and returns one list per distinct known user.
"""

from __future__ import annotations

import numpy as np
import pytest
from case_support import SOLVERS, cli_json, fit, run_cli, train_cli

from mfrec import UnknownIdError, load_model, read_ratings

QUERIES = [("ana", "film1"), ("zoe", "film1"), ("yan", "film1"), ("ana", "film9"), ("zoe", "film9")]
REASONS = ["", "unknown_user", "unknown_user", "unknown_item", "unknown_user_and_item"]


@pytest.fixture
def folder(cases):
    return cases / "02-unknown-user-item"


@pytest.fixture(params=SOLVERS)
def model(request, folder):
    return fit(request.param, read_ratings(folder / "train.csv"), factors=2, epochs=30, seed=3)


def test_training_mean_is_three(folder):
    # (4 + 2 + 5 + 3 + 1) / 5 = 3.0
    assert read_ratings(folder / "train.csv").global_mean == 3.0


def test_queries_file_lists_the_five_pairs(folder):
    lines = (folder / "queries.csv").read_text().splitlines()[1:]
    assert [tuple(line.split(",")) for line in lines] == QUERIES


def test_every_fallback_is_flagged(model):
    predictions = model.predict([u for u, _ in QUERIES], [i for _, i in QUERIES])
    assert predictions.cold_start.tolist() == REASONS
    assert predictions.fallback.tolist() == [False, True, True, True, True]


def test_both_unknown_is_global_mean(model):
    assert model.global_mean_ == 3.0
    assert model.predict("zoe", "film9").rating[0] == 3.0


def test_unknown_user_fallback_independent_of_user(model):
    zoe, yan = model.predict(["zoe", "yan"], ["film1", "film1"]).rating
    assert zoe == yan
    film1 = model.items_.index_of("film1")
    expected = np.clip(model.global_mean_ + float(model.item_bias_[film1]), 1.0, 5.0)
    assert zoe == expected


def test_unknown_item_fallback_is_mean_plus_user_bias(model):
    ana = model.users_.index_of("ana")
    expected = np.clip(model.global_mean_ + float(model.user_bias_[ana]), 1.0, 5.0)
    assert model.predict("ana", "film9").rating[0] == expected


def test_fallbacks_inside_rating_scale(model):
    assert model.rating_scale_ == (1.0, 5.0)
    rating = model.predict([u for u, _ in QUERIES], [i for _, i in QUERIES]).rating
    assert ((rating >= 1.0) & (rating <= 5.0)).all()


def test_strict_predict_names_unknown_user(model):
    with pytest.raises(UnknownIdError, match="unknown user ID 'zoe'"):
        model.predict(["ana", "zoe"], ["film1", "film1"], unknown="error")


def test_strict_predict_names_unknown_item(model):
    with pytest.raises(UnknownIdError, match="unknown item ID 'film9'"):
        model.predict("ana", "film9", unknown="error")


def test_recommend_unknown_user_raises(model):
    with pytest.raises(UnknownIdError, match="unknown user ID 'zoe': the model was not trained on it") as caught:
        model.recommend("zoe", n=2)
    assert type(caught.value) is UnknownIdError
    assert caught.value.ids == ["zoe"]


def test_batch_recommend_dedups_and_reports_unknown(model, folder):
    requested = (folder / "batch_recommend_users.txt").read_text().split()
    assert requested == ["ana", "zoe", "ana", "ben"]
    recs = model.recommend(requested, n=2)
    assert recs.unknown_users == ["zoe"]
    # ana rated film1 and film2, ben film1 and film3: one candidate each.
    assert recs.user == ["ana", "ben"]
    assert recs.item == ["film3", "film2"]
    assert recs.rank.tolist() == [1, 1]


@pytest.mark.parametrize("solver", SOLVERS)
def test_cli_predict_flags_fallbacks(tmp_path, folder, solver):
    model_path = train_cli(tmp_path, folder / "train.csv", solver, "--factors", "2", "--epochs", "30")
    model = load_model(model_path)
    expected = model.predict([u for u, _ in QUERIES], [i for _, i in QUERIES]).rating
    for (user, item), reason, value in zip(QUERIES, REASONS, expected):
        document = cli_json("predict", model_path, "--user", user, "--item", item)
        assert document["user"] == user
        assert document["item"] == item
        assert document["cold_start"] == (reason or None)
        assert document["fallback"] is bool(reason)
        assert document["prediction"] == value
    assert cli_json("predict", model_path, "--user", "zoe", "--item", "film9")["prediction"] == 3.0


def test_cli_predict_text_names_fallback(tmp_path, folder):
    model_path = train_cli(tmp_path, folder / "train.csv", "sgd", "--factors", "2", "--epochs", "5")
    result = run_cli("predict", model_path, "--user", "zoe", "--item", "film9")
    assert result.exit_code == 0
    assert result.stdout.strip() == "3.0000 (fallback: unknown user and item)"


def test_cli_recommend_unknown_user_is_error(tmp_path, folder):
    model_path = train_cli(tmp_path, folder / "train.csv", "sgd", "--factors", "2", "--epochs", "5")
    result = run_cli("recommend", model_path, "--user", "zoe", "-n", "2")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown user ID 'zoe'")
    assert "Traceback" not in result.output
