"""ALS kernels against direct least squares and their NumPy twins."""

from __future__ import annotations

import numpy as np
import pytest
import reference

from mfrec._kernels.als import als_update_rows, csr_by_row, squared_error_sum


def tiny_problem(seed=0):
    rng = np.random.default_rng(seed)
    rows = np.array([0, 0, 0, 1, 1, 3, 3, 3, 3], dtype=np.int32)  # row 2 has no ratings
    columns = np.array([0, 2, 4, 1, 3, 0, 1, 2, 4], dtype=np.int32)
    values = rng.integers(1, 6, len(rows)).astype(np.float32)
    fixed_factors = rng.normal(0, 0.5, (5, 3)).astype(np.float32)
    fixed_bias = rng.normal(0, 0.3, 5).astype(np.float32)
    return csr_by_row(rows, columns, values, 4), fixed_factors, fixed_bias


def test_csr_by_row_matches_reference():
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 7, 50).astype(np.int32)
    columns = rng.integers(0, 9, 50).astype(np.int32)
    values = rng.random(50).astype(np.float32)
    for got, want in zip(csr_by_row(rows, columns, values, 8), reference.csr_by_row(rows, columns, values, 8)):
        np.testing.assert_array_equal(got, want)


def test_als_rows_match_least_squares():
    csr, fixed_factors, fixed_bias = tiny_problem()
    factors, bias = np.full((4, 3), 9, np.float32), np.full(4, 9, np.float32)
    als_update_rows(*csr, fixed_factors, fixed_bias, np.float32(3.5), 0.1, 0.05, factors, bias)
    want_factors, want_bias = np.zeros((4, 3)), np.zeros(4)
    reference.als_update_rows(*csr, fixed_factors, fixed_bias, 3.5, 0.1, 0.05, want_factors, want_bias)
    np.testing.assert_allclose(factors, want_factors, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, want_bias, rtol=1e-5, atol=1e-6)


def test_als_row_without_ratings_gets_zeros():
    csr, fixed_factors, fixed_bias = tiny_problem()
    factors, bias = np.full((4, 3), 9, np.float32), np.full(4, 9, np.float32)
    als_update_rows(*csr, fixed_factors, fixed_bias, np.float32(3.5), 0.1, 0.05, factors, bias)
    assert np.all(factors[2] == 0)
    assert bias[2] == 0


def test_als_one_rating_no_regularization_bias_only():
    # One rating 4.0, offset 3.0, a zero item vector: the design is [0, 0, 1], so with
    # no penalty on the bias b = 4 - 3 - item_bias = 4 - 3 - 0.5 = 0.5, and the
    # penalised factors stay 0.
    indptr = np.array([0, 1], dtype=np.int64)
    factors, bias = np.zeros((1, 2), np.float32), np.zeros(1, np.float32)
    als_update_rows(
        indptr, np.array([0], np.int32), np.array([4.0], np.float32), np.zeros((1, 2), np.float32),
        np.array([0.5], np.float32), np.float32(3.0), 1.0, 0.0, factors, bias,
    )
    assert bias[0] == pytest.approx(0.5)
    assert np.all(factors == 0)


def test_squared_error_sum_counts_every_rating():
    # Model: offset 3, all biases and factors 0, so the errors are rating - 3.
    csr = csr_by_row(np.array([0, 1, 1], np.int32), np.array([0, 0, 1], np.int32), np.array([5, 1, 3], np.float32), 2)
    zeros2 = np.zeros((2, 2), np.float32)
    total = squared_error_sum(*csr, zeros2, zeros2, np.zeros(2, np.float32), np.zeros(2, np.float32), np.float32(3))
    assert total == pytest.approx(2.0**2 + (-2.0) ** 2 + 0.0**2)
