"""Huge integer IDs and a sparse ID space: exact IDs everywhere, memory by distinct IDs."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pyarrow as pa
import pytest
from case_support import SOLVERS, cli_json, fit, run_cli, train_cli

from mfrec import load_model, read_ratings

USERS = ["1", "4294967297", "2147483648", "1205640308657491975", "9007199254740993", "9007199254740992"]
ITEMS = ["9000000000001", "42"]


@pytest.fixture
def csv_path(cases):
    return cases / "05-huge-sparse-ids" / "ratings.csv"


def training_rows(csv_path) -> list[tuple[str, str, str]]:
    lines = csv_path.read_text().splitlines()[1:]
    return [tuple(line.split(",")) for line in lines]


def sources(csv_path):
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(csv_path, dtype={"user": "int64", "item": "int64", "rating": "float64"})
    return {"csv": csv_path, "pandas": frame, "arrow": pa.Table.from_pandas(frame, preserve_index=False)}


@pytest.mark.parametrize("source", ["csv", "pandas", "arrow"])
def test_six_users_two_items_exact(csv_path, source):
    ratings = read_ratings(sources(csv_path)[source])
    assert len(ratings) == 8
    assert ratings.n_users == 6
    assert ratings.n_items == 2
    assert [str(u) for u in ratings.users.to_list()] == USERS
    assert [str(i) for i in ratings.items.to_list()] == ITEMS
    assert ratings.users.kind == "int"


def test_traps_stay_distinct(csv_path):
    users = read_ratings(csv_path).users
    assert users.index_of(1) != users.index_of(4294967297)
    assert users.index_of(2**53) != users.index_of(2**53 + 1)
    assert users.index_of("1205640308657491968") == -1
    assert users.index_of(-2147483648) == -1


@pytest.mark.parametrize("solver", SOLVERS)
def test_model_ids_predict_recommend_and_reload(tmp_path, csv_path, solver):
    model = fit(solver, read_ratings(csv_path), factors=4, epochs=20, seed=1)
    assert [str(u) for u in model.users_.to_list()] == USERS
    assert [str(i) for i in model.items_.to_list()] == ITEMS

    rows = training_rows(csv_path)
    predictions = model.predict([r[0] for r in rows], [r[1] for r in rows])
    assert predictions.cold_start.tolist() == [""] * 8
    assert np.isfinite(predictions.rating).all()

    for user in USERS:
        recs = model.recommend(user, n=5)
        rated = {item for u, item, _ in rows if u == user}
        assert {str(i) for i in recs.item} == set(ITEMS) - rated
        assert all(str(u) == user for u in recs.user)

    path = tmp_path / "model.mfrec"
    model.save(path)
    loaded = load_model(path)
    assert [str(u) for u in loaded.users_.to_list()] == USERS
    assert [str(i) for i in loaded.items_.to_list()] == ITEMS
    assert path.stat().st_size < 16_000


def test_fit_memory_scales_with_distinct_ids(csv_path):
    tracemalloc.start()
    try:
        ratings = read_ratings(csv_path)
        fit("sgd", ratings, factors=4, epochs=20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # An array sized by the largest ID (10**13 items) would need terabytes.
    assert peak < 10 * 2**20
    assert pa.total_allocated_bytes() < 100 * 2**20


@pytest.mark.parametrize("solver", SOLVERS)
def test_cli_ids_are_exact_strings(tmp_path, csv_path, solver):
    model_path = train_cli(tmp_path, csv_path, solver, "--factors", "4", "--epochs", "20")
    document = cli_json("recommend", model_path, "--all-users", "-n", "5", "--include-rated")
    assert {row["user"] for row in document} == set(USERS)
    assert {row["item"] for row in document} == set(ITEMS)
    assert all(isinstance(row["user"], str) and isinstance(row["item"], str) for row in document)
    assert len(document) == 12

    prediction = cli_json("predict", model_path, "--user", "1205640308657491975", "--item", "42")
    assert prediction["user"] == "1205640308657491975"
    assert prediction["item"] == "42"
    assert prediction["cold_start"] is None

    other = cli_json("predict", model_path, "--user", "1205640308657491968", "--item", "42")
    assert other["cold_start"] == "unknown_user"


def test_cli_text_output_exact(tmp_path, csv_path):
    model_path = train_cli(tmp_path, csv_path, "sgd", "--factors", "4", "--epochs", "5")
    result = run_cli("recommend", model_path, "--user", "9007199254740993", "-n", "5", "--include-rated")
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    items = [line.split("\t")[1] for line in rows]
    assert sorted(items) == sorted(ITEMS)
    assert "e+" not in result.stdout
