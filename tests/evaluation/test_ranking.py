"""Ranking metrics against hand-computed values, and the top-k evaluator's rules."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from mfrec import DataWarning, MatrixFactorization, read_ratings
from mfrec.models import GlobalMean
from mfrec.evaluation import (
    average_precision_at_k,
    catalog_coverage,
    evaluate_ranking,
    hit_rate_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    reciprocal_rank_at_k,
    relevance_matrix,
)

LOG2_3 = math.log2(3)


# --- metric functions on fixed relevance rows ----------------------------------------

# Hits at ranks 1 and 3 of a 4-item list; the user has 3 relevant items.
ROW = np.array([[1, 0, 1, 0]])
N_RELEVANT = np.array([3])


def test_precision_divides_by_k():
    assert precision_at_k(ROW, k=2)[0] == pytest.approx(1 / 2)
    assert precision_at_k(ROW, k=4)[0] == pytest.approx(2 / 4)
    # k beyond the list: the two missing ranks are misses, 2 hits / 6.
    assert precision_at_k(ROW, k=6)[0] == pytest.approx(2 / 6)


def test_recall_divides_by_relevant_count():
    assert recall_at_k(ROW, N_RELEVANT, k=2)[0] == pytest.approx(1 / 3)
    assert recall_at_k(ROW, N_RELEVANT, k=4)[0] == pytest.approx(2 / 3)


def test_ndcg_binary_gains():
    # DCG@4 = 1/log2(2) + 1/log2(4) = 1.5; IDCG@4 = 1 + 1/log2(3) + 1/log2(4).
    expected = 1.5 / (1 + 1 / LOG2_3 + 0.5)
    assert ndcg_at_k(ROW, N_RELEVANT, k=4)[0] == pytest.approx(expected)


def test_ndcg_ideal_cut_at_k():
    # k = 1: DCG = 1, IDCG = 1 (one ideal hit although 3 items are relevant).
    assert ndcg_at_k(ROW, N_RELEVANT, k=1)[0] == pytest.approx(1.0)


def test_ndcg_graded_gains():
    gains = np.array([[3.0, 0.0, 5.0, 0.0]])
    ideal = np.array([[3.0, 5.0, 4.0]])
    # DCG = 3/1 + 5/log2(4) = 5.5; IDCG = 5/1 + 4/log2(3) + 3/log2(4) = 6.5 + 4/log2(3).
    expected = 5.5 / (6.5 + 4 / LOG2_3)
    assert ndcg_at_k(gains, N_RELEVANT, k=4, ideal_gains=ideal)[0] == pytest.approx(expected)


def test_average_precision_divides_by_min_k_relevant():
    # Hits at 1 and 3: (1/1 + 2/3) / min(4, 3) = 5/9.
    assert average_precision_at_k(ROW, N_RELEVANT, k=4)[0] == pytest.approx(5 / 9)
    # k = 2: one hit at rank 1, divided by min(2, 3) = 2.
    assert average_precision_at_k(ROW, N_RELEVANT, k=2)[0] == pytest.approx(1 / 2)


def test_reciprocal_rank_and_hit_rate():
    rows = np.array([[0, 0, 1], [0, 0, 0]])
    assert reciprocal_rank_at_k(rows, k=3).tolist() == [pytest.approx(1 / 3), 0.0]
    assert reciprocal_rank_at_k(rows, k=2).tolist() == [0.0, 0.0]
    assert hit_rate_at_k(rows, k=3).tolist() == [1.0, 0.0]


def test_user_without_relevant_items_scores_zero():
    empty = np.zeros((1, 3))
    zero = np.array([0])
    assert recall_at_k(empty, zero, k=3)[0] == 0.0
    assert ndcg_at_k(empty, zero, k=3)[0] == 0.0
    assert average_precision_at_k(empty, zero, k=3)[0] == 0.0


def test_catalog_coverage_counts_distinct_items():
    ranked = np.array([[0, 1, 2], [1, 3, -1]])
    # Top-2 lists show items {0, 1, 3} of 8.
    assert catalog_coverage(ranked, 8, k=2) == pytest.approx(3 / 8)
    assert catalog_coverage(np.zeros((0, 2), dtype=int), 8, k=2) == 0.0


def test_metric_rejects_bad_k():
    with pytest.raises(ValueError, match="k must be an integer >= 1, got 0"):
        precision_at_k(ROW, k=0)


def test_relevance_matrix_counts_repeats_once():
    ranked = np.array([[4, 4, 2, -1]])
    # Item 2 is listed twice as relevant, item 4 is ranked twice: each counts once.
    relevance = relevance_matrix(ranked, [0, 3], [2, 2, 4])
    assert relevance.tolist() == [[1.0, 0.0, 1.0, 0.0]]


# --- two fixed 10-item lists: A has 2 relevant items, B has 4 -----------------------------

FIXED_LISTS = {
    # metric, k: (user A, user B)
    ("precision", 1): (1.0, 0.0),
    ("precision", 5): (0.4, 0.2),
    ("precision", 10): (0.2, 0.4),
    ("recall", 5): (1.0, 0.25),
    ("recall", 10): (1.0, 1.0),
    ("ndcg", 5): (0.877215, 0.246302),
    ("ndcg", 10): (0.877215, 0.621355),
    ("ap", 5): (0.75, 0.125),
    ("ap", 10): (0.75, 0.402083),
}


def _fixed_lists(cases, *, duplicate_relevant=False):
    folder = cases / "09-ranking-metric-definitions"
    ranked = _read_csv(folder / "ranked.csv")
    relevant = _read_csv(folder / "relevant.csv")
    if duplicate_relevant:
        relevant = relevant + relevant[:1]
    users = sorted({row["user"] for row in ranked})
    items = sorted({row["item"] for row in ranked} | {row["item"] for row in relevant})
    code = {item: n for n, item in enumerate(items)}
    matrix = np.full((len(users), 10), -1)
    for row in ranked:
        matrix[users.index(row["user"]), int(row["rank"]) - 1] = code[row["item"]]
    pairs = sorted((users.index(row["user"]), code[row["item"]]) for row in relevant)
    indptr = np.searchsorted([u for u, _ in pairs], np.arange(len(users) + 1))
    relevance = relevance_matrix(matrix, indptr, [i for _, i in pairs])
    n_relevant = np.array([len({row["item"] for row in relevant if row["user"] == u}) for u in users])
    return relevance, n_relevant


def _read_csv(path):
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    return [dict(zip(header, line.split(","))) for line in lines[1:] if line]


def _fixed_list_metric(name, relevance, n_relevant, k):
    if name == "precision":
        return precision_at_k(relevance, k=k)
    if name == "recall":
        return recall_at_k(relevance, n_relevant, k=k)
    if name == "ndcg":
        return ndcg_at_k(relevance, n_relevant, k=k)
    return average_precision_at_k(relevance, n_relevant, k=k)


@pytest.mark.parametrize(("name", "k"), list(FIXED_LISTS))
def test_fixed_lists_metric_table(cases, name, k):
    relevance, n_relevant = _fixed_lists(cases)
    values = _fixed_list_metric(name, relevance, n_relevant, k)
    expected_a, expected_b = FIXED_LISTS[(name, k)]
    assert values[0] == pytest.approx(expected_a, abs=5e-7)
    assert values[1] == pytest.approx(expected_b, abs=5e-7)
    assert values.mean() == pytest.approx((expected_a + expected_b) / 2, abs=5e-7)


def test_fixed_lists_precision_falls_with_k(cases):
    relevance, _ = _fixed_lists(cases)
    assert precision_at_k(relevance, k=5)[0] == pytest.approx(0.4)
    assert precision_at_k(relevance, k=10)[0] == pytest.approx(0.2)


@pytest.mark.parametrize(("name", "k"), list(FIXED_LISTS))
def test_fixed_lists_duplicate_relevant_row(cases, name, k):
    relevance, n_relevant = _fixed_lists(cases, duplicate_relevant=True)
    values = _fixed_list_metric(name, relevance, n_relevant, k)
    assert values.max() <= 1.0
    assert values[0] == pytest.approx(FIXED_LISTS[(name, k)][0], abs=5e-7)


# --- training items are never candidates ---------------------------------------------------


def test_evaluate_ranking_excludes_training_items(cases):
    folder = cases / "09-ranking-metric-definitions"
    train = read_ratings(folder / "partB_train.csv")
    test = read_ratings(folder / "partB_test.csv", rating_scale=(1, 5))
    model = MatrixFactorization(factors=4, epochs=5, seed=3).fit(train)
    report = evaluate_ranking(model, test, k=4, threshold=4)

    # Each user has 6 - 2 = 4 candidates, so the one relevant item is always in the top 4.
    assert report.metrics["recall@4"] == pytest.approx(1.0)
    assert report.metrics["precision@4"] == pytest.approx(0.25)
    assert report.per_user["recall@4"].tolist() == [1.0] * 4
    assert report.per_user["precision@4"].tolist() == [0.25] * 4

    lists = report.recommendations()
    rated = {(u, i) for u, i in zip(train.users.ids_at(train.user_index), train.items.ids_at(train.item_index))}
    assert len(lists) == 16
    assert not any((u, i) in rated for u, i in zip(lists.user, lists.item))


# --- the evaluator on a small hand-made data set ------------------------------------------


def _ratings(users, items, values):
    return read_ratings(pa.table({"user": users, "item": items, "rating": values}), rating_scale=(1, 5))


@pytest.fixture
def tied_model():
    # GlobalMean scores every item mu, so the ranking is the tie order: the model item
    # index, which follows first appearance in training.
    train = _ratings(["a", "a", "b", "c"], ["i0", "i1", "i2", "i3"], [5.0, 3.0, 4.0, 2.0])
    return GlobalMean().fit(train)


def test_evaluate_ranking_ties_by_item_index(tied_model):
    # User a: candidates i2, i3 (i0, i1 rated in training); relevant i3 (rating 5).
    # Top-2 = [i2, i3]: P@2 = 1/2, R@2 = 1, NDCG = (1/log2(3)) / 1, AP = (1/2) / 1, RR = 1/2.
    test = _ratings(["a", "a"], ["i3", "i2"], [5.0, 2.0])
    report = evaluate_ranking(tied_model, test, k=2)
    assert report.recommendations().item == ["i2", "i3"]
    assert report.metrics["precision@2"] == pytest.approx(0.5)
    assert report.metrics["recall@2"] == pytest.approx(1.0)
    assert report.metrics["ndcg@2"] == pytest.approx(1 / LOG2_3)
    assert report.metrics["map@2"] == pytest.approx(0.5)
    assert report.metrics["mrr@2"] == pytest.approx(0.5)
    assert report.metrics["hit@2"] == pytest.approx(1.0)
    # Items i2, i3 of 4 appear in the lists.
    assert report.metrics["coverage@2"] == pytest.approx(0.5)


def test_evaluate_ranking_leaves_out_users_without_relevant(tied_model):
    # User b's only test rating (2) is below 4: left out, counted, and no NaN in the means.
    # User a: candidates [i2, i3], relevant i3 at rank 2 -> P@1 = 0, R@1 = 0.
    # User c: candidates [i0, i1, i2], relevant i0 at rank 1 -> P@1 = 1, R@1 = 1.
    test = _ratings(["a", "b", "c"], ["i3", "i0", "i0"], [4.0, 2.0, 4.5])
    report = evaluate_ranking(tied_model, test, k=1)
    assert report.users_evaluated == 2
    assert report.users_without_relevant == 1
    assert report.user_ids == ["a", "c"]
    assert report.metrics["precision@1"] == pytest.approx(0.5)
    assert report.metrics["recall@1"] == pytest.approx(0.5)


def test_evaluate_ranking_k_beyond_catalogue(tied_model):
    # User a has 2 candidates and 1 relevant item (i2 at rank 1): P@10 = 1/10, R@10 = 1,
    # AP@10 = 1 / min(10, 1) = 1.
    test = _ratings(["a"], ["i2"], [4.0])
    report = evaluate_ranking(tied_model, test, k=10)
    assert report.top_k[0].tolist() == [2, 3] + [-1] * 8
    assert report.metrics["precision@10"] == pytest.approx(0.1)
    assert report.metrics["recall@10"] == pytest.approx(1.0)
    assert report.metrics["map@10"] == pytest.approx(1.0)


def test_evaluate_ranking_unknown_user_and_item(tied_model):
    # User z is new: all 4 items are candidates, ranked i0..i3; relevant i1 at rank 2.
    # User a's relevant item i9 is unknown to the model: relevant but unreachable.
    test = _ratings(["z", "a"], ["i1", "i9"], [5.0, 5.0])
    report = evaluate_ranking(tied_model, test, k=2)
    assert report.users_unknown == 1
    assert report.relevant_unknown_items == 1
    assert report.per_user["recall@2"].tolist() == [1.0, 0.0]
    assert report.per_user["mrr@2"].tolist() == [0.5, 0.0]


def test_evaluate_ranking_graded_ndcg(tied_model):
    # User a: list [i2, i3]; relevant i3 (5) and i2 (4).
    # DCG = 4/1 + 5/log2(3); IDCG = 5/1 + 4/log2(3).
    test = _ratings(["a", "a"], ["i3", "i2"], [5.0, 4.0])
    report = evaluate_ranking(tied_model, test, k=2, graded=True)
    expected = (4 + 5 / LOG2_3) / (5 + 4 / LOG2_3)
    assert report.metrics["ndcg@2"] == pytest.approx(expected)


def test_evaluate_ranking_no_relevant_user_warns(tied_model):
    test = _ratings(["a"], ["i2"], [1.0])
    with pytest.warns(DataWarning, match="no test user has a rating of at least the relevance threshold"):
        report = evaluate_ranking(tied_model, test, k=2)
    assert report.users_evaluated == 0
    assert math.isnan(report.metrics["precision@2"])
    assert report.to_dict()["precision@2"] is None


def test_evaluate_ranking_rejects_bad_threshold(tied_model):
    test = _ratings(["a"], ["i2"], [4.0])
    with pytest.raises(ValueError, match="threshold must be a finite number, got nan"):
        evaluate_ranking(tied_model, test, threshold=float("nan"))


def test_evaluate_ranking_matches_recommend(ml100k):
    train = read_ratings(ml100k / "u1.base")
    test = read_ratings(ml100k / "u1.test")
    model = MatrixFactorization(factors=8, epochs=3, seed=1).fit(train)
    report = evaluate_ranking(model, test, k=10)
    lists = report.recommendations()
    for user in report.user_ids[:20]:
        assert lists.for_user(user).item == model.recommend(user, n=10).item


def test_evaluate_ranking_uses_model_item_scores(ml100k):
    # ImplicitALS ranks by its own preference score, not by a predicted rating.
    from mfrec import ImplicitALS

    train = read_ratings(ml100k / "u1.base")
    test = read_ratings(ml100k / "u1.test")
    model = ImplicitALS(factors=8, iterations=2, seed=1).fit(train)
    lists = evaluate_ranking(model, test, k=5).recommendations()
    for user in sorted(set(lists.user))[:10]:
        assert lists.for_user(user).item == model.recommend(user, n=5).item
