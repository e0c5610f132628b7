"""MatrixFactorization's objective: which rule recommend ranks by, the model file, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from mfrec import IdMap, ImplicitALS, MatrixFactorization, load_model, read_ratings
from mfrec.evaluation import evaluate, evaluate_ranking
from mfrec.models._base import rated_structure
from mfrec.models._objective import combine_scores


def table(users, items, ratings):
    return pa.table({"user": users, "item": items, "rating": [float(r) for r in ratings]})


def hand_built_model(objective: str, weight: float) -> MatrixFactorization:
    """One user, ana, and five items; every number chosen by hand.

    ``blockbuster`` is the item most people rated (the highest implicit score, 0.9) but
    ana is predicted to rate it 2.0. ``gem`` and ``classic`` are predicted 5.0 but
    fewer people chose them. ``seen`` is rated already and never recommended.
    """
    model = MatrixFactorization(factors=1, objective=objective, ranking_weight=weight)
    model.global_mean_ = 3.0
    model.user_bias_ = np.array([0.0], dtype=np.float32)
    model.item_bias_ = np.array([-1.0, 1.5, 2.0, 2.0, 2.0], dtype=np.float32)
    model.user_factors_ = np.array([[0.0]], dtype=np.float32)
    model.item_factors_ = np.zeros((5, 1), dtype=np.float32)
    model.users_ = IdMap(pa.array(["ana"]))
    model.items_ = IdMap(pa.array(["blockbuster", "hit", "gem", "classic", "seen"]))
    model.rating_scale_ = (1.0, 5.0)
    model.rated_indptr_, model.rated_items_ = rated_structure(
        np.array([0], dtype=np.int32), np.array([4], dtype=np.int32), 1
    )
    model.history_ = []
    model.ranking_weight_ = weight

    ranker = ImplicitALS(factors=1)
    ranker.user_factors_ = np.array([[1.0]], dtype=np.float32)
    ranker.item_factors_ = np.array([[0.9], [0.6], [0.5], [-0.1], [1.0]], dtype=np.float32)
    model.ranker_ = None if objective == "rating" else ranker
    return model


# Predicted ratings 2.0, 4.5, 5.0, 5.0 give q = (r - 1) / 4 = 0.25, 0.875, 1.0, 1.0.
ORDER_CASES = [
    # rating rule: gem 5.0, classic 5.0 (tie, lower index first), hit 4.5, blockbuster 2.0
    ("rating", 0.0, ["gem", "classic", "hit", "blockbuster"], [5.0, 5.0, 4.5, 2.0]),
    # implicit rule: 0.9, 0.6, 0.5, -0.1
    ("ranking", 0.0, ["blockbuster", "hit", "gem", "classic"], [0.9, 0.6, 0.5, -0.1]),
    # beta 1: 0.9 * 0.25 = 0.225, 0.6 * 0.875 = 0.525, 0.5 * 1 = 0.5, max(-0.1, 0) * 1 = 0
    ("both", 1.0, ["hit", "gem", "blockbuster", "classic"], [0.525, 0.5, 0.225, 0.0]),
    # beta 2: 0.9 * 0.0625 = 0.05625, 0.6 * 0.765625 = 0.459375, 0.5 * 1 = 0.5, 0
    ("both", 2.0, ["gem", "hit", "blockbuster", "classic"], [0.5, 0.459375, 0.05625, 0.0]),
]


@pytest.mark.parametrize(("objective", "weight", "order", "scores"), ORDER_CASES)
def test_recommend_order_for_each_rule(objective, weight, order, scores):
    recs = hand_built_model(objective, weight).recommend("ana", n=10)
    assert recs.items == order
    np.testing.assert_allclose(recs.score, scores, rtol=1e-6)


@pytest.mark.parametrize(
    ("objective", "rule"),
    [("rating", "predicted_rating"), ("ranking", "implicit"), ("both", "implicit_times_rating")],
)
def test_recommend_reports_rule(objective, rule):
    assert hand_built_model(objective, 1.0).recommend("ana", n=2).rule == rule


@pytest.mark.parametrize("objective", ["rating", "ranking", "both"])
def test_predict_uses_explicit_model(objective):
    result = hand_built_model(objective, 2.0).predict("ana", ["blockbuster", "hit"])
    # 3 + 0 + (-1.0) = 2.0 and 3 + 0 + 1.5 = 4.5, whatever ranks the recommendations
    np.testing.assert_allclose(result.rating, [2.0, 4.5])


def test_combine_scores_without_scale_is_preference():
    preference = np.array([[0.4, -0.2]])
    combined = combine_scores(preference, np.array([[3.0, 3.0]]), None, 2.0)
    np.testing.assert_allclose(combined, [[0.4, 0.0]])


def test_evaluate_ranking_uses_objective_rule():
    model = hand_built_model("both", 2.0)
    test = read_ratings(table(["ana"], ["gem"], [5]), rating_scale=(1.0, 5.0))
    report = evaluate_ranking(model, test, k=1)
    # gem is first under beta 2 (see ORDER_CASES), so precision@1 is 1
    assert report.metrics["precision@1"] == 1.0
    model.objective = "ranking"
    assert evaluate_ranking(model, test, k=1).metrics["precision@1"] == 0.0


def two_taste_ratings():
    """Even users love even items and dislike the first odd item; odd users the reverse."""
    users, items, ratings = [], [], []
    for u in range(40):
        liked = [i for i in range(20) if i % 2 == u % 2]
        for i in liked[(u // 2) % 5 :][:6]:
            users.append(f"u{u}")
            items.append(f"i{i}")
            ratings.append(5 if (i + u) % 3 else 4)
        users.append(f"u{u}")
        items.append(f"i{1 - u % 2}")
        ratings.append(1)
    return read_ratings(table(users, items, ratings), rating_scale=(1.0, 5.0))


def test_default_objective_is_both_and_excludes_rated():
    data = two_taste_ratings()
    model = MatrixFactorization(factors=4, epochs=30).fit(data)
    assert model.objective == "both"
    assert model.recommend_rule == "implicit_times_rating"
    assert model.ranking_weight_ in (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)
    recs = model.recommend([f"u{u}" for u in range(40)], n=10)
    rated = set(zip(data.users.ids_at(data.user_index), data.items.ids_at(data.item_index)))
    for user, item in zip(recs.user, recs.item):
        assert (user, item) not in rated


def test_fixed_ranking_weight_is_kept():
    model = MatrixFactorization(factors=2, epochs=5, ranking_weight=0.5).fit(two_taste_ratings())
    assert model.ranking_weight_ == 0.5
    assert not hasattr(model, "ranking_validation_")


def test_weight_search_probe_stops_early(recwarn):
    data = two_taste_ratings()
    model = MatrixFactorization(factors=2, epochs=20, early_stopping_rounds=2)
    model.fit(data, validation=data.take(np.arange(0, len(data), 7)))
    assert model.ranking_weight_ in (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)
    # The probe fit gets the held-out ratings, so nothing warns that early stopping was ignored.
    messages = [str(w.message) for w in recwarn]
    assert not any("early_stopping_rounds" in m for m in messages)


def test_rating_objective_fits_no_ranker():
    model = MatrixFactorization(factors=2, epochs=5, objective="rating").fit(two_taste_ratings())
    assert model.ranker_ is None
    assert model.recommend("u0", n=3).rule == "predicted_rating"


def test_ranker_uses_seed_and_ranker_params():
    model = MatrixFactorization(
        factors=2, epochs=5, objective="ranking", seed=9, ranker_params={"factors": 3, "iterations": 2}
    ).fit(two_taste_ratings())
    assert model.ranker_.factors == 3
    assert model.ranker_.seed == 9
    assert len(model.ranker_.history_) == 2


@pytest.mark.parametrize("objective", ["ranking", "both"])
def test_model_file_keeps_ranker(objective, tmp_path):
    model = MatrixFactorization(factors=2, epochs=10, objective=objective, ranking_weight=1.0).fit(two_taste_ratings())
    model.save(tmp_path / "m.mfrec")
    loaded = load_model(tmp_path / "m.mfrec")
    assert loaded.objective == objective
    assert loaded.ranking_weight_ == model.ranking_weight_
    np.testing.assert_array_equal(loaded.ranker_.item_factors_, model.ranker_.item_factors_)
    first, second = model.recommend(["u0", "u1"], n=5), loaded.recommend(["u0", "u1"], n=5)
    assert second.items == first.items
    np.testing.assert_allclose(second.score, first.score)
    assert second.rule == first.rule


def test_model_file_without_ranker_ranks_by_rating(tmp_path):
    model = MatrixFactorization(factors=2, epochs=5, objective="rating").fit(two_taste_ratings())
    model.save(tmp_path / "m.mfrec")
    assert load_model(tmp_path / "m.mfrec").recommend("u0", n=2).rule == "predicted_rating"


def test_model_file_from_before_objectives_loads_as_rating(tmp_path):
    import zipfile

    model = MatrixFactorization(factors=2, epochs=5, objective="rating").fit(two_taste_ratings())
    model.save(tmp_path / "new.mfrec")
    # Rewrite the metadata as an older mfrec wrote it: no objective parameters, no metadata checksum.
    with zipfile.ZipFile(tmp_path / "new.mfrec") as source, zipfile.ZipFile(tmp_path / "old.mfrec", "w") as target:
        for entry in source.namelist():
            data = source.read(entry)
            if entry == "metadata.json":
                metadata = json.loads(data)
                for name in ("objective", "ranking_weight", "ranker_params"):
                    del metadata["params"][name]
                metadata.pop("metadata_sha256", None)
                data = json.dumps(metadata).encode()
            target.writestr(entry, data)
    loaded = load_model(tmp_path / "old.mfrec")
    assert loaded.objective == "rating"
    assert loaded.recommend("u0", n=3).items == model.recommend("u0", n=3).items


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"objective": "popularity"}, ValueError, "objective must be one of rating, ranking, both, got 'popularity'"),
        ({"ranking_weight": -1.0}, ValueError, "ranking_weight must be a number >= 0 or None"),
        ({"ranker_params": [("factors", 3)]}, TypeError, "ranker_params must be a dict of ImplicitALS arguments"),
        ({"ranker_params": {"alpha": -2.0}}, ValueError, "alpha must be >= 0, got -2.0"),
    ],
)
def test_fit_rejects_bad_objective_settings(params, error, message):
    with pytest.raises(error, match=message):
        MatrixFactorization(epochs=1, **params).fit(two_taste_ratings())


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "mfrec", *map(str, args)], capture_output=True, text=True, timeout=300)


def test_cli_train_objective_ranking(tmp_path):
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("user,item,rating\n" + "".join(f"u{u},i{i},{r}\n" for u, i, r in zip(*_columns())))
    done = run_cli("train", ratings, "-o", tmp_path / "m.mfrec", "--objective", "ranking", "--epochs", "5", "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["recommend_rule"] == "implicit"
    assert summary["params"]["objective"] == "ranking"
    assert load_model(tmp_path / "m.mfrec").recommend_rule == "implicit"


def test_cli_train_text_names_rule(tmp_path):
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("user,item,rating\n" + "".join(f"u{u},i{i},{r}\n" for u, i, r in zip(*_columns())))
    done = run_cli("train", ratings, "-o", tmp_path / "m.mfrec", "--epochs", "5", "--ranking-weight", "1.5")
    assert done.returncode == 0, done.stderr
    assert "recommend ranks by implicit_times_rating (ranking_weight 1.5)" in done.stdout


def test_cli_train_rejects_unknown_objective(tmp_path):
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("user,item,rating\na,x,5\n")
    done = run_cli("train", ratings, "-o", tmp_path / "m.mfrec", "--objective", "clicks")
    assert done.returncode == 2
    assert "clicks" in done.stderr


def _columns():
    data = two_taste_ratings()
    return (
        [u[1:] for u in data.users.ids_at(data.user_index)],
        [i[1:] for i in data.items.ids_at(data.item_index)],
        data.rating.astype(int).tolist(),
    )


def _ml100k_u1(ml100k):
    options = {"user": 0, "item": 1, "rating": 2, "sep": "\t", "header": False}
    return read_ratings(ml100k / "u1.base", **options), read_ratings(ml100k / "u1.test", **options)


@pytest.mark.slow
def test_default_objective_quality_on_ml100k_u1(ml100k):
    train, test = _ml100k_u1(ml100k)
    default = MatrixFactorization().fit(train)
    rating_only = MatrixFactorization(objective="rating").fit(train)

    report = evaluate_ranking(default, test, k=10, threshold=4.0)
    # Recorded with the defaults: NDCG@10 0.459 (rating objective: 0.092).
    assert report.metrics["ndcg@10"] >= 0.30
    assert evaluate(default, test)["rmse"] <= evaluate(rating_only, test)["rmse"]
