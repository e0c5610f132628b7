"""ImplicitALS: the weighted least-squares solves, determinism, recommend and the model file."""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfrec import ImplicitALS, load_model, read_ratings
from mfrec._kernels.implicit_als import als_update_rows, gram_matrix
from mfrec.models.implicit import confidence_weights


def table(users, items, ratings):
    return pa.table({"user": users, "item": items, "rating": [float(r) for r in ratings]})


def tiny_ratings():
    """Five users, six items, ratings 1 to 5: a small problem with uneven rows."""
    return read_ratings(
        table(
            ["a", "a", "a", "b", "b", "c", "c", "c", "d", "e", "e"],
            ["p", "q", "r", "p", "s", "q", "t", "u", "s", "r", "u"],
            [5, 3, 1, 4, 2, 5, 4, 1, 3, 2, 5],
        ),
        rating_scale=(1.0, 5.0),
    )


def dense_problem(ratings, model):
    """Return the dense confidence and preference matrices, users by items."""
    weight, target = confidence_weights(ratings.rating, model, 5.0)
    confidence = np.ones((ratings.n_users, ratings.n_items))
    preference = np.zeros((ratings.n_users, ratings.n_items))
    confidence[ratings.user_index, ratings.item_index] = 1.0 + weight
    preference[ratings.user_index, ratings.item_index] = target / (1.0 + weight)
    return confidence, preference


def direct_solve(fixed, confidence_rows, preference_rows, regularization):
    """Solve (Y^T C_u Y + lam I) x_u = Y^T C_u p_u for every row with dense matrices."""
    k = fixed.shape[1]
    solutions = []
    for c, p in zip(confidence_rows, preference_rows):
        system = fixed.T @ (c[:, None] * fixed) + regularization * np.eye(k)
        solutions.append(np.linalg.solve(system, fixed.T @ (c * p)))
    return np.array(solutions)


def test_confidence_weights_linear_and_threshold():
    rating = np.array([5.0, 2.5, 1.0], dtype=np.float32)
    # alpha 2, top 5: w = 2 * r / 5 = 2.0, 1.0, 0.4; target c * p = 1 + w for positives
    weight, target = confidence_weights(rating, ImplicitALS(alpha=2.0), 5.0)
    np.testing.assert_allclose(weight, [2.0, 1.0, 0.4], rtol=1e-6)
    np.testing.assert_allclose(target, [3.0, 2.0, 1.4], rtol=1e-6)
    # min_rating 3: 2.5 and 1.0 become confident zeros (target 0, weight unchanged)
    weight, target = confidence_weights(rating, ImplicitALS(alpha=2.0, min_rating=3.0), 5.0)
    np.testing.assert_allclose(weight, [2.0, 1.0, 0.4], rtol=1e-6)
    np.testing.assert_allclose(target, [3.0, 0.0, 0.0], rtol=1e-6)


def test_confidence_weights_negative_ratings():
    rating = np.array([10.0, 5.0, -5.0], dtype=np.float32)
    # scale -10 to 10, alpha 1: w = max(r, 0) / 10 = 1.0, 0.5, 0.0, so -5 keeps confidence 1
    weight, target = confidence_weights(rating, ImplicitALS(alpha=1.0), 10.0)
    np.testing.assert_allclose(weight, [1.0, 0.5, 0.0])
    np.testing.assert_allclose(target, [2.0, 1.5, 1.0])


def test_fit_on_negative_scale_stays_finite():
    data = read_ratings(table(["a", "a", "b", "b", "c"], ["x", "y", "x", "z", "y"], [-9.5, 3.0, 7.25, -2.0, 10.0]))
    model = ImplicitALS(factors=2, iterations=5).fit(data)
    assert np.isfinite(model.user_factors_).all()
    assert np.isfinite(model.item_factors_).all()


def test_confidence_weights_constant():
    weight, target = confidence_weights(np.array([5.0, 1.0], dtype=np.float32), ImplicitALS(alpha=3.0, confidence="constant"), 5.0)
    np.testing.assert_allclose(weight, [3.0, 3.0])
    np.testing.assert_allclose(target, [4.0, 4.0])


