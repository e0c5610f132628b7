"""predict and recommend from many threads on one model equal the sequential results."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pytest

from mfrec import MatrixFactorization, load_model, read_ratings

THREADS = 8


def _solvers() -> list[str]:
    try:
        MatrixFactorization(solver="als")
    except TypeError:
        return ["sgd"]
    return ["sgd", "als"]


@pytest.fixture(scope="module", params=_solvers())
def model_file(request, tmp_path_factory):
    rng = np.random.default_rng(1)
    n = 20_000
    table = pa.table(
        {
            "user": [f"user-{u}" for u in rng.integers(0, 400, n)],
            "item": rng.integers(10**12, 10**12 + 300, n),
            "rating": rng.integers(1, 6, n).astype(float),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ratings = read_ratings(table, rating_scale=(1, 5))
        params = {"factors": 16, "epochs": 5, "seed": 3}
        if request.param == "als":
            params["solver"] = "als"
        fitted = MatrixFactorization(**params).fit(ratings)
    path = tmp_path_factory.mktemp("model") / "model.mfrec"
    fitted.save(path)
    return path


def predict_task(model, user, items):
    result = model.predict([user] * len(items) + ["nobody"], items + [items[0]])
    return result.rating, result.cold_start.tolist()


def recommend_task(model, users):
    result = model.recommend(users, n=10)
    return result.user, result.item, result.score, result.unknown_users


def run_all(model, tasks, threads: int):
    def call(task):
        kind, argument = task
        if kind == "predict":
            return predict_task(model, *argument)
        return recommend_task(model, argument)

    if threads == 1:
        return [call(task) for task in tasks]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(call, tasks))


def make_tasks(model):
    users = model.users_.to_list()
    items = model.items_.to_list()
    tasks = []
    for k, user in enumerate(users):
        tasks.append(("predict", (user, items[k % 50 : k % 50 + 40])))
        tasks.append(("recommend", [user, "nobody", users[(k * 7) % len(users)]]))
    return tasks


def assert_same(sequential, concurrent) -> None:
    assert len(sequential) == len(concurrent)
    for expected, got in zip(sequential, concurrent):
        for a, b in zip(expected, got):
            if isinstance(a, np.ndarray):
                assert np.array_equal(a, b)
            else:
                assert a == b


def test_concurrent_equals_sequential(model_file):
    expected = run_all(load_model(model_file), make_tasks(load_model(model_file)), threads=1)
    # A freshly loaded model, so lazily built lookups are first built under concurrency.
    fresh = load_model(model_file)
    got = run_all(fresh, make_tasks(fresh), threads=THREADS)
    assert_same(expected, got)


def test_concurrent_single_user_calls(model_file):
    model = load_model(model_file)
    users = model.users_.to_list()
    expected = [model.recommend(user, n=5).item for user in users]
    fresh = load_model(model_file)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        got = list(pool.map(lambda user: fresh.recommend(user, n=5).item, users))
    assert got == expected
    assert all(len(items) == 5 for items in got)
