"""Ranking metric definitions on fixed lists, and training items left out of evaluated lists.

Definitions: precision@k divides by k, and recall@k by the number of relevant items.
NDCG uses binary gains with 1/log2(rank + 1) and an ideal list of min(k, relevant)
hits. AP@k sums precision at each hit rank up to k and divides by min(k, relevant).
Users without relevant items are left out of the means and counted.
"""

from __future__ import annotations

import numpy as np
import pyarrow.csv as pa_csv
import pytest
from case_support import SOLVERS, cli_json, fit, train_cli

from mfrec import read_ratings
from mfrec.evaluation import (
    average_precision_at_k,
    evaluate_ranking,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    relevance_matrix,
)

# Per user (A, B) and the mean, to the precision the case gives.
EXPECTED = {
    ("precision", 1): (1.0, 0.0, 0.5),
    ("precision", 5): (0.4, 0.2, 0.3),
    ("precision", 10): (0.2, 0.4, 0.3),
    ("recall", 5): (1.0, 0.25, 0.625),
    ("recall", 10): (1.0, 1.0, 1.0),
    ("ndcg", 5): (0.877215, 0.246302, 0.561759),
    ("ndcg", 10): (0.877215, 0.621355, 0.749285),
    ("ap", 5): (0.75, 0.125, 0.4375),
    ("ap", 10): (0.75, 0.402083, 0.576042),
}


@pytest.fixture
def folder(cases):
    return cases / "09-ranking-metric-definitions"


def lists(folder, *, duplicate_relevant: bool = False):
    """Return the relevance matrix and relevant counts of users A and B."""
    ranked_table = pa_csv.read_csv(folder / "ranked.csv").to_pylist()
    relevant_table = pa_csv.read_csv(folder / "relevant.csv").to_pylist()
    if duplicate_relevant:
        relevant_table = relevant_table + relevant_table[:1]
    users = ["A", "B"]
    items = sorted({row["item"] for row in ranked_table} | {row["item"] for row in relevant_table})
    index = {item: k for k, item in enumerate(items)}
    ranked = np.full((2, 10), -1)
    for row in ranked_table:
        ranked[users.index(row["user"]), row["rank"] - 1] = index[row["item"]]
    relevant = [[index[r["item"]] for r in relevant_table if r["user"] == user] for user in users]
    indptr = np.cumsum([0] + [len(r) for r in relevant])
    relevance = relevance_matrix(ranked, indptr, np.concatenate(relevant))
    n_relevant = np.array([len(set(r)) for r in relevant])
    return relevance, n_relevant


def metric(name: str, relevance, n_relevant, k: int) -> np.ndarray:
    if name == "precision":
        return precision_at_k(relevance, k=k)
    if name == "recall":
        return recall_at_k(relevance, n_relevant, k=k)
    if name == "ndcg":
        return ndcg_at_k(relevance, n_relevant, k=k)
    return average_precision_at_k(relevance, n_relevant, k=k)


def test_relevant_counts(folder):
    _, n_relevant = lists(folder)
    assert n_relevant.tolist() == [2, 4]


@pytest.mark.parametrize(("name", "k"), list(EXPECTED))
def test_part_a_values(folder, name, k):
    relevance, n_relevant = lists(folder)
    values = metric(name, relevance, n_relevant, k)
    a, b, mean = EXPECTED[(name, k)]
    assert values[0] == pytest.approx(a, abs=5e-7)
    assert values[1] == pytest.approx(b, abs=5e-7)
    assert values.mean() == pytest.approx(mean, abs=5e-7)


def test_part_a_hand_arithmetic(folder):
    relevance, n_relevant = lists(folder)
    # A: hits at ranks 1 and 4. DCG = 1/log2(2) + 1/log2(5); IDCG = 1 + 1/log2(3).
    assert ndcg_at_k(relevance, n_relevant, k=5)[0] == pytest.approx((1 + 1 / np.log2(5)) / (1 + 1 / np.log2(3)))
    # A: AP@5 = (1/1 + 2/4) / min(5, 2) = 0.75.
    assert average_precision_at_k(relevance, n_relevant, k=5)[0] == 0.75
    # B: hits at 2, 6, 8, 10. AP@10 = (1/2 + 2/6 + 3/8 + 4/10) / 4.
    assert average_precision_at_k(relevance, n_relevant, k=10)[1] == pytest.approx((1 / 2 + 2 / 6 + 3 / 8 + 4 / 10) / 4)


def test_precision_falls_with_k_for_user_a(folder):
    relevance, n_relevant = lists(folder)
    assert precision_at_k(relevance, k=5)[0] == 0.4
    assert precision_at_k(relevance, k=10)[0] == 0.2


def test_duplicated_relevant_row_changes_nothing(folder):
    relevance, n_relevant = lists(folder, duplicate_relevant=True)
    for (name, k), (a, b, _) in EXPECTED.items():
        values = metric(name, relevance, n_relevant, k)
        assert (values <= 1.0).all()
        assert values[0] == pytest.approx(a, abs=5e-7)
        assert values[1] == pytest.approx(b, abs=5e-7)


def test_user_without_relevant_items_scores_zero_not_nan():
    relevance = np.zeros((1, 5))
    assert recall_at_k(relevance, np.array([0]), k=5).tolist() == [0.0]
    assert ndcg_at_k(relevance, np.array([0]), k=5).tolist() == [0.0]
    assert average_precision_at_k(relevance, np.array([0]), k=5).tolist() == [0.0]


@pytest.mark.parametrize("solver", SOLVERS)
def test_part_b_training_items_excluded(folder, solver):
    train = read_ratings(folder / "partB_train.csv")
    test = read_ratings(folder / "partB_test.csv", rating_scale=(1, 5))
    model = fit(solver, train, factors=2, epochs=20, seed=0)
    report = evaluate_ranking(model, test, k=4, threshold=4)
    assert report.users_evaluated == 4
    assert report.users_without_relevant == 0
    assert report.metrics["recall@4"] == 1.0
    assert report.metrics["precision@4"] == 0.25
    assert report.per_user["recall@4"].tolist() == [1.0] * 4
    assert report.per_user["precision@4"].tolist() == [0.25] * 4

    exported = report.recommendations()
    trained = {(u, i) for u, i in zip(train.users.ids_at(train.user_index), train.items.ids_at(train.item_index))}
    assert len(exported) == 16
    assert not any((u, i) in trained for u, i in zip(exported.user, exported.item))


def test_part_b_user_without_relevant_is_counted(folder, tmp_path):
    train = read_ratings(folder / "partB_train.csv")
    low = tmp_path / "low.csv"
    low.write_text("user,item,rating\nu1,i4,2\nu2,i6,5\n")
    model = fit("sgd", train, factors=2, epochs=5, seed=0)
    report = evaluate_ranking(model, read_ratings(low, rating_scale=(1, 5)), k=4, threshold=4)
    assert report.users_evaluated == 1
    assert report.users_without_relevant == 1
    assert np.isfinite(report.metrics["ndcg@4"])


@pytest.mark.parametrize("solver", SOLVERS)
def test_part_b_through_cli(tmp_path, folder, solver):
    model_path = train_cli(tmp_path, folder / "partB_train.csv", solver, "--factors", "2", "--epochs", "20")
    document = cli_json(
        "evaluate", model_path, folder / "partB_test.csv", "--metrics", "precision@4,recall@4", "--threshold", "4"
    )
    assert document["precision@4"] == 0.25
    assert document["recall@4"] == 1.0
    assert document["users_evaluated"] == 4
    assert document["users_without_relevant"] == 0