@pytest.mark.parametrize("cg_steps", [0, 3])
def test_row_solve_matches_dense_solve(cg_steps):
    ratings = tiny_ratings()
    model = ImplicitALS(factors=3, alpha=2.0, regularization=0.1)
    confidence, preference = dense_problem(ratings, model)
    rng = np.random.default_rng(7)
    item_factors = rng.standard_normal((ratings.n_items, 3)).astype(np.float32)
    user_factors = np.zeros((ratings.n_users, 3), dtype=np.float32)

    from mfrec.models.implicit import _confidence_csr

    by_user, _ = _confidence_csr(ratings, model)
    gram = gram_matrix(item_factors)
    als_update_rows(*by_user.arrays(), user_factors, item_factors, gram, np.float32(0.1), cg_steps)

    expected = direct_solve(item_factors.astype(np.float64), confidence, preference, 0.1)
    # Three CG steps solve a 3 x 3 system exactly up to float32 rounding.
    np.testing.assert_allclose(user_factors, expected, rtol=2e-3, atol=2e-4)


def test_fit_items_solve_normal_equations():
    ratings = tiny_ratings()
    model = ImplicitALS(factors=2, iterations=4, alpha=2.0, regularization=0.3, cg_steps=0).fit(ratings)
    confidence, preference = dense_problem(ratings, model)
    # The last half-sweep solved the items exactly against the final user factors.
    expected = direct_solve(model.user_factors_.astype(np.float64), confidence.T, preference.T, 0.3)
    np.testing.assert_allclose(model.item_factors_, expected, rtol=1e-4, atol=1e-6)


def test_gram_matrix_is_transpose_product():
    factors = np.arange(12, dtype=np.float32).reshape(4, 3) / 4
    np.testing.assert_allclose(gram_matrix(factors), factors.T @ factors, rtol=1e-6)


def test_exact_sweeps_never_raise_the_loss():
    model = ImplicitALS(factors=3, iterations=6, alpha=2.0, regularization=0.1, cg_steps=0).fit(tiny_ratings())
    losses = [entry["loss"] for entry in model.history_]
    assert [entry["iteration"] for entry in model.history_] == [1, 2, 3, 4, 5, 6]
    for before, after in zip(losses, losses[1:]):
        assert after <= before * (1 + 1e-5)


def test_loss_matches_dense_objective():
    ratings = tiny_ratings()
    model = ImplicitALS(factors=2, iterations=2, alpha=2.0, regularization=0.3).fit(ratings)
    confidence, preference = dense_problem(ratings, model)
    x = model.user_factors_.astype(np.float64)
    y = model.item_factors_.astype(np.float64)
    objective = (confidence * (preference - x @ y.T) ** 2).sum() + 0.3 * ((x**2).sum() + (y**2).sum())
    assert model.history_[-1]["loss"] == pytest.approx(objective / (5 * 6), rel=1e-4)


@pytest.mark.parametrize("cg_steps", [0, 3])
def test_fit_deterministic_across_threads(cg_steps):
    data = synthetic_blocks(users=300, items=200, seed=1)
    one = ImplicitALS(factors=8, iterations=3, cg_steps=cg_steps, seed=5, threads=1).fit(data)
    two = ImplicitALS(factors=8, iterations=3, cg_steps=cg_steps, seed=5, threads=2).fit(data)
    np.testing.assert_array_equal(one.user_factors_, two.user_factors_)
    np.testing.assert_array_equal(one.item_factors_, two.item_factors_)
    other = ImplicitALS(factors=8, iterations=3, cg_steps=cg_steps, seed=6, threads=1).fit(data)
    assert not np.array_equal(one.item_factors_, other.item_factors_)


def test_fit_restores_numba_thread_count():
    before = numba.get_num_threads()
    ImplicitALS(factors=2, iterations=1, threads=1).fit(tiny_ratings())
    assert numba.get_num_threads() == before


