"""Top-n selection kernel against a full sort."""

from __future__ import annotations

import numpy as np
import pytest
import reference

from mfrec._kernels.topk import top_n_rows


def run_kernel(scores, users, indptr, rated, exclude_rated, n):
    out_items = np.zeros((len(users), n), np.int64)
    out_scores = np.zeros((len(users), n))
    counts = np.zeros(len(users), np.int64)
    top_n_rows(scores, users, indptr, rated, exclude_rated, n, out_items, out_scores, counts)
    return [(out_items[r, : counts[r]].tolist(), out_scores[r, : counts[r]].tolist()) for r in range(len(users))]


@pytest.mark.parametrize("exclude_rated", [True, False])
@pytest.mark.parametrize("n", [0, 1, 5, 40])
def test_top_n_rows_matches_full_sort(exclude_rated, n):
    rng = np.random.default_rng(n)
    # Integer scores make many ties, which must go to the lower item index.
    scores = rng.integers(0, 4, (30, 25)).astype(np.float64)
    users = rng.permutation(30).astype(np.int64)
    # User u rated u % 26 items, so some rated none and some rated all 25.
    sizes = np.arange(30) % 26
    rated = np.concatenate([rng.choice(25, size=k, replace=False) for k in sizes]).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    got = run_kernel(scores, users, indptr, rated, exclude_rated, n)
    assert got == reference.top_n_rows(scores, users, indptr, rated, exclude_rated, n)


def test_top_n_rows_known_answer():
    # One user, items 0..4 scored 1, 3, 3, 2, 5; item 4 rated. Best unrated: item 1
    # (3, lower index than item 2), item 2 (3), item 3 (2).
    scores = np.array([[1.0, 3.0, 3.0, 2.0, 5.0]])
    got = run_kernel(scores, np.array([0]), np.array([0, 1]), np.array([4], np.int32), True, 3)
    assert got == [([1, 2, 3], [3.0, 3.0, 2.0])]


def test_top_n_rows_short_list_when_few_candidates():
    scores = np.array([[1.0, 2.0, 3.0]])
    got = run_kernel(scores, np.array([0]), np.array([0, 2]), np.array([0, 2], np.int32), True, 10)
    assert got == [([1], [2.0])]


@pytest.mark.parametrize("exclude_rated", [True, False])
def test_top_n_explicit_matches_float64_sort(exclude_rated):
    from mfrec._kernels.topk import top_n_explicit

    rng = np.random.default_rng(7)
    user_factors = rng.normal(0, 1, (12, 5)).astype(np.float32)
    # Items 0-19 and 20-39 share factors and biases, so exact ties are common.
    item_factors = np.tile(rng.normal(0, 1, (20, 5)).astype(np.float32), (2, 1))
    item_bias = np.tile(rng.normal(0, 0.5, 20).astype(np.float32), 2)
    user_bias = rng.normal(0, 0.5, 12).astype(np.float32)
    users = np.arange(12, dtype=np.int64)
    sizes = np.arange(12) * 3
    rated = np.concatenate([rng.choice(40, size=k, replace=False) for k in sizes]).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    approx = user_factors @ item_factors.T
    norm = float(np.sqrt((item_factors.astype(np.float64) ** 2).sum(axis=1)).max())
    out_items, out_scores, counts = np.zeros((12, 6), np.int64), np.zeros((12, 6)), np.zeros(12, np.int64)
    top_n_explicit(
        approx, users, user_factors, item_factors, user_bias, item_bias, 3.5, norm,
        float(np.abs(item_bias).max()), indptr, rated, exclude_rated, 6, out_items, out_scores, counts,
    )
    want = reference.top_n_explicit(users, user_factors, item_factors, user_bias, item_bias, 3.5, indptr, rated, exclude_rated, 6)
    for row, (want_items, want_scores) in enumerate(want):
        assert out_items[row, : counts[row]].tolist() == want_items
        np.testing.assert_allclose(out_scores[row, : counts[row]], want_scores, rtol=1e-12)