def synthetic_blocks(*, users: int, items: int, seed: int):
    """Two taste groups: even users rate even items, odd users rate odd items."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(users):
        chosen = rng.choice(np.arange(u % 2, items, 2), size=8, replace=False)
        rows.extend((u, int(i), float(rng.integers(1, 6))) for i in chosen)
    user, item, rating = zip(*rows)
    return read_ratings(table(list(user), list(item), list(rating)), rating_scale=(1.0, 5.0))


def test_recommend_stays_in_taste_group():
    model = ImplicitALS(factors=4, iterations=10, regularization=0.5).fit(synthetic_blocks(users=60, items=40, seed=2))
    recs = model.recommend(list(range(60)), n=3)
    assert recs.rule == "implicit"
    for user, item in zip(recs.user, recs.item):
        assert item % 2 == user % 2, (user, item)


def test_recommend_block_example_top_item():
    # u1..u3 rated x and y; u4 rated x only; u5, u6 rated z and w. u4's best is y.
    data = read_ratings(
        table(
            ["u1", "u1", "u2", "u2", "u3", "u3", "u4", "u5", "u5", "u6", "u6"],
            ["x", "y", "x", "y", "x", "y", "x", "z", "w", "z", "w"],
            [5, 5, 4, 4, 5, 4, 5, 3, 4, 4, 3],
        )
    )
    model = ImplicitALS(factors=2, iterations=10, regularization=0.1).fit(data)
    recs = model.recommend("u4", n=3)
    assert recs.items[0] == "y"
    assert "x" not in recs.items
    assert list(recs.rank) == [1, 2, 3]


def test_predict_returns_preference_score():
    model = ImplicitALS(factors=2, iterations=3).fit(tiny_ratings())
    result = model.predict(["a", "zoe"], ["p", "p"])
    expected = float(model.user_factors_[model.users_.index_of("a")] @ model.item_factors_[model.items_.index_of("p")])
    assert result.rating[0] == pytest.approx(expected, rel=1e-5)
    # unknown user: no bias, no mean, so the fallback score is 0
    assert result.rating[1] == 0.0
    assert list(result.cold_start) == ["", "unknown_user"]


def test_save_and_load_round_trip(tmp_path):
    model = ImplicitALS(factors=3, iterations=3, alpha=2.0, min_rating=2.0).fit(tiny_ratings())
    model.save(tmp_path / "implicit.mfrec")
    loaded = load_model(tmp_path / "implicit.mfrec")
    assert isinstance(loaded, ImplicitALS)
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.item_factors_, model.item_factors_)
    first, second = model.recommend("a", n=3), loaded.recommend("a", n=3)
    assert second.items == first.items
    assert second.rule == "implicit"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"factors": 0}, "factors must be an integer >= 1, got 0"),
        ({"iterations": -1}, "iterations must be an integer >= 0, got -1"),
        ({"alpha": -1.0}, "alpha must be >= 0, got -1.0"),
        ({"regularization": float("inf")}, "regularization must be a finite number"),
        ({"confidence": "log"}, "confidence must be one of linear, constant, got 'log'"),
        ({"cg_steps": 1.5}, "cg_steps must be an integer >= 0"),
        ({"threads": 0}, "threads must be an integer >= 1, got 0"),
        ({"min_rating": "4"}, "min_rating must be a finite number, got '4'"),
    ],
)
def test_fit_rejects_bad_hyperparameters(params, message):
    with pytest.raises(ValueError, match=message):
        ImplicitALS(**params).fit(tiny_ratings())


def test_fit_rejects_non_ratings():
    with pytest.raises(TypeError, match="fit needs a Ratings object"):
        ImplicitALS().fit([("a", "x", 5.0)])


@pytest.mark.parametrize("threads", [1, 2])
def test_ranker_inside_model_ignores_threads(threads):
    from mfrec import MatrixFactorization

    data = synthetic_blocks(users=80, items=60, seed=3)
    reference = ImplicitALS(factors=4, iterations=3, seed=11, threads=1).fit(data)
    model = MatrixFactorization(
        factors=2, epochs=2, objective="ranking", seed=11, threads=threads,
        ranker_params={"factors": 4, "iterations": 3},
    ).fit(data)
    np.testing.assert_array_equal(model.ranker_.item_factors_, reference.item_factors_)


@pytest.mark.filterwarnings("ignore::mfrec.DataWarning")
@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 7), st.sampled_from([0.5, 1.0, 3.0, 4.5, 5.0])),
        min_size=1,
        max_size=30,
    )
)
def test_fit_handles_random_small_inputs(rows):
    # Single ratings, users with one item and duplicate pairs (merged by the reader).
    users, items, ratings = zip(*rows)
    data = read_ratings(table(list(users), list(items), list(ratings)), rating_scale=(0.5, 5.0))
    model = ImplicitALS(factors=2, iterations=2).fit(data)
    assert np.isfinite(model.user_factors_).all()
    assert np.isfinite(model.item_factors_).all()

    recs = model.recommend(sorted(set(users)), n=3)
    rated = set(zip(users, items))
    for user, item in zip(recs.user, recs.item):
        assert (user, item) not in rated
    for user in set(users):
        assert recs.user.count(user) <= 3
